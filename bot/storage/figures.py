"""Figures computed from the stored questions and feedback (query results)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.storage.contributions import ContributionCounts


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
    contributions: ContributionCounts = field(default_factory=ContributionCounts)

    @property
    def answered_rate(self) -> float:
        """Share of questions that got an answer, 0 when there were none."""
        return self.answered / self.questions if self.questions else 0.0


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
