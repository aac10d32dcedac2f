"""Usage queries and figures on a real SQLite file: the facts of a period (first cited document,
votes), the flagged questions of the digest, weeks and themes (empty weeks included)."""

from __future__ import annotations

import datetime as dt

from bot_testkit import make_answer
from sqlalchemy.orm import Session, sessionmaker

from bot.storage import records
from bot.storage.figures import WeekFigures
from bot.storage.usage import (
    NO_THEME,
    QuestionFacts,
    by_theme,
    flagged_questions,
    monday,
    question_facts,
    weekly,
)

WEDNESDAY = dt.datetime(2026, 6, 10, 12, 0)


def add(
    sessions: sessionmaker[Session],
    question: str,
    at: dt.datetime,
    answered: bool = True,
    votes: tuple[tuple[str, int, str | None], ...] = (),
) -> int:
    with sessions.begin() as session:
        record = records.add_question(
            session,
            make_answer(question, answered=answered),
            user_hash="u",
            chat_type="private",
            group_id=None,
            latency_ms=1,
            now=at,
        )
        for user, vote, reason in votes:
            records.set_feedback(session, record.id, user, vote=vote, reason=reason, now=at)
        return record.id


def test_facts_of_a_period(sessions: sessionmaker[Session]) -> None:
    add(sessions, "avant", WEDNESDAY - dt.timedelta(days=10))
    add(sessions, "dedans", WEDNESDAY, votes=(("a", 1, None), ("b", -1, "inc")))
    add(sessions, "sans réponse", WEDNESDAY + dt.timedelta(hours=1), answered=False)
    with sessions() as session:
        facts = question_facts(session, WEDNESDAY, WEDNESDAY + dt.timedelta(days=1))
    assert [(f.answered, f.up, f.down) for f in facts] == [(True, 1, 1), (False, 0, 0)]
    assert facts[0].top_path is not None and facts[0].asked_at == WEDNESDAY


def test_flagged_questions_are_unanswered_or_disliked_oldest_first(
    sessions: sessionmaker[Session],
) -> None:
    add(sessions, "aimée", WEDNESDAY, votes=(("a", 1, None),))
    add(sessions, "sans réponse", WEDNESDAY + dt.timedelta(minutes=1), answered=False)
    add(sessions, "pas aimée", WEDNESDAY + dt.timedelta(minutes=2), votes=(("a", -1, "hs"),))
    end = WEDNESDAY + dt.timedelta(days=1)
    with sessions() as session:
        flagged = flagged_questions(session, WEDNESDAY, end)
        latest = flagged_questions(session, WEDNESDAY, end, limit=1)
    assert [(f.text, f.answered, f.down_reasons) for f in flagged] == [
        ("sans réponse", False, ()),
        ("pas aimée", True, ("hs",)),
    ]
    assert [f.text for f in latest] == ["pas aimée"]  # the limit keeps the most recent


def fact(
    day: dt.date, answered: bool = True, top: str | None = "a.md", up: int = 0
) -> QuestionFacts:
    return QuestionFacts(dt.datetime.combine(day, dt.time(9)), answered, "u", top, up, 0)


def test_weeks_run_monday_to_monday_with_empty_ones() -> None:
    day = WEDNESDAY.date()
    assert monday(day) == dt.date(2026, 6, 8)
    weeks = weekly([fact(day), fact(day, answered=False, up=1)], day - dt.timedelta(days=7), day)
    assert weeks == (
        WeekFigures(dt.date(2026, 6, 1), 0, 0, 0, 0),
        WeekFigures(dt.date(2026, 6, 8), 2, 1, 1, 0),
    )
    assert weeks[0].answered_rate is None and weeks[1].answered_rate == 0.5
    assert weeks[1].satisfaction == 1.0 and weeks[0].satisfaction is None


def test_themes_most_asked_first_unknown_last() -> None:
    day = WEDNESDAY.date()
    facts = [fact(day, top="a.md"), fact(day, top=None), fact(day, top="b.md", answered=False)]
    facts += [fact(day, top="b.md")]
    themes = by_theme(facts, {"a.md": "Numérique", "b.md": "Gouvernance"})
    assert [(t.theme, t.questions, t.unanswered) for t in themes] == [
        ("Gouvernance", 2, 1),
        ("Numérique", 1, 0),
        (NO_THEME, 1, 0),
    ]
