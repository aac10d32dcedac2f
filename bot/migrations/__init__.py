"""Alembic migrations of every table (engine and bot), run by `bot.schema.upgrade_database`."""
