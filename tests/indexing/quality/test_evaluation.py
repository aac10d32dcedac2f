"""The metrics of an evaluation, and the starter knowledge base, indexed with the default model,
keeping its measured quality (slow)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.storage.database import open_database
from indexing.engine import KnowledgeEngine
from indexing.models import Answer, Source
from indexing.quality.evaluation import EvalQuestion, evaluate, load_questions
from indexing.settings import EngineSettings

ROOT = Path(__file__).resolve().parents[3]
QUESTIONS = ROOT / "tests" / "eval" / "questions.yaml"

# Set from the measurements in the README (benchmarks/quality.py), with a small margin.
THRESHOLDS = {
    "hit_at_1": 0.85,
    "hit_at_5": 0.95,
    "mrr_at_10": 0.90,
    "answered_rate": 0.95,
    "abstain_rate": 0.80,
    # the answer text (measured 0.616 and 0.428: below what the answers issue aims at, 0.90 and
    # 0.80; these floors keep what the unit composer gained over sentence picking, 0.43/0.20)
    "fact_recall": 0.58,
    "complete_rate": 0.39,
}
# Defects a reader trips on, over answered questions: at most this share.
CEILINGS = {
    "dangling_rate": 0.03,
    "fragment_rate": 0.03,
    "anaphor_rate": 0.03,
    "repeat_rate": 0.01,  # measured 0.036 before units sharing a sentence were told apart, 0 now
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


def test_metrics_of_ranks_answers_and_abstentions() -> None:
    questions = [
        EvalQuestion("premier", ("a.md",)),  # rank 1
        EvalQuestion("troisième", ("c.md", "z.md")),  # rank 3 (the first expected one found)
        EvalQuestion("absent", ("x.md",)),  # not retrieved
        EvalQuestion("hors base", ()),  # should abstain, does
        EvalQuestion("hors base, répondu", ()),  # should abstain, does not
    ]

    def answer(question: str) -> Answer:
        paths = ("b.md", "b2.md", "c.md") if question == "troisième" else ("a.md", "c.md")
        sources = tuple(Source(p, None, p, None, "ressource", 1.0, "") for p in paths)
        return Answer(question, question not in ("absent", "hors base"), "", sources)

    report = evaluate(questions, answer)
    assert [r.rank for r in report.results[:3]] == [1, 3, None]
    assert (report.questions, report.answerable) == (5, 3)
    assert report.hit_at_1 == pytest.approx(1 / 3) and report.hit_at_5 == pytest.approx(2 / 3)
    assert report.mrr_at_10 == pytest.approx((1 + 1 / 3) / 3)
    assert report.answered_rate == pytest.approx(2 / 3) and report.abstain_rate == 0.5
    assert report.to_json()["abstain_rate"] == 0.5


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
    above = {k: (metrics[k], v) for k, v in CEILINGS.items() if float(metrics[k] or 0) > v}
    assert not above, f"answer text defects (measured, ceiling): {above}"


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
    assert cited > 150  # at least one unit per answer, often two or three
    assert from_expected / cited >= 0.78, from_expected / cited
