"""Members' privacy: masking before storage, erasure on request (/oubli), the retention purge.

Query helpers take a session and never commit; `Privacy` owns the transactions and runs them
in a worker thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot import records
from bot.records import CitedSource, FeedbackRecord, QuestionRecord
from bot.values import Erased, Purged
from indexing.masking import EMAIL_MASK, IBAN_MASK, PHONE_MASK, mask_personal_data
from indexing.models import Answer

log = logging.getLogger(__name__)

_MASKS = re.compile("|".join(re.escape(m) for m in (EMAIL_MASK, PHONE_MASK, IBAN_MASK)))


def masked_for_storage(answer: Answer) -> Answer:
    """The answer with the question's personal data masked, there and where the text echoes it."""
    question = mask_personal_data(answer.question)
    if question == answer.question:
        return answer
    spans = _masked_spans(answer.question, question)
    if spans is None:  # could not tell what was masked: mask the answer's own data too
        text, missing = mask_personal_data(answer.text), answer.missing
        missing = mask_personal_data(missing) if missing else missing
    else:
        text, missing = _replace_all(answer.text, spans), answer.missing
        missing = _replace_all(missing, spans) if missing else missing
    return replace(answer, question=question, text=text, missing=missing)


def _masked_spans(original: str, masked: str) -> list[tuple[str, str]] | None:
    """(original text, placeholder) for each span `mask_personal_data` replaced, or None."""
    pieces = _MASKS.split(masked)
    placeholders = _MASKS.findall(masked)
    pattern = "(.+?)".join(re.escape(p) for p in pieces)
    match = re.fullmatch(pattern, original, flags=re.DOTALL)
    if match is None:
        return None
    spans = list(zip(match.groups(), placeholders, strict=True))
    if any(mask_personal_data(text) != mask for text, mask in spans):
        return None
    return sorted(spans, key=lambda span: -len(span[0]))  # longest first: no partial overlap


def _replace_all(text: str, spans: list[tuple[str, str]]) -> str:
    for original, mask in spans:
        text = text.replace(original, mask)
    return text


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
    return Erased(questions=questions, feedback=feedback)


def purge_before(session: Session, cutoff: dt.datetime) -> Purged:
    """Delete questions asked before `cutoff`, with their sources and feedback."""
    old = select(QuestionRecord.id).where(QuestionRecord.asked_at < cutoff)
    feedback = _deleted(session, delete(FeedbackRecord).where(FeedbackRecord.question_id.in_(old)))
    _deleted(session, delete(CitedSource).where(CitedSource.question_id.in_(old)))
    questions = _deleted(session, delete(QuestionRecord).where(QuestionRecord.asked_at < cutoff))
    return Purged(questions=questions, feedback=feedback, cutoff=cutoff)


class Privacy:
    """Erasure on request and the retention purge."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        hash_key: bytes,
        retention_days: int,
        clock: Callable[[], dt.datetime] = records.utcnow,
    ) -> None:
        self._sessions = sessions
        self._key = hash_key
        self.retention_days = retention_days
        self._clock = clock

    async def forget(self, user_id: int) -> Erased:
        """Erase everything stored about a member."""
        return await asyncio.to_thread(self._forget, records.hash_user(self._key, user_id))

    def _forget(self, user_hash: str) -> Erased:
        with self._sessions.begin() as session:
            erased = erase_user(session, user_hash)
        log.info(
            "Erased a member's data: %d questions, %d feedback", erased.questions, erased.feedback
        )
        return erased

    async def purge(self) -> Purged:
        """Purge what is older than the retention period."""
        return await asyncio.to_thread(self.purge_now)

    def purge_now(self, days: int | None = None) -> Purged:
        """Purge what is older than `days` (default: the retention period), synchronously."""
        cutoff = self._clock() - dt.timedelta(days=self.retention_days if days is None else days)
        with self._sessions.begin() as session:
            purged = purge_before(session, cutoff)
        log.info(
            "Purged %d questions and %d feedback before %s",
            purged.questions,
            purged.feedback,
            cutoff,
        )
        return purged
