"""The reindex lock: exclusive, and honest about a holder that died without releasing it."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from indexing.storage.locking import ReindexLock


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
