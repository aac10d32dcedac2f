"""A reindex killed at any point leaves the previous index usable; the next one ends consistent."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.storage.database import open_database
from indexing.engine import KnowledgeEngine
from indexing.settings import EngineSettings
from indexing.storage import store
from indexing.storage.db import Database

SCRIPT = Path(__file__).with_name("crash_reindex.py")
pytestmark = pytest.mark.slow  # a process started and killed per point


def hashing_settings(settings: EngineSettings) -> EngineSettings:
    return settings.model_copy(update={"embedding_model": "hashing"})


def assert_consistent(engine: KnowledgeEngine, kb_dir: Path) -> None:
    """Database, published snapshot and knowledge folder agree."""
    files = {p.relative_to(kb_dir).as_posix() for p in kb_dir.rglob("*.md")}
    with engine.sessions() as session:
        db_paths = set(store.known_hashes(session))
        chunks = session.scalar(select(func.count(store.ChunkRow.id)))
        latest = store.latest_build(session)
    assert db_paths == files
    assert latest is not None and engine.snapshots.current_id() == latest.build_id
    manifest = json.loads((engine.snapshots.builds / latest.build_id / "manifest.json").read_text())
    assert manifest["passages"] == chunks
    assert {d.path for d in engine.documents()} == files
    leftovers = [p.name for p in engine.snapshots.builds.iterdir() if p.name.startswith(".")]
    assert leftovers == []


@pytest.mark.parametrize("point", ["embedding", "snapshot-written", "committed", "published"])
def test_kill_minus_nine_during_reindex(
    settings: EngineSettings, database: Database, kb_dir: Path, point: str
) -> None:
    settings = hashing_settings(settings)
    engine = KnowledgeEngine.open(settings, database.sessions)
    engine.reindex()
    old = engine.answer("registre des traitements RGPD")
    (kb_dir / "ressources" / "fablab.md").write_text(
        "---\ntitle: Les fablabs\n---\nUn fablab est un atelier de fabrication numérique ouvert au "
        "public, avec imprimantes 3D et découpe laser.",
        encoding="utf-8",
    )
    (kb_dir / "ressources" / "dons-en-ligne.md").unlink()

    result = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, str(SCRIPT), str(kb_dir), str(settings.data_dir), point],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr

    # The previous index (or the complete new one) is still usable by a fresh process.
    fresh = open_database(settings.resolved_database_url)
    survivor = KnowledgeEngine.open(settings, fresh.sessions)
    answer = survivor.answer("registre des traitements RGPD")
    assert answer.sources[0].path == old.sources[0].path

    # The next reindex ends consistent, whatever the point of the kill.
    report = survivor.reindex()
    assert "ressources/dons-en-ligne.md" not in {d.path for d in survivor.documents()}
    assert report.failed == ()
    assert_consistent(survivor, kb_dir)
    assert survivor.answer("fablab imprimante 3D").sources[0].path == "ressources/fablab.md"
    fresh.close()
