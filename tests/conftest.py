"""Shared fixtures: a small knowledge folder in tmp_path, real settings, the real engine (e5,
FAISS, SQLite) indexed once per session, read-only or copied for a test that changes it."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """End-to-end tests (the Bot API emulator, a real bot) are slow: `make check` leaves them."""
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.slow)


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


DATABASE_FILE = "essbot.sqlite3"  # the SQLite file of a data folder (resolved_database_url)


def copy_data(source: Path, target: Path) -> None:
    """A copy of an engine's data folder: its index builds, and its database through SQLite's
    backup (consistent even while another engine holds the source open)."""
    shutil.copytree(source / "index", target / "index")
    with (
        closing(sqlite3.connect(source / DATABASE_FILE)) as origin,
        closing(sqlite3.connect(target / DATABASE_FILE)) as copy,
    ):
        origin.backup(copy)


@pytest.fixture(scope="session")
def indexed_root(tmp_path_factory: pytest.TempPathFactory, default_embedder: Embedder) -> Path:
    """The fixture folder (`knowledge/`) indexed once per session with the default model
    (`data/`); what `indexed_shared` reads and `indexed` copies."""
    root = tmp_path_factory.mktemp("indexed")
    shutil.copytree(FIXTURE_KB, root / "knowledge")
    settings = EngineSettings(
        knowledge_dir=root / "knowledge", data_dir=root / "data", _env_file=None
    )  # type: ignore[call-arg]
    database = open_database(settings.resolved_database_url)
    try:
        report = KnowledgeEngine(settings, database.sessions, default_embedder).reindex()
        assert report.failed == () and report.build_id is not None
    finally:
        database.close()
    return root


@pytest.fixture(scope="session")
def indexed_shared(indexed_root: Path, default_embedder: Embedder) -> Iterator[KnowledgeEngine]:
    """The indexed engine of the session, READ-ONLY: no reindex, no change of the folder or of its
    configuration (use `indexed` for that)."""
    settings = EngineSettings(  # type: ignore[call-arg]
        knowledge_dir=indexed_root / "knowledge", data_dir=indexed_root / "data", _env_file=None
    )
    database = open_database(settings.resolved_database_url)
    yield KnowledgeEngine(settings, database.sessions, default_embedder)
    database.close()


@pytest.fixture
def indexed(
    settings: EngineSettings, indexed_root: Path, default_embedder: Embedder
) -> Iterator[KnowledgeEngine]:
    """The engine after a first reindex of `kb_dir`, the test's own: a copy of the session's
    index (no encoding), which the test may change and reindex."""
    copy_data(indexed_root / "data", settings.data_dir)
    engine = make_engine(settings.resolved_database_url)
    yield KnowledgeEngine(settings, make_sessions(engine), default_embedder)
    engine.dispose()
