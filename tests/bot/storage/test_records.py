"""Records on a real SQLite file: questions with cited chunks, feedback, groups, stats, hashing."""

from __future__ import annotations

import datetime as dt

import sqlalchemy
from bot_testkit import make_answer
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.storage import records
from indexing.models import Answer

NOW = dt.datetime(2026, 11, 20, 12, 0)


def add(session: Session, answer: Answer, user: str = "u1", when: dt.datetime = NOW) -> int:
    record = records.add_question(
        session, answer, user_hash=user, chat_type="private", group_id=None, latency_ms=12, now=when
    )
    return record.id


def test_user_hash_is_keyed_and_stable() -> None:
    one = records.hash_user(b"k1", 123456789)
    assert one == records.hash_user(b"k1", 123456789)
    assert one != records.hash_user(b"k2", 123456789)
    assert len(one) == 64 and "123456789" not in one


def test_question_round_trip_keeps_answer_and_cited_chunks(sessions: sessionmaker[Session]) -> None:
    answer = make_answer(sources=6)
    with sessions.begin() as s:
        qid = add(s, answer)
    with sessions() as s:
        record = records.get_question(s, qid)
        assert record is not None
        restored = records.to_answer(record)
    assert restored == answer  # same text, sources in the same order, same chunk ids
    assert restored.sources[2].chunk_ids == (2, 102)


def test_no_raw_user_id_or_name_is_stored(
    sessions: sessionmaker[Session], db: sqlalchemy.Engine
) -> None:
    user_hash = records.hash_user(b"key", 987654321)
    with sessions.begin() as s:
        qid = add(s, make_answer(), user=user_hash)
        records.set_feedback(s, qid, user_hash, vote=1, reason=None, now=NOW)
    with db.connect() as conn:
        dump = "\n".join(str(row) for row in conn.execute(text("SELECT * FROM bot_questions")))
        dump += "\n".join(str(row) for row in conn.execute(text("SELECT * FROM bot_feedback")))
    assert "987654321" not in dump and user_hash in dump


def test_feedback_is_replaced_not_duplicated(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        qid = add(s, make_answer())
        records.set_feedback(s, qid, "u1", vote=1, reason=None, now=NOW)
        records.set_feedback(s, qid, "u1", vote=-1, reason="lien", now=NOW)
        records.set_feedback(s, qid, "u2", vote=1, reason=None, now=NOW)
    with sessions() as s:
        rows = s.scalars(select(records.FeedbackRecord).order_by(records.FeedbackRecord.user_hash))
        assert [(r.user_hash, r.vote, r.reason) for r in rows] == [
            ("u1", -1, "lien"),
            ("u2", 1, None),
        ]


def test_groups(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        records.upsert_group(
            s, -100, title="Atelier", chat_type="supergroup", status="member", now=NOW
        )
        records.upsert_group(s, -200, title="Autre", chat_type="group", status="member", now=NOW)
        records.upsert_group(s, -200, title="Autre", chat_type="group", status="kicked", now=NOW)
    with sessions() as s:
        assert [g.chat_id for g in records.active_groups(s)] == [-100]
        assert (
            repr(s.get(records.GroupRecord, -200)) == "GroupRecord(chat_id=-200, status='kicked')"
        )


def test_usage_stats(sessions: sessionmaker[Session]) -> None:
    unanswered = [
        Answer(q, False, "Rien.", ())
        for q in ("Numéro de la CRESS ?", "numéro de la cress ?", "Horaires ?", "Vieux ?")
    ]
    with sessions.begin() as s:
        ok = add(s, make_answer())
        add(s, make_answer())
        ids = [add(s, a) for a in unanswered[:3]]
        add(s, unanswered[3], when=NOW - dt.timedelta(days=40))  # outside the period
        records.set_feedback(s, ok, "u1", vote=1, reason=None, now=NOW)
        records.set_feedback(s, ids[0], "u1", vote=-1, reason="inc", now=NOW)
        records.set_feedback(s, ids[1], "u2", vote=-1, reason="inc", now=NOW)
        records.set_feedback(s, ids[2], "u2", vote=-1, reason=None, now=NOW)
    with sessions() as s:
        figures = records.usage_stats(s, NOW - dt.timedelta(days=30), 30)
    assert (figures.questions, figures.answered, figures.up, figures.down) == (5, 2, 1, 3)
    assert figures.answered_rate == 0.4
    assert figures.reasons == (("inc", 2),)
    assert figures.top_unanswered[0] == ("Numéro de la CRESS ?", 2)
    assert figures.top_unanswered[1] == ("Horaires ?", 1)
    assert len(figures.top_unanswered) == 2


def test_added_question_sees_its_sources_in_the_same_session(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        record = records.add_question(
            s,
            make_answer(sources=4),
            user_hash="u",
            chat_type="private",
            group_id=None,
            latency_ms=1,
            now=NOW,
        )
        assert [c.rank for c in record.sources] == [0, 1, 2, 3]
