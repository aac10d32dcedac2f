"""Retrieval, abstention and answer-text metrics over a YAML question set (`essbot eval`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from indexing.errors import EngineError
from indexing.models import Answer
from indexing.quality import answer_text
from indexing.quality.answer_text import Fact


@dataclass(frozen=True)
class EvalQuestion:
    """A question, the documents that answer it (none: the base has no answer) and the key
    facts an answer must hold (each a tuple of alternatives)."""

    question: str
    expected: tuple[str, ...]
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class QuestionResult:
    """How the engine did on one question."""

    question: EvalQuestion
    ranked: tuple[str, ...]
    answered: bool
    text: str = ""

    @property
    def facts_found(self) -> tuple[bool, ...]:
        """For each expected fact, whether the answer text holds it (a refusal holds none)."""
        if not self.answered:
            return tuple(False for _ in self.question.facts)
        return answer_text.facts_found(self.question.facts, self.text)

    def to_json(self) -> dict[str, object]:
        """One line of `essbot eval --json --details`."""
        return {
            "question": self.question.question,
            "expected": list(self.question.expected),
            "ranked": list(self.ranked),
            "answered": self.answered,
            "answer": self.text,
            "facts_found": list(self.facts_found),
        }

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
    # answer text: facts over answerable questions with facts (None: the set has no facts)
    fact_recall: float | None = None
    complete_rate: float | None = None
    # defects over answered questions
    dangling_rate: float = 0.0
    fragment_rate: float = 0.0
    anaphor_rate: float = 0.0
    repeat_rate: float = 0.0
    mean_chars: float = 0.0

    def to_json(self, details: bool = False) -> dict[str, object]:
        """The JSON contract of `essbot eval --json` (`details`: one object per question)."""
        out: dict[str, object] = {
            "questions": self.questions,
            "answerable": self.answerable,
            "hit_at_1": round(self.hit_at_1, 4),
            "hit_at_5": round(self.hit_at_5, 4),
            "mrr_at_10": round(self.mrr_at_10, 4),
            "answered_rate": round(self.answered_rate, 4),
            "abstain_rate": None if self.abstain_rate is None else round(self.abstain_rate, 4),
            "fact_recall": _rounded(self.fact_recall),
            "complete_rate": _rounded(self.complete_rate),
            "dangling_rate": round(self.dangling_rate, 4),
            "fragment_rate": round(self.fragment_rate, 4),
            "anaphor_rate": round(self.anaphor_rate, 4),
            "repeat_rate": round(self.repeat_rate, 4),
            "mean_chars": round(self.mean_chars, 1),
        }
        if details:
            out["results"] = [r.to_json() for r in self.results]
        return out


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


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
        facts = _facts(item.get("facts"), f"{path}, entrée {number}")
        out.append(EvalQuestion(item["question"], tuple(str(e) for e in expected), facts))
    return out


def _facts(raw: object, where: str) -> tuple[Fact, ...]:
    """The optional `facts` field: a list of facts, each a list of alternatives (or a string)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise EngineError(f"{where} : 'facts' doit être une liste")
    facts: list[Fact] = []
    for fact in raw:
        alternatives = [fact] if isinstance(fact, str) else fact
        if not isinstance(alternatives, list) or not all(
            isinstance(a, str | int | float) for a in alternatives
        ):
            raise EngineError(f"{where} : chaque fait est une liste de textes")
        facts.append(tuple(str(a) for a in alternatives))
    return tuple(facts)


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
        results.append(QuestionResult(question, ranked, answer.answered, answer.text))
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

    with_facts = [r for r in answerable if r.question.facts]
    found = [r.facts_found for r in with_facts]
    answered = [r for r in results if r.answered]
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
        fact_recall=sum(sum(f) / len(f) for f in found) / len(found) if found else None,
        complete_rate=share([all(f) for f in found]) if found else None,
        dangling_rate=share([answer_text.dangling(r.text) for r in answered]),
        fragment_rate=share([answer_text.fragment(r.text) for r in answered]),
        anaphor_rate=share([answer_text.anaphor(r.text) for r in answered]),
        repeat_rate=share([answer_text.repeat(r.text) for r in answered]),
        mean_chars=sum(len(r.text) for r in answered) / len(answered) if answered else 0.0,
    )
