"""Questions the base could not answer: passed on to the team on the member's request, answered
by a reply relayed to the member; "🔔 Me prévenir" alerts re-asked after each reindex.

The member's chat id is kept only while the request or alert is pending. Every database and
engine call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.assistant.service import SOURCES_FETCHED, KnowledgeBase
from bot.storage import contributions as store
from bot.storage import records
from indexing.errors import EngineError
from indexing.models import Answer, Source

log = logging.getLogger(__name__)


class AlreadyAnsweredError(EngineError):
    """The request was already answered (or expired): one reply per request."""


@dataclass(frozen=True)
class Escalation:
    """A request as the team sees it."""

    id: int
    question: str  # masked
    sources: tuple[Source, ...]  # the nearest documents
    expires_at: dt.datetime
    new: bool  # False when the member had already passed this question on


@dataclass(frozen=True)
class Relay:
    """A team answer to deliver to the member who asked."""

    escalation_id: int
    member_chat_id: int
    question: str
    answer: str
    team_messages: tuple[tuple[int, int], ...]  # (chat id, message id) to mark "répondu"


@dataclass(frozen=True)
class TeamAnswer:
    """A relayed answer, for the "Ajouter à la base" button."""

    escalation_id: int
    question: str
    answer: str
    added_path: str | None


@dataclass(frozen=True)
class Notice:
    """A new answer to send to a member who asked to be told."""

    chat_id: int
    asked_at: dt.datetime
    answer: Answer


class Escalations:
    """Requests to the team and alerts, stored under the member's pseudonym."""

    def __init__(
        self,
        engine: KnowledgeBase,
        sessions: sessionmaker[Session],
        *,
        hash_key: bytes,
        days: int,
        clock: Callable[[], dt.datetime] = records.utcnow,
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._key = hash_key
        self.days = days
        self._clock = clock

    def _owned(
        self, session: Session, answer_id: int, user_id: int
    ) -> records.QuestionRecord | None:
        """The stored private question if this user asked it."""
        record = records.get_question(session, answer_id)
        if record is None or record.chat_type != "private":
            return None
        return record if record.user_hash == records.hash_user(self._key, user_id) else None

    # -- asking the team ---------------------------------------------------------------------
    async def escalate(self, answer_id: int, user_id: int, chat_id: int) -> Escalation | None:
        """Pass a member's question on to the team; None if it is not theirs (or unknown)."""
        return await asyncio.to_thread(self._escalate, answer_id, user_id, chat_id)

    def _escalate(self, answer_id: int, user_id: int, chat_id: int) -> Escalation | None:
        now = self._clock()
        with self._sessions.begin() as session:
            question = self._owned(session, answer_id, user_id)
            if question is None:
                return None
            existing = store.escalation_of_question(session, answer_id)
            record = existing or store.EscalationRecord(
                question_id=answer_id,
                user_hash=question.user_hash,
                member_chat_id=chat_id,
                question=question.question,  # stored masked
                status=store.PENDING,
                created_at=now,
                expires_at=now + dt.timedelta(days=self.days),
            )
            if existing is None:
                session.add(record)
                session.flush()
                log.info("Question #%d passed on to the team (request #%d)", answer_id, record.id)
            sources = records.to_answer(question).sources
            return Escalation(record.id, record.question, sources, record.expires_at, not existing)

    async def record_team_messages(
        self, escalation_id: int, sent: Sequence[tuple[int, int]]
    ) -> None:
        """Remember the messages that presented a request, so a reply to one answers it."""
        await asyncio.to_thread(self._record_team_messages, escalation_id, sent)

    def _record_team_messages(self, escalation_id: int, sent: Sequence[tuple[int, int]]) -> None:
        with self._sessions.begin() as session:
            session.add_all(
                store.TeamMessageRecord(escalation_id=escalation_id, chat_id=c, message_id=m)
                for c, m in sent
            )

    async def withdraw(self, escalation_id: int) -> None:
        """Forget a request the team could not receive, so the member may try again."""
        await asyncio.to_thread(self._withdraw, escalation_id)

    def _withdraw(self, escalation_id: int) -> None:
        with self._sessions.begin() as session:
            record = session.get(store.EscalationRecord, escalation_id)
            if record is not None and record.status == store.PENDING:
                session.delete(record)

    # -- the team's answer ---------------------------------------------------------------------
    async def relay(self, chat_id: int, message_id: int, text: str) -> Relay | None:
        """Take the team's reply to a request message: None if the message presents no request;
        AlreadyAnsweredError if it was answered or expired."""
        return await asyncio.to_thread(self._relay, chat_id, message_id, text.strip())

    def _relay(self, chat_id: int, message_id: int, text: str) -> Relay | None:
        with self._sessions.begin() as session:
            record = store.team_message(session, chat_id, message_id)
            if record is None:
                return None
            member = record.member_chat_id
            if member is None or not store.claim_answer(session, record.id, text, self._clock()):
                raise AlreadyAnsweredError(record.status)
            messages = tuple(store.team_messages(session, record.id))
            log.info("Team answer to request #%d relayed", record.id)
            return Relay(record.id, member, record.question, text, messages)

    async def team_answer(self, escalation_id: int) -> TeamAnswer | None:
        """The question and relayed answer of a request, None before it is answered."""
        return await asyncio.to_thread(self._team_answer, escalation_id)

    def _team_answer(self, escalation_id: int) -> TeamAnswer | None:
        with self._sessions() as session:
            record = session.get(store.EscalationRecord, escalation_id)
            if record is None or record.answer_text is None:
                return None
            return TeamAnswer(record.id, record.question, record.answer_text, record.added_path)

    async def mark_added(self, escalation_id: int, path: str) -> None:
        """Remember the sheet written from a team answer."""
        await asyncio.to_thread(self._mark_added, escalation_id, path)

    def _mark_added(self, escalation_id: int, path: str) -> None:
        with self._sessions.begin() as session:
            record = session.get(store.EscalationRecord, escalation_id)
            if record is not None:
                record.added_path = path

    async def vote(self, escalation_id: int, user_id: int, *, up: bool) -> bool:
        """The member's 👍 / 👎 on the team answer; False if it is not theirs."""
        return await asyncio.to_thread(self._vote, escalation_id, user_id, 1 if up else -1)

    def _vote(self, escalation_id: int, user_id: int, vote: int) -> bool:
        with self._sessions.begin() as session:
            record = session.get(store.EscalationRecord, escalation_id)
            if record is None or record.user_hash != records.hash_user(self._key, user_id):
                return False
            record.vote = vote
            return True

    # -- alerts ---------------------------------------------------------------------------------
    async def subscribe(self, answer_id: int, user_id: int, chat_id: int) -> bool:
        """ "🔔 Me prévenir": remember the question until it is answered or expires."""
        return await asyncio.to_thread(self._subscribe, answer_id, user_id, chat_id)

    def _subscribe(self, answer_id: int, user_id: int, chat_id: int) -> bool:
        now = self._clock()
        try:
            with self._sessions.begin() as session:
                question = self._owned(session, answer_id, user_id)
                if question is None:
                    return False
                session.add(
                    store.NotificationRecord(
                        question_id=answer_id,
                        user_hash=question.user_hash,
                        chat_id=chat_id,
                        question=question.question,
                        asked_at=question.asked_at,
                        created_at=now,
                        expires_at=now + dt.timedelta(days=self.days),
                        status=store.PENDING,
                    )
                )
        except IntegrityError:  # pressed twice: one alert is enough
            pass
        return True

    async def due_notices(self) -> list[Notice]:
        """Re-ask the pending alerts; those the base now answers are claimed (sent once)."""
        return await asyncio.to_thread(self._due_notices)

    def _due_notices(self) -> list[Notice]:
        now = self._clock()
        with self._sessions() as session:
            pending = [
                (n.id, n.chat_id, n.asked_at, n.question)
                for n in store.pending_notifications(session, now)
            ]
        notices = []
        for notification_id, chat_id, asked_at, question in pending:
            answer = self._engine.answer(question, limit=SOURCES_FETCHED)
            if not answer.answered or chat_id is None:
                continue
            with self._sessions.begin() as session:
                if store.claim_notification(session, notification_id, now):
                    notices.append(Notice(chat_id, asked_at, answer))
        if notices:
            log.info("%d question(s) awaiting an alert now have an answer", len(notices))
        return notices
