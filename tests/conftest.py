"""Shared fixtures: a small knowledge folder in tmp_path, real settings, the real engine."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.database import open_database
from indexing.engine import KnowledgeEngine
from indexing.retrieval.embedding import Embedder, make_embedder
from indexing.settings import EngineSettings
from indexing.storage.db import Database, make_engine, make_sessions

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"

# Fixtures for every test: the Bot API emulator's (tests/e2e/emulator_fixtures.py) and the
# databases' (tests/db/db_fixtures.py: SQLite and a throwaway PostgreSQL).
for helpers in ("e2e", "db"):
    if str(Path(__file__).parent / helpers) not in sys.path:
        sys.path.insert(0, str(Path(__file__).parent / helpers))
pytest_plugins = ["emulator_fixtures", "db_fixtures"]


@pytest.fixture(scope="session")
def default_embedder() -> Embedder:
    """The real default embedder (the one EngineSettings names), loaded once for the session."""
    default = EngineSettings.model_fields["embedding_model"].default
    return make_embedder(default, threads=2)


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A copy of the fixture knowledge folder that a test may modify."""
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, target)
    return target


@pytest.fixture
def settings(tmp_path: Path, kb_dir: Path, monkeypatch: pytest.MonkeyPatch) -> EngineSettings:
    """EngineSettings pointing at tmp_path, ignoring any .env of the developer."""
    monkeypatch.chdir(tmp_path)
    return EngineSettings(knowledge_dir=kb_dir, data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file brought to the latest revision by `open_database`, once per session."""
    path = tmp_path_factory.mktemp("migrated") / "head.sqlite3"
    open_database(f"sqlite:///{path}").close()
    return path


def sqlite_copy(migrated: Path, target: Path) -> Database:
    """A fresh database at `target`: a copy of the migrated file (migrating again per test would
    cost a tenth of a second each)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated, target)
    engine = make_engine(f"sqlite:///{target}")
    return Database(engine, make_sessions(engine))


@pytest.fixture
def database(settings: EngineSettings, migrated_sqlite: Path) -> Iterator[Database]:
    """The database of `settings` (a SQLite file in tmp_path) at the latest revision."""
    opened = sqlite_copy(migrated_sqlite, settings.data_dir / "essbot.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def engine(
    settings: EngineSettings, database: Database, default_embedder: Embedder
) -> KnowledgeEngine:
    """The real engine (SQLite file, FAISS, e5) over the fixture folder, not yet indexed."""
    return KnowledgeEngine(settings, database.sessions, default_embedder)


@pytest.fixture
def indexed(engine: KnowledgeEngine) -> KnowledgeEngine:
    """The engine after a first reindex."""
    engine.reindex()
    return engine
