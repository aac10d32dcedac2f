"""Privacy: masking before storage, erasure of a member leaving no row, the retention purge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pytest
import sqlalchemy
from bot_testkit import FakeEngine, check_messages, make_answer, rows_about
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.assistant.service import Assistant
from bot.community.privacy import Privacy
from bot.storage import records
from bot.storage.masking import masked_for_storage
from bot.storage.records import CitedSource, FeedbackRecord, QuestionRecord, hash_user
from bot.telegram import answer_messages as render
from indexing.models import Answer
from indexing.storage.db import Base

KEY = b"test-key"
NOW = dt.datetime(2026, 6, 1, 12, 0)
EMAIL, PHONE = "camille.martin@asso-exemple.fr", "06 12 34 56 78"
IBAN = "FR76 3000 6000 0112 3456 7890 189"
PERSONAL = f"Je suis {EMAIL}, tél. {PHONE}, IBAN {IBAN} : comment adhérer ?"


def store(
    sessions: sessionmaker[Session],
    user_hash: str,
    question: str = "Quel outil pour partager des fichiers ?",
    *,
    at: dt.datetime = NOW,
    answered: bool = True,
    votes: Iterable[tuple[str, int, str | None]] = (),
) -> int:
    """Store a question (with its cited sources) and feedback on it; return its id."""
    with sessions.begin() as session:
        record = records.add_question(
            session,
            make_answer(question, answered=answered, sources=3),
            user_hash=user_hash,
            chat_type="private",
            group_id=None,
            latency_ms=5,
            now=at,
        )
        for voter, vote, reason in votes:
            records.set_feedback(session, record.id, voter, vote=vote, reason=reason, now=at)
        return record.id


def count(sessions: sessionmaker[Session], model: type[Base]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


async def test_forget_erases_every_row_about_the_member_and_nothing_else(
    db: sqlalchemy.Engine, sessions: sessionmaker[Session]
) -> None:
    member, other = hash_user(KEY, 1001), hash_user(KEY, 2002)
    mine = {
        store(sessions, member, votes=[(member, 1, None), (other, -1, "inc")]),
        store(sessions, member, "Une autre question", answered=False),
    }
    theirs = store(sessions, other, votes=[(member, -1, "lien"), (other, 1, None)])
    assert rows_about(db, member, mine)  # the check sees them before

    erased = await Privacy(sessions, hash_key=KEY, retention_days=365).forget(1001)

    assert (erased.questions, erased.feedback) == (2, 2)  # 2 questions, 2 votes by the member
    assert rows_about(db, member, mine) == []
    with sessions() as session:
        kept = session.get(QuestionRecord, theirs)
        assert kept is not None and len(kept.sources) == 3
        assert [(f.user_hash, f.vote) for f in session.scalars(select(FeedbackRecord))] == [
            (other, 1)
        ]
    again = await Privacy(sessions, hash_key=KEY, retention_days=365).forget(1001)
    assert again.total == 0
    assert render.forget_done(again) == render.plain(
        "Je n'avais rien enregistré à votre sujet : il n'y avait rien à effacer."
    )


def test_purge_removes_old_questions_with_their_sources_and_feedback(
    db: sqlalchemy.Engine, sessions: sessionmaker[Session]
) -> None:
    someone = hash_user(KEY, 7)
    old = store(sessions, someone, at=NOW - dt.timedelta(days=400), votes=[(someone, -1, "hs")])
    edge = store(sessions, someone, at=NOW - dt.timedelta(days=364))
    recent = store(sessions, someone, at=NOW - dt.timedelta(days=2), votes=[(someone, 1, None)])
    privacy = Privacy(sessions, hash_key=KEY, retention_days=365, clock=lambda: NOW)

    purged = privacy.purge_now()

    assert (purged.questions, purged.feedback) == (1, 1)
    assert purged.cutoff == NOW - dt.timedelta(days=365)
    with sessions() as session:
        assert set(session.scalars(select(QuestionRecord.id))) == {edge, recent}
        assert session.scalar(select(func.count()).where(CitedSource.question_id == old)) == 0
        assert [f.question_id for f in session.scalars(select(FeedbackRecord))] == [recent]
    assert count(sessions, CitedSource) == 6
    assert privacy.purge_now(days=1).questions == 2  # on demand, shorter
    assert count(sessions, QuestionRecord) == 0 and count(sessions, CitedSource) == 0


class EchoEngine(FakeEngine):
    """Answers by echoing the question, and quotes a phone number of its own documents."""

    def answer(self, question: str, limit: int = 5) -> Answer:
        return Answer(
            question,
            False,
            f"Rien sur « {question} ». La CRESS répond au 01 23 45 67 89.",
            (),
            missing=f"d'information sur « {EMAIL} »",
        )


async def test_personal_data_is_masked_before_storage(sessions: sessionmaker[Session]) -> None:
    assistant = Assistant(EchoEngine(), sessions, hash_key=KEY, questions_per_minute=5)
    stored = await assistant.ask(PERSONAL, user_id=1, chat_type="private")
    assert stored.question == PERSONAL  # the member's own reply keeps what they typed
    with sessions() as session:
        record = session.scalars(select(QuestionRecord)).one()
    for secret in (EMAIL, PHONE, IBAN, "camille"):
        assert secret not in record.question and secret not in record.answer_text
        assert secret not in (record.missing or "")
    assert record.question == (
        "Je suis [courriel masqué], tél. [téléphone masqué], IBAN [IBAN masqué] : comment adhérer ?"
    )
    assert f"Rien sur « {record.question} »" in record.answer_text
    assert "01 23 45 67 89" in record.answer_text  # the base's own number is not the member's
    rebuilt = await assistant.stored(record.token)
    assert rebuilt is not None and EMAIL not in rebuilt.question  # shared cards use the stored one


def test_masking_leaves_plain_questions_alone() -> None:
    answer = make_answer("Quel outil en 2026 pour 15 000 € ?")
    assert masked_for_storage(answer) is answer


@pytest.mark.parametrize("contact", ["l'équipe <animation> & co", "a" * 3000])
def test_privacy_page_is_valid_html_and_says_it_all(contact: str) -> None:
    text = check_messages(render.privacy(365, contact))
    for part in ("Ce que je conserve", "Pourquoi", "365 jours", "/oubli", "pseudonyme"):
        assert part in text
    assert contact[:50] in text


def test_fragments_of_masked_data_echoed_by_the_answer_are_masked_too() -> None:
    question = f"Mon IBAN {IBAN} et mon courriel {EMAIL} : que faire ?"
    answer = Answer(
        question,
        False,
        "La base de connaissances ne contient pas d'information sur « IBAN », « FR76 », "
        "« 3000 » pour répondre. Écrivez à camille.martin ou au 0112.",
        (),
        missing="d'information sur « IBAN », « FR76 », « 3000 »",
    )
    stored = masked_for_storage(answer)
    for fragment in ("FR76", "3000", "0112", "camille.martin", "asso-exemple"):
        assert fragment not in stored.text and fragment not in (stored.missing or "")
    assert "« IBAN »" in stored.text  # the word itself is not personal
    assert (
        stored.question == "Mon IBAN [IBAN masqué] et mon courriel [courriel masqué] : que faire ?"
    )


def disk_bytes(db: sqlalchemy.Engine) -> bytes:
    """The database file and its WAL, as they are on disk."""
    main = Path(str(db.url.database))
    wal = main.with_name(main.name + "-wal")
    return main.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_erased_and_purged_text_leaves_the_files_on_disk(
    db: sqlalchemy.Engine, sessions: sessionmaker[Session]
) -> None:
    erased, purged = "Zorglub-Erasure-Marker", "Zorglub-Purge-Marker"
    store(sessions, hash_user(KEY, 1), f"Quel outil pour {erased} ?")
    store(sessions, hash_user(KEY, 2), f"Quel outil pour {purged} ?", at=NOW - dt.timedelta(800))
    store(sessions, hash_user(KEY, 3), "Quel outil pour rester ?")
    assert erased.encode() in disk_bytes(db) and purged.encode() in disk_bytes(db)
    privacy = Privacy(sessions, hash_key=KEY, retention_days=365, clock=lambda: NOW)
    await privacy.forget(1)
    assert erased.encode() not in disk_bytes(db)
    privacy.purge_now()
    assert purged.encode() not in disk_bytes(db)
    assert count(sessions, QuestionRecord) == 1
