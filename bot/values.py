"""Plain value objects shared by the bot's service, renderer and handlers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from indexing.models import Answer


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


@dataclass(frozen=True)
class StoredAnswer:
    """An answer as given to a member, with the id it is stored under."""

    id: int
    answer: Answer
    chat_type: str
    user_hash: str

    @property
    def question(self) -> str:
        """The question as the member asked it."""
        return self.answer.question


@dataclass(frozen=True)
class Stats:
    """Usage figures over a period, for /stats."""

    days: int
    questions: int
    answered: int
    up: int
    down: int
    reasons: tuple[tuple[str, int], ...]
    top_unanswered: tuple[tuple[str, int], ...]

    @property
    def answered_rate(self) -> float:
        """Share of questions that got an answer, 0 when there were none."""
        return self.answered / self.questions if self.questions else 0.0


@dataclass(frozen=True)
class Progress:
    """Where a running reindex stands."""

    done: int
    total: int
    path: str


@dataclass(frozen=True)
class Erased:
    """What `/oubli` removed about one member."""

    questions: int
    feedback: int

    @property
    def total(self) -> int:
        """Rows removed, all kinds together."""
        return self.questions + self.feedback


@dataclass(frozen=True)
class Purged:
    """What the retention purge removed."""

    questions: int
    feedback: int
    cutoff: dt.datetime


@dataclass(frozen=True)
class QuestionGroup:
    """Similar unanswered or 👎 questions of a digest, the most frequent wording first."""

    examples: tuple[str, ...]
    count: int
    unanswered: int
    disliked: int
    reasons: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Digest:
    """The questions admins should look at over a period, grouped by similarity."""

    days: int
    unanswered: int
    disliked: int
    groups: tuple[QuestionGroup, ...]

    @property
    def empty(self) -> bool:
        """Nothing to report."""
        return not self.groups


@dataclass(frozen=True)
class WeekFigures:
    """One week of usage, for the /stats chart."""

    week: dt.date  # the Monday
    questions: int
    answered: int
    up: int
    down: int

    @property
    def answered_rate(self) -> float | None:
        """Share of questions answered, None without questions."""
        return self.answered / self.questions if self.questions else None

    @property
    def satisfaction(self) -> float | None:
        """Share of 👍 among the votes, None without votes."""
        votes = self.up + self.down
        return self.up / votes if votes else None


@dataclass(frozen=True)
class ChartData:
    """What the /stats chart shows: weekly figures and the most asked themes."""

    days: int
    weeks: tuple[WeekFigures, ...]
    themes: tuple[tuple[str, int], ...]

    @property
    def questions(self) -> int:
        """Questions over the whole period."""
        return sum(w.questions for w in self.weeks)


@dataclass(frozen=True)
class StatsChart:
    """The /stats chart: its figures and the PNG drawn from them."""

    data: ChartData
    png: bytes


@dataclass(frozen=True)
class ThemeFigures:
    """Usage of one theme (the first theme of the top document cited) over a period."""

    theme: str
    questions: int
    answered: int
    up: int
    down: int

    @property
    def unanswered(self) -> int:
        """Questions of the theme left without an answer."""
        return self.questions - self.answered


@dataclass(frozen=True)
class UsageReport:
    """The anonymised report for funders and partners: aggregates only, no text, no ids."""

    start: dt.date
    end: dt.date  # inclusive
    questions: int
    answered: int
    up: int
    down: int
    members: int  # distinct pseudonyms
    themes: tuple[ThemeFigures, ...]  # most asked first

    @property
    def top_unanswered(self) -> tuple[ThemeFigures, ...]:
        """Themes with unanswered questions, most first."""
        found = [t for t in self.themes if t.unanswered]
        return tuple(sorted(found, key=lambda t: (-t.unanswered, t.theme)))
