"""The engine's tables on SQLite and PostgreSQL: an incremental reindex stores documents, chunks
and builds, and another process sees the stored hashes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.database import open_database
from indexing.engine import KnowledgeEngine
from indexing.settings import EngineSettings
from indexing.storage import store

QUESTION = "Qu'est-ce que le DLA ?"


@pytest.fixture
def engine(db_settings: EngineSettings) -> Iterator[KnowledgeEngine]:
    """The engine on a migrated database, with the hashing embedder."""
    database = open_database(db_settings.resolved_database_url)
    yield KnowledgeEngine.open(db_settings, database.sessions)
    database.close()


def test_incremental_reindex(engine: KnowledgeEngine, kb_dir: Path) -> None:
    first = engine.reindex()
    assert len(first.added) == 5 and not first.failed
    assert engine.answer(QUESTION).answered

    (kb_dir / "ressources" / "dla.md").write_text(
        (kb_dir / "ressources" / "dla.md").read_text(encoding="utf-8")
        + "\nUn paragraphe ajouté.\n",
        encoding="utf-8",
    )
    (kb_dir / "ressources" / "rgpd.md").unlink()
    shutil.copy(kb_dir / "ressources" / "dons-en-ligne.md", kb_dir / "ressources" / "copie.md")
    second = engine.reindex()
    assert second.updated == ("ressources/dla.md",)
    assert second.removed == ("ressources/rgpd.md",)
    assert second.added == ("ressources/copie.md",)
    assert second.unchanged == 3 and second.build_id != first.build_id

    with engine.sessions() as session:
        paths = [row.path for row in store.all_documents(session)]
        latest = store.latest_build(session)
        assert latest is not None and latest.build_id == second.build_id
        assert store.chunk_count(session) == latest.chunks
    assert "ressources/rgpd.md" not in paths and "ressources/copie.md" in paths

    third = engine.reindex()  # nothing changed: same build, nothing re-embedded
    assert third.build_id == second.build_id and not third.changed
    answer = engine.answer(QUESTION)
    assert answer.answered and answer.build_id == second.build_id
    assert answer.sources[0].path == "ressources/dla.md"


def test_reindex_from_another_process_sees_the_stored_hashes(
    engine: KnowledgeEngine, db_settings: EngineSettings
) -> None:
    engine.reindex()
    database = open_database(db_settings.resolved_database_url)  # as a second process would
    try:
        again = KnowledgeEngine.open(db_settings, database.sessions)
        report = again.reindex()
        assert not report.changed and report.unchanged == 5
    finally:
        database.close()
