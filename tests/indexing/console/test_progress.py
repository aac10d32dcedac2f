"""The command line's reindex progress: a line about every 10 % in logs, sane rates, bars
closed before the summary."""

from __future__ import annotations

import io
import re

from indexing.console.progress import ReindexProgress, duration
from indexing.storage.indexer import EMBEDDING_STAGE
from indexing.storage.unit_table import SENTENCE_STAGE


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_logs_get_a_line_about_every_ten_percent_with_rate_and_time_left() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = ReindexProgress(stream, terminal=False, clock=clock)
    progress(0, 400, EMBEDDING_STAGE)  # the stage starts before the first batch
    for done in range(4, 401, 4):  # 4 files a second
        clock.now += 1.0
        progress(done, 400, EMBEDDING_STAGE)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert 9 <= len(lines) <= 11
    assert lines[0].startswith("Encodage des passages : 40/400 fichiers (10 %)")
    assert "4.0 fichiers/s" in lines[0] and "reste environ 1 min 30 s" in lines[0]
    assert (
        lines[-1]
        == "Encodage des passages : 400/400 fichiers (100 %), 4.0 fichiers/s, en 1 min 40 s"
    )


def test_the_rate_counts_from_the_first_call_of_each_stage() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = ReindexProgress(stream, terminal=False, clock=clock)
    for done in range(1, 11):  # files are read quickly: one line, at the end
        clock.now += 0.01
        progress(done, 10, f"f{done}.md")
    clock.now += 600  # a long pause between stages must not dilute the next stage's rate
    progress(64, 128, EMBEDDING_STAGE)  # a stage seen first after a batch: not "64 per 0 s"
    clock.now += 16
    progress(128, 128, EMBEDDING_STAGE)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("Lecture des fichiers : 10/10 fichiers (100 %)")
    assert re.search(r"128/128 fichiers \(100 %\), 4\.0 fichiers/s, en 16 s$", lines[-1])
    assert len(lines) == 2


def test_terminal_bars_are_closed_before_the_summary() -> None:
    stream = io.StringIO()
    progress = ReindexProgress(stream, terminal=True)
    progress(1, 2, "a.md")
    progress(2, 2, "b.md")
    progress(0, 3, EMBEDDING_STAGE)  # a new stage closes the previous bar
    assert "Lecture des fichiers" in stream.getvalue() and "2/2" in stream.getvalue()
    progress(3, 3, EMBEDDING_STAGE)
    progress.close()
    written = stream.getvalue()
    assert "Encodage des passages" in written and "3/3" in written
    progress.close()  # idempotent: nothing more written after the summary point
    assert stream.getvalue() == written


def test_durations_read_in_french() -> None:
    assert [duration(s) for s in (4.4, 65, 3725)] == ["4 s", "1 min 05 s", "1 h 02 min"]


def test_unit_sentences_are_their_own_stage_counted_in_sentences() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = ReindexProgress(stream, terminal=False, clock=clock)
    progress(2, 2, EMBEDDING_STAGE)
    clock.now += 2
    progress(25, 25, SENTENCE_STAGE)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("Encodage des passages : 2/2 fichiers")
    assert lines[-1].startswith("Encodage des phrases des réponses types : 25/25 phrases")
