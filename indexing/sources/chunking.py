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


def _pack(paragraphs: list[str], policy: ChunkingPolicy) -> list[str]:
    """Pack paragraphs into passages of at most max_words, splitting long ones by sentence."""
    units: list[str] = []
    for para in paragraphs:
        if len(para.split()) <= policy.max_words:
            units.append(para)
        else:
            units.extend(split_sentences(para))
    passages: list[list[str]] = [[]]
    count = 0
    for unit in units:
        words = len(unit.split())
        if passages[-1] and count + words > policy.max_words:
            passages.append([])
            count = 0
        passages[-1].append(unit)
        count += words
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
                if pending[0] == section_path:
                    passage = pending[1] + "\n" + passage
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
