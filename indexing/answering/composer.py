"""Compose an answer: ranked sources, a short extractive answer, and honest abstention."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import NamedTuple

from indexing.answering import fact_kinds, selection
from indexing.answering.abstention import AbstainConfig, Abstention
from indexing.answering.calibration import NullScores
from indexing.answering.credits import credited_url
from indexing.answering.selection import SelectionConfig
from indexing.models import (
    REFUSAL_EMPTY_BASE,
    REFUSAL_MISSING,
    REFUSAL_NO_QUESTION,
    REFUSAL_UNRELATED,
    Answer,
    Source,
)
from indexing.retrieval.keyword import FrenchAnalyzer, fold
from indexing.retrieval.search import DocumentHit, Retrieval
from indexing.sources.chunking import split_sentences
from indexing.sources.front_matter import review_due
from indexing.storage.snapshot import Snapshot

_EXCERPT_CHARS = 320


class _Sentence(NamedTuple):
    """One sentence of a passage, cleaned, with what the composer needs to rank it."""

    text: str
    terms: frozenset[str]  # analysed terms
    size: int  # number of analysed tokens
    filler: bool  # a synonyms line or a pointer to other sheets: never an answer


class AnswerComposer:
    """Turns a retrieval into an `Answer`."""

    def __init__(
        self,
        analyzer: FrenchAnalyzer,
        config: AbstainConfig | None = None,
        select: SelectionConfig | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self._analyzer = analyzer
        self.abstention = Abstention(analyzer, config)
        self.selection = select or SelectionConfig()
        self._today = today  # a sheet past its `review_by` date is marked "à vérifier"
        # passages and units repeat from question to question: analyse each one once
        self._analysed = functools.lru_cache(maxsize=8192)(self._split)
        self._unit_terms = functools.lru_cache(maxsize=32768)(self._terms)

    def _terms(self, text: str) -> frozenset[str]:
        return frozenset(self._analyzer.tokens(text))

    def _split(self, text: str) -> tuple[_Sentence, ...]:
        """A passage's sentences, cleaned, with their analysed terms."""
        out = []
        for sentence in _sentences(text):
            tokens = self._analyzer.tokens(sentence)
            out.append(
                _Sentence(
                    sentence, frozenset(tokens), len(tokens), bool(_NOT_AN_ANSWER.match(sentence))
                )
            )
        return tuple(out)

    def compose(
        self, snapshot: Snapshot, retrieval: Retrieval, limit: int, null: NullScores | None = None
    ) -> Answer:
        """Build the answer for the top `limit` documents (`null`: the base's off-topic scores,
        needed when the abstention threshold is relative)."""
        docs = retrieval.documents[:limit]
        weights = self._weights(snapshot, retrieval)
        sources = tuple(self._source(snapshot, hit, weights) for hit in docs)
        if not sources:
            return Answer(
                retrieval.query,
                False,
                _nothing_text(),
                (),
                None,
                snapshot.build_id,
                refusal=REFUSAL_EMPTY_BASE,
            )
        if not self.abstention.close_enough(snapshot, retrieval, null):
            return Answer(
                retrieval.query,
                False,
                _unrelated_text(),
                sources,
                None,
                snapshot.build_id,
                refusal=REFUSAL_UNRELATED,
            )
        missing = self.missing_information(snapshot, retrieval)
        if missing:
            return Answer(
                retrieval.query,
                False,
                _missing_text(missing),
                sources,
                missing,
                snapshot.build_id,
                refusal=REFUSAL_MISSING,
            )
        text = self._extract(snapshot, retrieval, docs, weights)
        if not text:
            return Answer(
                retrieval.query,
                False,
                _unrelated_text(),
                sources,
                None,
                snapshot.build_id,
                refusal=REFUSAL_UNRELATED,
            )
        return Answer(retrieval.query, True, text, sources, None, snapshot.build_id)

    @property
    def config(self) -> AbstainConfig:
        """The abstention settings (benchmarks sweep them)."""
        return self.abstention.config

    @config.setter
    def config(self, value: AbstainConfig) -> None:
        self.abstention.config = value

    def confidence(self, retrieval: Retrieval, null: NullScores | None = None) -> float:
        """How close the base comes to the question."""
        return self.abstention.confidence(retrieval, null)

    def full_match(self, snapshot: Snapshot, retrieval: Retrieval) -> bool:
        """Every term of the question is in the best document."""
        return self.abstention.full_match(snapshot, retrieval)

    def missing_information(self, snapshot: Snapshot, retrieval: Retrieval) -> str | None:
        """What precise information the question asks for that the best documents lack."""
        return self.abstention.missing_information(snapshot, retrieval)

    def _source(self, snapshot: Snapshot, hit: DocumentHit, weights: dict[str, float]) -> Source:
        doc = snapshot.documents[hit.path]
        # the best passage that says something, not only pointers to other sheets
        passages = [snapshot.passages[c.index] for c in hit.chunks[:3]]
        best = next(
            (p for p in passages if any(not s.filler for s in self._analysed(p.text))),
            passages[0],
        )
        return Source(
            title=doc.title,
            url=doc.url,
            path=doc.path,
            date=doc.date,
            type=doc.type,
            score=float(hit.chunks[0].dense),
            excerpt=self._excerpt(best.text, weights),
            section=best.section,
            chunk_ids=tuple(snapshot.passages[c.index].chunk_id for c in hit.chunks[:3]),
            references=doc.references,
            example=doc.example,
            review_due=review_due(doc.review_by, self._today()),
            passage_url=credited_url(best.text, doc.references),
            facts_date=doc.facts_date,
        )

    def _weights(self, snapshot: Snapshot, retrieval: Retrieval) -> dict[str, float]:
        """Query terms weighted by rarity; the glossary's and lexicon's additions count half."""
        own = set(self._analyzer.tokens(retrieval.query))
        added = set(self._analyzer.tokens(retrieval.expanded)) - own
        weights = {t: snapshot.keyword.idf(t) for t in own}
        weights.update({t: 0.5 * snapshot.keyword.idf(t) for t in added})
        return weights

    @staticmethod
    def _relevance(weights: dict[str, float], terms: frozenset[str]) -> float:
        return selection.word_relevance(weights, terms, frozenset(), 0.0)

    def _excerpt(self, text: str, weights: dict[str, float]) -> str:
        """The passage's best sentences around the query terms, within a short length."""
        # Each sentence is cleaned on its own: list items lose their "2." or "-" marker.
        every = self._analysed(text)
        kept = [s for s in every if not s.filler] or list(every)
        if not kept:
            return ""
        scores = [self._relevance(weights, s.terms) for s in kept]
        start = max(range(len(kept)), key=lambda i: (scores[i], -i))
        sentences = [s.text for s in kept]
        out = sentences[start]
        for sentence in sentences[start + 1 :]:
            if len(out) + len(sentence) + 1 > _EXCERPT_CHARS:
                break
            # a line without final punctuation (a bold pseudo-heading, a list item) gets a stop
            out += (" " if out[-1] in _SENTENCE_STOPS else ". ") + sentence
        return _shorten(out, _EXCERPT_CHARS)

    def _extract(
        self,
        snapshot: Snapshot,
        retrieval: Retrieval,
        docs: tuple[DocumentHit, ...],
        weights: dict[str, float],
    ) -> str:
        """The units that settle the question, each followed by the number of its source."""
        question = fold(retrieval.query)
        asked = fact_kinds.asked(retrieval.query)
        relevance = _UnitRelevance(self, snapshot, weights)
        pool = selection.candidates(
            snapshot,
            docs,
            retrieval.query_vector,
            relevance,
            asked,
            self.selection,
        )
        chosen = selection.choose(pool, asked, selection.is_list_question(question), self.selection)
        titles = {
            rank: snapshot.documents[d.path].title
            for rank, d in enumerate(docs)
            if d.path in snapshot.documents
        }
        return selection.write(chosen, titles)

    def unit_terms(self, text: str) -> frozenset[str]:
        """The analysed terms of a unit (cached: units repeat from question to question)."""
        return self._unit_terms(text)


class _UnitRelevance(dict[int, tuple[float, frozenset[str]]]):
    """Word relevance of units, computed when the selection first asks for a unit: the
    question's terms in the unit, and (for a share) in the unit with its section heading and
    document title, which say what a short sentence is about."""

    def __init__(
        self, composer: AnswerComposer, snapshot: Snapshot, weights: dict[str, float]
    ) -> None:
        super().__init__()
        self._composer = composer
        self._snapshot = snapshot
        self._weights = weights

    def __missing__(self, unit: int) -> tuple[float, frozenset[str]]:
        snapshot = self._snapshot
        found = snapshot.units[unit]
        terms = self._composer.unit_terms(found.text)
        passage = snapshot.passages[found.passage]
        document = snapshot.documents.get(passage.doc_path)
        context = self._composer.unit_terms(
            f"{passage.section.replace(' > ', ' ')} {document.title if document else ''}"
        )
        share = self._composer.selection.context_words
        value = (selection.word_relevance(self._weights, terms, context, share), terms)
        self[unit] = value
        return value


def _sentences(text: str) -> list[str]:
    """Sentences of a passage; each line (a paragraph or a list item) is split on its own."""
    return [
        sentence
        for line in text.splitlines()
        for sentence in split_sentences(_clean(line))
        if any(c.isalpha() for c in sentence)
    ]


# Answer sentences come from documents scoring at least this share of the best one: on the
# evaluation set, the share of answer sentences citing an expected document goes from 0.71
# (the top three documents) to 0.81, still about three sentences per answer.
_CLOSE_TO_BEST = 0.8
_SENTENCE_STOPS = '.!?…:;»)"'
_LIST_MARKER = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+")
# Lines that help the search but answer nothing: glossary synonyms, pointers to other sheets.
_NOT_AN_ANSWER = re.compile(
    r"^\s*(?:[-*+]\s*)?(?:synonymes?\s*:|voir aussi\b|voir (?:la|les) fiches?\b"
    r"|fiches?\b[^«:.]{0,30}[«:])",
    re.IGNORECASE,
)


def _clean(text: str) -> str:
    text = re.sub(r"\*\*|__|`", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    return _LIST_MARKER.sub("", " ".join(text.split()))


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _nothing_text() -> str:
    return "La base de connaissances est vide : aucun document n'est encore indexé."


def _unrelated_text() -> str:
    return (
        "Je n'ai pas trouvé de réponse à cette question dans la base de connaissances. "
        "Les documents ci-dessous sont les plus proches, à titre de lecture."
    )


def _missing_text(missing: str) -> str:
    return (
        f"La base de connaissances ne contient pas {missing} pour répondre précisément à cette "
        "question. Les documents ci-dessous traitent du sujet et peuvent aider."
    )


def no_question(message: str) -> Answer:
    """The reply to a message with nothing to search for: an invitation, no search."""
    return Answer(
        message,
        False,
        "Posez-moi une question sur le numérique de votre structure, par exemple : « Quel outil "
        "pour partager nos documents ? » ou « Comment recevoir des dons en ligne ? »",
        (),
        refusal=REFUSAL_NO_QUESTION,
    )
