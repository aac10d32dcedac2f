"""The glossary of acronyms and terms, read from the indexed glossary, used to expand queries."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexing.models import Passage
from indexing.retrieval.keyword import fold
from indexing.retrieval.lexicon import french_terms

GLOSSARY_TYPE = "glossaire"
_SYNONYMS = re.compile(r"^\s*synonymes?\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Term:
    """One glossary entry."""

    term: str
    expansion: str
    definition: str
    variants: tuple[str, ...]  # folded forms that trigger the entry
    doc_path: str


def parse_entry(section: str, text: str, doc_path: str) -> Term | None:
    """Build a term from a glossary passage: heading 'TERM — expansion', text, 'Synonymes :'."""
    heading = section.rsplit(" > ", maxsplit=1)[-1].strip()
    if not heading:
        return None
    term, _, expansion = (part.strip() for part in heading.partition(" — "))
    synonyms: list[str] = []
    match = _SYNONYMS.search(text)
    if match:
        synonyms = [s.strip() for s in match.group(1).split(",") if s.strip()]
    definition = _SYNONYMS.sub("", text).strip()
    variants = {fold(v) for v in [term, *synonyms] if len(v) >= 2}
    return Term(term, expansion, definition, tuple(sorted(variants)), doc_path)


class Glossary:
    """Looks up the terms a question mentions."""

    def __init__(self, terms: list[Term]) -> None:
        self.terms = terms
        self._by_variant: dict[str, Term] = {}
        for term in terms:
            for variant in term.variants:
                self._by_variant.setdefault(variant, term)
        # One alternation, longest variants first, scanned once per question.
        alternatives = sorted(self._by_variant, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<![\w])(" + "|".join(map(re.escape, alternatives)) + r")(?![\w])")
            if alternatives
            else None
        )

    @classmethod
    def from_passages(cls, passages: list[Passage], glossary_paths: set[str]) -> Glossary:
        """Collect entries from the passages of glossary documents."""
        terms = []
        for passage in passages:
            if passage.doc_path in glossary_paths:
                term = parse_entry(passage.section, passage.text, passage.doc_path)
                if term:
                    terms.append(term)
        return cls(terms)

    def find(self, question: str) -> list[Term]:
        """Terms mentioned in the question, longest first, without duplicates."""
        if self._pattern is None:
            return []
        folded = fold(question)
        found: dict[str, Term] = {}
        position = 0
        while (match := self._pattern.search(folded, position)) is not None:
            term = self._by_variant[match.group(1)]
            found.setdefault(term.term, term)
            position = match.start() + 1  # overlapping variants ("tiers lieu", "lieu") both count
        return sorted(found.values(), key=lambda t: -len(t.term))

    def expand(self, question: str, terms: list[Term] | None = None) -> str:
        """The question with the expansions of the terms it uses (and French words for an
        English question) appended; `terms` is `find(question)` when the caller has it."""
        found = self.find(question) if terms is None else terms
        extra = [f"{t.term} {t.expansion}".strip() for t in found]
        extra += french_terms(question)
        return question if not extra else question + " (" + " ; ".join(extra) + ")"
