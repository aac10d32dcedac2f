"""An inter-process lock so that two reindexes never run at once."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from pathlib import Path
from types import TracebackType

from indexing.errors import ReindexInProgressError

log = logging.getLogger(__name__)


def pid_alive(pid: str) -> bool:
    """Whether the process with this PID (as written in a lock file) still runs."""
    if not pid.isdigit():
        return False
    with contextlib.suppress(PermissionError):  # alive, owned by someone else
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
    return True


class PidFileLock:
    """An exclusive `flock` on a file that keeps its holder's PID; the kernel releases it when
    the holder ends, even killed. Subclasses decide how to wait and what to say when refused."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def _open(self) -> int:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)

    @staticmethod
    def _holder(fd: int) -> str:
        """The PID written in the lock file, if any."""
        return os.pread(fd, 32, 0).decode(errors="replace").strip()

    def _claim(self, fd: int) -> None:
        """Write our PID into the lock just taken."""
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

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


class ReindexLock(PidFileLock):
    """The reindex lock, in the index folder: waits up to `wait_seconds`, then refuses."""

    def __init__(self, path: Path, wait_seconds: float = 0.0) -> None:
        super().__init__(path)
        self._wait = wait_seconds

    def __enter__(self) -> ReindexLock:
        fd = self._open()
        deadline = time.monotonic() + self._wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self._holder(fd)
                    os.close(fd)
                    who = f" (processus {holder})" if holder else ""
                    if holder and not pid_alive(holder):  # the lock went to a child process
                        who = f" (le processus {holder} noté dans le verrou ne tourne plus)"
                    raise ReindexInProgressError(
                        f"une réindexation est déjà en cours{who} : réessayez quand elle sera finie"
                    ) from None
                time.sleep(0.1)
        left = self._holder(fd)
        if left:  # the holder died without clearing its PID (killed during a reindex)
            state = "no longer running" if not pid_alive(left) else "running, lock released"
            log.warning(
                "Stale reindex lock: process %s (%s) was interrupted during a reindex; "
                "taking the lock over",
                left,
                state,
            )
        self._claim(fd)
        return self
