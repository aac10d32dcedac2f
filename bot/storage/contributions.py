"""What growing the base from Telegram keeps: requests to the team, the team's messages about
them, "🔔 Me prévenir" alerts and the documents admins added.

A member's chat id is kept only while their request or alert is pending: it is cleared when the
request is answered, the alert sent, or either expires. Questions are stored masked. Helpers take
a session and never commit: the services own the transactions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final, cast

from sqlalchemy import (
    BigInteger,
    CursorResult,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from indexing.storage.db import Base

PENDING: Final = "pending"
ANSWERED: Final = "answered"
SENT: Final = "sent"
EXPIRED: Final = "expired"


class EscalationRecord(Base):
    """A question a member passed on to the team, and the team's answer."""

    __tablename__ = "bot_escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(Integer, index=True)  # the stored question
    user_hash: Mapped[str] = mapped_column(String(64), index=True)
    member_chat_id: Mapped[int | None] = mapped_column(BigInteger, default=None)  # while pending
    question: Mapped[str] = mapped_column(Text)  # masked
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    answer_text: Mapped[str | None] = mapped_column(Text, default=None)
    vote: Mapped[int | None] = mapped_column(Integer, default=None)  # the member's 👍 / 👎
    added_path: Mapped[str | None] = mapped_column(Text, default=None)  # sheet written from it

    def __repr__(self) -> str:
        return f"EscalationRecord(id={self.id!r}, status={self.status!r})"


class TeamMessageRecord(Base):
    """A message that presented an escalation to the team (a reply to it answers the member)."""

    __tablename__ = "bot_escalation_messages"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(
        ForeignKey("bot_escalations.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)

    def __repr__(self) -> str:
        return f"TeamMessageRecord(escalation_id={self.escalation_id!r}, chat={self.chat_id!r})"


class NotificationRecord(Base):
    """A member's wish to hear when the base can answer their question."""

    __tablename__ = "bot_notifications"
    __table_args__ = (UniqueConstraint("question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(Integer)
    user_hash: Mapped[str] = mapped_column(String(64), index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, default=None)  # while pending
    question: Mapped[str] = mapped_column(Text)  # masked
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    def __repr__(self) -> str:
        return f"NotificationRecord(id={self.id!r}, status={self.status!r})"


class AdditionRecord(Base):
    """A file admins added to the knowledge inbox from Telegram or `essbot add`."""

    __tablename__ = "bot_additions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # reponse, document, page
    path: Mapped[str] = mapped_column(Text)  # relative to the knowledge folder
    title: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(String(2048), index=True, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    def __repr__(self) -> str:
        return f"AdditionRecord(id={self.id!r}, kind={self.kind!r}, path={self.path!r})"


@dataclass(frozen=True)
class ContributionCounts:
    """How the base grew over a period: requests, team answers, additions, alerts sent."""

    escalations: int = 0
    team_answers: int = 0
    additions: int = 0
    notifications: int = 0


def _rowcount(result: object) -> int:
    return int(cast("CursorResult[Any]", result).rowcount)


def team_message(session: Session, chat_id: int, message_id: int) -> EscalationRecord | None:
    """The escalation a team message presents, if it is one."""
    stmt = (
        select(EscalationRecord)
        .join(TeamMessageRecord, TeamMessageRecord.escalation_id == EscalationRecord.id)
        .where(TeamMessageRecord.chat_id == chat_id, TeamMessageRecord.message_id == message_id)
    )
    return session.scalars(stmt).one_or_none()


def team_messages(session: Session, escalation_id: int) -> list[tuple[int, int]]:
    """(chat id, message id) of every message that presented an escalation to the team."""
    stmt = select(TeamMessageRecord.chat_id, TeamMessageRecord.message_id).where(
        TeamMessageRecord.escalation_id == escalation_id
    )
    return [(int(c), int(m)) for c, m in session.execute(stmt.order_by(TeamMessageRecord.id))]


def escalation_of_question(session: Session, question_id: int) -> EscalationRecord | None:
    """The request already made for a stored question, if any."""
    stmt = select(EscalationRecord).where(EscalationRecord.question_id == question_id)
    return session.scalars(stmt.order_by(EscalationRecord.id)).first()


def claim_answer(session: Session, escalation_id: int, text: str, now: dt.datetime) -> bool:
    """Mark a pending escalation answered (once: False if it was not pending any more)."""
    result = session.execute(
        update(EscalationRecord)
        .where(EscalationRecord.id == escalation_id, EscalationRecord.status == PENDING)
        .values(status=ANSWERED, answered_at=now, answer_text=text, member_chat_id=None)
    )
    return _rowcount(result) == 1


def pending_notifications(session: Session, now: dt.datetime) -> list[NotificationRecord]:
    """Alerts still waiting for an answer, oldest first."""
    stmt = select(NotificationRecord).where(
        NotificationRecord.status == PENDING, NotificationRecord.expires_at > now
    )
    return list(session.scalars(stmt.order_by(NotificationRecord.id)))


def claim_notification(session: Session, notification_id: int, now: dt.datetime) -> bool:
    """Mark an alert sent and forget its chat (once: False if someone else claimed it)."""
    result = session.execute(
        update(NotificationRecord)
        .where(NotificationRecord.id == notification_id, NotificationRecord.status == PENDING)
        .values(status=SENT, sent_at=now, chat_id=None)
    )
    return _rowcount(result) == 1


def addition_for_url(session: Session, url: str) -> AdditionRecord | None:
    """The page already added from this URL, if any."""
    stmt = select(AdditionRecord).where(AdditionRecord.source_url == url)
    return session.scalars(stmt.order_by(AdditionRecord.id)).first()


def expire_pending(session: Session, now: dt.datetime) -> int:
    """Expire requests and alerts past their date, forgetting the chat ids; how many."""
    escalations = session.execute(
        update(EscalationRecord)
        .where(EscalationRecord.status == PENDING, EscalationRecord.expires_at <= now)
        .values(status=EXPIRED, member_chat_id=None)
    )
    notifications = session.execute(
        update(NotificationRecord)
        .where(NotificationRecord.status == PENDING, NotificationRecord.expires_at <= now)
        .values(status=EXPIRED, chat_id=None)
    )
    return _rowcount(escalations) + _rowcount(notifications)


def pending_team_messages(session: Session, user_hash: str) -> list[tuple[int, int]]:
    """The team messages presenting a member's pending requests (to withdraw on /oubli)."""
    stmt = (
        select(TeamMessageRecord.chat_id, TeamMessageRecord.message_id)
        .join(EscalationRecord, TeamMessageRecord.escalation_id == EscalationRecord.id)
        .where(EscalationRecord.user_hash == user_hash, EscalationRecord.status == PENDING)
    )
    return [(int(c), int(m)) for c, m in session.execute(stmt.order_by(TeamMessageRecord.id))]


def erase_member(session: Session, user_hash: str) -> int:
    """Delete a member's requests (with their team messages) and alerts; how many."""
    own = select(EscalationRecord.id).where(EscalationRecord.user_hash == user_hash)
    session.execute(delete(TeamMessageRecord).where(TeamMessageRecord.escalation_id.in_(own)))
    escalations = session.execute(
        delete(EscalationRecord).where(EscalationRecord.user_hash == user_hash)
    )
    notifications = session.execute(
        delete(NotificationRecord).where(NotificationRecord.user_hash == user_hash)
    )
    return _rowcount(escalations) + _rowcount(notifications)


def purge_before(session: Session, cutoff: dt.datetime) -> int:
    """Delete requests and alerts created before `cutoff` (the retention period); how many."""
    old = select(EscalationRecord.id).where(EscalationRecord.created_at < cutoff)
    session.execute(delete(TeamMessageRecord).where(TeamMessageRecord.escalation_id.in_(old)))
    escalations = session.execute(
        delete(EscalationRecord).where(EscalationRecord.created_at < cutoff)
    )
    notifications = session.execute(
        delete(NotificationRecord).where(NotificationRecord.created_at < cutoff)
    )
    return _rowcount(escalations) + _rowcount(notifications)


def counts(
    session: Session, since: dt.datetime, until: dt.datetime | None = None
) -> ContributionCounts:
    """Requests made, team answers, additions and alerts sent in [since, until)."""

    def count(column: Any) -> int:
        condition = column >= since
        if until is not None:
            condition = condition & (column < until)
        return int(session.scalar(select(func.count()).where(condition)) or 0)

    return ContributionCounts(
        escalations=count(EscalationRecord.created_at),
        team_answers=count(EscalationRecord.answered_at),
        additions=count(AdditionRecord.created_at),
        notifications=count(NotificationRecord.sent_at),
    )
