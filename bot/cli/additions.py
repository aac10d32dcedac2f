"""`essbot add URL|FILE`: what admins add from Telegram, from the shell (page or document)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.settings import BotSettings
from indexing.errors import UnreadableFileError
from indexing.storage.db import DatabaseOpener

REINDEX_WAIT = 300.0  # seconds to wait for a reindex the bot is running


def register(sub: Any) -> None:
    """Add the `add` subcommand."""
    p = sub.add_parser(
        "add", help="ajouter une page web ou un document au dossier d'ajouts, puis réindexer"
    )
    p.add_argument("source", help="adresse http(s) d'une page, ou chemin d'un fichier")
    p.set_defaults(handler=cmd_add)


def cmd_add(args: argparse.Namespace, settings: BotSettings, open_database: DatabaseOpener) -> int:
    """Save the page or document in KNOWLEDGE_INBOX (checked like the index reads it), reindex."""
    from bot.contributions.additions import build_additions
    from indexing.cli import opened_engine

    source = str(args.source)
    # the database is upgraded first: the addition is counted in the reports
    with opened_engine(settings, open_database) as engine:
        additions = build_additions(settings, engine.sessions)
        if source.startswith(("http://", "https://")):
            saved = additions.add_page(source)
        else:
            saved = additions.add_file(Path(source).name, _read(Path(source), settings))
        report = engine.reindex(wait_seconds=REINDEX_WAIT)
    failed = {f.path: f.reason for f in report.failed}
    verb = "Mis à jour" if saved.updated else "Ajouté"
    print(f"{verb} : {saved.path} — {saved.title} ({saved.passages} passage(s))")
    if saved.path in failed:
        print(f"Attention : indexation en échec ({failed[saved.path]}).")
        return 1
    return 0


def _read(path: Path, settings: BotSettings) -> bytes:
    """A local file's bytes, within MAX_FILE_MB."""
    if not path.is_file():
        raise UnreadableFileError(f"fichier introuvable : {path}")
    limit = settings.max_file_mb * 1_000_000
    if path.stat().st_size > limit:
        raise UnreadableFileError(f"fichier trop gros (limite {settings.max_file_mb:g} Mo)")
    return path.read_bytes()
