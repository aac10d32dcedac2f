"""Choose the answer units that settle a question, and write them as the answer text.

Each candidate unit (from the passages retrieval ranked first, in the documents close to the
best one) is scored on four signals: its dense similarity to the question (unit vectors are
built at indexing time), the rarity-weighted share of the question's terms it holds, whether
it holds the kind of fact the question asks for (an amount for "combien", a date for "quand",
an organisation for "qui"...), and the retrieval score of its passage. The best unit leads; a
further unit is added only if it brings something the chosen ones lack, and the length follows
the question: a figure gets one or two units, a how-to or a list question gets the list.

Reading order counts too: the sentence that follows a chosen one in its document often completes
it (the figure after the rule, the exception after the principle), so it gets a bonus when the
next unit is chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from indexing.answering import fact_kinds
from indexing.retrieval.search import DocumentHit
from indexing.sources.units import LIST, ROW
from indexing.storage.snapshot import Snapshot


@dataclass(frozen=True)
class SelectionConfig:
    """How units are scored and how much is said; measured with `essbot eval` (facts)."""

    dense_weight: float = 0.5  # the question's meaning against the unit's
    word_weight: float = 0.3  # rarity-weighted question terms the unit holds
    context_words: float = 0.3  # share of that score counting its section heading and document
    # title with the unit ("Faut-il un DPO ?" above "La plupart n'y sont pas tenues.")
    kind_weight: float = 0.1  # the unit holds the kind of fact asked for
    passage_weight: float = 0.15  # retrieval's score of the unit's passage
    rank_decay: float = 0.85  # per document rank: the best document's units come first
    close_to_best: float = 0.8  # documents scoring under this share of the best are not quoted
    lead_passages: int = 6  # passages of the best document whose units are candidates
    other_passages: int = 2  # passages of the other close documents
    floor: float = 0.5  # a unit scoring under this share of the best one is not added (0.7 and
    # 0.4 measured too: 0.5 raised the facts found on both eval corpora, at ~600 characters)
    redundancy: float = 0.6  # share of a unit's terms already said: it repeats, skip it
    new_terms: int = 3  # terms a further unit must add to bring something new
    max_chars: int = 600  # a general question
    figure_chars: int = 350  # a question asking for an amount, a number, a date or a duration
    list_chars: int = 1000  # a how-to or list question: its list, and what completes it (800
    # measured too: 1000 raised the facts found on both corpora, answers to such questions ~100
    # characters longer)
    max_units: int = 4
    figure_units: int = 2
    list_units: int = 5
    follow_bonus: float = 0.3  # share of the best score given to the unit that follows a chosen
    # one in its document (0 and 0.1 to 0.5 measured: 0.3 raised the facts found on both corpora)


@dataclass(frozen=True)
class Candidate:
    """A unit that may be quoted, with what the selection needs."""

    unit: int  # position in snapshot.units
    rank: int  # rank of its document among the sources (0-based)
    text: str
    terms: frozenset[str]
    score: float
    # it may complete the unit before it in its document (a sentence, an item); a list block
    # or a table row starts something of its own
    continues: bool = True
    parts: tuple[str, ...] = ()  # the sentences it quotes: two units sharing one overlap


_LIST_QUESTION = re.compile(
    r"\b(comment|quell?es? (sont les |)(etapes|outils|solutions|options|regles|conditions"
    r"|obligations|criteres|aides|pistes|ressources|possibilites)|lesquel\w*|liste|que faire"
    r"|quoi faire|par ou commencer|how to|how do|steps|which tools|etapes|checklist|conseils)\b"
)


def is_list_question(folded_question: str) -> bool:
    """A how-to or list question, whose answer is a list of steps, tools or rules."""
    return bool(_LIST_QUESTION.search(folded_question))


def candidates(
    snapshot: Snapshot,
    documents: tuple[DocumentHit, ...],
    query_vector: np.ndarray | None,
    relevance: dict[int, tuple[float, frozenset[str]]],
    asked: frozenset[str],
    config: SelectionConfig,
) -> list[Candidate]:
    """Score the units of the best passages of the documents close to the best one.

    `relevance` maps a unit's position to its rarity-weighted word score and analysed terms.
    """
    pool: list[tuple[int, int, float]] = []  # unit, document rank, passage score
    for rank, doc in enumerate(documents[:3]):
        if doc.score < config.close_to_best * documents[0].score:
            break
        for chunk in doc.chunks[: config.lead_passages if rank == 0 else config.other_passages]:
            for unit in snapshot.units_by_passage.get(chunk.index, []):
                pool.append((unit, rank, chunk.fused))
    if not pool:
        return []
    dense = _dense(snapshot, [u for u, _r, _p in pool], query_vector)
    out = []
    for (unit, rank, passage), similarity in zip(pool, dense, strict=True):
        words, terms = relevance[unit]
        text = snapshot.units[unit].text
        kind = 1.0 if asked and asked & fact_kinds.held(text) else 0.0
        score = (
            config.dense_weight * similarity
            + config.word_weight * words
            + config.kind_weight * kind
            + config.passage_weight * passage
        ) * config.rank_decay**rank
        found = snapshot.units[unit]
        continues = found.kind not in (LIST, ROW)
        out.append(Candidate(unit, rank, text, terms, score, continues, found.parts))
    return out


def word_relevance(
    weights: dict[str, float], terms: frozenset[str], context: frozenset[str], share: float
) -> float:
    """Rarity-weighted share of the question's terms a unit holds; for `share` of it, the unit
    read with its context (section heading, document title), which says what a short sentence
    is about."""
    total = sum(weights.values()) or 1.0
    alone = sum(weights.get(t, 0.0) for t in terms) / total
    framed = sum(weights.get(t, 0.0) for t in terms | context) / total
    return (1 - share) * alone + share * framed


def _dense(snapshot: Snapshot, units: list[int], query: np.ndarray | None) -> list[float]:
    """Cosine of each unit to the question, rescaled to 0..1 among the candidates."""
    vectors = snapshot.unit_vectors
    if vectors is None or query is None or not len(vectors):
        return [0.0] * len(units)
    cosines = vectors[units] @ query
    low, high = float(cosines.min()), float(cosines.max())
    span = high - low or 1.0
    return [float((c - low) / span) for c in cosines]


def choose(
    pool: list[Candidate], asked: frozenset[str], list_question: bool, config: SelectionConfig
) -> list[Candidate]:
    """The best unit, then those that add something, within the question's length."""
    figure = (
        bool(asked & {fact_kinds.AMOUNT, fact_kinds.NUMBER, fact_kinds.DATE, fact_kinds.DURATION})
        and not list_question
    )
    budget = (
        config.figure_chars
        if figure
        else (config.list_chars if list_question else config.max_chars)
    )
    most = (
        config.figure_units
        if figure
        else (config.list_units if list_question else config.max_units)
    )
    if not pool:
        return []
    best = max(pool, key=lambda c: c.score)
    chosen = [best]
    said = set(best.terms)
    length = len(best.text)
    while len(chosen) < most:
        following = {c.unit + 1 for c in chosen}
        bonus = config.follow_bonus * best.score

        def worth(
            candidate: Candidate, following: set[int] = following, bonus: float = bonus
        ) -> float:
            if candidate.unit in following and candidate.continues:
                return candidate.score + bonus
            return candidate.score

        picked, replaced = None, []
        for candidate in sorted(pool, key=lambda c: -worth(c)):
            if worth(candidate) < config.floor * best.score:
                break
            if candidate in chosen:
                continue
            fit = _fits(candidate, chosen, said, length, budget, config)
            if fit is not None:
                picked, replaced = candidate, fit
                break
        if picked is None:
            break
        if replaced:  # it says what they said, and more: it takes the place of the first
            chosen[chosen.index(replaced[0])] = picked
            chosen = [c for c in chosen if c not in replaced[1:]]
            length -= sum(len(c.text) for c in replaced)
        else:
            chosen.append(picked)
        said |= picked.terms
        length += len(picked.text)
    return chosen


def _fits(
    candidate: Candidate,
    chosen: list[Candidate],
    said: set[str],
    length: int,
    budget: int,
    config: SelectionConfig,
) -> list[Candidate] | None:
    """Whether a unit may join the answer: None if not; else the chosen units it extends and
    replaces (a sentence carried with the one before it, "A. Elle…", extends "A."), or []."""
    shared = [c for c in chosen if set(c.parts) & set(candidate.parts)]
    extended = [c for c in shared if set(c.parts) < set(candidate.parts)]
    if shared and extended == shared:
        room = budget - length + sum(len(c.text) for c in extended)
        new = len(candidate.terms - said) >= config.new_terms
        return extended if len(candidate.text) <= room and new else None
    if shared or length + len(candidate.text) > budget:
        return None  # it repeats a sentence already quoted, or it is too long
    if any(candidate.text in c.text or c.text in candidate.text for c in chosen):
        return None
    terms = candidate.terms
    repeated = len(terms & said) / len(terms) if terms else 1.0
    if repeated > config.redundancy or len(terms - said) < config.new_terms:
        return None
    return []


def write(chosen: list[Candidate], titles: dict[int, str]) -> str:
    """The answer text: each unit followed by its source number; a unit from another document
    than the first one's names that document."""
    if not chosen:
        return ""
    lead_rank = chosen[0].rank
    parts = []
    for candidate in chosen:
        text = candidate.text
        if candidate.rank != lead_rank:
            text = f"Selon « {titles[candidate.rank]} » : {_lower_first(text)}"
        parts.append(f"{text} [{candidate.rank + 1}]")
    return _join(parts)


def _join(parts: list[str]) -> str:
    """Units one after the other; a list block stands on its own lines."""
    out = ""
    for part in parts:
        if not out:
            out = part
        elif "\n" in part or "\n" in out.rsplit("[", 1)[0][-200:]:
            out += "\n" + part
        else:
            out += " " + part
    return out


def _lower_first(text: str) -> str:
    word = text.split(" ", 1)[0]
    if len(word) > 1 and (word.isupper() or any(c.isupper() for c in word[1:])):
        return text  # an acronym or a name stays as it is
    return text[:1].lower() + text[1:]
