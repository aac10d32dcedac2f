"""`essbot start`: the database is migrated before the first indexing (SQLite and PostgreSQL)."""

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
