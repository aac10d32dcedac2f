"""The command line's terminal: French argparse, progress display, logging with secrets redacted.

Used by the entry points (`indexing.cli`, `bot.cli`, the bot's start-up). May import
`indexing.models`, `indexing.errors` and the stage names of `indexing.storage`.
"""
