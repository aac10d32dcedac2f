"""The answer cache on its own: least recently used entries go first; size 0 keeps nothing."""

from __future__ import annotations

from indexing.answering.cache import AnswerCache
from indexing.models import Answer


def answer(question: str) -> Answer:
    return Answer(question=question, answered=True, text=f"réponse à {question}", sources=())


def test_the_least_recently_used_answer_is_forgotten_first() -> None:
    cache = AnswerCache(2)
    cache.put(("b1", "a", 5), answer("a"))
    cache.put(("b1", "b", 5), answer("b"))
    assert cache.get(("b1", "a", 5)) == answer("a")  # "a" is now the most recent
    cache.put(("b1", "c", 5), answer("c"))
    assert cache.get(("b1", "b", 5)) is None
    assert [cache.get(("b1", q, 5)) for q in "ac"] == [answer("a"), answer("c")]
    assert cache.get(("b2", "a", 5)) is None  # another build is another key
    assert (cache.hits, cache.misses, len(cache)) == (3, 2, 2)


def test_size_zero_turns_the_cache_off() -> None:
    cache = AnswerCache(0)
    cache.put(("b1", "a", 5), answer("a"))
    assert cache.get(("b1", "a", 5)) is None and len(cache) == 0
