"""Keeping the knowledge fresh: automatic reindexes, the watch of the knowledge folder, the
link check. Telegram-free: `bot.telegram.jobs` decides what admins are told.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.assistant.replies import Progress
from bot.assistant.service import Assistant
from bot.upkeep.links import LinkStatus, check_links, collect_links
from indexing.errors import ReindexInProgressError
from indexing.models import IndexReport

log = logging.getLogger(__name__)

WATCH_MAX_BATCH_MS = 30_000  # a stream of edits that never pauses still reindexes this often
WATCH_STOP_TIMEOUT = 10.0  # seconds a running reindex gets to finish when the bot stops


async def _ignore_progress(progress: Progress) -> None:
    """Nobody watches the progress of an automatic reindex."""


class Freshness:
    """Automatic reindexes (through the assistant, so /reindex sees them) and link checks."""

    def __init__(self, assistant: Assistant, knowledge_dir: Path, link_timeout: float = 10.0):
        self._assistant = assistant
        self._folder = knowledge_dir
        self._link_timeout = link_timeout
        self._failed: frozenset[str] | None = None

    @property
    def knowledge_dir(self) -> Path:
        """The folder the index is built from."""
        return self._folder

    async def reindex(self) -> IndexReport | None:
        """An incremental reindex; None when one is already running (here or elsewhere)."""
        try:
            return await self._assistant.reindex(_ignore_progress, interval=0)
        except ReindexInProgressError:
            log.info("Automatic reindex skipped: a reindex is already running")
            return None

    def worth_telling(self, report: IndexReport) -> bool:
        """Whether admins should hear of this report: a change, or failures not reported yet."""
        failed = frozenset(f.path for f in report.failed)
        new_failures = bool(failed) and failed != self._failed
        self._failed = failed
        return report.changed or new_failures or not report.usable

    async def check_links(self) -> list[LinkStatus]:
        """Check every URL the knowledge folder cites."""
        cited = await asyncio.to_thread(collect_links, self._folder)
        return await check_links(cited, timeout=self._link_timeout)


class KnowledgeWatcher:
    """Calls `on_change` after files change in a folder, once per burst of edits.

    One task watches (watchfiles groups the events of a burst until `quiet_ms` pass without
    any), another runs `on_change`: edits made while it runs give exactly one more call.
    """

    def __init__(
        self, folder: Path, on_change: Callable[[], Awaitable[None]], *, quiet_ms: int = 2000
    ) -> None:
        self._folder = folder
        self._on_change = on_change
        self._quiet_ms = quiet_ms
        self._stop = asyncio.Event()
        self._dirty = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def running(self) -> bool:
        """Whether the watch is on."""
        return any(not t.done() for t in self._tasks)

    def start(self) -> None:
        """Start watching (in the running event loop)."""
        if self.running:
            return
        self._stop.clear()
        self._tasks = [
            asyncio.create_task(self._watch(), name="knowledge-watch"),
            asyncio.create_task(self._work(), name="knowledge-reindex"),
        ]
        log.info("Watching %s for changes", self._folder)

    async def stop(self) -> None:
        """Stop watching; a reindex under way may finish first (bounded wait)."""
        self._stop.set()
        if not self._tasks:
            return
        _, pending = await asyncio.wait(self._tasks, timeout=WATCH_STOP_TIMEOUT)
        for task in pending:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*pending, return_exceptions=True)
        self._tasks = []

    async def _watch(self) -> None:
        from watchfiles import awatch  # its Rust extension loads on first use

        try:
            async for changes in awatch(
                self._folder,
                debounce=max(WATCH_MAX_BATCH_MS, self._quiet_ms),
                step=self._quiet_ms,
                stop_event=self._stop,
            ):
                log.info("%d change(s) in the knowledge folder", len(changes))
                self._dirty.set()
        except OSError as error:  # the folder vanished or cannot be watched: say so, keep serving
            log.error("Stopped watching %s: %s", self._folder, error)
        except Exception:  # a background task: its failure must reach the log, not vanish
            log.exception("Stopped watching %s", self._folder)

    async def _work(self) -> None:
        while not self._stop.is_set():
            dirty = asyncio.ensure_future(self._dirty.wait())
            stop = asyncio.ensure_future(self._stop.wait())
            await asyncio.wait({dirty, stop}, return_when=asyncio.FIRST_COMPLETED)
            dirty.cancel()
            stop.cancel()
            if self._stop.is_set():
                return
            self._dirty.clear()
            try:
                await self._on_change()
            except Exception:  # the watch outlives one failed reindex; on_change reports it
                log.exception("Reindex after a change in the knowledge folder failed")
