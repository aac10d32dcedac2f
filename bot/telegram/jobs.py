"""Scheduled work through the Application's JobQueue: reindex, link check, digest, purge.

Each job calls a service, then tells admins only when there is something to tell. Periods are
laid on a fixed grid (from a Monday 08:00 UTC), so restarting the bot keeps their rhythm.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Final

from telegram import Bot
from telegram.error import BadRequest, Forbidden
from telegram.ext import JobQueue

from bot.settings import BotSettings
from bot.telegram import admin_messages as admin_render
from bot.telegram.admin_messages import Trigger
from bot.telegram.context import CustomContext, Services
from bot.upkeep.links import problems

log = logging.getLogger(__name__)

JOB_REINDEX: Final = "reindex"
JOB_LINKS: Final = "links"
JOB_DIGEST: Final = "digest"
JOB_PURGE: Final = "purge"
ANCHOR: Final = dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.UTC)  # a Monday, 08:00 UTC
PURGE_TIME: Final = dt.time(3, 30, tzinfo=dt.UTC)


def first_run(
    now: dt.datetime, interval: dt.timedelta, anchor: dt.datetime = ANCHOR
) -> dt.datetime:
    """The first instant after `now` on the grid `anchor + k * interval`."""
    return anchor + ((now - anchor) // interval + 1) * interval


def schedule_jobs(
    job_queue: JobQueue[CustomContext], settings: BotSettings, now: dt.datetime | None = None
) -> None:
    """Register every periodic job the settings turn on; the purge runs daily."""
    now = now or dt.datetime.now(dt.UTC)
    periodic = (
        (JOB_REINDEX, reindex_job, dt.timedelta(minutes=settings.reindex_interval_minutes)),
        (JOB_LINKS, links_job, dt.timedelta(hours=settings.link_check_interval_hours)),
        (JOB_DIGEST, digest_job, dt.timedelta(days=settings.digest_interval_days)),
    )
    for name, callback, interval in periodic:
        if interval:
            job_queue.run_repeating(
                callback, interval=interval, first=first_run(now, interval), name=name
            )
            log.info("Job %s every %s", name, interval)
    job_queue.run_daily(purge_job, time=PURGE_TIME, name=JOB_PURGE)


async def notify_admins(bot: Bot, admin_ids: tuple[int, ...], parts: list[str]) -> int:
    """Send every part to every admin; returns how many admins were reached."""
    reached = 0
    for admin in admin_ids:
        try:
            for part in parts:
                await bot.send_message(admin, part)
        except (Forbidden, BadRequest) as error:  # never opened a chat with the bot, or left it
            log.warning("Could not notify an admin: %s", error)
        else:
            reached += 1
    return reached


async def refresh(bot: Bot, services: Services, trigger: Trigger) -> None:
    """Reindex now; admins get the summary if something changed or failed."""
    try:
        report = await services.freshness.reindex()
    except Exception as error:  # no one asked for this reindex: admins must hear it failed
        log.exception("Automatic reindex failed")
        await notify_admins(bot, services.admin_ids, admin_render.reindex_failed(error))
        return
    if report is not None and services.freshness.worth_telling(report):
        await notify_admins(bot, services.admin_ids, admin_render.auto_reindex(report, trigger))


async def reindex_job(context: CustomContext) -> None:
    """The scheduled incremental reindex."""
    await refresh(context.bot, context.services, "schedule")


async def links_job(context: CustomContext) -> None:
    """The scheduled link check: admins get the report when links are dead or moved."""
    results = await context.services.freshness.check_links()
    due = await context.assistant.review_due()
    if problems(results) or due:
        await notify_admins(
            context.bot, context.services.admin_ids, admin_render.links_report(results, due)
        )


async def digest_job(context: CustomContext) -> None:
    """The periodic digest of unanswered and 👎 questions, when there are some."""
    services = context.services
    digest = await services.insight.digest(services.digest_days)
    if not digest.empty:
        await notify_admins(context.bot, services.admin_ids, admin_render.digest(digest))


async def purge_job(context: CustomContext) -> None:
    """The daily purge of what is older than the retention period."""
    await context.services.privacy.purge()
