"""`essbot backup DIR`, `essbot restore DIR` and `essbot links`: copies of the data, their
restoration, checks of the cited sources."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from bot.settings import BotSettings
from indexing.errors import UnreadableFileError
from indexing.storage.db import DatabaseOpener


def register(sub: Any) -> None:
    """Add the `backup`, `restore` and `links` subcommands."""
    p = sub.add_parser("backup", help="sauvegarder la base et l'index, même bot en marche")
    p.add_argument(
        "dir", type=Path, metavar="DOSSIER", help="dossier de la sauvegarde (nouveau ou vide)"
    )
    p.add_argument(
        "--wait",
        type=float,
        default=300.0,
        metavar="S",
        help="attente maximale d'une réindexation en cours, en secondes (300)",
    )
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="restaurer une sauvegarde (bot arrêté)")
    p.add_argument("dir", type=Path, help="dossier écrit par « essbot backup »")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("links", help="vérifier les liens cités par le dossier de connaissances")
    p.add_argument(
        "--timeout", type=float, default=10.0, metavar="S", help="délai par lien, en secondes (10)"
    )
    p.add_argument(
        "--concurrency", type=int, default=8, metavar="N", help="liens vérifiés en même temps (8)"
    )
    p.set_defaults(handler=cmd_links)


def cmd_backup(
    args: argparse.Namespace, settings: BotSettings, open_database: DatabaseOpener
) -> int:
    """Copy the database and the published index into DIR."""
    from bot.upkeep.backup import backup

    report = backup(settings, args.dir, wait_seconds=args.wait)
    size = sum(file.size for file in report.files) / 1_000_000
    index = f"index {report.build_id}" if report.build_id else "aucun index publié"
    print(
        f"Sauvegarde écrite dans {report.directory} : base {report.database}, {index}, "
        f"{len(report.files)} fichiers ({size:.1f} Mo)."
    )
    return 0


def cmd_restore(
    args: argparse.Namespace, settings: BotSettings, open_database: DatabaseOpener
) -> int:
    """Put the database, the index and the key of a backup back, the bot being stopped."""
    from bot.upkeep.restore import restore

    report = restore(settings, args.dir, open_database)
    index = f"index {report.build_id}" if report.build_id else "aucun index"
    key = ", clé de pseudonymisation" if report.key_restored else ""
    print(
        f"Sauvegarde du {report.created_at} restaurée : base {report.database}, {index}{key}. "
        "Vous pouvez redémarrer le bot."
    )
    return 0


def cmd_links(
    args: argparse.Namespace, settings: BotSettings, open_database: DatabaseOpener
) -> int:
    """Check every URL the knowledge folder cites; exit 1 if one is dead or unreachable."""
    from bot.upkeep.links import LinkState, check_links, collect_links, render_links_table

    if not settings.knowledge_dir.is_dir():
        raise UnreadableFileError(
            f"dossier de connaissances introuvable : {settings.knowledge_dir}"
        )
    cited = collect_links(settings.knowledge_dir)
    results = asyncio.run(check_links(cited, concurrency=args.concurrency, timeout=args.timeout))
    print(render_links_table(results))
    broken = {LinkState.DEAD, LinkState.ERROR, LinkState.TIMEOUT}  # a moved link still answers
    return 1 if any(result.status in broken for result in results) else 0
