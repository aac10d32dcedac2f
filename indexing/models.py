"""Value objects that cross module boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """A file of the knowledge folder, read and normalised."""

    path: str  # relative to the knowledge folder, POSIX separators
    title: str
    text: str  # Markdown-ish plain text: headings kept as "#" lines
    content_hash: str
    url: str | None = None
    date: str | None = None  # ISO date as written in the front matter
    type: str = "ressource"  # "ressource" | "atelier"
    tags: tuple[str, ...] = ()
    metadata: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, with where it sits in the document."""

    doc_path: str
    ordinal: int
    text: str
    section: str  # "Heading > Sub-heading", empty at top level
    title: str

    def embedding_text(self) -> str:
        """The text given to the embedder: title and section give the passage its context."""
        head = self.title if not self.section else f"{self.title} — {self.section}"
        return f"{head}. {self.text}"


@dataclass(frozen=True)
class Source:
    """A document ranked for a question, with its best passage."""

    title: str
    url: str | None
    path: str
    date: str | None
    type: str
    score: float
    excerpt: str
    section: str = ""
    chunk_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Definition:
    """A glossary entry shown beside an answer."""

    term: str
    expansion: str
    definition: str


@dataclass(frozen=True)
class Answer:
    """What the engine says about a question."""

    question: str
    answered: bool
    text: str  # short extractive answer, or the explanation of what is missing
    sources: tuple[Source, ...]  # ranked documents; when not answered, related reading
    missing: str | None = None  # what the base lacks ("de numéro de téléphone"...), if known
    build_id: str | None = None
    definitions: tuple[Definition, ...] = ()  # glossary entries for the terms the question uses

    def to_json(self) -> dict[str, object]:
        """The JSON contract of `essbot ask --json`."""
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": self.text,
            "sources": [
                {
                    "title": s.title,
                    "url": s.url,
                    "path": s.path,
                    "date": s.date,
                    "type": s.type,
                    "score": round(s.score, 4),
                    "excerpt": s.excerpt,
                }
                for s in self.sources
            ],
        }


@dataclass(frozen=True)
class FailedFile:
    """A file that could not be indexed, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class IndexReport:
    """The outcome of a reindex."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    failed: tuple[FailedFile, ...] = ()
    build_id: str | None = None
    usable: bool = True

    @property
    def changed(self) -> bool:
        """True when the index content changed."""
        return bool(self.added or self.updated or self.removed)

    def to_json(self) -> dict[str, object]:
        """The JSON contract of `essbot index --json`."""
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
            "failed": [{"path": f.path, "reason": f.reason} for f in self.failed],
        }


@dataclass(frozen=True)
class Passage:
    """A chunk as served by a snapshot."""

    chunk_id: int
    doc_path: str
    ordinal: int
    section: str
    text: str


@dataclass(frozen=True)
class DocumentInfo:
    """Catalogue entry of an indexed document."""

    path: str
    title: str
    url: str | None
    date: str | None
    type: str
    tags: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
