"""`essbot run` and `essbot start`: serve the bot, indexing first when needed."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.settings import BotSettings
from indexing import cli as engine_cli
from indexing.storage.db import DatabaseOpener

BOTFATHER_HELP = (
    "TELEGRAM_BOT_TOKEN n'est pas défini. Pour obtenir un jeton : ouvrez @BotFather dans Telegram, "
    "envoyez /newbot, puis copiez le jeton dans le fichier .env (voir .env.example)."
)


def register(sub: Any) -> None:
    """Add the bot's subcommands."""
    p = sub.add_parser("run", help="démarrer le bot Telegram")
    p.set_defaults(handler=cmd_run)
    p = sub.add_parser("start", help="indexer si besoin, puis bot Telegram (ou chat sans jeton)")
    p.set_defaults(handler=cmd_start)


def cmd_run(args: argparse.Namespace, settings: BotSettings, open_database: DatabaseOpener) -> int:
    """Start the Telegram bot."""
    if settings.telegram_bot_token is None:
        print(BOTFATHER_HELP, file=sys.stderr)
        return 2
    from bot.telegram.app import run

    run(settings, open_database)
    return 0


def cmd_start(
    args: argparse.Namespace, settings: BotSettings, open_database: DatabaseOpener
) -> int:
    """Index when needed, then the bot if a token is set, else the terminal chat."""
    with engine_cli.opened_engine(settings, open_database) as engine:
        if not engine.has_index():
            print("Première indexation du dossier de connaissances…", file=sys.stderr)
            update, close = engine_cli.progress_bar("Lecture des fichiers")
            try:
                print(engine_cli.format_report(engine.reindex(progress=update)), file=sys.stderr)
            finally:
                close()
    if settings.telegram_bot_token is None:
        print(
            BOTFATHER_HELP + "\nEn attendant, voici la conversation dans le terminal.\n",
            file=sys.stderr,
        )
        return engine_cli.cmd_chat(args, settings, open_database)
    return cmd_run(args, settings, open_database)
