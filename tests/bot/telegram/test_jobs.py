"""Scheduling and the folder watch, without Telegram: grid of first runs, jobs the settings turn
on, one call per burst of edits, a clean stop."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import BotSettings
from bot.telegram.app import build_application
from bot.telegram.jobs import ANCHOR, JOB_DIGEST, JOB_LINKS, JOB_PURGE, JOB_REINDEX, first_run
from bot.upkeep.freshness import KnowledgeWatcher


def test_first_runs_sit_on_a_fixed_grid() -> None:
    hour = dt.timedelta(hours=1)
    now = dt.datetime(2026, 3, 4, 10, 20, tzinfo=dt.UTC)
    assert first_run(now, hour) == dt.datetime(2026, 3, 4, 11, 0, tzinfo=dt.UTC)
    week = dt.timedelta(days=7)
    monday = first_run(now, week)
    assert monday.weekday() == 0 and monday.hour == 8 and now < monday <= now + week
    assert first_run(ANCHOR, week) == ANCHOR + week  # never now: strictly after


def _settings(tmp_path: Path, **fields: object) -> BotSettings:
    return BotSettings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token="1:abc",  # noqa: S106 - a dummy token, never sent
        data_dir=tmp_path,
        **fields,  # type: ignore[arg-type]
    )


def test_jobs_follow_the_settings(
    tmp_path: Path, sessions: sessionmaker[Session], fake_engine: object
) -> None:
    settings = _settings(
        tmp_path, reindex_interval_minutes=15, link_check_interval_hours=24, digest_interval_days=7
    )
    queue = build_application(settings, fake_engine, sessions).job_queue  # type: ignore[arg-type]
    assert queue is not None
    jobs = {job.name: job for job in queue.jobs()}
    assert set(jobs) == {JOB_REINDEX, JOB_LINKS, JOB_DIGEST, JOB_PURGE}
    assert jobs[JOB_REINDEX].trigger.interval == dt.timedelta(minutes=15)
    assert jobs[JOB_LINKS].trigger.interval == dt.timedelta(hours=24)
    assert jobs[JOB_DIGEST].trigger.interval == dt.timedelta(days=7)
    off = _settings(
        tmp_path, reindex_interval_minutes=0, link_check_interval_hours=0, digest_interval_days=0
    )
    queue = build_application(off, fake_engine, sessions).job_queue  # type: ignore[arg-type]
    assert queue is not None and [job.name for job in queue.jobs()] == [JOB_PURGE]


async def _until(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition never met"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("edits", [1, 12])
async def test_a_burst_of_edits_gives_one_call_and_the_watch_stops(
    tmp_path: Path, edits: int
) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    calls: list[float] = []
    busy = asyncio.Event()

    async def on_change() -> None:
        calls.append(time.monotonic())
        busy.set()
        await asyncio.sleep(0.3)  # edits made meanwhile must give exactly one more call

    watcher = KnowledgeWatcher(folder, on_change, quiet_ms=150)
    watcher.start()
    await asyncio.sleep(0.3)  # the watch is in place
    for n in range(edits):
        (folder / f"fiche-{n % 4}.md").write_text(f"# Fiche\nversion {n}\n", encoding="utf-8")
    await _until(lambda: calls)
    await asyncio.sleep(0.8)
    assert len(calls) == 1
    busy.clear()
    (folder / "sous-dossier").mkdir()
    (folder / "sous-dossier" / "nouvelle.md").write_text("# Nouvelle\n", encoding="utf-8")
    await busy.wait()  # the second call runs: an edit now gives exactly one more call
    (folder / "fiche-0.md").write_text("# Fiche\nrevue pendant la réindexation\n", encoding="utf-8")
    await _until(lambda: len(calls) == 3)
    await asyncio.sleep(0.8)
    assert len(calls) == 3
    started = time.monotonic()
    await watcher.stop()
    assert not watcher.running and time.monotonic() - started < 2.0
    (folder / "après.md").write_text("# Après l'arrêt\n", encoding="utf-8")
    await asyncio.sleep(0.5)
    assert len(calls) == 3


async def test_a_failing_callback_does_not_stop_the_watch(tmp_path: Path) -> None:
    calls = []

    async def on_change() -> None:
        calls.append(1)
        raise RuntimeError("reindex failed")

    watcher = KnowledgeWatcher(tmp_path, on_change, quiet_ms=100)
    watcher.start()
    await asyncio.sleep(0.3)
    (tmp_path / "a.md").write_text("a", encoding="utf-8")
    await _until(lambda: len(calls) == 1)
    await asyncio.sleep(0.3)
    (tmp_path / "b.md").write_text("b", encoding="utf-8")
    await _until(lambda: len(calls) == 2)
    await watcher.stop()
