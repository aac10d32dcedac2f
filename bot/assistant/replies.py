"""What the answer service hands to its callers: stored answers, documents, progress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from indexing.models import Answer, Source

SENDABLE_SUFFIXES = (".pdf", ".docx", ".txt")  # files a member may receive as a document


class DocumentLike(Protocol):
    """What the bot reads from an entry of the engine's catalogue."""

    @property
    def path(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def date(self) -> str | None: ...
    @property
    def type(self) -> str: ...
    @property
    def themes(self) -> tuple[str, ...]: ...
    @property
    def review_by(self) -> str | None: ...
    @property
    def example(self) -> bool: ...


@dataclass(frozen=True)
class StoredAnswer:
    """An answer as given to a member, with the id it is stored under."""

    id: int
    answer: Answer
    chat_type: str
    user_hash: str
    token: str = ""  # what buttons and links carry instead of the sequential id
    group_id: int | None = None  # the group it was posted in; None in a private chat

    @property
    def question(self) -> str:
        """The question as the member asked it."""
        return self.answer.question


@dataclass(frozen=True)
class Progress:
    """Where a running reindex stands."""

    done: int
    total: int
    path: str


@dataclass(frozen=True)
class DocumentFile:
    """A file of the knowledge folder, read to be sent to a member."""

    name: str
    title: str
    data: bytes


def sendable(source: Source) -> bool:
    """Whether a cited source is a file without web page that the bot can send itself."""
    return not source.url and source.path.lower().endswith(SENDABLE_SUFFIXES)


@dataclass(frozen=True)
class PendingAnswer:
    """An inline answer not stored yet, kept briefly so its card can open it in private."""

    token: str
    answer: Answer


@dataclass(frozen=True)
class Votes:
    """The 👍 and 👎 an answer received, one per member."""

    up: int
    down: int
