"""The reindex lock: exclusive across processes, names its holder, waits a bounded time, and is
released at exit."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexing.errors import ReindexInProgressError
from indexing.storage.locking import ReindexLock

HOLD = """
import sys, time
from pathlib import Path
from indexing.storage.locking import ReindexLock
with ReindexLock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()  # until the test lets go
"""


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    path = tmp_path / "data" / "reindex.lock"
    with ReindexLock(path):
        assert path.read_text() == str(os.getpid())
        refused = pytest.raises(ReindexInProgressError, match=f"processus {os.getpid()}")
        with refused, ReindexLock(path):
            pass
    with ReindexLock(path):  # released at exit
        pass
    assert path.read_text() == ""


def test_another_process_holds_it_until_it_lets_go(tmp_path: Path) -> None:
    path = tmp_path / "reindex.lock"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    holder = subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        refused = pytest.raises(ReindexInProgressError, match=f"processus {holder.pid}")
        with refused, ReindexLock(path, wait_seconds=0.2):  # waits, then gives up
            pass
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(30)
        holder.stdout.close()  # type: ignore[union-attr]
    with ReindexLock(path):
        pass


def dead_pid() -> int:
    """The PID of a process that has already exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_dead_pid_left_in_the_lock_is_reported_as_stale(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lock = tmp_path / "reindex.lock"
    pid = dead_pid()
    lock.write_text(str(pid))  # a reindex killed with -9 never cleared its PID
    caplog.set_level(logging.WARNING)
    with ReindexLock(lock):
        assert lock.read_text() != str(pid)
    assert f"process {pid}" in caplog.text and "no longer running" in caplog.text
    assert lock.read_text() == ""  # released cleanly: nothing left to misread
