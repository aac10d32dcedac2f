"""The vector cache: a full reindex encodes nothing already encoded by the same model, a model
change encodes everything, and the starter base's shipped vectors match knowledge/."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.storage.database import open_database
from indexing.engine import KnowledgeEngine
from indexing.retrieval.embedding import Embedder, HashingEmbedder, Vectors
from indexing.retrieval.starter import passage_texts, shipped_path
from indexing.retrieval.vector_cache import VectorCache, text_key
from indexing.settings import EngineSettings
from indexing.storage.db import Database

STARTER = Path(__file__).parents[3] / "knowledge"


class Counting:
    """An embedder that counts the passages it is asked to encode."""

    def __init__(self, inner: Embedder, name: str | None = None) -> None:
        self.inner = inner
        self.name = name or inner.name
        self.dim = inner.dim
        self.passages = 0

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.passages += len(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> Vectors:
        return self.inner.embed_query(text)


EngineOpener = Callable[[EngineSettings, Counting], KnowledgeEngine]


@pytest.fixture
def open_engine() -> Iterator[EngineOpener]:
    """Engines with a counting embedder on migrated databases, closed after the test."""
    databases: list[Database] = []

    def opener(settings: EngineSettings, embedder: Counting) -> KnowledgeEngine:
        databases.append(open_database(settings.resolved_database_url))
        return KnowledgeEngine(settings, databases[-1].sessions, embedder)

    yield opener
    for database in databases:
        database.close()


def test_a_full_reindex_encodes_nothing_already_encoded(
    settings: EngineSettings, open_engine: EngineOpener
) -> None:
    counting = Counting(HashingEmbedder())
    engine = open_engine(settings, counting)
    first = engine.reindex()
    encoded = counting.passages  # the passages, then the sentences of the answer units
    assert first.reused == 0 and 5 < first.embedded < encoded
    answer = engine.answer("registre RGPD des traitements")

    full = engine.reindex(full=True)
    assert counting.passages == encoded  # not one passage nor sentence handed to the model again
    assert (full.embedded, full.reused) == (0, first.embedded) and len(full.updated) == 5
    assert full.build_id != first.build_id
    again = engine.answer("registre RGPD des traitements")
    assert [s.path for s in again.sources] == [s.path for s in answer.sources]


def test_an_edited_section_reencodes_only_its_passages(
    settings: EngineSettings, kb_dir: Path, open_engine: EngineOpener
) -> None:
    counting = Counting(HashingEmbedder())
    engine = open_engine(settings, counting)
    engine.reindex()
    before = counting.passages
    rgpd = kb_dir / "ressources" / "rgpd.md"
    rgpd.write_text(
        rgpd.read_text(encoding="utf-8") + "\n## Sous-traitants\n\nUn contrat encadre chaque "
        "prestataire qui héberge les fichiers d'adhérents de l'association.\n",
        encoding="utf-8",
    )
    report = engine.reindex()
    assert report.updated == ("ressources/rgpd.md",)
    assert report.embedded == 1  # the new section's passage only
    assert counting.passages - before == 2  # that passage and its one sentence
    assert report.reused >= 1  # the file's other passages came from the cache


def test_a_model_change_encodes_everything(
    settings: EngineSettings, open_engine: EngineOpener
) -> None:
    first_model = Counting(HashingEmbedder())
    engine = open_engine(settings, first_model)
    first = engine.reindex()
    # Same texts, same dimension, another model name: no vector may be reused.
    other = Counting(HashingEmbedder(), name="hashing-other")
    switched = open_engine(settings, other)
    report = switched.reindex()
    assert report.reused == 0 and report.embedded == first.embedded
    assert other.passages == first_model.passages  # every passage and sentence again
    assert VectorCache.load(switched.indexer.vector_cache_path, "hashing-other")
    assert not VectorCache.load(switched.indexer.vector_cache_path, first_model.name)


def test_an_unreadable_cache_is_ignored(
    settings: EngineSettings, open_engine: EngineOpener
) -> None:
    counting = Counting(HashingEmbedder())
    engine = open_engine(settings, counting)
    engine.reindex()
    encoded = counting.passages
    engine.indexer.vector_cache_path.write_bytes(b"not a numpy file")
    report = engine.reindex(full=True)
    assert counting.passages == 2 * encoded and report.reused == 0
    assert len(VectorCache.load(engine.indexer.vector_cache_path, counting.name)) == encoded


def test_shipped_vectors_cover_the_starter_base(default_embedder: Embedder) -> None:
    shipped = VectorCache.shipped(default_embedder.name)
    assert shipped_path(default_embedder.name).is_file(), "run `make starter-vectors`"
    texts = passage_texts(STARTER)
    covered = sum(shipped.get(text_key(t)) is not None for t in texts)
    # Stale entries are harmless (keyed by text) but a mostly stale file saves nothing.
    assert covered >= 0.9 * len(texts), f"{covered}/{len(texts)}: run `make starter-vectors`"
    sample = [t for t in texts if shipped.get(text_key(t)) is not None][:: max(1, covered // 4)]
    fresh = default_embedder.embed_passages(sample)
    stored = np.vstack([shipped.get(text_key(t)) for t in sample])
    assert np.min(np.sum(fresh * stored, axis=1)) > 0.99  # float16 keeps the cosine


@pytest.fixture
def starter_copy(tmp_path: Path) -> Path:
    target = tmp_path / "starter"
    shutil.copytree(STARTER, target)
    return target


def test_a_first_index_of_the_starter_base_encodes_only_what_changed(
    tmp_path: Path, starter_copy: Path, default_embedder: Embedder, open_engine: EngineOpener
) -> None:
    edited = starter_copy / "ressources" / "tiers-lieux.md"
    edited.write_text(
        edited.read_text(encoding="utf-8") + "\n## Nouvelle section\n\nUn tiers-lieu du réseau "
        "ouvre un atelier de réparation d'ordinateurs chaque samedi matin.\n",
        encoding="utf-8",
    )
    settings = EngineSettings(  # type: ignore[call-arg]
        knowledge_dir=starter_copy, data_dir=tmp_path / "data", _env_file=None
    )
    counting = Counting(default_embedder)
    engine = open_engine(settings, counting)
    report = engine.reindex()
    assert report.reused > 400
    assert 1 <= report.embedded <= 3  # the edited section's passages
    assert counting.passages <= report.embedded + 3  # and its few new sentences, nothing else
    assert engine.answer("atelier de réparation d'ordinateurs le samedi").sources
