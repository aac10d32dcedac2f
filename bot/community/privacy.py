"""Members' privacy: masking before storage, erasure on request (/oubli), the retention purge.

Query helpers take a session and never commit; `Privacy` owns the transactions and runs them
in a worker thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, delete, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.storage import contributions, records
from bot.storage.records import CitedSource, FeedbackRecord, QuestionRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Erased:
    """What `/oubli` removed about one member."""

    questions: int
    feedback: int
    requests: int = 0  # requests to the team and "Me prévenir" alerts
    # (chat id, message id) of the team messages of pending requests, now withdrawn
    team_messages: tuple[tuple[int, int], ...] = ()

    @property
    def total(self) -> int:
        """Rows removed, all kinds together."""
        return self.questions + self.feedback + self.requests


@dataclass(frozen=True)
class Purged:
    """What the retention purge removed."""

    questions: int
    feedback: int
    cutoff: dt.datetime
    requests: int = 0  # requests to the team and alerts deleted (retention)
    expired: int = 0  # pending ones past ESCALATION_DAYS: their chat ids forgotten


def _deleted(session: Session, statement: Delete) -> int:
    """Run a DELETE and return how many rows it removed."""
    return int(cast("CursorResult[Any]", session.execute(statement)).rowcount)


def erase_user(session: Session, user_hash: str) -> Erased:
    """Delete every row about a member: their questions (with sources and feedback on them)
    and their feedback on other answers."""
    own = select(QuestionRecord.id).where(QuestionRecord.user_hash == user_hash)
    feedback = _deleted(
        session, delete(FeedbackRecord).where(FeedbackRecord.user_hash == user_hash)
    )
    _deleted(session, delete(FeedbackRecord).where(FeedbackRecord.question_id.in_(own)))
    _deleted(session, delete(CitedSource).where(CitedSource.question_id.in_(own)))
    questions = _deleted(
        session, delete(QuestionRecord).where(QuestionRecord.user_hash == user_hash)
    )
    withdrawn = tuple(contributions.pending_team_messages(session, user_hash))
    requests = contributions.erase_member(session, user_hash)
    return Erased(questions, feedback, requests, withdrawn)


def purge_before(session: Session, cutoff: dt.datetime) -> Purged:
    """Delete questions asked before `cutoff`, with their sources and feedback."""
    old = select(QuestionRecord.id).where(QuestionRecord.asked_at < cutoff)
    feedback = _deleted(session, delete(FeedbackRecord).where(FeedbackRecord.question_id.in_(old)))
    _deleted(session, delete(CitedSource).where(CitedSource.question_id.in_(old)))
    questions = _deleted(session, delete(QuestionRecord).where(QuestionRecord.asked_at < cutoff))
    requests = contributions.purge_before(session, cutoff)
    return Purged(questions=questions, feedback=feedback, cutoff=cutoff, requests=requests)


def scrub_deletions(session: Session) -> None:
    """On SQLite, overwrite deleted rows with zeros instead of leaving them in free pages."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete=ON"))


def checkpoint_wal(session: Session) -> None:
    """On SQLite, copy the WAL into the database and empty it: erased text must not linger
    in the -wal file until some later checkpoint."""
    if session.get_bind().dialect.name != "sqlite":
        return
    busy, _, _ = session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).one()
    if busy:  # a reader holds an old snapshot: the next erasure or purge checkpoints again
        log.warning("The WAL checkpoint after an erasure could not complete (busy readers)")


class Privacy:
    """Erasure on request and the retention purge."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        hash_key: bytes,
        retention_days: int,
        escalation_days: int = 14,
        clock: Callable[[], dt.datetime] = records.utcnow,
    ) -> None:
        self._sessions = sessions
        self._key = hash_key
        self.retention_days = retention_days
        self.escalation_days = escalation_days
        self._clock = clock

    async def forget(self, user_id: int) -> Erased:
        """Erase everything stored about a member."""
        return await asyncio.to_thread(self._forget, records.hash_user(self._key, user_id))

    def _forget(self, user_hash: str) -> Erased:
        with self._sessions.begin() as session:
            scrub_deletions(session)
            erased = erase_user(session, user_hash)
        self._checkpoint()
        log.info(
            "Erased a member's data: %d questions, %d feedback", erased.questions, erased.feedback
        )
        return erased

    def _checkpoint(self) -> None:
        with self._sessions() as session:
            checkpoint_wal(session)

    async def purge(self) -> Purged:
        """Purge what is older than the retention period."""
        return await asyncio.to_thread(self.purge_now)

    def purge_now(self, days: int | None = None) -> Purged:
        """Purge what is older than `days` (default: the retention period) and expire pending
        requests and alerts past ESCALATION_DAYS, synchronously."""
        now = self._clock()
        cutoff = now - dt.timedelta(days=self.retention_days if days is None else days)
        with self._sessions.begin() as session:
            scrub_deletions(session)
            expired = contributions.expire_pending(session, now)
            purged = dataclasses.replace(purge_before(session, cutoff), expired=expired)
        self._checkpoint()
        log.info(
            "Purged %d questions, %d feedback and %d requests before %s; %d requests expired",
            purged.questions,
            purged.feedback,
            purged.requests,
            cutoff,
            purged.expired,
        )
        return purged
