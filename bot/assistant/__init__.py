"""The answer service: the async face of the engine for the bot (ask, store, feedback, reindex).

Used by the Telegram handlers, the CLI and tests. May import `bot.storage` and `indexing`."""
