"""Structure-aware chunking: passages follow headings and keep their section path."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexing.models import Chunk, Document

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-ÖØ-Ý«\"(\-•])")
# A full stop after these does not end a sentence ("M. Dupont", "art. L. 103", "p. 4", "janv.
# 2025"). Tried first: sentencex and pysbd both cut "art. L. 103" and "janv. 2025", pysbd also
# "Dr. Leroy"; a list of French abbreviations gets all of them right.
_ABBREVIATIONS = frozenset(
    [
        "m",
        "mm",
        "mme",
        "mmes",
        "mlle",
        "mlles",
        "dr",
        "pr",
        "me",
        "mgr",
        "st",
        "ste",
        "art",
        "al",
        "cf",
        "p",
        "pp",
        "n°",
        "no",
        "vol",
        "ch",
        "chap",
        "éd",
        "ed",
        "env",
        "etc",
        "ex",
        "hab",
        "min",
        "max",
        "tél",
        "tel",
        "fig",
        "janv",
        "févr",
        "fév",
        "avr",
        "juil",
        "sept",
        "oct",
        "nov",
        "déc",
        "bd",
        "av",
        "réf",
        "coll",
        "dir",
        "suiv",
        "vs",
    ]
)


@dataclass(frozen=True)
class ChunkingPolicy:
    """Target sizes, in words; chosen by measurement (see benchmarks/)."""

    max_words: int = 160
    min_words: int = 25
    # hard cap: 160 French words stay under 1,150 characters in knowledge/ (measured); only
    # unbroken runs (URLs, pasted data, a file without spaces) reach it and are cut there
    max_chars: int = 1600

    @property
    def hard_max_words(self) -> int:
        """No passage is longer: a packed passage plus a tiny one merged into it."""
        return self.max_words + self.min_words


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences (French punctuation and abbreviations, bullets whole)."""
    parts = [p.strip() for p in _SENTENCE_END.split(" ".join(text.split())) if p.strip()]
    out: list[str] = []
    for part in parts:
        if out and _ends_with_abbreviation(out[-1]):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


def _ends_with_abbreviation(sentence: str) -> bool:
    """The sentence's last word is an abbreviation or an initial, not the end of a sentence."""
    if not sentence.endswith("."):
        return False
    word = re.split(r"[\s'’(«\"]", sentence[:-1])[-1]
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def _sections(text: str) -> list[tuple[tuple[str, ...], list[str]]]:
    """Group paragraphs under their heading path."""
    path: list[tuple[int, str]] = []
    sections: list[tuple[tuple[str, ...], list[str]]] = [((), [])]
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            sections[-1][1].append("\n".join(paragraph).strip())
            paragraph.clear()

    code = _code_lines(text)
    for number, line in enumerate(text.splitlines()):
        match = None if number in code else _HEADING.match(line.strip())
        if match:
            flush()
            level, heading = len(match.group(1)), match.group(2).strip()
            path[:] = [(lvl, h) for lvl, h in path if lvl < level] + [(level, heading)]
            sections.append((tuple(h for _, h in path), []))
        elif not line.strip():
            flush()
        elif line.lstrip().startswith(("- ", "* ", "+ ")) or re.match(r"^\s*\d+[.)]\s", line):
            flush()
            paragraph.append(line.strip())
            flush()
        else:
            paragraph.append(line.strip())
    flush()
    return [(p, paras) for p, paras in sections if paras]


def _code_lines(text: str) -> frozenset[int]:
    """Line numbers inside fenced or indented code blocks, where a '#' line is no heading."""
    if "```" not in text and "~~~" not in text and "\n    " not in text:
        return frozenset()
    from markdown_it import MarkdownIt

    lines: set[int] = set()
    for token in MarkdownIt("commonmark").parse(text):
        if token.type in ("fence", "code_block") and token.map:
            lines.update(range(token.map[0], token.map[1]))
    return frozenset(lines)


def _fits(text: str, policy: ChunkingPolicy) -> bool:
    return len(text.split()) <= policy.max_words and len(text) <= policy.max_chars


def _hard_split(text: str, policy: ChunkingPolicy) -> list[str]:
    """Cut a run without usable breaks into pieces within both limits, word by word (a word
    longer than the character limit is cut too)."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for word in text.split():
        for start in range(0, len(word), policy.max_chars):
            part = word[start : start + policy.max_chars]
            if current and (
                len(current) >= policy.max_words or size + 1 + len(part) > policy.max_chars
            ):
                pieces.append(" ".join(current))
                current, size = [], 0
            size += len(part) + (1 if current else 0)
            current.append(part)
    if current:
        pieces.append(" ".join(current))
    return pieces


def _units(paragraphs: list[str], policy: ChunkingPolicy) -> list[str]:
    """Paragraphs within the limits; longer ones by sentence, then by hard cuts."""
    units: list[str] = []
    for para in paragraphs:
        if _fits(para, policy):
            units.append(para)
            continue
        for sentence in split_sentences(para):
            units.extend([sentence] if _fits(sentence, policy) else _hard_split(sentence, policy))
    return units


def _pack(paragraphs: list[str], policy: ChunkingPolicy) -> list[str]:
    """Pack paragraphs into passages within max_words and max_chars."""
    passages: list[list[str]] = [[]]
    count = chars = 0
    for unit in _units(paragraphs, policy):
        words = len(unit.split())
        too_big = count + words > policy.max_words or chars + 1 + len(unit) > policy.max_chars
        if passages[-1] and too_big:
            passages.append([])
            count = chars = 0
        passages[-1].append(unit)
        count += words
        chars += len(unit) + 1
    return ["\n".join(p) for p in passages if p]


def chunk_document(document: Document, policy: ChunkingPolicy | None = None) -> list[Chunk]:
    """Cut a document into passages that never cross a heading."""
    policy = policy or ChunkingPolicy()
    chunks: list[Chunk] = []
    pending: tuple[tuple[str, ...], str] | None = None
    for path, paragraphs in _sections(document.text):
        # The document title is usually the first heading: drop it from the section path.
        section_path = path[1:] if path and path[0] == document.title else path
        for packed in _pack(paragraphs, policy):
            passage = packed
            if pending is not None:
                # A tiny passage (a lone sentence under a heading) is merged with the next one
                # of the same section so it still carries enough context.
                merged = pending[1] + "\n" + passage
                fits = (
                    len(merged.split()) <= policy.hard_max_words and len(merged) <= policy.max_chars
                )
                if pending[0] == section_path and fits:
                    passage = merged
                else:
                    chunks.append(_make(document, len(chunks), pending[0], pending[1]))
                pending = None
            if len(passage.split()) < policy.min_words:
                pending = (section_path, passage)
                continue
            chunks.append(_make(document, len(chunks), section_path, passage))
    if pending is not None:
        chunks.append(_make(document, len(chunks), pending[0], pending[1]))
    return chunks


def _make(document: Document, ordinal: int, path: tuple[str, ...], text: str) -> Chunk:
    return Chunk(
        doc_path=document.path,
        ordinal=ordinal,
        text=text,
        section=" > ".join(path),
        title=document.title,
    )
