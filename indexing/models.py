"""Value objects that cross module boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reference:
    """A page that backs a sheet: shown to members as "Pour aller plus loin"."""

    title: str
    url: str | None = None
    publisher: str | None = None
    year: int | None = None

    def to_json(self) -> dict[str, object]:
        """The JSON form of a reference, as in the front matter."""
        return {
            "title": self.title,
            "url": self.url,
            "publisher": self.publisher,
            "year": self.year,
        }

    @classmethod
    def from_json(cls, data: object) -> Reference | None:
        """A reference stored as JSON (None for anything else)."""
        if not isinstance(data, dict):
            return None
        year = data.get("year")
        return cls(
            title=str(data.get("title") or ""),
            url=str(data["url"]) if data.get("url") else None,
            publisher=str(data["publisher"]) if data.get("publisher") else None,
            year=year if isinstance(year, int) else None,
        )


def references_from_json(data: object) -> tuple[Reference, ...]:
    """References stored as a JSON list, skipping malformed entries."""
    if not isinstance(data, list):
        return ()
    return tuple(r for r in (Reference.from_json(d) for d in data) if r is not None)


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
    references: tuple[Reference, ...] = ()  # the `sources` of the front matter
    example: bool = False  # `exemple: true`: not a real sheet or workshop
    review_by: str | None = None  # ISO date after which the sheet must be checked again
    facts_date: str | None = None  # ISO date or year of the facts, when older than `date`


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
    references: tuple[Reference, ...] = ()
    example: bool = False
    review_due: bool = False  # the sheet's `review_by` date has passed: "à vérifier"
    passage_url: str | None = None  # the page the quoted passage itself credits, if any
    facts_date: str | None = None

    @property
    def link(self) -> str | None:
        """The link shown for this source: the page its passage credits, else the sheet's."""
        return self.passage_url or self.url

    def to_json(self) -> dict[str, object]:
        """One source of `essbot ask --json`."""
        return {
            "title": self.title,
            "url": self.url,
            "path": self.path,
            "date": self.date,
            "type": self.type,
            "score": round(self.score, 4),
            "excerpt": self.excerpt,
            "link": self.link,
            "example": self.example,
            "review_due": self.review_due,
            "facts_date": self.facts_date,
            "references": [r.to_json() for r in self.references],
        }


@dataclass(frozen=True)
class Definition:
    """A glossary entry shown beside an answer."""

    term: str
    expansion: str
    definition: str


# Why an answer was not given (Answer.refusal)
REFUSAL_NO_QUESTION = "no_question"  # the message holds nothing to search for
REFUSAL_EMPTY_BASE = "empty_base"  # nothing is indexed yet
REFUSAL_UNRELATED = "unrelated"  # the base does not come close to the question
REFUSAL_MISSING = "missing"  # the question asks for a fact the close documents lack


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
    refusal: str | None = None  # REFUSAL_* when not answered

    def to_json(self) -> dict[str, object]:
        """The JSON contract of `essbot ask --json`."""
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": self.text,
            "sources": [s.to_json() for s in self.sources],
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
    embedded: int = 0  # passages encoded by the model in this run
    reused: int = 0  # passages of changed files whose vector came from the vector cache
    units_rebuilt: bool = False  # the answer units were cut again by a newer version

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
            "units_rebuilt": self.units_rebuilt,
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
    references: tuple[Reference, ...] = ()
    example: bool = False
    review_by: str | None = None
    facts_date: str | None = None

    def to_json(self) -> dict[str, object]:
        """The catalogue entry as stored in a build folder."""
        return {
            **self.__dict__,
            "tags": list(self.tags),
            "themes": list(self.themes),
            "references": [r.to_json() for r in self.references],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> DocumentInfo:
        """A catalogue entry read back from a build folder (older builds lack the new fields)."""
        fields = dict(data)
        fields["tags"] = tuple(str(t) for t in _as_list(fields.get("tags")))
        fields["themes"] = tuple(str(t) for t in _as_list(fields.get("themes")))
        fields["references"] = references_from_json(fields.get("references"))
        return cls(**fields)  # type: ignore[arg-type]


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []
