"""The starter knowledge base, indexed with the default model, keeps its measured quality."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.storage.database import open_database
from indexing.engine import KnowledgeEngine
from indexing.quality.evaluation import evaluate, load_questions
from indexing.settings import EngineSettings

ROOT = Path(__file__).resolve().parents[3]
QUESTIONS = ROOT / "tests" / "eval" / "questions.yaml"

# Set from the measurements in the README (benchmarks/quality.py), with a small margin.
THRESHOLDS = {
    "hit_at_1": 0.85,
    "hit_at_5": 0.95,
    "mrr_at_10": 0.90,
    "answered_rate": 0.95,
    "abstain_rate": 0.75,
}


@pytest.fixture(scope="module")
def starter_engine(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeEngine:
    """The real default engine over the real knowledge folder."""
    data = tmp_path_factory.mktemp("starter-data")
    settings = EngineSettings(knowledge_dir=ROOT / "knowledge", data_dir=data, _env_file=None)  # type: ignore[call-arg]
    database = open_database(settings.resolved_database_url)  # closed with the test process
    engine = KnowledgeEngine.open(settings, database.sessions)
    report = engine.reindex()
    assert report.failed == (), report.failed
    return engine


def test_evaluation_set_is_well_formed() -> None:
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 80
    assert sum(1 for q in questions if not q.expected) >= 40  # calibrates abstention
    for question in questions:
        for path in question.expected:
            assert (ROOT / "knowledge" / path).is_file(), path


@pytest.mark.slow  # indexes the whole starter base with e5: minutes on two cores
def test_quality_stays_above_thresholds(starter_engine: KnowledgeEngine) -> None:
    report = evaluate(load_questions(QUESTIONS), lambda q: starter_engine.answer(q, limit=10))
    metrics = report.to_json()
    below = {k: (metrics[k], v) for k, v in THRESHOLDS.items() if float(metrics[k] or 0) < v}
    assert not below, f"quality regression (measured, threshold): {below}"


@pytest.mark.slow  # the same indexed starter base
def test_answer_sentences_come_from_the_expected_documents(
    starter_engine: KnowledgeEngine,
) -> None:
    """Each sentence of a short answer names its source [n]: most must be an expected one."""
    cited = from_expected = 0
    for question in load_questions(QUESTIONS):
        if not question.expected:
            continue
        answer = starter_engine.answer(question.question, limit=10)
        if not answer.answered:
            continue
        for rank in re.findall(r"\[(\d+)\]", answer.text):
            cited += 1
            from_expected += answer.sources[int(rank) - 1].path in question.expected
    assert cited > 300  # about three sentences per answer
    assert from_expected / cited >= 0.78, from_expected / cited  # measured 0.81
