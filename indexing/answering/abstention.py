"""When to say the base has no answer, and what exactly is missing.

Three reasons, in this order: the base does not come close to the question (a threshold
relative to off-topic questions, see calibration.py); the question asks for a precise kind of
fact (a phone number, an address, a price, opening hours, a named person, the member's own
data, a precise date) that the best documents do not hold; the question is about a named thing
(a tool, an organisation, a place) or a year that no close document mentions. A name used only as a
comparison ("comme Doctolib", "à la place de Dropbox"), a number ("50 %"), an English
possessive or a typo in a name never makes a question unanswerable on its own.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass

from indexing.answering.calibration import NullScores
from indexing.retrieval.keyword import FrenchAnalyzer, fold
from indexing.retrieval.search import Retrieval
from indexing.storage.snapshot import Snapshot

# Documents whose passages are checked for the fact or the name a question asks about.
CHECKED_DOCUMENTS = 3
CHECKED_PASSAGES = 3
# A name misspelt by one or two letters is still that name (difflib ratio).
NAME_SIMILARITY = 0.84
# A question needs this many letters to be a question at all.
MIN_LETTERS = 3


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


@dataclass(frozen=True)
class _Need:
    """A precise kind of fact a question asks for, and how to recognise it in a passage."""

    label: str
    question: re.Pattern[str]
    evidence: re.Pattern[str]


# Questions asking for a precise fact the base may not hold. Matched on accent-folded text.
NEEDS = (
    _Need(
        "de numéro de téléphone",
        re.compile(
            r"\b(telephone|numero de tel\w*|n° de tel\w*|appeler|joindre par tel\w*"
            r"|phone number)\b"
        ),
        re.compile(r"(\+33|0)[1-9](?:[ .-]?\d{2}){4}"),
    ),
    _Need(
        "d'adresse e-mail",
        re.compile(
            r"\b(adresse (e-?mail|mail|electronique|courriel)|(e-?mail|mail|courriel) de contact"
            r"|contacter par (e-?)?mail|email address)\b"
        ),
        re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    ),
    _Need(
        "le nom d'une personne",
        re.compile(
            r"(\bc'?est qui\b|\bqui (est|sont) (le|la|les) (responsable|charge|directeur|directrice"
            r"|president|presidente|contact|referent|referente)|\bnom d[eu] (la |le |l')?"
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
        re.compile(r"(\d[\d  .,]*\s?(€|euros?)|\bgratuit\w*|\btarif\w*\s+\w*\s*\d|\d+ ?%)"),
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


class Abstention:
    """Decides whether a retrieval is answered, and words the reason when it is not."""

    def __init__(self, analyzer: FrenchAnalyzer, config: AbstainConfig | None = None) -> None:
        self._analyzer = analyzer
        self.config = config or AbstainConfig()

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

    def close_enough(
        self, snapshot: Snapshot, retrieval: Retrieval, null: NullScores | None
    ) -> bool:
        """The base comes close to the question, or its best document holds all its terms."""
        if self.confidence(retrieval, null) >= self.config.min_confidence:
            return True
        return self.config.full_match_answers and self.full_match(snapshot, retrieval)

    def full_match(self, snapshot: Snapshot, retrieval: Retrieval) -> bool:
        """True when every term of the question occurs (a typo apart) in the best document's
        best passages."""
        terms = set(self._analyzer.tokens(retrieval.query))
        if not terms or not retrieval.documents:
            return False
        found: set[str] = set()
        for chunk in retrieval.documents[0].chunks[:CHECKED_PASSAGES]:
            found |= snapshot.passage_terms(chunk.index)
        return all(term in found or _near(term, found) for term in terms)

    def missing_information(self, snapshot: Snapshot, retrieval: Retrieval) -> str | None:
        """What precise information the question asks for that the best documents lack."""
        return self._missing_fact(snapshot, retrieval) or self._missing_name(snapshot, retrieval)

    def _missing_fact(self, snapshot: Snapshot, retrieval: Retrieval) -> str | None:
        question = fold(retrieval.query)
        for need in NEEDS:
            if not need.question.search(question):
                continue
            top = [
                snapshot.passages[c.index].text
                for d in retrieval.documents[:CHECKED_DOCUMENTS]
                for c in d.chunks[:CHECKED_PASSAGES]
            ]
            if not any(need.evidence.search(fold(t)) for t in top):
                return need.label
        return None

    def _missing_name(self, snapshot: Snapshot, retrieval: Retrieval) -> str | None:
        """Names the question is about that none of the best documents mentions."""
        names = [
            n for n in subject_names(retrieval.query) if fold(n) not in retrieval.glossary_variants
        ]
        if not names:
            return None
        texts = [snapshot.document_text(d.path) for d in retrieval.documents[:CHECKED_DOCUMENTS]]
        absent = [n for n in names if not any(mentions(text, n) for text in texts)]
        if not absent:
            return None
        years = [n for n in absent if _YEAR.match(n)]
        if years and len(years) == len(absent):
            return "d'information pour l'année " + ", ".join(years[:2])
        return "d'information sur " + ", ".join(f"« {n} »" for n in absent[:3])


def is_question(text: str) -> bool:
    """A message with something to search for: at least a few letters."""
    return sum(ch.isalpha() for ch in text) >= MIN_LETTERS


_WORD = re.compile(r"[^\W\d_][\w'’-]*|\b(?:19|20)\d{2}\b", re.UNICODE)
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
# Words after which a name is a comparison or context, not what the question is about.
_COMPARISON = re.compile(
    r"(?:\bcomme|\bgenre|\btype|\bstyle|\bfa[cç]on|\bplut[oô]t que|\bau lieu d[e']|"
    r"\b(?:à|a) la place d[e']|\b[ée]quivalents? (?:d[e']|à|a|au)|\balternatives? (?:à|a|au|aux)"
    r"|\bremplacer|\bsans|\bvs\.?|\bversus|\bmieux que|\bautre que|\binstead of|\blike|\bthan)"
    r"\s*$",
    re.IGNORECASE,
)
# An indefinite determiner just before a word: what follows is a kind of thing, not one thing.
_INDEFINITE = re.compile(r"\b(?:un|une|des|d'un|d'une|a|an)\s*$", re.IGNORECASE)
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
        "Mon",
        "Ma",
        "Mes",
        "Notre",
        "Nos",
        "Ce",
        "Cette",
        "Ces",
        "Et",
        "Ou",
        "Mais",
        "Donc",
        "Pour",
        "Par",
        "Avec",
        "Sans",
        "Dans",
        "En",
        "Au",
        "Aux",
        "Du",
        "De",
    ]
)


def subject_names(question: str) -> list[str]:
    """Proper names and acronyms a question is about (not its first word, not comparisons)."""
    text = question.replace("’", "'")
    out: list[str] = []
    for match in _WORD.finditer(text):
        word = re.sub(r"'s$", "", match.group(0)).strip("'-")  # English possessive
        if _YEAR.match(word):  # a year asked about is a precise date
            out.append(word)
            continue
        if len(word) < 3 or match.start() == 0 or not word[0].isupper():
            continue
        if fold(word) in _COMMON_CAPITALISED or _COMPARISON.search(text[: match.start()]):
            continue
        if word.isupper() and _INDEFINITE.search(text[: match.start()]):
            continue  # "un CMS", "une SCIC": an acronym used as a common noun names a kind
        if word not in out:
            out.append(word)
    return out


def mentions(folded_text: str, name: str) -> bool:
    """The (folded) text mentions the name, possibly misspelt by a letter or two."""
    needle = fold(name)
    if re.search(r"(?<![\w])" + re.escape(needle), folded_text):
        return True
    if len(needle) < 5:
        return False
    words = set(re.findall(r"[\w'-]{4,}", folded_text))
    return bool(difflib.get_close_matches(needle, words, n=1, cutoff=NAME_SIMILARITY))


def _near(term: str, found: set[str]) -> bool:
    """An analysed term one letter away from one of the found terms (a typo)."""
    if len(term) < 5 or term.isdigit():
        return False
    return bool(difflib.get_close_matches(term, found, n=1, cutoff=NAME_SIMILARITY))
