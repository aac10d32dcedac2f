"""The `essbot` console script: the engine's commands (`indexing.cli`) plus the bot's.

Owns one module per command group; each exposes `register(subparsers)` and is listed once in
`REGISTRATIONS`. May import every other package of `bot` and `indexing`: this is the edge.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.cli import reports, serve, upkeep
from bot.settings import BotSettings
from indexing import cli as engine_cli

REGISTRATIONS = (
    serve.register,  # run, start
    upkeep.register,  # backup, links
    reports.register,  # report, purge
)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `essbot` console script."""
    return engine_cli.main(argv, extra=REGISTRATIONS, settings_class=BotSettings)
