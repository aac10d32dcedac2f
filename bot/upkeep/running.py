"""The lock a running bot holds on its data folder, so that a restore cannot run under it.

An exclusive `flock` on `DATA_DIR/bot.lock`, taken by `essbot run` for its whole life and by
`essbot restore` while it works. The kernel releases it when the process ends, even killed, so
it never goes stale; the file keeps the holder's PID for the message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import Final

from indexing.errors import EngineError
from indexing.settings import EngineSettings

RUN_LOCK: Final = "bot.lock"


class AlreadyRunningError(EngineError):
    """Another process holds the data folder (a running bot, or a restore)."""


def run_lock_path(settings: EngineSettings) -> Path:
    """The lock file of the data folder."""
    return settings.data_dir / RUN_LOCK


class RunLock:
    """Held while the bot runs or a restore works; a second holder is refused at once."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            os.close(fd)
            who = f" (processus {holder})" if holder else ""
            raise AlreadyRunningError(
                f"le bot ou une restauration utilise déjà le dossier {self._path.parent}{who}"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
