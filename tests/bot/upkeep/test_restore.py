"""`essbot restore DIR`: the manifest checked, refused while the bot runs, database, index and
pseudonymisation key put back."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.settings import BotSettings
from bot.storage import records
from bot.storage.database import open_database, schema_matches_models
from bot.storage.pseudonym_key import KEY_FILE, resolve_hash_key
from bot.upkeep import backup as backups
from bot.upkeep import restore as restores
from bot.upkeep.running import RunLock, run_lock_path
from indexing.engine import KnowledgeEngine
from indexing.models import Answer
from indexing.settings import EngineSettings
from indexing.storage import store
from indexing.storage.db import Database
from indexing.storage.snapshot import SnapshotStore


@pytest.fixture
def settings(db_settings: EngineSettings) -> BotSettings:
    """The bot's settings on the test database and folders, ignoring any .env."""
    return BotSettings(_env_file=None, **db_settings.model_dump())  # type: ignore[call-arg]


@pytest.fixture
def database(settings: BotSettings) -> Iterator[Database]:
    """The deployment's database, migrated."""
    opened = open_database(settings.resolved_database_url)
    yield opened
    opened.close()


@pytest.fixture
def live(settings: BotSettings, database: Database) -> KnowledgeEngine:
    """A deployment: migrated database, a published index, a generated key."""
    resolve_hash_key(settings)
    engine = KnowledgeEngine.open(settings, database.sessions)
    engine.reindex()
    return engine


def ask(engine: KnowledgeEngine, question: str) -> None:
    with engine.sessions.begin() as session:
        records.add_question(
            session,
            Answer(question, False, "Je ne sais pas.", ()),
            user_hash="u",
            chat_type="private",
            group_id=None,
            latency_ms=1,
            now=records.utcnow(),
        )


def questions(settings: BotSettings) -> list[str]:
    database = open_database(settings.resolved_database_url)
    try:
        with database.sessions() as session:
            return list(session.scalars(select(records.QuestionRecord.question)))
    finally:
        database.close()


def test_backup_holds_the_generated_key_privately(
    live: KnowledgeEngine, settings: BotSettings, tmp_path: Path
) -> None:
    report = backups.backup(settings, tmp_path / "b")
    copy = tmp_path / "b" / KEY_FILE
    assert copy.read_bytes() == (settings.data_dir / KEY_FILE).read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert KEY_FILE in {f.path for f in report.files}


def test_restore_brings_back_database_index_and_key(
    live: KnowledgeEngine, database: Database, settings: BotSettings, kb_dir: Path, tmp_path: Path
) -> None:
    ask(live, "avant la sauvegarde")
    key = (settings.data_dir / KEY_FILE).read_bytes()
    report = backups.backup(settings, tmp_path / "b")
    ask(live, "après la sauvegarde")
    (kb_dir / "ressources" / "nouvelle.md").write_text("# Nouvelle\n\nUne fiche de plus.\n")
    assert live.reindex().added == ("ressources/nouvelle.md",)
    database.close()
    (settings.data_dir / KEY_FILE).unlink()

    restored = restores.restore(settings, tmp_path / "b", open_database)
    assert restored.build_id == report.build_id
    assert questions(settings) == ["avant la sauvegarde"]
    assert (settings.data_dir / KEY_FILE).read_bytes() == key
    assert SnapshotStore(settings.data_dir / "index").current_id() == report.build_id
    reopened = open_database(settings.resolved_database_url)
    try:
        assert schema_matches_models(reopened.engine) == []
        with reopened.sessions() as session:
            latest = store.latest_build(session)
            assert latest is not None and latest.build_id == report.build_id
        engine = KnowledgeEngine.open(settings, reopened.sessions)
        assert engine.answer("Qu'est-ce que le DLA ?").build_id == report.build_id
        assert engine.reindex().added == ("ressources/nouvelle.md",)  # known files line up
    finally:
        reopened.close()


def test_restore_refuses_a_damaged_backup_or_a_running_bot(
    live: KnowledgeEngine, settings: BotSettings, tmp_path: Path
) -> None:
    backups.backup(settings, tmp_path / "b")
    with RunLock(run_lock_path(settings)), pytest.raises(restores.RestoreError, match="arrêtez"):
        restores.restore(settings, tmp_path / "b", open_database)
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    damaged = tmp_path / "b" / manifest["files"][0]["path"]
    damaged.write_bytes(damaged.read_bytes() + b"x")
    with pytest.raises(restores.RestoreError, match="altéré"):
        restores.restore(settings, tmp_path / "b", open_database)
    with pytest.raises(restores.RestoreError, match=r"manifest\.json"):
        restores.restore(settings, tmp_path / "nowhere", open_database)
    assert len(questions(settings)) == 0  # nothing was touched


def test_essbot_restore_command(
    live: KnowledgeEngine,
    database: Database,
    settings: BotSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer
    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url)
    argv = ["--knowledge", str(settings.knowledge_dir), "--data", str(settings.data_dir)]
    assert main([*argv, "backup", str(tmp_path / "b")]) == 0
    database.close()
    assert main([*argv, "restore", str(tmp_path / "b")]) == 0
    assert "restaurée" in capsys.readouterr().out
    assert main([*argv, "restore", str(tmp_path / "absent")]) == 1
    assert "manifest.json" in capsys.readouterr().err
