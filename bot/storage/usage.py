"""Query helpers and aggregates over the stored questions, for the admins' figures.

Helpers take a session and never commit; the aggregates are pure functions of their facts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.storage.figures import ThemeFigures, WeekFigures
from bot.storage.records import CitedSource, FeedbackRecord, QuestionRecord

NO_THEME = "Sans thème identifié"
FLAGGED_MAX = 500  # the most recent; bounds the embedding work of one digest


@dataclass(frozen=True)
class QuestionFacts:
    """One stored question reduced to what the figures need (no text)."""

    asked_at: dt.datetime
    answered: bool
    user_hash: str
    top_path: str | None  # the first document cited
    up: int
    down: int


@dataclass(frozen=True)
class FlaggedQuestion:
    """An unanswered or 👎 question of the digest."""

    text: str
    answered: bool
    down_reasons: tuple[str | None, ...]


def question_facts(session: Session, start: dt.datetime, end: dt.datetime) -> list[QuestionFacts]:
    """Facts of the questions asked in [start, end)."""
    period = and_(QuestionRecord.asked_at >= start, QuestionRecord.asked_at < end)
    votes: dict[int, list[int]] = defaultdict(list)
    for question_id, vote in session.execute(
        select(FeedbackRecord.question_id, FeedbackRecord.vote).join(QuestionRecord).where(period)
    ):
        votes[question_id].append(vote)
    top = and_(CitedSource.question_id == QuestionRecord.id, CitedSource.rank == 0)
    rows = session.execute(
        select(
            QuestionRecord.id,
            QuestionRecord.asked_at,
            QuestionRecord.answered,
            QuestionRecord.user_hash,
            CitedSource.path,
        )
        .outerjoin(CitedSource, top)
        .where(period)
        .order_by(QuestionRecord.asked_at)
    )
    return [
        QuestionFacts(
            asked_at=at,
            answered=bool(answered),
            user_hash=user_hash,
            top_path=path,
            up=votes[qid].count(1),
            down=votes[qid].count(-1),
        )
        for qid, at, answered, user_hash, path in rows
    ]


def flagged_questions(
    session: Session, start: dt.datetime, end: dt.datetime, limit: int = FLAGGED_MAX
) -> list[FlaggedQuestion]:
    """Questions of [start, end) left unanswered or given a 👎, oldest first."""
    disliked = select(FeedbackRecord.question_id).where(FeedbackRecord.vote < 0)
    rows = session.execute(
        select(QuestionRecord.id, QuestionRecord.question, QuestionRecord.answered)
        .where(
            QuestionRecord.asked_at >= start,
            QuestionRecord.asked_at < end,
            or_(QuestionRecord.answered.is_(False), QuestionRecord.id.in_(disliked)),
        )
        .order_by(QuestionRecord.asked_at.desc())
        .limit(limit)
    ).all()
    reasons: dict[int, list[str | None]] = defaultdict(list)
    for question_id, reason in session.execute(
        select(FeedbackRecord.question_id, FeedbackRecord.reason).where(
            FeedbackRecord.vote < 0, FeedbackRecord.question_id.in_([r[0] for r in rows])
        )
    ):
        reasons[question_id].append(reason)
    return [
        FlaggedQuestion(text, bool(answered), tuple(reasons[qid]))
        for qid, text, answered in reversed(rows)
    ]


def monday(day: dt.date) -> dt.date:
    """The Monday of the week of `day`."""
    return day - dt.timedelta(days=day.weekday())


def weekly(facts: Iterable[QuestionFacts], start: dt.date, end: dt.date) -> tuple[WeekFigures, ...]:
    """Figures per week from the week of `start` to the week of `end`, empty weeks included."""
    buckets: dict[dt.date, list[QuestionFacts]] = defaultdict(list)
    for fact in facts:
        buckets[monday(fact.asked_at.date())].append(fact)
    weeks = []
    week = monday(start)
    while week <= end:
        found = buckets.get(week, [])
        weeks.append(
            WeekFigures(
                week=week,
                questions=len(found),
                answered=sum(f.answered for f in found),
                up=sum(f.up for f in found),
                down=sum(f.down for f in found),
            )
        )
        week += dt.timedelta(days=7)
    return tuple(weeks)


def by_theme(facts: Iterable[QuestionFacts], themes: dict[str, str]) -> tuple[ThemeFigures, ...]:
    """Figures per theme (of the first document cited), most asked first."""
    buckets: dict[str, list[QuestionFacts]] = defaultdict(list)
    for fact in facts:
        buckets[themes.get(fact.top_path or "", NO_THEME)].append(fact)
    figures = [
        ThemeFigures(
            theme=theme,
            questions=len(found),
            answered=sum(f.answered for f in found),
            up=sum(f.up for f in found),
            down=sum(f.down for f in found),
        )
        for theme, found in buckets.items()
    ]
    return tuple(
        sorted(figures, key=lambda t: (-t.questions, t.theme == NO_THEME, t.theme.casefold()))
    )
