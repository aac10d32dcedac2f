"""Freshness without Telegram: which automatic reindexes admins hear of, and the folder watch
(one call per burst of edits, one more for edits made during a call, a clean stop).

No sleep stands for "nothing happened": a later edit is the fence. Events come in order, so a
spurious call would show up before the fence's call, which sees the fence's file.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.upkeep.freshness import Freshness, KnowledgeWatcher
from indexing.models import FailedFile, IndexReport

WATCH_READY = 0.3  # seconds for watchfiles to put its watch in place (it gives no signal)


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until `condition` holds (polling the event loop)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never met"
        await asyncio.sleep(0.02)


def test_admins_hear_of_changes_and_of_new_failures_only(tmp_path: Path) -> None:
    freshness = Freshness(None, tmp_path)  # type: ignore[arg-type]  # no reindex here
    broken = (FailedFile("a.md", "YAML"),)
    assert not freshness.worth_telling(IndexReport(unchanged=3))
    assert freshness.worth_telling(IndexReport(added=("b.md",)))
    assert freshness.worth_telling(IndexReport(unchanged=3, failed=broken))
    assert not freshness.worth_telling(IndexReport(unchanged=3, failed=broken))  # told already
    assert freshness.worth_telling(IndexReport(failed=broken, usable=False))  # no index at all
    assert not freshness.worth_telling(IndexReport(unchanged=4))
    assert freshness.worth_telling(IndexReport(unchanged=3, failed=broken))  # broken again


@pytest.mark.parametrize("edits", [1, 12])
async def test_a_burst_of_edits_gives_one_call_and_the_watch_stops(
    tmp_path: Path, edits: int
) -> None:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    seen: list[frozenset[str]] = []  # the files present at each call
    finished: list[int] = []
    release = asyncio.Event()  # a call lasts until the test releases it, like a reindex

    async def on_change() -> None:
        seen.append(frozenset(p.name for p in folder.rglob("*.md")))
        await release.wait()
        release.clear()
        finished.append(len(seen))

    watcher = KnowledgeWatcher(folder, on_change, quiet_ms=150)
    watcher.start()
    await asyncio.sleep(WATCH_READY)
    for n in range(edits):
        (folder / f"fiche-{n % 4}.md").write_text(f"# Fiche\nversion {n}\n", encoding="utf-8")
    await until(lambda: len(seen) == 1)
    assert seen[0] == {f"fiche-{n}.md" for n in range(min(edits, 4))}

    (folder / "sous-dossier").mkdir()  # edited while the first call runs: one more call
    (folder / "sous-dossier" / "pendant.md").write_text("# Pendant\n", encoding="utf-8")
    (folder / "fiche-0.md").write_text("# Fiche\nrevue pendant la réindexation\n", encoding="utf-8")
    release.set()
    await until(lambda: len(seen) == 2)
    assert "pendant.md" in seen[1]

    release.set()
    await until(lambda: len(finished) == 2)  # a call still due would start meanwhile
    (folder / "témoin.md").write_text("# Témoin\n", encoding="utf-8")  # the fence
    await until(lambda: len(seen) == 3)
    assert "témoin.md" in seen[2]  # no call came between: one call per burst

    release.set()
    await watcher.stop()
    assert not watcher.running


async def test_a_failing_callback_does_not_stop_the_watch(tmp_path: Path) -> None:
    calls = []

    async def on_change() -> None:
        calls.append(1)
        raise RuntimeError("reindex failed")

    watcher = KnowledgeWatcher(tmp_path, on_change, quiet_ms=100)
    watcher.start()
    await asyncio.sleep(WATCH_READY)
    (tmp_path / "a.md").write_text("a", encoding="utf-8")
    await until(lambda: len(calls) == 1)
    (tmp_path / "b.md").write_text("b", encoding="utf-8")
    await until(lambda: len(calls) == 2)
    await watcher.stop()
    assert not watcher.running
