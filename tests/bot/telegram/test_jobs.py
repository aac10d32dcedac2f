"""Scheduling without Telegram: the grid of first runs, the jobs the settings turn on (the folder
watch: tests/bot/upkeep/test_freshness.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.settings import BotSettings
from bot.telegram.app import build_application
from bot.telegram.jobs import ANCHOR, JOB_DIGEST, JOB_LINKS, JOB_PURGE, JOB_REINDEX, first_run


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
