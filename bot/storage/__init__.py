"""What the bot keeps: tables and queries (records, usage), personal-data masking, migrations.

May import `indexing` only; never `bot.telegram`, `bot.assistant`, `bot.community` or
`bot.upkeep`."""
