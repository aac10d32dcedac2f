"""Answers already given from the live index, kept so a repeated question costs no encoding."""

from __future__ import annotations

import threading
from collections import OrderedDict

from indexing.models import Answer

CacheKey = tuple[str | None, str, int]  # (build id, question, number of sources)


class AnswerCache:
    """A thread-safe least-recently-used map from (build, question, limit) to the answer.

    The build id is part of the key, so a reindex makes every older entry unreachable: they age
    out as new questions come. A size of 0 turns the cache off.
    """

    def __init__(self, size: int) -> None:
        self._size = max(size, 0)
        self._entries: OrderedDict[CacheKey, Answer] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: CacheKey) -> Answer | None:
        """The stored answer, marked as recently used, or None."""
        with self._lock:
            answer = self._entries.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, key: CacheKey, answer: Answer) -> None:
        """Remember an answer, forgetting the least recently used one past the size."""
        if self._size == 0:
            return
        with self._lock:
            self._entries[key] = answer
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
