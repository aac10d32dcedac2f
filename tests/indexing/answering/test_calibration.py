"""The off-topic null: probe scores on a real FAISS index, and abstention relative to it."""

from __future__ import annotations

import dataclasses

import faiss
import numpy as np
import pytest

from indexing.answering.calibration import OFF_TOPIC_PROBES, NullScores, null_scores
from indexing.engine import KnowledgeEngine


def flat_index(vectors: np.ndarray) -> faiss.IndexFlatIP:
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def test_null_scores_are_the_mean_and_spread_of_the_probes_best_scores() -> None:
    passages = np.eye(3, dtype=np.float32)
    probes = np.array([[0.9, 0.1, 0.0], [0.0, 0.5, 0.1], [0.2, 0.2, 0.7]], dtype=np.float32)
    null = null_scores(probes, flat_index(passages), 3)
    best = [0.9, 0.5, 0.7]
    assert null.mean == pytest.approx(np.mean(best))
    assert null.spread == pytest.approx(np.std(best))
    assert null.z(null.mean + 2 * null.spread) == pytest.approx(2.0)


def test_identical_probe_scores_keep_a_finite_scale() -> None:
    null = null_scores(np.ones((4, 2), dtype=np.float32), flat_index(np.ones((1, 2))), 1)
    assert null.spread > 0 and np.isfinite(null.z(1.0))
    assert null_scores(
        np.ones((4, 2), dtype=np.float32), flat_index(np.ones((1, 2))), 0
    ) == NullScores(0.0, 1.0)


def test_off_topic_questions_score_below_the_threshold_and_real_ones_above(
    indexed_shared: KnowledgeEngine,
) -> None:
    null = indexed_shared.null_scores()
    assert len(OFF_TOPIC_PROBES) >= 30
    threshold = indexed_shared.composer.config.min_confidence
    assert indexed_shared.composer.config.relative  # the default model's abstention is relative

    def z(question: str) -> float:
        return null.z(indexed_shared.retrieve(question)[1].top_dense)

    for question in (
        "Le DLA c'est payant pour une association ?",
        "Quelles obligations RGPD pour le fichier des adhérents ?",
    ):
        assert z(question) >= threshold, question
        assert indexed_shared.answer(question).answered
    for question in ("Comment soigner un chat qui a des puces ?", "Comment réparer ma voiture ?"):
        assert z(question) < threshold, question
        answer = indexed_shared.answer(question)
        assert not answer.answered and answer.sources  # related reading is still offered


def test_a_question_whose_every_term_is_in_the_best_document_is_answered(
    indexed: KnowledgeEngine,
) -> None:
    # No score can pass this threshold: only the full match answers.
    indexed.composer.config = dataclasses.replace(indexed.composer.config, min_confidence=100.0)
    snapshot, retrieval = indexed.retrieve("rgpd cnil")
    assert indexed.composer.full_match(snapshot, retrieval)
    assert indexed.answer("rgpd cnil").answered
    for question in ("guitare", "rgpd guitare"):  # one unknown term is enough to need the score
        assert not indexed.answer(question).answered, question
