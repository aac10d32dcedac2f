"""The async face of the engine for the bot: ask, store, feedback, stats, reindex, quotas.

Every call into the engine or the database runs in a worker thread, so the event loop keeps
serving other members meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.assistant.replies import (
    DocumentFile,
    DocumentLike,
    PendingAnswer,
    Progress,
    StoredAnswer,
    Votes,
    sendable,
)
from bot.storage import records
from bot.storage.figures import Stats
from bot.storage.masking import masked_for_storage
from indexing.errors import ReindexInProgressError
from indexing.models import Answer, IndexReport
from indexing.retrieval.embedding import Embedder
from indexing.sources.front_matter import review_due
from indexing.sources.validation import CheckReport, check_folder

log = logging.getLogger(__name__)

SOURCES_FETCHED = 10  # the answer shows a few; "Plus de sources" shows the rest
MAX_QUESTION_CHARS = 1000  # longer is a pasted document, not a question: cut before encoding
REASONS = ("hs", "inc", "lien", "autre")
INLINE_QUOTA_FACTOR = 5  # inline queries per question allowed: they arrive as one types
PENDING_INLINE = 1000  # inline answers remembered for their "Continuer en privé" deep link

ProgressCallback = Callable[[int, int, str], None]
ReindexListener = Callable[[IndexReport], Awaitable[None]]


class KnowledgeBase(Protocol):
    """The part of `indexing.engine.KnowledgeEngine` the bot uses."""

    def answer(self, question: str, limit: int = 5) -> Answer: ...

    def reindex(
        self, full: bool = False, progress: ProgressCallback | None = None
    ) -> IndexReport: ...

    def documents(self) -> Sequence[DocumentLike]: ...

    @property
    def embedder(self) -> Embedder: ...


class RateLimiter:
    """A sliding-window quota of events per key."""

    max_keys = 10_000  # past this many users, forget those idle for a whole window

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._events: dict[str, deque[float]] = {}

    def acquire(self, key: str) -> float:
        """Take one slot for `key`: 0 when allowed, else the seconds until a slot frees."""
        now = self._clock()
        if len(self._events) > self.max_keys:
            self.forget_idle()
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self._window:
            events.popleft()
        if len(events) >= self._limit:
            return max(events[0] + self._window - now, 0.001)
        events.append(now)
        return 0.0

    def forget_idle(self) -> None:
        """Drop keys with no recent event, so memory does not grow with the community."""
        horizon = self._clock() - self._window
        for key in [k for k, ev in self._events.items() if not ev or ev[-1] <= horizon]:
            del self._events[key]


class Assistant:
    """Answers members' questions and keeps what the bot must remember."""

    def __init__(
        self,
        engine: KnowledgeBase,
        sessions: sessionmaker[Session],
        *,
        hash_key: bytes,
        questions_per_minute: int,
        admin_ids: Sequence[int] = (),
        knowledge_dir: Path | None = None,
        max_file_bytes: int = 20_000_000,
    ) -> None:
        self._max_file_bytes = max_file_bytes
        self._engine = engine
        self._knowledge_dir = knowledge_dir  # where the files "📎 Le document" sends live
        self._sessions = sessions
        self._key = hash_key
        self._admins = frozenset(admin_ids)
        self._quota = RateLimiter(questions_per_minute)
        # inline queries come as members type: a wider quota, but still one
        self._inline_quota = RateLimiter(questions_per_minute * INLINE_QUOTA_FACTOR)
        self._reindexing = False
        self._pending: OrderedDict[str, Answer] = OrderedDict()
        self._listeners: list[ReindexListener] = []
        self._last_build: str | None = None  # the build the last reindex here ended on

    def on_reindexed(self, listener: ReindexListener) -> None:
        """Call `listener` after every reindex that changed the index (any trigger), or that
        found a build this process had not seen (`essbot index` or `essbot add` meanwhile)."""
        self._listeners.append(listener)

    def user_hash(self, user_id: int) -> str:
        """The pseudonym under which a user's data is stored."""
        return records.hash_user(self._key, user_id)

    def retry_after(self, user_id: int) -> float:
        """Count a question against the user's quota: 0 to go ahead, else seconds to wait."""
        return self._quota.acquire(self.user_hash(user_id))

    def inline_allowed(self, user_id: int) -> bool:
        """Count an inline search against the user's (wider) inline quota."""
        return self._inline_quota.acquire(self.user_hash(user_id)) == 0

    def is_admin(self, user_id: int, action: str) -> bool:
        """Whether the user may run an admin command; refusals are logged."""
        if user_id in self._admins:
            return True
        log.warning("Refused admin command %s for user %s", action, self.user_hash(user_id)[:12])
        return False

    async def ask(
        self, question: str, *, user_id: int, chat_type: str, group_id: int | None = None
    ) -> StoredAnswer:
        """Answer a question off the event loop and store it with its sources."""
        question = question.strip()[:MAX_QUESTION_CHARS]
        return await asyncio.to_thread(
            self._answer_and_store, question, self.user_hash(user_id), chat_type, group_id
        )

    def _answer_and_store(
        self, question: str, user_hash: str, chat_type: str, group_id: int | None
    ) -> StoredAnswer:
        started = time.perf_counter()
        answer = self._engine.answer(question, limit=SOURCES_FETCHED)
        latency = int((time.perf_counter() - started) * 1000)
        stored = self._store(answer, user_hash, chat_type, group_id, latency)
        if not answer.answered:
            log.info("Unanswered question #%d", stored.id)
        return stored

    def _store(
        self, answer: Answer, user_hash: str, chat_type: str, group_id: int | None, latency: int
    ) -> StoredAnswer:
        with self._sessions.begin() as session:
            record = records.add_question(
                session,
                masked_for_storage(answer),  # the member's reply keeps what they typed
                user_hash=user_hash,
                chat_type=chat_type,
                group_id=group_id,
                latency_ms=latency,
                now=records.utcnow(),
            )
            answer_id, token = record.id, record.token
        return StoredAnswer(answer_id, answer, chat_type, user_hash, token, group_id)

    async def lookup(self, question: str) -> PendingAnswer:
        """Answer without storing (inline queries arrive on every keystroke); the answer is
        remembered a while under a token, so its card can open it in a private chat."""
        question = question.strip()[:MAX_QUESTION_CHARS]
        answer = await asyncio.to_thread(self._engine.answer, question, SOURCES_FETCHED)
        token = records.new_token()
        self._pending[token] = answer
        while len(self._pending) > PENDING_INLINE:
            self._pending.popitem(last=False)
        return PendingAnswer(token, answer)

    async def stored(self, token: str) -> StoredAnswer | None:
        """A stored answer by its token, rebuilt from the database without a new search."""
        return await asyncio.to_thread(self._stored, token)

    def _stored(self, token: str) -> StoredAnswer | None:
        with self._sessions() as session:
            record = records.question_by_token(session, token)
            if record is None:
                return None
            return StoredAnswer(
                record.id,
                records.to_answer(record),
                record.chat_type,
                record.user_hash,
                record.token,
                record.group_id,
            )

    def may_share(self, stored: StoredAnswer, user_id: int) -> bool:
        """Private answers are shared by their asker only; group answers are already public."""
        return stored.chat_type != "private" or stored.user_hash == self.user_hash(user_id)

    async def document_file(
        self, stored: StoredAnswer, rank: int, user_id: int
    ) -> DocumentFile | None:
        """The file of the answer's `rank`-th source (from 1), if the member may receive it:
        their own answer, a cited file without web page, still in the index, inside the folder."""
        if stored.user_hash != self.user_hash(user_id):
            return None
        return await asyncio.to_thread(self._document_file, stored.answer, rank)

    def _document_file(self, answer: Answer, rank: int) -> DocumentFile | None:
        if self._knowledge_dir is None or not 1 <= rank <= len(answer.sources):
            return None
        source = answer.sources[rank - 1]
        indexed = {d.path for d in self._engine.documents()}
        if not sendable(source) or source.path not in indexed:
            log.warning("Refused to send a file that is not a cited document of the index")
            return None
        root = self._knowledge_dir.resolve()
        target = (root / source.path).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            return None
        return DocumentFile(target.name, source.title, target.read_bytes())

    def may_act(self, stored: StoredAnswer, user_id: int, chat_id: int | None) -> bool:
        """Whether a button press on this answer is allowed.

        The press must come from the chat where the answer was posted: its group (anyone there
        sees the buttons), or the asker's private chat, pressed by the asker. A press forged
        with another chat's answer token is refused like an unknown answer.
        """
        if stored.group_id is not None:
            return chat_id == stored.group_id
        return chat_id == user_id and stored.user_hash == self.user_hash(user_id)

    async def for_press(self, token: str, user_id: int, chat_id: int | None) -> StoredAnswer | None:
        """The answer a button refers to, if this user may act on it in this chat."""
        stored = await self.stored(token)
        if stored is None or not self.may_act(stored, user_id, chat_id):
            if stored is not None:
                log.warning("Refused a button press on answer #%d from another chat", stored.id)
            return None
        return stored

    async def open_shared(self, token: str, user_id: int) -> StoredAnswer | None:
        """A shared answer opened in the member's private chat ("Continuer en privé").

        Holding the token means its card was shown to the member (the asker shared it, or it
        was posted in a group, or it is an inline answer): it is stored again as that member's
        answer, so the buttons under it are theirs. None when the token is unknown or expired.
        """
        stored = await self.stored(token)
        if stored is not None:
            answer = stored.answer
        elif (pending := self._pending.get(token)) is not None:
            answer = pending
        else:
            return None
        return await asyncio.to_thread(
            self._store, answer, self.user_hash(user_id), "private", None, 0
        )

    async def feedback(
        self, answer_id: int, user_id: int, *, up: bool, reason: str | None = None
    ) -> Votes | None:
        """Store a member's 👍 or 👎 (with its reason): the answer's votes, None if unknown."""
        if reason is not None and reason not in REASONS:
            raise ValueError(f"unknown feedback reason {reason!r}")
        return await asyncio.to_thread(
            self._feedback, answer_id, self.user_hash(user_id), 1 if up else -1, reason
        )

    def _feedback(
        self, answer_id: int, user_hash: str, vote: int, reason: str | None
    ) -> Votes | None:
        try:
            return self._store_feedback(answer_id, user_hash, vote, reason)
        except IntegrityError:  # two quick presses raced to create the row: update it now
            return self._store_feedback(answer_id, user_hash, vote, reason)

    def _store_feedback(
        self, answer_id: int, user_hash: str, vote: int, reason: str | None
    ) -> Votes | None:
        with self._sessions.begin() as session:
            if records.get_question(session, answer_id) is None:
                return None
            records.set_feedback(
                session, answer_id, user_hash, vote=vote, reason=reason, now=records.utcnow()
            )
            return Votes(*records.vote_counts(session, answer_id))

    async def record_group(self, chat_id: int, *, title: str, chat_type: str, status: str) -> None:
        """Remember a group the bot joined or left."""
        await asyncio.to_thread(self._record_group, chat_id, title, chat_type, status)

    def _record_group(self, chat_id: int, title: str, chat_type: str, status: str) -> None:
        with self._sessions.begin() as session:
            records.upsert_group(
                session,
                chat_id,
                title=title,
                chat_type=chat_type,
                status=status,
                now=records.utcnow(),
            )

    async def stats(self, days: int) -> Stats:
        """Usage over the last `days` days."""
        return await asyncio.to_thread(self._stats, days)

    def _stats(self, days: int) -> Stats:
        with self._sessions() as session:
            since = records.utcnow() - timedelta(days=days)
            return records.usage_stats(session, since, days)

    async def check_knowledge(self) -> CheckReport | None:
        """`essbot check` on the knowledge folder (None when the service has no folder)."""
        if self._knowledge_dir is None:
            return None
        return await asyncio.to_thread(
            check_folder, self._knowledge_dir, self._max_file_bytes, date.today()
        )

    async def review_due(self) -> list[DocumentLike]:
        """The indexed documents whose review date has passed."""
        today = date.today()
        return [d for d in await self.documents() if review_due(d.review_by, today)]

    async def documents(self) -> list[DocumentLike]:
        """The engine's catalogue."""
        return list(await asyncio.to_thread(self._engine.documents))

    @property
    def reindexing(self) -> bool:
        """Whether this process is running a reindex."""
        return self._reindexing

    async def reindex(
        self,
        on_progress: Callable[[Progress], Awaitable[None]],
        *,
        full: bool = False,
        interval: float = 1.0,
    ) -> IndexReport:
        """Reindex in a worker thread; `on_progress` gets the latest state every `interval` s."""
        if self._reindexing:
            raise ReindexInProgressError("a reindex is already running")
        self._reindexing = True
        try:
            report = await self._run_reindex(on_progress, full, interval)
        finally:
            self._reindexing = False
        seen, self._last_build = self._last_build, report.build_id
        if report.changed or report.build_id != seen:
            await self._tell_listeners(report)
        return report

    async def _tell_listeners(self, report: IndexReport) -> None:
        for listener in self._listeners:
            try:
                await listener(report)
            except Exception:  # a listener's failure must not turn a good reindex into an error
                log.exception("A listener of the reindex failed")

    async def _run_reindex(
        self, on_progress: Callable[[Progress], Awaitable[None]], full: bool, interval: float
    ) -> IndexReport:
        loop = asyncio.get_running_loop()
        latest: list[Progress] = []
        changed = asyncio.Event()

        def publish(progress: Progress) -> None:
            latest[:] = [progress]
            changed.set()

        def progress(done: int, total: int, path: str) -> None:  # called in the worker thread
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody is watching
                loop.call_soon_threadsafe(publish, Progress(done, total, path))

        work = asyncio.ensure_future(asyncio.to_thread(self._engine.reindex, full, progress))
        while not work.done():
            waiter = asyncio.ensure_future(changed.wait())
            await asyncio.wait({work, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if changed.is_set() and not work.done():
                changed.clear()
                await on_progress(latest[0])
                if interval:
                    await asyncio.wait({work}, timeout=interval)
        report = work.result()
        log.info(
            "Reindex done: %d added, %d updated, %d removed, %d failed",
            len(report.added),
            len(report.updated),
            len(report.removed),
            len(report.failed),
        )
        return report
