"""The service: answers off the loop and stored, quotas, feedback, sharing, reindex progress."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from bot_testkit import FakeEngine
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.assistant.replies import Progress, Votes
from bot.assistant.service import Assistant, RateLimiter
from bot.storage import records
from indexing.errors import ReindexInProgressError
from indexing.models import IndexReport


async def test_ask_stores_and_rebuilds_the_answer(
    assistant: Assistant, fake_engine: FakeEngine
) -> None:
    first = await assistant.ask("  Quel outil ?  ", user_id=1, chat_type="private")
    second = await assistant.ask("Autre " * 500, user_id=1, chat_type="group", group_id=-5)
    assert second.id == first.id + 1 and first.token != second.token
    assert fake_engine.questions[0] == "Quel outil ?"
    assert len(fake_engine.questions[1]) == 1000  # long messages are cut before the search
    again = await assistant.stored(first.token)
    assert again is not None and again.answer == first.answer and again.chat_type == "private"
    assert await assistant.stored(str(first.id)) is None  # the sequential id opens nothing


async def test_ask_runs_off_the_event_loop(assistant: Assistant, fake_engine: FakeEngine) -> None:
    loop_thread = []
    original = fake_engine.answer

    def spy(question: str, limit: int = 5):  # type: ignore[no-untyped-def]
        loop_thread.append(threading.current_thread() is threading.main_thread())
        return original(question, limit)

    fake_engine.answer = spy  # type: ignore[method-assign]
    await assistant.ask("q", user_id=1, chat_type="private")
    assert loop_thread == [False]


def test_rate_limiter_sliding_window() -> None:
    now = [0.0]
    limiter = RateLimiter(2, window=60, clock=lambda: now[0])
    assert limiter.acquire("a") == 0 and limiter.acquire("a") == 0
    assert limiter.acquire("a") == pytest.approx(60)
    assert limiter.acquire("b") == 0
    now[0] = 30
    assert limiter.acquire("a") == pytest.approx(30)
    now[0] = 60.5
    assert limiter.acquire("a") == 0
    now[0] = 500
    limiter.max_keys = 1
    assert limiter.acquire("c") == 0  # more than max_keys: idle keys are dropped first
    assert set(limiter._events) == {"c"}


def test_quota_and_admins(assistant: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    assert [assistant.retry_after(7) == 0 for _ in range(4)] == [True, True, True, False]
    assert assistant.retry_after(8) == 0
    assert sum(assistant.inline_allowed(7) for _ in range(20)) == 15  # 5 x 3 a minute
    assert assistant.is_admin(42, "/stats")
    assert not assistant.is_admin(7, "/reindex")
    assert "Refused admin command /reindex" in caplog.text and " 7" not in caplog.text


async def test_feedback_and_sharing(assistant: Assistant) -> None:
    mine = await assistant.ask("q", user_id=1, chat_type="private")
    public = await assistant.ask("q", user_id=1, chat_type="supergroup", group_id=-9)
    assert await assistant.feedback(mine.id, 2, up=False, reason="hs") == Votes(0, 1)
    assert await assistant.feedback(12345, 2, up=True) is None
    with pytest.raises(ValueError, match="reason"):
        await assistant.feedback(mine.id, 2, up=False, reason="nope")
    assert assistant.may_share(mine, 1) and not assistant.may_share(mine, 2)
    assert assistant.may_share(public, 2)
    figures = await assistant.stats(30)
    assert (figures.questions, figures.down, figures.reasons) == (2, 1, (("hs", 1),))


async def test_reindex_reports_progress_and_refuses_a_second_run(
    assistant: Assistant, fake_engine: FakeEngine
) -> None:
    fake_engine.release.clear()
    seen: list[Progress] = []

    async def show(progress: Progress) -> None:
        seen.append(progress)
        if progress.done == 1:
            with pytest.raises(ReindexInProgressError):
                await assistant.reindex(show)
            answer = await assistant.ask("pendant la réindexation", user_id=3, chat_type="private")
            assert answer.answer.answered  # members keep getting answers
            fake_engine.release.set()

    report = await asyncio.wait_for(assistant.reindex(show, interval=0), 10)
    assert seen[0] == Progress(1, 3, "ressources/doc-1.md")
    assert report.added == ("ressources/doc-1.md",)
    fake_engine.release.set()
    await assistant.reindex(show, interval=0)  # the lock was released


async def test_a_press_losing_the_race_to_create_the_row_updates_it(
    assistant: Assistant, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = await assistant.ask("q", user_id=1, chat_type="private")
    original, calls = records.set_feedback, []

    def racing(session: Session, question_id: int, user_hash: str, **fields: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:  # a quicker press of the same member creates the row first
            with sessions.begin() as other:
                original(other, question_id, user_hash, **{**fields, "vote": 1})
            raise IntegrityError("INSERT INTO bot_feedback", {}, Exception("UNIQUE constraint"))
        return original(session, question_id, user_hash, **fields)

    monkeypatch.setattr(records, "set_feedback", racing)
    assert await assistant.feedback(stored.id, 1, up=False, reason="inc")
    assert len(calls) == 2
    with sessions() as session:
        [row] = session.scalars(select(records.FeedbackRecord)).all()
    assert (row.vote, row.reason) == (-1, "inc")


async def test_listeners_hear_of_changes_and_of_builds_made_elsewhere(
    sessions: sessionmaker[Session],
) -> None:
    reports = [
        IndexReport(unchanged=3, build_id="b1"),  # first in this process: news to it
        IndexReport(unchanged=3, build_id="b1"),  # nothing new
        IndexReport(added=("a.md",), unchanged=3, build_id="b2"),  # a change
        IndexReport(unchanged=4, build_id="b3"),  # `essbot add` built b3 meanwhile
    ]

    class Scripted(FakeEngine):
        def reindex(
            self, full: bool = False, progress: Callable[[int, int, str], None] | None = None
        ) -> IndexReport:
            return reports.pop(0)

    assistant = Assistant(Scripted(), sessions, hash_key=b"k", questions_per_minute=3)
    heard: list[str | None] = []

    async def listener(report: IndexReport) -> None:
        heard.append(report.build_id)

    async def failing(report: IndexReport) -> None:
        raise RuntimeError("a listener's own failure")

    assistant.on_reindexed(failing)  # logged, and the others still run
    assistant.on_reindexed(listener)
    for _ in range(4):
        await assistant.reindex(lambda progress: asyncio.sleep(0), interval=0)
    assert heard == ["b1", "b2", "b3"]
