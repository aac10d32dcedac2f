"""`essbot backup`: a consistent copy taken while a reindex runs and answers are recorded."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from postgres_server import PostgresServer
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.storage import records
from bot.storage.database import (
    alembic_config,
    open_database,
    schema_matches_models,
    upgrade_database,
)
from bot.upkeep import backup as backups
from indexing.engine import KnowledgeEngine
from indexing.models import Answer
from indexing.settings import EngineSettings
from indexing.storage import store
from indexing.storage.db import make_engine, make_sessions

QUESTION = "Qu'est-ce que le DLA ?"


def head_revision() -> str | None:
    """The latest revision of the migrations."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.fixture
def live(db_settings: EngineSettings) -> Iterator[KnowledgeEngine]:
    """A running deployment: migrated database, a published index."""
    database = open_database(db_settings.resolved_database_url)
    engine = KnowledgeEngine.open(db_settings, database.sessions)
    engine.reindex()
    yield engine
    database.close()


class Busy:
    """A thread that reindexes after each edit and one that records questions, until stopped."""

    def __init__(self, engine: KnowledgeEngine, kb_dir: Path) -> None:
        self.engine, self.note = engine, kb_dir / "ressources" / "note.md"
        self.stop, self.built = threading.Event(), threading.Condition()
        self.builds: list[str | None] = []
        self.threads = [threading.Thread(target=self._reindex), threading.Thread(target=self._ask)]

    def __enter__(self) -> Busy:
        for thread in self.threads:
            thread.start()
        return self

    def wait_builds(self, count: int) -> None:
        """Wait until `count` reindexes have published a build."""
        with self.built:
            assert self.built.wait_for(lambda: len(self.builds) >= count, timeout=60)

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _reindex(self) -> None:
        while not self.stop.is_set():
            self.note.write_text(f"# Note\n\nLe tiers-lieu ouvre le jeudi {len(self.builds)}.\n")
            build_id = self.engine.reindex(wait_seconds=60).build_id
            with self.built:
                self.builds.append(build_id)
                self.built.notify_all()

    def _ask(self) -> None:
        answer = Answer(QUESTION, False, "Je ne sais pas.", ())
        while not self.stop.is_set():
            with self.engine.sessions.begin() as s:
                records.add_question(
                    s,
                    answer,
                    user_hash="u",
                    chat_type="private",
                    group_id=None,
                    latency_ms=1,
                    now=records.utcnow(),
                )


def restore(
    backup_dir: Path, settings: EngineSettings, server: PostgresServer | None
) -> EngineSettings:
    """Restore a backup into a fresh data folder (and a fresh database on PostgreSQL)."""
    data = settings.data_dir.parent / "restored"
    shutil.copytree(backup_dir / "index", data / "index")
    if server is None:
        shutil.copy(backup_dir / backups.SQLITE_COPY, data / "essbot.sqlite3")
        url = None
    else:
        url = server.create_database()
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        subprocess.run(  # noqa: S603
            [
                str(server.bin_dir / "pg_restore"),
                "--no-owner",
                f"--dbname={dsn}",
                str(backup_dir / backups.POSTGRES_COPY),
            ],
            check=True,
            capture_output=True,
        )
    return settings.model_copy(update={"data_dir": data, "database_url": url})


def test_backup_while_reindexing_and_writing_restores_a_working_bot(
    live: KnowledgeEngine,
    db_settings: EngineSettings,
    kb_dir: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    with Busy(live, kb_dir) as busy:
        for n in range(1, 4):  # each backup after one more build, while the next one runs
            busy.wait_builds(n)
            report = backups.backup(db_settings, tmp_path / f"backup-{n}", wait_seconds=60)
    assert len(set(busy.builds)) == len(busy.builds) >= 3
    manifest = json.loads((report.directory / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["build_id"] == report.build_id is not None
    assert manifest["database"] == make_url(db_settings.resolved_database_url).get_backend_name()
    assert manifest["schema_revision"] == head_revision() is not None
    for entry in manifest["files"]:
        assert (report.directory / entry["path"]).stat().st_size == entry["size"]
    assert (report.directory / "index" / "CURRENT").read_text().strip() == report.build_id

    server = None
    if manifest["database"] == "postgresql":
        server = request.getfixturevalue("postgresql_server")
    restored = restore(report.directory, db_settings, server)
    db = make_engine(restored.resolved_database_url)
    try:
        assert schema_matches_models(db) == []
        with make_sessions(db)() as s:
            latest = store.latest_build(s)  # the database matches the copied index
            assert latest is not None and latest.build_id == report.build_id
            assert (s.scalar(select(func.count()).select_from(records.QuestionRecord)) or 0) > 0
    finally:
        db.dispose()
    database = open_database(restored.resolved_database_url)  # already at head: nothing to do
    engine = KnowledgeEngine.open(restored, database.sessions)
    try:
        answer = engine.answer(QUESTION)
        assert answer.answered and answer.build_id == report.build_id
        assert answer.sources[0].path == "ressources/dla.md"
        assert not engine.reindex().removed  # the restored database knows the indexed files
    finally:
        database.close()
        if server is not None:
            server.drop_database(restored.resolved_database_url)


def test_backup_refuses_a_folder_in_use(
    live: KnowledgeEngine, db_settings: EngineSettings, tmp_path: Path
) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "something").write_text("x")
    with pytest.raises(backups.BackupError, match="nouveau ou vide"):
        backups.backup(db_settings, tmp_path / "old")


def test_postgres_backup_without_pg_dump_says_so(
    postgresql_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade_database(postgresql_url)
    monkeypatch.setattr(backups, "find_pg_dump", lambda: None)
    settings = EngineSettings(
        data_dir=tmp_path / "data", database_url=postgresql_url, _env_file=None
    )  # type: ignore[call-arg]
    with pytest.raises(backups.BackupError, match="pg_dump introuvable"):
        backups.backup(settings, tmp_path / "b")


def test_essbot_backup_command(
    live: KnowledgeEngine,
    db_settings: EngineSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer
    monkeypatch.setenv("DATABASE_URL", db_settings.resolved_database_url)
    argv = ["--knowledge", str(db_settings.knowledge_dir), "--data", str(db_settings.data_dir)]
    assert main([*argv, "backup", str(tmp_path / "b")]) == 0
    assert "Sauvegarde écrite" in capsys.readouterr().out
    assert (tmp_path / "b" / "manifest.json").is_file()
    assert main([*argv, "backup", str(tmp_path / "b")]) == 1  # not empty any more
    assert "nouveau ou vide" in capsys.readouterr().err
