"""`essbot start`: the database is migrated before the first indexing (SQLite and PostgreSQL);
`essbot run` and `start` refuse a weak pseudonymisation key before any work."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select

from bot.cli import main, serve
from bot.storage.database import alembic_config, schema_matches_models
from indexing import cli as engine_cli
from indexing.storage import store
from indexing.storage.db import make_engine


def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_essbot_start_migrates_before_indexing(
    db_url: str, kb_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer
    for name, value in {"DATABASE_URL": db_url, "EMBEDDING_MODEL": "hashing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)  # then the terminal chat: skipped
    monkeypatch.setattr(engine_cli, "cmd_chat", lambda _args, _settings, _open: 0)
    monkeypatch.setattr(serve, "has_terminal", lambda: True)  # as `make run` in a terminal
    assert main(["--knowledge", str(kb_dir), "--data", str(tmp_path / "data"), "start"]) == 0
    db = make_engine(db_url)
    try:
        assert schema_matches_models(db) == []
        with db.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == head()
            assert connection.scalars(select(store.BuildRow.build_id)).all()  # then indexed
    finally:
        db.dispose()


@pytest.mark.parametrize("command", ["run", "start"])
def test_a_weak_pseudonymisation_key_stops_the_bot_before_any_work(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:abc")
    monkeypatch.setenv("USER_HASH_KEY", "change-me")
    data = tmp_path / "data"
    assert main(["--knowledge", str(tmp_path / "kb"), "--data", str(data), command]) == 1
    error = capsys.readouterr().err
    assert "USER_HASH_KEY est trop faible" in error and "\n" not in error.strip()
    assert not (data / "index").exists()  # refused before indexing or connecting
