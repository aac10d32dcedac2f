"""Kinds of fact: what a question asks for (an amount, a date, who, where...) and what a piece
of text holds. Matched on accent-folded, lower-case text, so it works for any French base."""

from __future__ import annotations

import functools
import re

from indexing.retrieval.keyword import fold

AMOUNT = "amount"
NUMBER = "number"
DATE = "date"
DURATION = "duration"
WHO = "who"
PLACE = "place"
URL = "url"

# What the question asks for (folded text). Order matters: the first match wins per kind.
_ASKS: dict[str, re.Pattern[str]] = {
    AMOUNT: re.compile(
        r"\b(combien (ca |cela |ça )?(coute|coutent|vaut|faut[- ]il payer|paie|paye)|prix|tarifs?"
        r"|couts?|coute(nt)?|couter|payer|payant|gratuit\w*|montants?|quelle somme|frais|cher"
        r"|budget|a partir de combien|plafond"
        r"|how much|fees?|cost)\b"
    ),
    NUMBER: re.compile(r"\b(combien de|quel nombre|how many|quel pourcentage|quelle part)\b"),
    DATE: re.compile(
        r"\b(quand|quelle date|depuis quand|a partir de quand|jusqu'?a quand|date limite"
        r"|en quelle annee|when)\b"
    ),
    DURATION: re.compile(
        r"\b(combien de temps|quel delai|delais?|en combien de (jours|temps|heures)|duree"
        r"|how long)\b"
    ),
    WHO: re.compile(
        r"(\bqui\b|\baupres de qui\b|\bquel(le)?s? (organisme|structure|acteur|reseau|operateur"
        r"|interlocuteur|service|partenaire)s?\b|\ba qui\b|\bwho\b|\bwhich organi[sz]ation\b)"
    ),
    PLACE: re.compile(r"(\bquel(le)? (ville|region|lieu|endroit)\b|\ba quel endroit\b|\bwhere\b)"),
    URL: re.compile(r"\b(quel site|site web|lien|url|adresse (du |web|internet)|website)\b"),
}

# What a text holds (folded text).
_HOLDS: dict[str, re.Pattern[str]] = {
    AMOUNT: re.compile(
        r"(\d[\d  .,]*\s?(€|euros?|eur\b|k€|m€)|\bgratuit\w*|\b\d+ ?%|\bprix libre\b"
        r"|\b(millions?|milliards?) d'euros)"
    ),
    NUMBER: re.compile(
        r"(\b\d[\d  .,]*\b|\b(un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix"
        r"|douze|quinze|vingt|cent|mille)\b)"
    ),
    DATE: re.compile(
        r"(\b(19|20)\d{2}\b|\b\d{1,2}(er)? (janvier|fevrier|mars|avril|mai|juin|juillet|aout"
        r"|septembre|octobre|novembre|decembre)\b|\bdepuis (le|l'|la)\b|\b\d{1,2}/\d{1,2}/\d{2,4})"
    ),
    DURATION: re.compile(
        r"\b(\d+|un|une|deux|trois|quatre|cinq|six|huit|dix|douze|quinze|trente)\s"
        r"(heures?|h|jours?|semaines?|mois|ans?|annees?)\b"
    ),
    WHO: re.compile(
        r"(\b(association|federation|reseau|ministere|agence|collectivite"
        r"|region|departement|commune|mairie|prefecture|caisse|fondation|cnil|urssaf|etat"
        r"|president|tresorier|bureau|responsable|charge de mission|conseiller|delegue"
        r"|dpo|operateur|service public|plateforme)\b)"
    ),
    PLACE: re.compile(
        r"\b(en (region|france|ligne|europe)|dans (chaque|votre|les) (departement|region|ville)"
        r"|a paris|a lyon|mairie|maison des associations|mediatheque|sur place|pres de chez"
        r"|locaux|tiers-lieux?|local)\b"
    ),
    URL: re.compile(r"(https?://|www\.|\b[\w-]+\.(fr|org|com|gouv\.fr|eu|net)\b)"),
}


# "Où" asks for a place; "ou" is "or" ("Paheko ou Dolibarr ?"), and folding accents away
# merges them: read on the text as typed. Unaccented "ou" asks where only to open a question
# ("ou trouver des ordis ?"); "par où commencer" asks for a first step, "d'où" for an origin.
_WHERE = re.compile(
    r"(^\W*(ou|où)\b|(?<!par )(?<!d')\boù\b(?! (on|en) en est)(?=\s*(\?|$|trouver|acheter|aller"
    r"|s'adresser|se |envoyer|dénoncer|signaler|louer|emprunter|imprimer|est\b|sont\b"
    r"|peut|peuvent|puis|faut)))"
)


def asked(question: str) -> frozenset[str]:
    """The kinds of fact a question asks for (empty: a general question)."""
    folded = fold(question)
    kinds = {kind for kind, pattern in _ASKS.items() if pattern.search(folded)}
    if _WHERE.search(question.lower().replace("’", "'")):
        kinds.add(PLACE)
    if DURATION in kinds:
        kinds.discard(NUMBER)
    return frozenset(kinds)


@functools.lru_cache(maxsize=32_768)  # units repeat from question to question
def held(text: str) -> frozenset[str]:
    """The kinds of fact a piece of text holds."""
    folded = fold(text)
    kinds = {kind for kind, pattern in _HOLDS.items() if pattern.search(folded)}
    if _ACRONYM.search(text) or _NAME.search(text):
        kinds.add(WHO)
    return frozenset(kinds)


# An acronym ("CNIL", "DLA") or a capitalised name inside a sentence ("le réseau Guid'Asso").
_ACRONYM = re.compile(r"\b[A-ZÀ-Ý]{2,}[0-9]*\b")
_NAME = re.compile(r"(?<=[a-zà-ÿ,] )[A-ZÀ-Ý][a-zà-ÿ]+(?:[’'-][A-Za-zÀ-ÿ]+)?")
