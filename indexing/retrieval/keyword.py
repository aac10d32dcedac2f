"""French keyword search: BM25 over accent-folded, stemmed tokens with stopwords removed."""

from __future__ import annotations

import functools
import logging
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

_TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)'", re.IGNORECASE)

# Common French function words and chat fillers; accent-folded, as tokens are.
_STOPWORDS = frozenset(
    [
        "a",
        "ai",
        "aie",
        "as",
        "au",
        "aux",
        "avec",
        "avoir",
        "c",
        "ca",
        "ce",
        "ceci",
        "cela",
        "celle",
        "celles",
        "celui",
        "ces",
        "cet",
        "cette",
        "ceux",
        "chez",
        "comme",
        "comment",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "elles",
        "en",
        "est",
        "et",
        "etc",
        "etre",
        "eu",
        "eux",
        "faire",
        "fait",
        "faut",
        "il",
        "ils",
        "je",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lui",
        "m",
        "ma",
        "mais",
        "me",
        "meme",
        "mes",
        "moi",
        "mon",
        "n",
        "ne",
        "ni",
        "nos",
        "notre",
        "nous",
        "on",
        "ont",
        "ou",
        "par",
        "pas",
        "peut",
        "peux",
        "plus",
        "pour",
        "pourquoi",
        "qu",
        "quand",
        "que",
        "quel",
        "quelle",
        "quelles",
        "quels",
        "qui",
        "quoi",
        "s",
        "sa",
        "sans",
        "se",
        "ses",
        "si",
        "son",
        "sont",
        "suis",
        "sur",
        "t",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tous",
        "tout",
        "toute",
        "toutes",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "y",
        "bonjour",
        "salut",
        "merci",
        "svp",
        "stp",
        "bien",
        "tres",
        "trop",
        "aussi",
        "alors",
        "donc",
        "the",
        "of",
        "to",
        "and",
        "is",
        "are",
        "what",
        "how",
        "do",
        "does",
        "can",
        "i",
        "we",
        "our",
        "my",
        "for",
        "in",
        "on",
        "with",
        "an",
        "it",
        "be",
        "or",
        "this",
        "that",
        "there",
        "which",
    ]
)


def fold(text: str) -> str:
    """Lowercase and strip accents, so that 'securite' matches 'sécurité'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("œ", "oe")


# Short forms members type for words the sheets write in full ("asso" is "association").
SHORT_FORMS = {
    "asso": "association",
    "assos": "associations",
    "appli": "application",
    "applis": "applications",
    "compta": "comptabilite",
    "ordi": "ordinateur",
    "ordis": "ordinateurs",
    "subv": "subvention",
    "subvs": "subventions",
    "infos": "informations",
    "dispo": "disponible",
    "perso": "personnel",
    "docs": "documents",
    "admin": "administration",
    "benevs": "benevoles",
    "visio": "visioconference",
    "visios": "visioconferences",
    # an acronym every association uses, written out so it meets the words of the documents
    "ag": "assemblee-generale",
}


class FrenchAnalyzer:
    """Tokenise, fold accents, drop stopwords, stem with Snowball French."""

    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("french")

    def tokens(self, text: str) -> list[str]:
        """Analysed tokens of a text; acronyms and numbers are kept whole."""
        out: list[str] = []
        for raw in _TOKEN.findall(text.replace("’", "'")):
            out.extend(self._word(raw))
        return out

    @functools.lru_cache(maxsize=200_000)  # noqa: B019 - one analyser per engine, words repeat
    def _word(self, raw: str) -> tuple[str, ...]:
        """The analysed tokens of one raw word (elisions cut, accents folded, stemmed)."""
        out: list[str] = []
        for piece in _ELISION.sub("", raw).split("'"):
            folded = fold(piece)
            folded = SHORT_FORMS.get(folded, folded)
            if not folded or folded in _STOPWORDS:
                continue
            if "-" in folded:
                # "tiers-lieu" matches "tiers lieu" and "tiers-lieux"
                parts = [p for p in folded.split("-") if p and p not in _STOPWORDS]
                out.extend(self._stemmer.stemWords(parts))
                continue
            out.append(folded if folded.isdigit() else self._stemmer.stemWord(folded))
        return tuple(out)


class KeywordIndex:
    """BM25 over the passages of one snapshot."""

    def __init__(self, texts: Sequence[str], analyzer: FrenchAnalyzer | None = None) -> None:
        import bm25s

        # bm25s sets its own logger to DEBUG on import; keep it quiet unless asked.
        logging.getLogger("bm25s").setLevel(max(logging.getLogger().level, logging.INFO))
        self._analyzer = analyzer or FrenchAnalyzer()
        corpus = [self._analyzer.tokens(t) or ["_vide_"] for t in texts]
        self._size = len(corpus)
        frequency: dict[str, int] = {}
        for tokens in corpus:
            for token in set(tokens):
                frequency[token] = frequency.get(token, 0) + 1
        self._idf = {t: math.log(1 + self._size / n) for t, n in frequency.items()}
        self._bm25: Any = bm25s.BM25(k1=1.2, b=0.75)
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        """BM25 score of every passage for the query (zeros where no term matches)."""
        if not self._size:
            return np.zeros(0, dtype=np.float32)
        vocab = self._bm25.vocab_dict
        tokens = [t for t in self._analyzer.tokens(query) if t in vocab]
        if not tokens:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

    def analyzer(self) -> FrenchAnalyzer:
        """The analyser used for this index."""
        return self._analyzer

    def coverage(self, query: str) -> float:
        """Share of the query's distinct analysed terms that occur in the indexed passages."""
        terms = set(self._analyzer.tokens(query))
        if not terms or not self._size:
            return 0.0
        vocab = self._bm25.vocab_dict
        return sum(1 for t in terms if t in vocab) / len(terms)

    def idf(self, token: str) -> float:
        """Inverse document frequency of an analysed token (rare terms weigh more)."""
        return self._idf.get(token, math.log(1 + self._size))
