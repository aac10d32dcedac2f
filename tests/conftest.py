"""Shared fixtures: a small knowledge folder in tmp_path, real settings, the real engine."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexing.engine import KnowledgeEngine
from indexing.retrieval.embedding import Embedder, make_embedder
from indexing.settings import EngineSettings

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"

# The Bot API emulator's fixtures (tests/e2e/emulator_fixtures.py) serve tests/e2e and tests/bot.
if str(Path(__file__).parent / "e2e") not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent / "e2e"))
pytest_plugins = ["emulator_fixtures"]


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


@pytest.fixture
def engine(settings: EngineSettings, default_embedder: Embedder) -> Iterator[KnowledgeEngine]:
    """The real engine (SQLite file, FAISS, USE) over the fixture folder, not yet indexed."""
    from indexing.storage.db import create_schema, make_engine

    db = make_engine(settings.resolved_database_url)
    create_schema(db)
    eng = KnowledgeEngine(settings, db, default_embedder)
    yield eng
    eng.close()


@pytest.fixture
def indexed(engine: KnowledgeEngine) -> KnowledgeEngine:
    """The engine after a first reindex."""
    engine.reindex()
    return engine
