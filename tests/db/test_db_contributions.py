"""The tables of growing the base, on SQLite and PostgreSQL: requests, team messages, alerts,
additions; one answer and one alert each, expiry, erasure, purge and counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage import contributions as store
from bot.storage.database import open_database

NOW = dt.datetime(2026, 11, 20, 12, 0)
TEAM_GROUP = -1001234567890123  # supergroup ids need 64 bits
MEMBER_CHAT = 5_123_456_789


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated database."""
    database = open_database(db_url)
    yield database.sessions
    database.close()


def request(user: str, question_id: int, at: dt.datetime, days: int = 14) -> store.EscalationRecord:
    return store.EscalationRecord(
        question_id=question_id,
        user_hash=user,
        member_chat_id=MEMBER_CHAT,
        question="Où trouver un local ?",
        status=store.PENDING,
        created_at=at,
        expires_at=at + dt.timedelta(days=days),
    )


def alert(user: str, question_id: int, at: dt.datetime) -> store.NotificationRecord:
    return store.NotificationRecord(
        question_id=question_id,
        user_hash=user,
        chat_id=MEMBER_CHAT,
        question="Comment créer une SCIC ?",
        asked_at=at,
        created_at=at,
        expires_at=at + dt.timedelta(days=14),
        status=store.PENDING,
    )


def test_one_answer_per_request_found_from_any_team_message(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        record = request("a" * 64, 1, NOW)
        session.add(record)
        session.flush()
        session.add_all(
            [
                store.TeamMessageRecord(escalation_id=record.id, chat_id=TEAM_GROUP, message_id=7),
                store.TeamMessageRecord(escalation_id=record.id, chat_id=42, message_id=7),
            ]
        )
        escalation_id = record.id
    with sessions.begin() as session:
        found = store.team_message(session, TEAM_GROUP, 7)
        assert found is not None and found.id == escalation_id
        assert store.team_message(session, TEAM_GROUP, 8) is None
        assert store.team_messages(session, escalation_id) == [(TEAM_GROUP, 7), (42, 7)]
        assert store.claim_answer(session, escalation_id, "Voyez la mairie.", NOW)
        assert not store.claim_answer(session, escalation_id, "Une autre réponse", NOW)
    with sessions() as session:
        answered = session.get(store.EscalationRecord, escalation_id)
        assert answered is not None and answered.member_chat_id is None
        assert (answered.status, answered.answer_text) == (store.ANSWERED, "Voyez la mairie.")
    with pytest.raises(IntegrityError), sessions.begin() as session:  # a message presents one
        session.add(store.TeamMessageRecord(escalation_id=escalation_id, chat_id=42, message_id=7))


def test_one_alert_per_question_sent_once(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        session.add(alert("b" * 64, 3, NOW))
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(alert("b" * 64, 3, NOW))
    with sessions.begin() as session:
        [pending] = store.pending_notifications(session, NOW)
        assert store.claim_notification(session, pending.id, NOW)
        assert not store.claim_notification(session, pending.id, NOW)
        assert store.pending_notifications(session, NOW) == []


def test_expiry_erasure_purge_and_counts(sessions: sessionmaker[Session]) -> None:
    member, other = "m" * 64, "o" * 64
    old = NOW - dt.timedelta(days=20)
    with sessions.begin() as session:
        stale = request(member, 1, old)
        session.add_all(
            [stale, request(other, 2, NOW), alert(member, 1, old), alert(other, 2, NOW)]
        )
        session.flush()
        session.add(store.TeamMessageRecord(escalation_id=stale.id, chat_id=42, message_id=1))
        session.add(
            store.AdditionRecord(
                kind="page",
                path="reponses/page.md",
                title="Une page",
                source_url="https://example.org/page",
                created_at=NOW,
                updated_at=NOW,
            )
        )
    with sessions.begin() as session:
        assert store.expire_pending(session, NOW) == 2  # the old request and the old alert
        assert store.expire_pending(session, NOW) == 0
        assert store.claim_answer(session, stale.id, "trop tard", NOW) is False
        known = store.addition_for_url(session, "https://example.org/page")
        assert known is not None and known.path == "reponses/page.md"
        counts = store.counts(session, NOW - dt.timedelta(days=30))
        assert counts == store.ContributionCounts(escalations=2, additions=1)
        assert store.counts(session, NOW - dt.timedelta(days=30), NOW).escalations == 1
    with sessions() as session:
        chats = {
            r.user_hash: r.member_chat_id for r in session.scalars(select(store.EscalationRecord))
        }
        assert chats == {member: None, other: MEMBER_CHAT}
    with sessions.begin() as session:
        assert store.erase_member(session, member) == 2
        assert store.team_messages(session, stale.id) == []
        assert store.purge_before(session, NOW + dt.timedelta(seconds=1)) == 2
        assert session.scalars(select(store.EscalationRecord)).all() == []
        assert session.scalars(select(store.NotificationRecord)).all() == []
