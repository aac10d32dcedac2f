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
from bot.storage import records
from bot.storage.database import schema_matches_models, upgrade_database
from bot.storage.pseudonym_key import KEY_FILE, resolve_hash_key
from bot.upkeep import backup as backups
from bot.upkeep import restore as restores
from bot.upkeep.running import RunLock, run_lock_path
from indexing.engine import KnowledgeEngine
from indexing.models import Answer
from indexing.settings import Settings
from indexing.storage import store
from indexing.storage.db import make_engine, make_sessions
from indexing.storage.snapshot import SnapshotStore


@pytest.fixture
def live(db_settings: Settings) -> Iterator[KnowledgeEngine]:
    """A deployment: migrated database, a published index, a generated key."""
    upgrade_database(db_settings.resolved_database_url)
    resolve_hash_key(db_settings)
    engine = KnowledgeEngine.open(db_settings)
    engine.reindex()
    yield engine
    engine.close()


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


def questions(settings: Settings) -> list[str]:
    db = make_engine(settings.resolved_database_url)
    try:
        with make_sessions(db)() as session:
            return list(session.scalars(select(records.QuestionRecord.question)))
    finally:
        db.dispose()


def test_backup_holds_the_generated_key_privately(
    live: KnowledgeEngine, db_settings: Settings, tmp_path: Path
) -> None:
    report = backups.backup(db_settings, tmp_path / "b")
    copy = tmp_path / "b" / KEY_FILE
    assert copy.read_bytes() == (db_settings.data_dir / KEY_FILE).read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert KEY_FILE in {f.path for f in report.files}


def test_restore_brings_back_database_index_and_key(
    live: KnowledgeEngine, db_settings: Settings, kb_dir: Path, tmp_path: Path
) -> None:
    ask(live, "avant la sauvegarde")
    key = (db_settings.data_dir / KEY_FILE).read_bytes()
    report = backups.backup(db_settings, tmp_path / "b")
    ask(live, "après la sauvegarde")
    (kb_dir / "ressources" / "nouvelle.md").write_text("# Nouvelle\n\nUne fiche de plus.\n")
    assert live.reindex().added == ("ressources/nouvelle.md",)
    live.close()
    (db_settings.data_dir / KEY_FILE).unlink()

    restored = restores.restore(db_settings, tmp_path / "b")
    assert restored.build_id == report.build_id
    assert questions(db_settings) == ["avant la sauvegarde"]
    assert (db_settings.data_dir / KEY_FILE).read_bytes() == key
    assert SnapshotStore(db_settings.data_dir / "index").current_id() == report.build_id
    db = make_engine(db_settings.resolved_database_url)
    try:
        assert schema_matches_models(db) == []
        with make_sessions(db)() as session:
            latest = store.latest_build(session)
            assert latest is not None and latest.build_id == report.build_id
    finally:
        db.dispose()
    engine = KnowledgeEngine.open(db_settings)
    try:
        assert engine.answer("Qu'est-ce que le DLA ?").build_id == report.build_id
        assert engine.reindex().added == ("ressources/nouvelle.md",)  # known files line up
    finally:
        engine.close()


def test_restore_refuses_a_damaged_backup_or_a_running_bot(
    live: KnowledgeEngine, db_settings: Settings, tmp_path: Path
) -> None:
    backups.backup(db_settings, tmp_path / "b")
    with RunLock(run_lock_path(db_settings)), pytest.raises(restores.RestoreError, match="arrêtez"):
        restores.restore(db_settings, tmp_path / "b")
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    damaged = tmp_path / "b" / manifest["files"][0]["path"]
    damaged.write_bytes(damaged.read_bytes() + b"x")
    with pytest.raises(restores.RestoreError, match="altéré"):
        restores.restore(db_settings, tmp_path / "b")
    with pytest.raises(restores.RestoreError, match=r"manifest\.json"):
        restores.restore(db_settings, tmp_path / "nowhere")
    assert len(questions(db_settings)) == 0  # nothing was touched


def test_essbot_restore_command(
    live: KnowledgeEngine,
    db_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer
    monkeypatch.setenv("DATABASE_URL", db_settings.resolved_database_url)
    argv = ["--knowledge", str(db_settings.knowledge_dir), "--data", str(db_settings.data_dir)]
    assert main([*argv, "backup", str(tmp_path / "b")]) == 0
    live.close()
    assert main([*argv, "restore", str(tmp_path / "b")]) == 0
    assert "restaurée" in capsys.readouterr().out
    assert main([*argv, "restore", str(tmp_path / "absent")]) == 1
    assert "manifest.json" in capsys.readouterr().err
