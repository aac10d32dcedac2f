"""Measures of the answer text itself: key facts found, and the defects a reader trips on.

A fact is a list of alternative short strings; it is found when any alternative occurs in the
answer text, compared case-insensitively with whitespace, typographic apostrophes and Markdown
emphasis normalised. Defects are counted on the answer's units (the pieces that end with a
`[n]` source marker): one that ends on ":" or ";" (dangling), one that starts in lower case
(fragment), a first unit that opens on a word pointing back to text the reader never saw
(anaphor), a sentence said twice (repeat: a list and one of its items, a sentence and the same
sentence carried as another's antecedent).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from indexing.sources.chunking import split_sentences
from indexing.sources.units import starts_with_anaphor

Fact = tuple[str, ...]  # alternatives

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "\u00a0": " ", "\u202f": " "})
_EMPHASIS = re.compile(r"\*\*|__|[*_`]")
_MARKER = re.compile(r"\s*\[\d+\]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s")


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, single spaces, no Markdown emphasis."""
    text = _EMPHASIS.sub("", text.translate(_APOSTROPHES))
    return " ".join(text.lower().split())


def found(fact: Fact, text: str) -> bool:
    """True when one of the fact's alternatives occurs in the text."""
    haystack = normalise(text)
    return any(normalise(alternative) in haystack for alternative in fact if alternative.strip())


def facts_found(facts: Sequence[Fact], text: str) -> tuple[bool, ...]:
    """For each fact, whether the text holds it."""
    return tuple(found(fact, text) for fact in facts)


def units(answer_text: str) -> list[str]:
    """The pieces of an answer that each end with a source marker (the whole text if none)."""
    pieces = [p.strip() for p in _MARKER.split(answer_text)]
    return [p for p in pieces if any(c.isalpha() for c in p)]


def dangling(answer_text: str) -> bool:
    """A unit ends on ':' or ';' without what it announced."""
    for unit in units(answer_text):
        lines = [line for line in unit.splitlines() if line.strip()]
        if lines and lines[-1].rstrip().endswith((":", ";")):
            return True
        for line, following in pairwise(lines):
            if line.rstrip().endswith(":") and not _LIST_ITEM.match(following):
                return True
    return False


def fragment(answer_text: str) -> bool:
    """A unit starts in lower case: the tail of a sentence or list cut from its start."""
    for unit in units(answer_text):
        letters = [c for c in unit if c.isalpha()]
        if letters and letters[0].islower():
            return True
    return False


def anaphor(answer_text: str) -> bool:
    """The first unit opens on a pronoun, demonstrative or connective with no antecedent."""
    pieces = units(answer_text)
    return bool(pieces) and starts_with_anaphor(pieces[0])


def repeat(answer_text: str) -> bool:
    """A sentence of some length is said twice (once may be inside a longer one)."""
    plain = _MARKER.sub("\n", answer_text).replace("•", "\n")
    sentences = [
        re.sub(r"\W+", " ", sentence.lower()).strip()
        for line in plain.splitlines()
        for sentence in split_sentences(line)
        if len(sentence) >= _REPEATED_CHARS
    ]
    return any(
        i != k and one in other
        for i, one in enumerate(sentences)
        for k, other in enumerate(sentences)
    )


_REPEATED_CHARS = 30  # shorter sentences ("Étapes :") may well come back
