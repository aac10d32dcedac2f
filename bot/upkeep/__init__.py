"""Keeping the knowledge fresh and safe: scheduled/watched reindex, link checks, backups.

May import `bot.assistant`, `bot.storage` and `indexing`; never `bot.telegram`."""
