"""Incremental reindex on a real SQLite file, a real FAISS index and the real default embedder."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from indexing.cli import format_report
from indexing.engine import KnowledgeEngine
from indexing.errors import IndexNotBuiltError, ReindexInProgressError
from indexing.retrieval.embedding import Embedder, HashingEmbedder, Vectors
from indexing.settings import EngineSettings
from indexing.sources.units import UNITS_VERSION
from indexing.storage.db import Database
from indexing.storage.snapshot import Snapshot, SnapshotStore


class CountingEmbedder:
    """Wraps a real embedder and counts the passages it encodes."""

    def __init__(self, inner: Embedder, gate: threading.Event | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.passages = 0
        self.queries = 0
        self.gate = gate
        self.started = threading.Event()

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(30)
        self.passages += len(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> Vectors:
        self.queries += 1
        return self.inner.embed_query(text)


@pytest.fixture
def counting(default_embedder: Embedder) -> CountingEmbedder:
    return CountingEmbedder(default_embedder)


@pytest.fixture
def counting_fast() -> CountingEmbedder:
    """For the indexes built from nothing: they count and compare, nothing needs meaning."""
    return CountingEmbedder(HashingEmbedder())


@pytest.fixture
def engine_c(
    settings: EngineSettings, database: Database, counting_fast: CountingEmbedder
) -> KnowledgeEngine:
    """An engine with no index yet (hashing embedder)."""
    return KnowledgeEngine(settings, database.sessions, counting_fast)


@pytest.fixture
def indexed_c(indexed: KnowledgeEngine, counting: CountingEmbedder) -> KnowledgeEngine:
    """A copy of the session's index (nothing encoded yet), through the counting embedder."""
    return KnowledgeEngine(indexed.settings, indexed.sessions, counting)


def paths(engine: KnowledgeEngine, question: str) -> list[str]:
    return [s.path for s in engine.answer(question, limit=10).sources]


def test_first_index_then_nothing_changed(
    engine_c: KnowledgeEngine, counting_fast: CountingEmbedder
) -> None:
    first = engine_c.reindex()
    assert sorted(first.added) == [
        "ateliers/atelier-fablab.md",
        "glossaire.md",
        "ressources/dla.md",
        "ressources/dons-en-ligne.md",
        "ressources/rgpd.md",
    ]
    embedded = counting_fast.passages
    assert embedded > 5
    second = engine_c.reindex()
    assert (second.added, second.updated, second.removed, second.unchanged) == ((), (), (), 5)
    assert counting_fast.passages == embedded
    assert second.build_id == first.build_id


def test_add_edit_delete_are_incremental(
    indexed_c: KnowledgeEngine, counting: CountingEmbedder, kb_dir: Path
) -> None:
    before = counting.passages
    (kb_dir / "ressources" / "accessibilite.md").write_text(
        "---\ntitle: Accessibilité numérique\n---\n# Accessibilité numérique\n\n"
        "Le référentiel RGAA décrit comment rendre un site web utilisable par les personnes "
        "aveugles ou malvoyantes : textes alternatifs, contrastes, navigation au clavier.\n",
        encoding="utf-8",
    )
    rgpd = kb_dir / "ressources" / "rgpd.md"
    rgpd.write_text(
        rgpd.read_text(encoding="utf-8") + "\n## Sous-traitants\n\nUn contrat encadre "
        "chaque prestataire qui héberge les fichiers d'adhérents de l'association.\n",
        encoding="utf-8",
    )
    (kb_dir / "ressources" / "dons-en-ligne.md").unlink()
    report = indexed_c.reindex()
    assert report.added == ("ressources/accessibilite.md",)
    assert report.updated == ("ressources/rgpd.md",)
    assert report.removed == ("ressources/dons-en-ligne.md",)
    assert report.unchanged == 3
    new_passages = counting.passages - before
    # only the two changed files' passages, and their new answer-unit sentences, were embedded
    assert 0 < new_passages <= 10
    assert (
        paths(indexed_c, "rendre notre site accessible aux personnes aveugles")[0]
        == "ressources/accessibilite.md"
    )
    for question in ("collecter des dons en ligne HelloAsso", "dons reçus fiscaux"):
        assert "ressources/dons-en-ligne.md" not in paths(indexed_c, question)


def test_a_repeated_question_is_answered_without_encoding(
    indexed_c: KnowledgeEngine, counting: CountingEmbedder
) -> None:
    first = indexed_c.answer("Comment collecter des dons en ligne ?")
    encoded = counting.queries
    again = indexed_c.answer("  Comment collecter   des dons en ligne ? ")
    assert again == first and counting.queries == encoded
    indexed_c.answer("Comment collecter des dons en ligne ?", limit=10)  # another answer shape
    assert counting.queries == encoded + 1
    assert (indexed_c.answers.hits, len(indexed_c.answers)) == (1, 2)


def test_a_reindex_retires_the_answers_given_from_the_old_index(
    indexed_c: KnowledgeEngine, counting: CountingEmbedder, kb_dir: Path
) -> None:
    question = "collecter des dons en ligne HelloAsso"
    assert "ressources/dons-en-ligne.md" in paths(indexed_c, question)
    (kb_dir / "ressources" / "dons-en-ligne.md").unlink()
    indexed_c.reindex()
    encoded = counting.queries
    assert "ressources/dons-en-ligne.md" not in paths(indexed_c, question)
    assert counting.queries == encoded + 1  # asked again on the new index, not served stale


def test_changing_the_model_forces_a_full_rebuild(indexed_c: KnowledgeEngine) -> None:
    other = KnowledgeEngine(indexed_c.settings, indexed_c.sessions, HashingEmbedder())
    # Until the rebuild, the index of the other model is not used: a clear error, not a crash.
    assert not other.has_index()
    with pytest.raises(IndexNotBuiltError, match="essbot index"):
        other.answer("RGPD registre")
    report = other.ensure_index()
    assert report is not None and len(report.updated) == 5 and report.unchanged == 0
    assert other.has_index()
    assert other.answer("RGPD registre").sources[0].path == "ressources/rgpd.md"


def test_a_broken_file_is_reported_and_the_rest_is_indexed(
    engine_c: KnowledgeEngine, kb_dir: Path
) -> None:
    (kb_dir / "ressources" / "casse.md").write_text(
        "---\ntitle: [oups\n---\ntexte", encoding="utf-8"
    )
    (kb_dir / "ressources" / "junk.pdf").write_bytes(b"%PDF-1.7 garbage \x00\xff")
    report = engine_c.reindex()
    failed = {f.path: f.reason for f in report.failed}
    assert set(failed) == {"ressources/casse.md", "ressources/junk.pdf"}
    assert "YAML" in failed["ressources/casse.md"]
    assert len(report.added) == 5


def test_a_file_that_breaks_keeps_its_previous_version(
    indexed_c: KnowledgeEngine, kb_dir: Path
) -> None:
    (kb_dir / "ressources" / "rgpd.md").write_text("---\ntitle: [cassé\n---\n", encoding="utf-8")
    report = indexed_c.reindex()
    assert report.failed[0].path == "ressources/rgpd.md"
    assert "conservée" in report.failed[0].reason
    assert report.removed == ()
    assert paths(indexed_c, "registre des traitements RGPD")[0] == "ressources/rgpd.md"


def test_a_second_reindex_at_once_is_refused(
    engine_c: KnowledgeEngine,
    settings: EngineSettings,
    database: Database,
) -> None:
    gate = threading.Event()
    slow = CountingEmbedder(HashingEmbedder(), gate)
    first = KnowledgeEngine(settings, database.sessions, slow)
    worker = threading.Thread(target=first.reindex)
    worker.start()
    try:
        assert slow.started.wait(30)
        with pytest.raises(ReindexInProgressError, match="déjà en cours"):
            engine_c.reindex()
    finally:
        gate.set()
        worker.join(60)
    assert engine_c.reindex().unchanged == 5


def test_answers_keep_coming_from_the_old_index_during_a_reindex(
    indexed_c: KnowledgeEngine,
    kb_dir: Path,
    default_embedder: Embedder,
) -> None:
    old_build = indexed_c.answer("DLA").build_id
    gate = threading.Event()
    slow = CountingEmbedder(default_embedder, gate)
    writer = KnowledgeEngine(indexed_c.settings, indexed_c.sessions, slow)
    (kb_dir / "ressources" / "fablab.md").write_text(
        "---\ntitle: Les fablabs\n---\nUn fablab est un atelier de fabrication numérique ouvert "
        "au public : imprimantes 3D, découpe laser, électronique.",
        encoding="utf-8",
    )
    worker = threading.Thread(target=writer.reindex)
    worker.start()
    try:
        assert slow.started.wait(30)
        during = indexed_c.answer("Le DLA est-il gratuit ?")
        assert during.build_id == old_build and during.sources[0].path == "ressources/dla.md"
    finally:
        gate.set()
        worker.join(60)
    indexed_c._checked_at = 0.0  # skip the one-second pointer check interval
    after = indexed_c.answer("atelier de fabrication numérique imprimante 3D")
    assert after.build_id != old_build
    assert after.sources[0].path == "ressources/fablab.md"


def test_no_index_yet_is_a_clear_error(engine_c: KnowledgeEngine) -> None:
    with pytest.raises(IndexNotBuiltError, match="essbot index"):
        engine_c.answer("DLA")


def test_symlink_loops_and_unexpected_loader_errors_fail_one_file_only(
    engine_c: KnowledgeEngine, kb_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (kb_dir / "boucle.md").symlink_to(kb_dir / "boucle.md")
    (kb_dir / "a.md").symlink_to(kb_dir / "b.md")
    (kb_dir / "b.md").symlink_to(kb_dir / "a.md")
    (kb_dir / "dossier-boucle").symlink_to(kb_dir / "dossier-boucle")
    (kb_dir / "bizarre.html").write_text("<p>Une page.</p>", encoding="utf-8")
    from indexing.sources import loaders

    def explode(self: object, data: bytes) -> object:
        raise ZeroDivisionError("a bug in a parser")

    monkeypatch.setattr(loaders.HtmlLoader, "load", explode)
    report = engine_c.reindex()
    failed = {f.path: f.reason for f in report.failed}
    assert set(failed) == {"a.md", "b.md", "boucle.md", "bizarre.html"}
    assert "boucle" in failed["boucle.md"] and "boucle" in failed["a.md"]
    assert "ZeroDivisionError" in failed["bizarre.html"]
    assert len(report.added) == 5 and report.usable
    assert paths(engine_c, "registre des traitements RGPD")[0] == "ressources/rgpd.md"


def test_leftover_builds_are_pruned_even_when_nothing_changed(
    engine_c: KnowledgeEngine, settings: EngineSettings
) -> None:
    first = engine_c.reindex()
    builds = settings.data_dir / "index" / "builds"
    for leftover in ("20200101T000000-dead", ".20200101T000001-dead.tmp"):
        (builds / leftover).mkdir()
        (builds / leftover / "vectors.faiss").write_bytes(b"x" * 100)
    again = engine_c.reindex()
    assert again.build_id == first.build_id
    assert sorted(p.name for p in builds.iterdir()) == [first.build_id]


def test_progress_counts_files_while_reading_and_while_encoding(engine_c: KnowledgeEngine) -> None:
    seen: list[tuple[int, int, str]] = []
    engine_c.reindex(progress=lambda done, total, path: seen.append((done, total, path)))
    reading = [s for s in seen if s[2] not in ("embeddings", "phrases")]
    encoding = [s for s in seen if s[2] == "embeddings"]
    assert [s[:2] for s in reading] == [(n, 5) for n in range(1, 6)]
    assert encoding and all(total == 5 for _, total, _ in encoding)  # files, not passages
    assert encoding[-1][0] == 5 and [d for d, _, _ in encoding] == sorted(d for d, _, _ in encoding)


def test_units_of_an_older_version_are_rebuilt_without_encoding_passages_again(
    engine_c: KnowledgeEngine, counting_fast: CountingEmbedder, settings: EngineSettings
) -> None:
    """An upgrade that changes how units are cut must reach an unchanged base."""
    first = engine_c.reindex()
    assert first.build_id is not None
    build = settings.data_dir / "index" / "builds" / first.build_id
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["units_version"] == UNITS_VERSION
    # what an older version would have left: another version, a unit cut differently
    manifest["units_version"] = UNITS_VERSION - 1
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    table = json.loads((build / "units.json").read_text(encoding="utf-8"))
    table["units"][0]["text"] = "Texte coupé par une ancienne version."
    (build / "units.json").write_text(json.dumps(table), encoding="utf-8")
    # read meanwhile: the units are rebuilt at load, with the vectors already encoded
    loaded = Snapshot.load(SnapshotStore(settings.data_dir / "index"), first.build_id)
    assert all("ancienne version" not in u.text for u in loaded.units)
    assert loaded.unit_vectors is not None and loaded.unit_vectors.any()
    encoded = counting_fast.passages
    second = engine_c.reindex()
    assert second.build_id != first.build_id  # a new build, though no document changed
    assert (second.added, second.updated, second.removed, second.unchanged) == ((), (), (), 5)
    assert counting_fast.passages == encoded  # no passage, no sentence encoded again
    rebuilt = Snapshot.load(SnapshotStore(settings.data_dir / "index"), second.build_id)
    assert rebuilt.units == loaded.units
    assert engine_c.reindex().build_id == second.build_id  # then nothing changes any more


def test_the_report_says_when_units_were_cut_again(
    engine_c: KnowledgeEngine, settings: EngineSettings
) -> None:
    first = engine_c.reindex()
    assert not first.units_rebuilt
    manifest_path = settings.data_dir / "index" / "builds" / str(first.build_id) / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["units_version"] = UNITS_VERSION - 1
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    second = engine_c.reindex()
    assert second.units_rebuilt and not second.changed
    assert "Unités de réponse recoupées" in format_report(second)
    assert second.to_json()["units_rebuilt"] is True
    assert not engine_c.reindex().units_rebuilt
