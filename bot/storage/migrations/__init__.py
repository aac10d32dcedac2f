"""Alembic migrations of every table (engine and bot), run by
`bot.storage.database.upgrade_database`.
"""
