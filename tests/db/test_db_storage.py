"""The bot's records on SQLite and PostgreSQL (the engine's tables on both:
tests/indexing/storage/test_store.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from bot.storage import records
from bot.storage.database import open_database
from indexing.models import Answer, Reference, Source
from indexing.storage.db import make_engine

NOW = dt.datetime(2026, 11, 20, 12, 0)
QUESTION = "Qu'est-ce que le DLA ?"


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated database."""
    database = open_database(db_url)
    yield database.sessions
    database.close()


def answer_with_sources() -> Answer:
    sources = tuple(
        Source(
            title=f"Titre {rank} « é » 👍",
            url=f"https://example.org/{rank}" if rank % 2 else None,
            path=f"ressources/{rank}.md",
            date="2026-11-15" if rank else None,
            type="atelier" if rank == 1 else "ressource",
            score=0.9 - rank / 10,
            excerpt=f"Passage {rank}",
            section="Partie > Sous-partie",
            chunk_ids=(rank, 100 + rank),
            references=(
                Reference("Baromètre « 2016 »", "https://example.org/b", "Solidatech", 2016),
            )
            if rank
            else (),
            example=rank == 1,
            review_due=rank == 2,
            passage_url="https://example.org/passage" if rank == 2 else None,
            facts_date="2016" if rank == 1 else None,
        )
        for rank in range(3)
    )
    return Answer(QUESTION, True, "Le DLA aide les associations.", sources, None, "build-1")


def add(session: Session, answer: Answer, user_hash: str, when: dt.datetime = NOW) -> int:
    record = records.add_question(
        session,
        answer,
        user_hash=user_hash,
        chat_type="private",
        group_id=None,
        latency_ms=12,
        now=when,
    )
    return record.id


def test_question_round_trip(sessions: sessionmaker[Session]) -> None:
    answer = answer_with_sources()
    with sessions.begin() as s:
        qid = add(s, answer, records.hash_user(b"key", 123456789))
    with sessions() as s:
        record = records.get_question(s, qid)
        assert record is not None
        assert records.to_answer(record) == answer  # sources in order, chunk ids kept
        assert record.asked_at == NOW


def test_feedback_is_replaced_and_counted(sessions: sessionmaker[Session]) -> None:
    member = records.hash_user(b"key", 42)
    with sessions.begin() as s:
        qid = add(s, answer_with_sources(), member)
        unanswered = Answer("Le numéro de la mairie ?", False, "Je ne sais pas.", ())
        add(s, unanswered, member)
        add(s, unanswered, records.hash_user(b"key", 43))
        records.set_feedback(s, qid, member, vote=1, reason=None, now=NOW)
    with sessions.begin() as s:
        records.set_feedback(s, qid, member, vote=-1, reason="faux", now=NOW)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(records.FeedbackRecord)) == 1
        stats = records.usage_stats(s, NOW - dt.timedelta(days=7), days=7)
    assert (stats.questions, stats.answered, stats.up, stats.down) == (3, 1, 0, 1)
    assert stats.reasons == (("faux", 1),)
    assert stats.top_unanswered == (("Le numéro de la mairie ?", 2),)


def test_only_hashed_users_are_stored(sessions: sessionmaker[Session], db_url: str) -> None:
    member = records.hash_user(b"key", 987654321)
    assert member == records.hash_user(b"key", 987654321) != records.hash_user(b"other", 987654321)
    with sessions.begin() as s:
        qid = add(s, answer_with_sources(), member)
        records.set_feedback(s, qid, member, vote=1, reason=None, now=NOW)
    db = make_engine(db_url)
    try:
        with db.connect() as connection:
            dump = "\n".join(
                str(row)
                for table in ("bot_questions", "bot_feedback")
                for row in connection.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 - fixed names
            )
    finally:
        db.dispose()
    assert "987654321" not in dump and member in dump


def test_deleting_a_question_cascades_in_the_database(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        qid = add(s, answer_with_sources(), "u1")
        records.set_feedback(s, qid, "u1", vote=1, reason=None, now=NOW)
    with sessions.begin() as s:  # a bulk delete: only the foreign keys' ON DELETE CASCADE acts
        s.execute(delete(records.QuestionRecord).where(records.QuestionRecord.id == qid))
    with sessions() as s:
        for model in (records.CitedSource, records.FeedbackRecord):
            assert s.scalar(select(func.count()).select_from(model)) == 0


def test_groups_and_big_chat_ids(sessions: sessionmaker[Session]) -> None:
    supergroup = -1001234567890  # beyond 32 bits: BIGINT on PostgreSQL
    with sessions.begin() as s:
        records.upsert_group(
            s, supergroup, title="Réseau", chat_type="supergroup", status="member", now=NOW
        )
        records.upsert_group(s, -42, title="Ancien", chat_type="group", status="member", now=NOW)
    with sessions.begin() as s:
        records.upsert_group(s, -42, title="Ancien", chat_type="group", status="kicked", now=NOW)
    with sessions() as s:
        assert [g.chat_id for g in records.active_groups(s)] == [supergroup]


def test_sources_stored_before_details_existed_read_as_plain(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as s:
        qid = add(s, answer_with_sources(), records.hash_user(b"key", 1))
        s.execute(update(records.CitedSource).values(details=None))
    with sessions() as s:
        record = records.get_question(s, qid)
        assert record is not None
        sources = records.to_answer(record).sources
    assert [(x.references, x.example, x.review_due, x.passage_url) for x in sources] == [
        ((), False, False, None)
    ] * 3
