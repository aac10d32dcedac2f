"""Compose an answer: ranked sources, a short extractive answer, and honest abstention."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from indexing.answering.calibration import NullScores
from indexing.answering.credits import credited_url
from indexing.models import Answer, Source
from indexing.retrieval.keyword import FrenchAnalyzer, fold
from indexing.retrieval.search import DocumentHit, Retrieval
from indexing.sources.chunking import split_sentences
from indexing.sources.front_matter import review_due
from indexing.storage.snapshot import Snapshot

_MAX_ANSWER_CHARS = 600
_EXCERPT_CHARS = 320


@dataclass(frozen=True)
class AbstainConfig:
    """When to say the base has no answer; thresholds calibrated on unanswerable questions."""

    # confidence = best passage cosine (relative: in spreads above the best cosine off-topic
    #   questions reach on this base, see indexing/answering/calibration.py)
    #   + coverage_weight * share of the question's terms that the base contains
    #   + keyword_weight * log(1 + best BM25 score);
    # below min_confidence the base is taken to hold no answer.
    min_confidence: float = 0.45
    coverage_weight: float = 0.2
    keyword_weight: float = 0.0
    relative: bool = False
    # answer below the threshold too when the best document holds every term of the question:
    # short keyword questions ("rgpd", "visio AG") score low with a dense model
    full_match_answers: bool = False


class _Sentence(NamedTuple):
    """One sentence of a passage, cleaned, with what the composer needs to rank it."""

    text: str
    terms: frozenset[str]  # analysed terms
    size: int  # number of analysed tokens
    filler: bool  # a synonyms line or a pointer to other sheets: never an answer


@dataclass(frozen=True)
class _Need:
    """A precise kind of fact a question asks for, and how to recognise it in a passage."""

    label: str
    question: re.Pattern[str]
    evidence: re.Pattern[str]


# Questions asking for a precise fact the base may not hold. Matched on accent-folded text.
_NEEDS = (
    _Need(
        "de numéro de téléphone",
        re.compile(r"\b(telephone|tel|numero de tel\w*|appeler|joindre par tel\w*|portable)\b"),
        re.compile(r"(\+33|0)[1-9](?:[ .-]?\d{2}){4}"),
    ),
    _Need(
        "d'adresse e-mail",
        re.compile(
            r"\b(adresse (e-?mail|mail|electronique|courriel)|(e-?mail|mail|courriel) de contact"
            r"|contacter par (e-?)?mail)\b"
        ),
        re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    ),
    _Need(
        "de nom de personne",
        re.compile(
            r"(\bc'?est qui\b|\bqui (est|sont) (le|la|les) |\bnom d[eu] (la |le |l')?"
            r"(responsable|charge|directeur|directrice|president|presidente|contact))"
        ),
        re.compile(r"(?!)"),  # the base names no one, by design
    ),
    _Need(
        "d'horaires d'ouverture",
        re.compile(r"\b(horaires?|heures? d'ouverture|ouvert (le|jusqu))\b"),
        re.compile(r"\b\d{1,2} ?h ?\d{0,2}\b"),
    ),
    _Need(
        "de données propres à votre structure",
        re.compile(
            r"\b(on a (touche|recu|depense)|avons (touche|recu)|notre (dossier|compte|solde)|"
            r"mon dossier|ma demande)\b"
        ),
        re.compile(r"(?!)"),
    ),
    _Need(
        "de prix ni de tarif précis",
        re.compile(
            r"\b(prix|tarif\w*|combien (ca |cela )?(coute|coutent|vaut)|cout exact|montant exact)\b"
        ),
        re.compile(r"(\d[\d  .,]*\s?(€|euros?)|\bgratuit\w*|\btarif\w*\s+\w*\s*\d)"),
    ),
    _Need(
        "de date précise",
        re.compile(
            r"\b(quelle date|a quelle date|date limite|date (de|du|des) (la |l')?prochain\w*"
            r"|quand (a|aura) lieu)\b"
        ),
        re.compile(
            r"\b(\d{1,2}(er)? (janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre"
            r"|novembre|decembre)|\d{1,2}/\d{1,2}/\d{2,4})\b"
        ),
    ),
    _Need(
        "d'adresse postale",
        re.compile(r"\b(adresse( postale)?|ou se trouve|ou est situe\w*|situe\w* ou)\b"),
        re.compile(
            r"\b\d{1,4},? (bis |ter )?(rue|avenue|av\.|boulevard|bd|place|chemin|allee|quai"
            r"|impasse)\b|\b\d{5} [A-Z]"
        ),
    ),
)


class AnswerComposer:
    """Turns a retrieval into an `Answer`."""

    def __init__(
        self,
        analyzer: FrenchAnalyzer,
        config: AbstainConfig | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self._analyzer = analyzer
        self.config = config or AbstainConfig()
        self._today = today  # a sheet past its `review_by` date is marked "à vérifier"
        # passages repeat from question to question: split and analyse each one once
        self._analysed = functools.lru_cache(maxsize=8192)(self._split)

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
            return Answer(retrieval.query, False, _nothing_text(), (), None, snapshot.build_id)
        if self.confidence(retrieval, null) < self.config.min_confidence and not (
            self.config.full_match_answers and self.full_match(snapshot, retrieval)
        ):
            return Answer(
                retrieval.query, False, _unrelated_text(), sources, None, snapshot.build_id
            )
        missing = self.missing_information(snapshot, retrieval)
        if missing:
            return Answer(
                retrieval.query, False, _missing_text(missing), sources, missing, snapshot.build_id
            )
        text = self._extract(snapshot, docs, weights)
        return Answer(retrieval.query, True, text, sources, None, snapshot.build_id)

    def confidence(self, retrieval: Retrieval, null: NullScores | None = None) -> float:
        """How close the base comes to the question."""
        cfg = self.config
        dense = retrieval.top_dense
        if cfg.relative:
            if null is None:
                raise ValueError("a relative abstention threshold needs the base's null scores")
            dense = null.z(dense)
        return (
            dense
            + cfg.coverage_weight * retrieval.coverage
            + cfg.keyword_weight * math.log1p(max(retrieval.top_keyword, 0.0))
        )

    def full_match(self, snapshot: Snapshot, retrieval: Retrieval) -> bool:
        """True when every term of the question occurs in the best document's best passages."""
        terms = set(self._analyzer.tokens(retrieval.query))
        if not terms or not retrieval.documents:
            return False
        found: set[str] = set()
        for chunk in retrieval.documents[0].chunks[:3]:
            found |= snapshot.passage_terms(chunk.index)
        return terms <= found

    def missing_information(self, snapshot: Snapshot, retrieval: Retrieval) -> str | None:
        """What precise information the question asks for that the best documents lack."""
        return self._missing_fact(snapshot, retrieval) or self._missing_specifics(
            snapshot, retrieval
        )

    def _missing_fact(self, snapshot: Snapshot, retrieval: Retrieval) -> str | None:
        question = fold(retrieval.query)
        for need in _NEEDS:
            if not need.question.search(question):
                continue
            top = [
                snapshot.passages[c.index].text
                for d in retrieval.documents[:3]
                for c in d.chunks[:3]
            ]
            if not any(need.evidence.search(fold(t)) for t in top):
                return need.label
        return None

    def _missing_specifics(self, snapshot: Snapshot, retrieval: Retrieval) -> str | None:
        """Names, places and years of the question that none of the best documents mentions."""
        terms = [
            t for t in specific_terms(retrieval.query) if fold(t) not in retrieval.glossary_variants
        ]
        if not terms:
            return None
        texts = [snapshot.document_text(d.path) for d in retrieval.documents[:3]]
        absent = [t for t in terms if not any(_mentions(text, t) for text in texts)]
        if not absent:
            return None
        return "d'information sur " + ", ".join(f"« {t} »" for t in absent[:3])

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
        total = sum(weights.values()) or 1.0
        return sum(weights.get(t, 0.0) for t in terms) / total

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
        self, snapshot: Snapshot, docs: tuple[DocumentHit, ...], weights: dict[str, float]
    ) -> str:
        """The few most relevant sentences, each followed by the number of its source."""
        candidates: list[tuple[float, int, int, str]] = []
        for rank, doc in enumerate(docs[:3]):
            if doc.score < _CLOSE_TO_BEST * docs[0].score:
                break  # a weaker document's sentences mostly answer another question
            for chunk_rank, chunk in enumerate(doc.chunks[:2]):
                passage = snapshot.passages[chunk.index]
                for position, sentence in enumerate(self._analysed(passage.text)):
                    if sentence.size < 3 or sentence.filler:
                        continue
                    relevance = self._relevance(weights, sentence.terms)
                    prior = chunk.fused * (0.85**rank) * (0.9**chunk_rank) * (0.97**position)
                    candidates.append((relevance + 0.5 * prior, rank, position, sentence.text))
        candidates.sort(key=lambda c: -c[0])
        chosen: list[tuple[int, int, str]] = []
        length = 0
        for _score, rank, position, text in candidates:
            if any(text == c[2] for c in chosen):
                continue
            piece = f"{text} [{rank + 1}]"
            if chosen and length + len(piece) + 1 > _MAX_ANSWER_CHARS:
                continue
            chosen.append((rank, position, _shorten(text, _MAX_ANSWER_CHARS - 5)))
            length += len(piece) + 1
            if len(chosen) >= 3:
                break
        chosen.sort(key=lambda c: (c[0], c[1]))
        return " ".join(f"{sentence} [{rank + 1}]" for rank, _pos, sentence in chosen)


_WORD = re.compile(r"[^\W_][\w'’-]*", re.UNICODE)
_YEAR_OR_NUMBER = re.compile(r"^(19|20)\d{2}$|^\d{3,}$")
# Capitalised words that say nothing specific about what is asked.
_COMMON_CAPITALISED = frozenset(
    fold(w)
    for w in [
        "Je",
        "Tu",
        "Il",
        "Elle",
        "On",
        "Nous",
        "Vous",
        "Ils",
        "Elles",
        "Le",
        "La",
        "Les",
        "Un",
        "Une",
        "Des",
        "Est",
        "Quel",
        "Quelle",
        "Quels",
        "Quelles",
        "Comment",
        "Pourquoi",
        "Combien",
        "Quand",
        "Où",
        "Qui",
        "Que",
        "Quoi",
        "Peut",
        "Faut",
        "Bonjour",
        "Salut",
        "Merci",
        "Svp",
        "Stp",
        "I",
        "We",
        "You",
        "My",
        "Our",
        "What",
        "How",
        "Which",
        "Where",
        "When",
        "Who",
        "Why",
        "Is",
        "Are",
        "Do",
        "Does",
        "Can",
        "Should",
        "Hello",
        "Hi",
        "France",
        "French",
        "English",
        "Europe",
        "European",
        "Internet",
        "Web",
        "Asso",
        "Association",
        "ESS",
    ]
)


def specific_terms(question: str) -> list[str]:
    """Proper names, acronyms and years of a question (not its first word)."""
    words = _WORD.findall(question.replace("’", "'"))
    out: list[str] = []
    for position, raw in enumerate(words):
        word = raw.strip("'-")
        if len(word) < 3:
            continue
        specific = _YEAR_OR_NUMBER.match(word) or (
            position > 0 and word[0].isupper() and fold(word) not in _COMMON_CAPITALISED
        )
        if specific and word not in out:
            out.append(word)
    return out


def _mentions(folded_text: str, term: str) -> bool:
    needle = fold(term)
    if needle.isdigit():
        return re.search(r"(?<!\d)" + r"[  .]?".join(needle) + r"(?!\d)", folded_text) is not None
    return re.search(r"(?<![\w])" + re.escape(needle), folded_text) is not None


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
