"""What admins add to the base: team answers as sheets, documents they send, web pages.

Every file is checked with the engine's own loaders before it is written to the inbox, so a file
the index could not read is refused with the loaders' reason and nothing is saved. `Additions` is
synchronous (the CLI uses it as is); `AdditionService` runs it off the event loop, then reindexes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.assistant.replies import Progress
from bot.assistant.service import Assistant
from bot.contributions import sheets
from bot.contributions.fetching import FetchError, FetchPolicy, fetch_page
from bot.settings import BotSettings
from bot.storage import contributions as store
from bot.storage import records
from indexing.errors import EngineError, ReindexInProgressError, UnreadableFileError
from indexing.models import Document, IndexReport
from indexing.sources.chunking import chunk_document
from indexing.sources.loaders import LOADERS, build_document, loader_for, read_file

log = logging.getLogger(__name__)

ACCEPTED_SUFFIXES = tuple(suffix for loader in LOADERS for suffix in loader.suffixes)


class AdditionRefusedError(EngineError):
    """A document or page that cannot be added, with the reason in French."""


@dataclass(frozen=True)
class Saved:
    """A file written to the inbox."""

    path: str  # relative to the knowledge folder, as the index names it
    title: str
    kind: str  # reponse, document, page
    passages: int  # as the index cuts it (its default chunking policy)
    updated: bool = False  # a page fetched again: its sheet was rewritten


@dataclass(frozen=True)
class Added:
    """A saved file after the reindex: how many passages the index now holds for it."""

    saved: Saved
    report: IndexReport | None  # None when the reindex must wait (one was already running)

    @property
    def indexed(self) -> bool:
        """Whether the reindex that followed took the file in."""
        if self.report is None:
            return False
        return self.saved.path not in {failed.path for failed in self.report.failed}


def check_document(name: str, data: bytes, max_bytes: int) -> Document:
    """Read a file as the index would, from a temporary copy; the loaders' reason otherwise."""
    loader = loader_for(Path(name))
    if loader is None:
        raise AdditionRefusedError(f"format non pris en charge : {Path(name).suffix or name}")
    with tempfile.TemporaryDirectory(prefix="essbot-add-") as scratch:
        path = Path(scratch) / name
        path.write_bytes(data)
        try:
            return build_document(name, read_file(Path(scratch), path, max_bytes), loader)
        except UnreadableFileError as error:
            raise AdditionRefusedError(str(error)) from error


class Additions:
    """Writes checked additions to the inbox and records them."""

    def __init__(
        self,
        inbox: sheets.Inbox,
        sessions: sessionmaker[Session],
        *,
        max_bytes: int,
        fetch_policy: FetchPolicy,
        clock: Callable[[], dt.datetime] = records.utcnow,
    ) -> None:
        self._inbox = inbox
        self._sessions = sessions
        self._max_bytes = max_bytes
        self._policy = fetch_policy
        self._clock = clock

    def add_file(self, name: str, data: bytes) -> Saved:
        """A document an admin sent: safe name, checked, written under a fresh name."""
        try:
            safe = sheets.safe_file_name(name, ACCEPTED_SUFFIXES)
        except sheets.UnsafeNameError as error:
            raise AdditionRefusedError(str(error)) from error
        document = check_document(safe, data, self._max_bytes)
        written = self._write(safe, data)
        return self._record("document", written, document)

    def add_answer(self, question: str, answer: str) -> Saved:
        """A team answer as a Markdown sheet named after the question."""
        text = sheets.answer_sheet(question, answer, self._clock().date())
        name = f"{sheets.slug(question) or 'reponse'}.md"
        document = check_document(name, text.encode("utf-8"), self._max_bytes)
        written = self._write(name, text.encode("utf-8"))
        return self._record("reponse", written, document)

    def add_page(self, url: str) -> Saved:
        """A web page's main text as a sheet; the same URL again rewrites its sheet."""
        try:
            page = fetch_page(url, self._policy)
        except FetchError as error:
            raise AdditionRefusedError(str(error)) from error
        text = sheets.page_sheet(page.title, page.url, page.text, self._clock().date()).encode()
        name = f"{sheets.slug(page.title) or 'page'}.md"
        document = check_document(name, text, self._max_bytes)
        with self._sessions() as session:
            known = store.addition_for_url(session, page.url)
            previous = known.path if known is not None else None
        if previous is not None and self._inbox.holds(previous):
            written = self._write(name, text, replace=previous)
            return self._record("page", written, document, url=page.url, updated=True)
        written = self._write(name, text)
        return self._record("page", written, document, url=page.url)

    def _write(self, name: str, data: bytes, replace: str | None = None) -> Path:
        """Write into the inbox; a read-only or missing inbox is a refusal, not a crash."""
        try:
            if replace is not None:
                return self._inbox.replace(replace, data)
            return self._inbox.write_new(name, data)
        except sheets.UnsafeNameError as error:
            raise AdditionRefusedError(str(error)) from error
        except OSError as error:
            log.error("Cannot write to the knowledge inbox: %s", error)
            raise AdditionRefusedError(
                f"le dossier d'ajouts n'est pas accessible en écriture ({self._inbox.folder})"
            ) from error

    def _record(
        self,
        kind: str,
        written: Path,
        document: Document,
        url: str | None = None,
        updated: bool = False,
    ) -> Saved:
        path, title = self._inbox.relative(written), document.title
        now = self._clock()
        with self._sessions.begin() as session:
            known = store.addition_for_url(session, url) if url else None
            if known is not None:
                known.path, known.title, known.updated_at = path, title, now
            else:
                session.add(
                    store.AdditionRecord(
                        kind=kind,
                        path=path,
                        title=title,
                        source_url=url,
                        created_at=now,
                        updated_at=now,
                    )
                )
        log.info("Added %s to the knowledge inbox (%s)", path, kind)
        passages = len(chunk_document(document))
        return Saved(path=path, title=title, kind=kind, passages=passages, updated=updated)


async def _no_progress(progress: Progress) -> None:
    """Nobody watches the progress of the reindex after an addition."""


class AdditionService:
    """Additions off the event loop, each followed by an incremental reindex."""

    def __init__(self, additions: Additions, assistant: Assistant) -> None:
        self._additions = additions
        self._assistant = assistant

    async def add_file(self, name: str, data: bytes) -> Added:
        """Check and save a document an admin sent, then reindex."""
        return await self._indexed(await asyncio.to_thread(self._additions.add_file, name, data))

    async def add_answer(self, question: str, answer: str) -> Added:
        """Save a team answer as a sheet, then reindex."""
        saved = await asyncio.to_thread(self._additions.add_answer, question, answer)
        return await self._indexed(saved)

    async def add_page(self, url: str) -> Added:
        """Fetch, save a page's main text, then reindex."""
        return await self._indexed(await asyncio.to_thread(self._additions.add_page, url))

    async def _indexed(self, saved: Saved) -> Added:
        try:
            report = await self._assistant.reindex(_no_progress, interval=0)
        except ReindexInProgressError:  # the running one, or the next, will pick the file up
            log.info("Reindex busy: %s will be indexed by the next one", saved.path)
            return Added(saved, None)
        return Added(saved, report)


def build_additions(settings: BotSettings, sessions: sessionmaker[Session]) -> Additions:
    """Additions to the knowledge inbox within the configured limits (bot and CLI)."""
    return Additions(
        sheets.Inbox(settings.knowledge_dir, settings.inbox_dir),
        sessions,
        max_bytes=int(settings.max_file_mb * 1_000_000),
        fetch_policy=FetchPolicy(allow_private=settings.fetch_allow_private),
    )
