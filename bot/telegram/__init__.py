"""The Telegram shell: application, handlers, callbacks, keyboards, HTML messages, texts, jobs.

May import every other package of `bot` and `indexing`; nothing outside `bot.cli` imports it."""
