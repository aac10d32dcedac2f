"""The `essbot` console script: the engine's commands (`indexing.cli`) plus the bot's.

Owns one module per command group; each exposes `register(subparsers)` and is listed once in
`REGISTRATIONS`. May import every other package of `bot` and `indexing`: this is the edge, where
the settings (`BotSettings`) are built once and the database opener (`open_database`, which
upgrades the schema) is handed to every command as `handler(args, settings, open_database)`.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.cli import additions, reports, serve, upkeep
from bot.settings import BotSettings
from bot.storage.database import open_database
from indexing import cli as engine_cli

REGISTRATIONS = (
    serve.register,  # run, start
    upkeep.register,  # backup, restore, links
    reports.register,  # report, purge
    additions.register,  # add
)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `essbot` console script."""
    return engine_cli.main(argv, open_database, extra=REGISTRATIONS, settings_class=BotSettings)
