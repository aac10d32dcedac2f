"""Alembic migrations of every table (engine and bot); run them with `bot.schema.upgrade_database`."""
