"""What the bot keeps: questions with their answers and cited passages, feedback, groups.

Users appear only as a keyed hash of their Telegram id. Helpers take a session and never
commit: the service owns the transaction. Datetimes are naive UTC (SQLite keeps no zone).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from bot.storage import contributions
from bot.storage.figures import Stats
from indexing.models import Answer, Source, references_from_json
from indexing.storage.db import Base


def utcnow() -> dt.datetime:
    """The current time as naive UTC, as stored."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


TOKEN_BYTES = 12  # 96 random bits, 16 URL-safe characters: within callback data and /start payloads
TOKEN_MAX = 24


def new_token() -> str:
    """A fresh answer reference: random, URL-safe, usable in a /start deep link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_user(key: bytes, user_id: int) -> str:
    """The pseudonym of a Telegram user: HMAC-SHA256 of the id under the configured key."""
    return hmac.new(key, str(user_id).encode("ascii"), hashlib.sha256).hexdigest()


class QuestionRecord(Base):
    """A question asked to the bot and the answer it gave."""

    __tablename__ = "bot_questions"
    __table_args__ = (UniqueConstraint("token", name="uq_bot_questions_token"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # what buttons, share queries and deep links carry: unguessable, unlike the sequential id
    token: Mapped[str] = mapped_column(String(TOKEN_MAX), default=new_token)
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    user_hash: Mapped[str] = mapped_column(String(64), index=True)
    chat_type: Mapped[str] = mapped_column(String(16))  # private, group, supergroup, inline
    group_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    question: Mapped[str] = mapped_column(Text)
    answered: Mapped[bool]
    answer_text: Mapped[str] = mapped_column(Text)
    missing: Mapped[str | None] = mapped_column(Text, default=None)
    build_id: Mapped[str | None] = mapped_column(String(64), default=None)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    sources: Mapped[list[CitedSource]] = relationship(
        back_populates="question",
        order_by="CitedSource.rank",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    def __repr__(self) -> str:
        return f"QuestionRecord(id={self.id!r}, answered={self.answered!r}, at={self.asked_at!r})"


class CitedSource(Base):
    """A ranked source of an answer, with the chunks it cited."""

    __tablename__ = "bot_question_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("bot_questions.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text, default=None)
    date: Mapped[str | None] = mapped_column(String(32), default=None)
    type: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    excerpt: Mapped[str] = mapped_column(Text)
    section: Mapped[str] = mapped_column(Text, default="")
    chunk_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # references, example flag, review status, passage link (see `source_details`)
    details: Mapped[dict[str, object] | None] = mapped_column(JSON, default=None)
    question: Mapped[QuestionRecord] = relationship(back_populates="sources")

    def __repr__(self) -> str:
        return (
            f"CitedSource(question_id={self.question_id!r}, rank={self.rank!r}, path={self.path!r})"
        )


class FeedbackRecord(Base):
    """One member's 👍 or 👎 on an answer, with the reason for a 👎."""

    __tablename__ = "bot_feedback"
    __table_args__ = (UniqueConstraint("question_id", "user_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("bot_questions.id", ondelete="CASCADE"), index=True
    )
    user_hash: Mapped[str] = mapped_column(String(64))
    vote: Mapped[int] = mapped_column(Integer)  # +1 or -1
    reason: Mapped[str | None] = mapped_column(String(16), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    def __repr__(self) -> str:
        return f"FeedbackRecord(question_id={self.question_id!r}, vote={self.vote!r})"


class GroupRecord(Base):
    """A group the bot was added to, and whether it is still there."""

    __tablename__ = "bot_groups"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(Text, default="")
    chat_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # member, administrator, left, kicked
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    def __repr__(self) -> str:
        return f"GroupRecord(chat_id={self.chat_id!r}, status={self.status!r})"


def add_question(
    session: Session,
    answer: Answer,
    *,
    user_hash: str,
    chat_type: str,
    group_id: int | None,
    latency_ms: int,
    now: dt.datetime,
) -> QuestionRecord:
    """Record a question with its answer and ranked sources; flushes to assign the id."""
    record = QuestionRecord(
        token=new_token(),
        asked_at=now,
        user_hash=user_hash,
        chat_type=chat_type,
        group_id=group_id,
        question=answer.question,
        answered=answer.answered,
        answer_text=answer.text,
        missing=answer.missing,
        build_id=answer.build_id,
        latency_ms=latency_ms,
    )
    session.add(record)
    session.flush()
    if answer.sources:  # one executemany: this runs for every question
        rows = [_cited(record.id, rank, s) for rank, s in enumerate(answer.sources)]
        session.execute(insert(CitedSource), rows)
        session.expire(record, ["sources"])  # loaded again from the rows on access
    return record


def _cited(question_id: int, rank: int, s: Source) -> dict[str, object]:
    return {
        "question_id": question_id,
        "rank": rank,
        "path": s.path,
        "title": s.title,
        "url": s.url,
        "date": s.date,
        "type": s.type,
        "score": float(s.score),
        "excerpt": s.excerpt,
        "section": s.section,
        "chunk_ids": [int(c) for c in s.chunk_ids],
        "details": source_details(s),
    }


def source_details(s: Source) -> dict[str, object]:
    """What a cited source carries besides its columns, as stored JSON."""
    return {
        "references": [r.to_json() for r in s.references],
        "example": s.example,
        "review_due": s.review_due,
        "passage_url": s.passage_url,
        "facts_date": s.facts_date,
    }


def _from_details(details: dict[str, object] | None) -> dict[str, Any]:
    data = details or {}
    passage_url, facts_date = data.get("passage_url"), data.get("facts_date")
    return {
        "references": references_from_json(data.get("references")),
        "example": data.get("example") is True,
        "review_due": data.get("review_due") is True,
        "passage_url": passage_url if isinstance(passage_url, str) else None,
        "facts_date": facts_date if isinstance(facts_date, str) else None,
    }


def get_question(session: Session, question_id: int) -> QuestionRecord | None:
    """A stored question by id."""
    return session.get(QuestionRecord, question_id)


def question_by_token(session: Session, token: str) -> QuestionRecord | None:
    """A stored question by the token its buttons and links carry."""
    return session.scalars(
        select(QuestionRecord).where(QuestionRecord.token == token)
    ).one_or_none()


def vote_counts(session: Session, question_id: int) -> tuple[int, int]:
    """The 👍 and 👎 members gave an answer."""
    rows = session.execute(
        select(FeedbackRecord.vote, func.count())
        .where(FeedbackRecord.question_id == question_id)
        .group_by(FeedbackRecord.vote)
    ).all()
    votes = {int(vote): int(n) for vote, n in rows}
    return votes.get(1, 0), votes.get(-1, 0)


def to_answer(record: QuestionRecord) -> Answer:
    """The stored answer as the engine's value object, sources in their original order."""
    sources = tuple(
        Source(
            title=c.title,
            url=c.url,
            path=c.path,
            date=c.date,
            type=c.type,
            score=c.score,
            excerpt=c.excerpt,
            section=c.section,
            chunk_ids=tuple(c.chunk_ids),
            **_from_details(c.details),
        )
        for c in record.sources
    )
    return Answer(
        question=record.question,
        answered=record.answered,
        text=record.answer_text,
        sources=sources,
        missing=record.missing,
        build_id=record.build_id,
    )


def set_feedback(
    session: Session,
    question_id: int,
    user_hash: str,
    *,
    vote: int,
    reason: str | None,
    now: dt.datetime,
) -> FeedbackRecord:
    """Create or replace a member's feedback on an answer."""
    stmt = select(FeedbackRecord).where(
        FeedbackRecord.question_id == question_id, FeedbackRecord.user_hash == user_hash
    )
    record = session.scalars(stmt).one_or_none()
    if record is None:
        record = FeedbackRecord(
            question_id=question_id, user_hash=user_hash, vote=vote, created_at=now
        )
        session.add(record)
    record.vote = vote
    record.reason = reason
    record.updated_at = now
    session.flush()
    return record


def upsert_group(
    session: Session, chat_id: int, *, title: str, chat_type: str, status: str, now: dt.datetime
) -> GroupRecord:
    """Record that the bot joined, left or was removed from a group."""
    record = session.get(GroupRecord, chat_id)
    if record is None:
        record = GroupRecord(chat_id=chat_id, first_seen=now)
        session.add(record)
    record.title = title
    record.chat_type = chat_type
    record.status = status
    record.updated_at = now
    session.flush()
    return record


def active_groups(session: Session) -> list[GroupRecord]:
    """Groups the bot is currently a member of."""
    stmt = select(GroupRecord).where(GroupRecord.status.in_(("member", "administrator")))
    return list(session.scalars(stmt.order_by(GroupRecord.chat_id)))


def usage_stats(session: Session, since: dt.datetime, days: int, top: int = 5) -> Stats:
    """Figures for questions asked since `since`."""
    in_period = QuestionRecord.asked_at >= since
    totals = session.execute(
        select(
            func.count(QuestionRecord.id),
            func.coalesce(func.sum(case((QuestionRecord.answered, 1), else_=0)), 0),
        ).where(in_period)
    ).one()
    votes: dict[int, int] = {
        int(vote): int(n)
        for vote, n in session.execute(
            select(FeedbackRecord.vote, func.count())
            .join(QuestionRecord)
            .where(in_period)
            .group_by(FeedbackRecord.vote)
        )
    }
    reasons = session.execute(
        select(FeedbackRecord.reason, func.count())
        .join(QuestionRecord)
        .where(in_period, FeedbackRecord.vote < 0, FeedbackRecord.reason.is_not(None))
        .group_by(FeedbackRecord.reason)
        .order_by(func.count().desc(), FeedbackRecord.reason)
    ).all()
    normalised = func.lower(func.trim(QuestionRecord.question))
    unanswered = session.execute(
        select(func.min(QuestionRecord.question), func.count())
        .where(in_period, QuestionRecord.answered.is_(False))
        .group_by(normalised)
        .order_by(func.count().desc(), func.min(QuestionRecord.asked_at))
        .limit(top)
    ).all()
    return Stats(
        days=days,
        questions=int(totals[0]),
        answered=int(totals[1]),
        up=votes.get(1, 0),
        down=votes.get(-1, 0),
        reasons=tuple((str(r), int(n)) for r, n in reasons),
        top_unanswered=tuple((str(q), int(n)) for q, n in unanswered),
        contributions=contributions.counts(session, since),
    )
