"""`essbot restore DIR`: put a backup of `essbot backup` back into a stopped bot.

Order: check the manifest (every file present, same size and SHA-256) and that the backup's
database kind is the configured one; take the bot's run lock (refused while `essbot run` holds
it) and the reindex lock; then the index (copy the build, point CURRENT at it), the database
(SQLite: the file replaced, the previous one kept beside it as `*.pre-restore`; PostgreSQL:
`pg_restore --clean`), the pseudonymisation key, and the migrations a newer version brings.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from bot.settings import BotSettings
from bot.storage.pseudonym_key import KEY_FILE, key_path
from bot.upkeep.backup import (
    MANIFEST,
    POSTGRES_COPY,
    SQLITE_COPY,
    copy_private,
    find_pg_tool,
    run_pg_tool,
)
from bot.upkeep.running import AlreadyRunningError, RunLock, run_lock_path
from indexing.errors import EngineError
from indexing.storage.db import DatabaseOpener
from indexing.storage.locking import ReindexLock
from indexing.storage.snapshot import SnapshotStore

log = logging.getLogger(__name__)

PREVIOUS_SUFFIX = ".pre-restore"
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


class RestoreError(EngineError):
    """The backup cannot be restored; the message says why."""


@dataclass(frozen=True)
class RestoreReport:
    """What was restored."""

    created_at: str
    database: str
    build_id: str | None
    key_restored: bool


def restore(
    settings: BotSettings, source: Path, open_database: DatabaseOpener, wait_seconds: float = 0.0
) -> RestoreReport:
    """Restore the backup in `source` into the configured database and data folder; the
    database is then opened once through `open_database`, which brings it to the latest
    revision."""
    manifest = read_manifest(source)
    url = make_url(settings.resolved_database_url)
    kind = url.get_backend_name()
    if manifest.get("database") != kind:
        raise RestoreError(
            f"la sauvegarde contient une base {manifest.get('database')}, la configuration "
            f"une base {kind} : réglez DATABASE_URL comme lors de la sauvegarde"
        )
    try:
        with RunLock(run_lock_path(settings)):
            index = settings.data_dir / "index"
            with ReindexLock(index / "reindex.lock", wait_seconds=wait_seconds):
                build_id = _restore_index(SnapshotStore(source / "index"), SnapshotStore(index))
                _restore_database(url, source)
                key_restored = _restore_key(source / KEY_FILE, key_path(settings))
            open_database(settings.resolved_database_url).close()  # migrated to the latest
    except AlreadyRunningError as error:
        raise RestoreError(f"arrêtez le bot avant de restaurer : {error}") from error
    log.info("Restored the backup of %s (index %s)", manifest.get("created_at"), build_id)
    return RestoreReport(str(manifest.get("created_at")), kind, build_id, key_restored)


def read_manifest(source: Path) -> dict[str, object]:
    """The backup's manifest, once every file it lists is there, intact."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        files = list(manifest["files"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RestoreError(
            f"{source / MANIFEST} absent ou illisible : ce dossier n'est pas une sauvegarde "
            "faite par « essbot backup »"
        ) from error
    for entry in files:
        path = source / str(entry["path"])
        if (
            not path.is_file()
            or path.stat().st_size != entry["size"]
            or (_sha256(path) != entry["sha256"])
        ):
            raise RestoreError(f"fichier manquant ou altéré dans la sauvegarde : {entry['path']}")
    return dict(manifest)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _restore_index(backup: SnapshotStore, live: SnapshotStore) -> str | None:
    """Copy the backed-up build beside the live ones and point CURRENT at it."""
    build_id = backup.current_id()
    if build_id is None:
        return None
    target = live.builds / build_id
    if not live.is_complete(build_id):
        shutil.rmtree(target, ignore_errors=True)
        live.builds.mkdir(parents=True, exist_ok=True)
        shutil.copytree(backup.builds / build_id, target)
    live.publish(build_id)
    return build_id


def _restore_database(url: URL, source: Path) -> None:
    if url.get_backend_name() == "sqlite":
        _restore_sqlite(source / SQLITE_COPY, Path(url.database or ""))
    else:
        _restore_postgres(source / POSTGRES_COPY, url)


def _restore_sqlite(copy: Path, database: Path) -> None:
    """Replace the database file; the previous one (and its WAL) are kept aside, never replayed
    onto the restored file."""
    database.parent.mkdir(parents=True, exist_ok=True)
    staged = database.with_name(database.name + ".restoring")
    shutil.copyfile(copy, staged)
    for suffix in ("", *SQLITE_SIDE_FILES):
        current = database.with_name(database.name + suffix)
        if current.exists():
            os.replace(current, current.with_name(current.name + PREVIOUS_SUFFIX))
    os.replace(staged, database)


def _restore_postgres(copy: Path, url: URL) -> None:
    """`pg_restore --clean --if-exists`: the backup's tables replace the database's."""
    program = find_pg_tool("pg_restore")
    if program is None:
        raise RestoreError(
            "pg_restore introuvable : installez le client PostgreSQL (paquet postgresql-client)"
        )
    result = run_pg_tool(program, url, ["--clean", "--if-exists", "--no-owner", str(copy)])
    if result.returncode != 0:
        raise RestoreError(f"pg_restore a échoué : {result.stderr.strip() or result.returncode}")


def _restore_key(copy: Path, live: Path) -> bool:
    """Put the generated key back; a different key in place is kept aside."""
    if not copy.is_file():
        return False
    if live.is_file() and live.read_bytes() != copy.read_bytes():
        os.replace(live, live.with_name(live.name + PREVIOUS_SUFFIX))
    live.parent.mkdir(parents=True, exist_ok=True)
    return copy_private(copy, live)
