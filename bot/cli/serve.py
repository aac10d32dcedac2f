"""`essbot run` and `essbot start`: serve the bot, indexing first when needed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.settings import BotSettings
from indexing import cli as engine_cli
from indexing.console.logs import mask_secrets
from indexing.storage.db import DatabaseOpener
from indexing.storage.folders import ensure_data_folder

BOTFATHER_HELP = (
    "TELEGRAM_BOT_TOKEN n'est pas défini. Pour obtenir un jeton : ouvrez @BotFather dans Telegram, "
    "envoyez /newbot, puis copiez le jeton dans le fichier .env (TELEGRAM_BOT_TOKEN=…)."
)
NO_ENV_FILE = "Le fichier .env n'existe pas encore : créez-le avec « cp .env.example .env »."
NO_TERMINAL = (
    "Aucun terminal n'est attaché (conteneur, service, tâche planifiée) : la conversation du "
    "terminal est impossible et le bot ne démarre pas sans jeton. Définissez TELEGRAM_BOT_TOKEN "
    "(fichier .env, env_file de compose.yaml ou EnvironmentFile du service systemd)."
)


def register(sub: Any) -> None:
    """Add the bot's subcommands."""
    p = sub.add_parser("run", help="démarrer le bot Telegram (TELEGRAM_BOT_TOKEN requis)")
    p.set_defaults(handler=cmd_run)
    p = sub.add_parser(
        "start",
        help="indexer si besoin, puis le bot Telegram (sans jeton : la conversation du terminal)",
    )
    p.set_defaults(handler=cmd_start)


def token_help() -> str:
    """How to get a token, and how to create .env when it does not exist yet."""
    if Path(".env").exists():
        return BOTFATHER_HELP
    return f"{BOTFATHER_HELP}\n{NO_ENV_FILE}"


def has_terminal() -> bool:
    """Whether someone can type: stdin is a terminal."""
    return sys.stdin is not None and sys.stdin.isatty()


def cmd_run(args: argparse.Namespace, settings: BotSettings, open_database: DatabaseOpener) -> int:
    """Start the Telegram bot."""
    if settings.telegram_bot_token is None:
        print(token_help(), file=sys.stderr)
        return 2
    secrets = [settings.telegram_bot_token, settings.webhook_secret]  # they travel in requests
    mask_secrets(secret.get_secret_value() for secret in secrets if secret is not None)
    ensure_data_folder(settings.data_dir)
    from bot.storage.pseudonym_key import resolve_hash_key
    from bot.telegram.app import run

    resolve_hash_key(settings)  # a weak key stops here, before any indexing

    run(settings, open_database)
    return 0


def cmd_start(
    args: argparse.Namespace, settings: BotSettings, open_database: DatabaseOpener
) -> int:
    """Index when needed, then the bot if a token is set, else the terminal chat."""
    if settings.telegram_bot_token is None and not has_terminal():
        print(f"{token_help()}\n{NO_TERMINAL}", file=sys.stderr)
        return 2
    from bot.storage.pseudonym_key import resolve_hash_key

    ensure_data_folder(settings.data_dir)
    if settings.telegram_bot_token is not None:
        resolve_hash_key(settings)  # a weak key stops here, before the first indexing
    with engine_cli.opened_engine(settings, open_database) as engine:  # migrated, then indexed
        if not engine.has_index():
            print("Première indexation du dossier de connaissances…", file=sys.stderr)
            report = engine_cli.run_reindex(engine)
            print(engine_cli.format_report(report), file=sys.stderr)
            warning = engine_cli.empty_folder_warning(report, settings.knowledge_dir)
            if warning:
                print(warning, file=sys.stderr)
    if settings.telegram_bot_token is None:
        print(
            token_help() + "\nEn attendant, voici la conversation dans le terminal.\n",
            file=sys.stderr,
        )
        return engine_cli.cmd_chat(args, settings, open_database)
    return cmd_run(args, settings, open_database)
