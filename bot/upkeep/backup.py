"""`essbot backup DIR`: a consistent copy of the database and the published index, bot running.

The copy holds the reindex lock, so no build is published or pruned meanwhile and the
database's documents match the copied index. The folder then holds:

- `database.sqlite3` (SQLite online backup) or `database.pgdump` (`pg_dump --format=custom`);
- `index/CURRENT` and `index/builds/<build>/`, the published build (builds are immutable);
- `user_hash.key`, the generated pseudonymisation key (mode 0600), when there is one;
- `manifest.json`: time, build, database kind, schema revision, files with sizes and SHA-256.

`essbot restore DIR` (`bot.upkeep.restore`) puts it back into a stopped bot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from alembic.migration import MigrationContext
from sqlalchemy.engine import URL, make_url

from bot.storage.pseudonym_key import KEY_FILE, key_path
from indexing.errors import EngineError
from indexing.settings import EngineSettings
from indexing.storage.db import make_engine
from indexing.storage.locking import ReindexLock
from indexing.storage.snapshot import SnapshotStore

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SQLITE_COPY = "database.sqlite3"
POSTGRES_COPY = "database.pgdump"


class BackupError(EngineError):
    """The backup cannot be made; the message says why."""


@dataclass(frozen=True)
class BackupFile:
    """One file of a backup, relative to its folder."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class BackupReport:
    """What a backup holds."""

    directory: Path
    created_at: str
    database: str  # "sqlite" or "postgresql"
    schema_revision: str | None
    build_id: str | None  # None when no index was published yet
    files: tuple[BackupFile, ...]

    def to_json(self) -> dict[str, object]:
        """The content of manifest.json."""
        return {
            "created_at": self.created_at,
            "database": self.database,
            "schema_revision": self.schema_revision,
            "build_id": self.build_id,
            "files": [file.__dict__ for file in self.files],
        }


def backup(settings: EngineSettings, target: Path, wait_seconds: float = 300.0) -> BackupReport:
    """Copy the database and the published index into `target`, a new or empty folder."""
    url = make_url(settings.resolved_database_url)
    kind = url.get_backend_name()
    if kind not in {"sqlite", "postgresql"}:
        raise BackupError(f"base de données non prise en charge : {kind}")
    if kind == "sqlite" and not Path(url.database or "").is_file():
        raise BackupError(f"base de données introuvable : {url.database}")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"le dossier de sauvegarde doit être nouveau ou vide : {target}")
    target.mkdir(parents=True, exist_ok=True)
    index = settings.data_dir / "index"
    created_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with ReindexLock(index / "reindex.lock", wait_seconds=wait_seconds):
        revision = schema_revision(url)
        if kind == "sqlite":
            _copy_sqlite(Path(url.database or ""), target / SQLITE_COPY)
        else:
            _dump_postgres(url, target / POSTGRES_COPY)
        build_id = _copy_index(SnapshotStore(index), SnapshotStore(target / "index"))
    copy_private(key_path(settings), target / KEY_FILE)
    report = BackupReport(target, created_at, kind, revision, build_id, _inventory(target))
    (target / MANIFEST).write_text(
        json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    log.info("Backup of build %s written to %s", build_id, target)
    return report


def schema_revision(url: URL) -> str | None:
    """The Alembic revision the database is at, None if it was never migrated."""
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def _copy_sqlite(source: Path, copy: Path) -> None:
    """SQLite's online backup: one consistent snapshot while the bot keeps writing."""
    with (
        closing(sqlite3.connect(source, timeout=30)) as live,
        closing(sqlite3.connect(copy)) as out,
    ):
        live.backup(out)
        out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it


def _dump_postgres(url: URL, copy: Path) -> None:
    """`pg_dump`, custom format (for pg_restore); the password goes through PGPASSWORD."""
    program = find_pg_dump()
    if program is None:
        raise BackupError(
            "pg_dump introuvable : installez le client PostgreSQL (paquet postgresql-client) "
            "pour sauvegarder une base PostgreSQL"
        )
    result = run_pg_tool(program, url, ["--format=custom", "--no-owner", f"--file={copy}"])
    if result.returncode != 0:
        raise BackupError(f"pg_dump a échoué : {result.stderr.strip() or result.returncode}")


def run_pg_tool(program: str, url: URL, arguments: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL client on the database of `url`: the password goes through PGPASSWORD,
    never on the command line."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return subprocess.run(  # noqa: S603 - a fixed program and our own arguments
        [program, *arguments, f"--dbname={dsn}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def copy_private(source: Path, copy: Path) -> bool:
    """Copy a secret file readable by its owner only; False when there is none to copy."""
    if not source.is_file():
        return False
    fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(source.read_bytes())
    os.chmod(copy, 0o600)  # O_CREAT's mode does not apply to a file that already existed
    return True


def find_pg_dump() -> str | None:
    """pg_dump on PATH, else the newest one of Debian's /usr/lib/postgresql/*/bin."""
    return find_pg_tool("pg_dump")


def find_pg_tool(name: str) -> str | None:
    """A PostgreSQL client program on PATH, else the newest of /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = [p for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}") if p.is_file()]
    candidates.sort(key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.parent.name)])
    return str(candidates[-1]) if candidates else None


def _copy_index(live: SnapshotStore, copy: SnapshotStore) -> str | None:
    """Copy the build CURRENT names, then write CURRENT beside it; None without an index."""
    build_id = live.current_id()
    if build_id is None:
        log.warning("No published index to back up")
        return None
    if not live.is_complete(build_id):
        raise BackupError(f"l'index publié {build_id} est incomplet")
    shutil.copytree(live.builds / build_id, copy.builds / build_id)
    copy.publish(build_id)
    return build_id


def _inventory(folder: Path) -> tuple[BackupFile, ...]:
    """Every file of the backup with its size and SHA-256, by path."""
    files = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        rel = path.relative_to(folder).as_posix()
        files.append(BackupFile(rel, path.stat().st_size, digest.hexdigest()))
    return tuple(files)
