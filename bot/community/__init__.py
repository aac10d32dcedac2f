"""Insight for the facilitators and privacy for the members: digest, stats chart, usage reports,
/oubli and the retention purge.

May import `bot.assistant`, `bot.storage` and `indexing`; never `bot.telegram`."""
