"""Progress of a reindex on the command line: one tqdm bar per stage on a terminal, otherwise
(logs of a service or a container) a line about every 10 % with the counts and the time left."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from indexing.storage.indexer import EMBEDDING_STAGE
from indexing.storage.unit_table import SENTENCE_STAGE

_LINE_EVERY = 0.1  # share of a stage between two log lines
_MIN_SECONDS_BETWEEN_LINES = 1.0  # a stage that takes a second gets its final line only


@dataclass(frozen=True)
class Stage:
    """How a stage of the reindex is called and counted."""

    label: str
    unit: str


FILES = Stage("Lecture des fichiers", "fichier")
ENCODING = Stage("Encodage des passages", "fichier")  # files whose passages are encoded
SENTENCES = Stage("Encodage des phrases des réponses types", "phrase")


def stage_of(current: str) -> Stage:
    """The stage a progress call belongs to (the indexer passes the file path while reading)."""
    if current == SENTENCE_STAGE:
        return SENTENCES
    return ENCODING if current == EMBEDDING_STAGE else FILES


def duration(seconds: float) -> str:
    """A short French duration: « 45 s », « 3 min 05 s », « 1 h 02 min »."""
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class _LogLines:
    """One stage in a non-terminal stream: a line at each ~10 % step, and at the end."""

    def __init__(self, stage: Stage, done: int, stream: TextIO, clock: Callable[[], float]):
        self._stage = stage
        self._stream = stream
        self._clock = clock
        self._start_done = done
        self._started = self._last_line = clock()
        self._next_share = _LINE_EVERY
        self._finished = False

    def update(self, done: int, total: int) -> None:
        if self._finished or total <= 0:
            return
        share = done / total
        now = self._clock()
        if done >= total:
            self._finished = True
        elif share < self._next_share or now - self._last_line < _MIN_SECONDS_BETWEEN_LINES:
            return
        while self._next_share <= share:
            self._next_share += _LINE_EVERY
        self._last_line = now
        print(self._line(done, total, now), file=self._stream, flush=True)

    def _line(self, done: int, total: int, now: float) -> str:
        unit = self._stage.unit + ("s" if total > 1 else "")
        text = f"{self._stage.label} : {done}/{total} {unit} ({100 * done // total} %)"
        elapsed, progressed = now - self._started, done - self._start_done
        if progressed <= 0 or elapsed <= 0:
            return text
        rate = progressed / elapsed
        speed = f"{rate:.1f} {self._stage.unit}s/s"
        if done >= total:
            return f"{text}, {speed}, en {duration(elapsed)}"
        return f"{text}, {speed}, reste environ {duration((total - done) / rate)}"

    def close(self) -> None:
        pass


class _Bar:
    """One stage on a terminal: a tqdm bar whose rate counts from the stage's first call."""

    def __init__(self, stage: Stage, done: int, total: int, stream: TextIO) -> None:
        from tqdm import tqdm

        self._bar: Any = tqdm(
            total=total,
            initial=done,
            desc=stage.label,
            unit=f" {stage.unit}",
            file=stream,
            leave=True,
            dynamic_ncols=True,
            mininterval=0.2,
        )

    def update(self, done: int, total: int) -> None:
        if total != self._bar.total:
            self._bar.total = total
        if done > self._bar.n:
            self._bar.update(done - self._bar.n)

    def close(self) -> None:
        self._bar.close()


class ReindexProgress:
    """The `progress` callback of a reindex for the command line; close it before printing
    the summary (the bars must be finished first)."""

    def __init__(
        self,
        stream: TextIO | None = None,
        terminal: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream or sys.stderr
        self._terminal = self._stream.isatty() if terminal is None else terminal
        self._clock = clock
        self._stage: Stage | None = None
        self._display: _Bar | _LogLines | None = None

    def __call__(self, done: int, total: int, current: str) -> None:
        stage = stage_of(current)
        if stage != self._stage or self._display is None:
            self.close()
            self._stage = stage
            self._display = (
                _Bar(stage, done, total, self._stream)
                if self._terminal
                else _LogLines(stage, done, self._stream, self._clock)
            )
        self._display.update(done, total)

    def close(self) -> None:
        """Finish the current stage's display."""
        if self._display is not None:
            self._display.close()
            self._display = None
