"""`essbot report` (anonymised usage report) and `essbot purge` (retention) subcommands."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from bot.settings import BotSettings
from indexing.cli import DATE_HELP
from indexing.storage.db import DatabaseOpener
from indexing.storage.folders import ensure_data_folder


def _date(value: str) -> dt.date:
    """An ISO date argument (2026-01-31)."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"date attendue au format AAAA-MM-JJ : {value!r}"
        ) from error


def register(sub: Any) -> None:
    """Add the report and purge subcommands."""
    p = sub.add_parser(
        "report",
        help="rapport d'usage anonymisé (Markdown et CSV)",
        description="Rapport d'usage anonymisé d'une période (Markdown et CSV). Dates au format "
        "AAAA-MM-JJ, bornes incluses, en UTC : essbot report --from 2026-01-01 --to 2026-03-31",
    )
    p.add_argument(
        "--from",
        dest="start",
        type=_date,
        required=True,
        metavar="DATE",
        help=f"premier jour inclus, {DATE_HELP}",
    )
    p.add_argument(
        "--to",
        dest="end",
        type=_date,
        required=True,
        metavar="DATE",
        help=f"dernier jour inclus, {DATE_HELP}",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path(),
        metavar="DOSSIER",
        help="dossier où écrire les fichiers (par défaut : le dossier courant)",
    )
    p.set_defaults(handler=cmd_report)
    p = sub.add_parser(
        "purge", help="effacer les questions et avis plus anciens que RETENTION_DAYS"
    )
    p.add_argument(
        "--days",
        type=int,
        metavar="JOURS",
        help="conserver ce nombre de jours (par défaut : RETENTION_DAYS)",
    )
    p.set_defaults(handler=cmd_purge)


def cmd_report(
    args: argparse.Namespace, settings: BotSettings, open_database: DatabaseOpener
) -> int:
    """Write the anonymised report of a period."""
    from bot.community.insight import Insight
    from bot.community.reports import write_report
    from indexing.cli import opened_engine

    if args.end < args.start:
        print("Erreur : --to précède --from.", file=sys.stderr)
        return 2
    with opened_engine(settings, open_database) as engine:  # the themes of the cited documents
        insight = Insight(engine, engine.sessions, similarity=settings.digest_similarity)
        report = insight.report(args.start, args.end)
    for path in write_report(report, args.out):
        print(path)
    return 0


def cmd_purge(
    args: argparse.Namespace, settings: BotSettings, open_database: DatabaseOpener
) -> int:
    """Purge questions and feedback older than the retention period."""
    from bot.community.privacy import Privacy
    from bot.storage.pseudonym_key import resolve_hash_key

    if args.days is not None and args.days < 0:
        print("Erreur : --days doit être positif.", file=sys.stderr)
        return 2
    ensure_data_folder(settings.data_dir)
    database = open_database(settings.resolved_database_url)
    try:
        privacy = Privacy(
            database.sessions,
            hash_key=resolve_hash_key(settings),
            retention_days=settings.retention_days,
        )
        purged = privacy.purge_now(args.days)
    finally:
        database.close()
    print(
        f"Avant le {purged.cutoff:%d/%m/%Y %H:%M} (UTC) : {purged.questions} "
        f"{'question' if purged.questions <= 1 else 'questions'} et {purged.feedback} avis "
        "effacés."
    )
    return 0
