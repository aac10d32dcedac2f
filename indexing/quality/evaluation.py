"""Retrieval and abstention metrics over a YAML question set (`essbot eval`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from indexing.errors import EngineError
from indexing.models import Answer


@dataclass(frozen=True)
class EvalQuestion:
    """A question and the documents that answer it (none: the base has no answer)."""

    question: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class QuestionResult:
    """How the engine did on one question."""

    question: EvalQuestion
    ranked: tuple[str, ...]
    answered: bool

    @property
    def rank(self) -> int | None:
        """1-based rank of the first expected document, if retrieved."""
        for position, path in enumerate(self.ranked, 1):
            if path in self.question.expected:
                return position
        return None


@dataclass(frozen=True)
class EvalReport:
    """Aggregated metrics."""

    questions: int
    answerable: int
    hit_at_1: float
    hit_at_5: float
    mrr_at_10: float
    answered_rate: float
    abstain_rate: float | None  # None when the set has no unanswerable question
    results: tuple[QuestionResult, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The JSON contract of `essbot eval --json`."""
        return {
            "questions": self.questions,
            "answerable": self.answerable,
            "hit_at_1": round(self.hit_at_1, 4),
            "hit_at_5": round(self.hit_at_5, 4),
            "mrr_at_10": round(self.mrr_at_10, 4),
            "answered_rate": round(self.answered_rate, 4),
            "abstain_rate": None if self.abstain_rate is None else round(self.abstain_rate, 4),
        }


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read a question file; other keys than question/expected are ignored."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise EngineError(
            f"fichier de questions illisible : {path} ({exc.__class__.__name__})"
        ) from exc
    if not isinstance(raw, list):
        raise EngineError(f"{path} doit contenir une liste de {{question, expected}}")
    out = []
    for number, item in enumerate(raw, 1):
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise EngineError(f"{path}, entrée {number} : champ 'question' manquant")
        expected = item.get("expected") or []
        if not isinstance(expected, list):
            raise EngineError(f"{path}, entrée {number} : 'expected' doit être une liste")
        out.append(EvalQuestion(item["question"], tuple(str(e) for e in expected)))
    return out


def evaluate(
    questions: list[EvalQuestion],
    ask: Callable[[str], Answer],
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Ask every question and compute hit@1, hit@5, MRR@10, answered and abstain rates."""
    results = []
    for number, question in enumerate(questions, 1):
        answer = ask(question.question)
        ranked = tuple(s.path for s in answer.sources)
        results.append(QuestionResult(question, ranked, answer.answered))
        if progress:
            progress(number, len(questions))
    return summarise(results)


def summarise(results: list[QuestionResult]) -> EvalReport:
    """Aggregate per-question results."""
    answerable = [r for r in results if r.question.expected]
    unanswerable = [r for r in results if not r.question.expected]
    ranks = [r.rank for r in answerable]

    def share(values: list[bool]) -> float:
        return sum(values) / len(values) if values else 0.0

    return EvalReport(
        questions=len(results),
        answerable=len(answerable),
        hit_at_1=share([rank == 1 for rank in ranks]),
        hit_at_5=share([rank is not None and rank <= 5 for rank in ranks]),
        mrr_at_10=(sum(1 / r for r in ranks if r is not None and r <= 10) / len(ranks))
        if ranks
        else 0.0,
        answered_rate=share([r.answered for r in answerable]),
        abstain_rate=share([not r.answered for r in unanswerable]) if unanswerable else None,
        results=tuple(results),
    )
