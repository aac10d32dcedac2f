"""The lock a running bot holds on its data folder, so that a restore cannot run under it.

An exclusive `flock` on `DATA_DIR/bot.lock`, taken by `essbot run` for its whole life and by
`essbot restore` while it works. The kernel releases it when the process ends, even killed, so
it never goes stale; the file keeps the holder's PID for the message.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Final

from indexing.errors import EngineError
from indexing.settings import EngineSettings
from indexing.storage.locking import PidFileLock

RUN_LOCK: Final = "bot.lock"


class AlreadyRunningError(EngineError):
    """Another process holds the data folder (a running bot, or a restore)."""


def run_lock_path(settings: EngineSettings) -> Path:
    """The lock file of the data folder."""
    return settings.data_dir / RUN_LOCK


class RunLock(PidFileLock):
    """Held while the bot runs or a restore works; a second holder is refused at once."""

    def __enter__(self) -> RunLock:
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder(fd)
            os.close(fd)
            who = f" (processus {holder})" if holder else ""
            raise AlreadyRunningError(
                f"le bot ou une restauration utilise déjà le dossier {self._path.parent}{who}"
            ) from None
        self._claim(fd)
        return self
