"""The crisis detector's per-text caches (exemplar scores, learned probabilities): bounded, least
recently used first out, computed once per text, resizable by an evaluation."""

from __future__ import annotations

import pytest
from companion.ethics.textcache import TextCache
from hypothesis import given
from hypothesis import strategies as st


class Counting:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, text: str) -> int:
        self.asked.append(text)
        return len(text)


def test_a_kept_text_is_not_computed_again_and_the_least_recent_goes_first() -> None:
    cache: TextCache[int] = TextCache(2)
    compute = Counting()
    assert cache.get("a", compute) == 1 and cache.get("bb", compute) == 2
    assert cache.get("a", compute) == 1 and compute.asked == ["a", "bb"]  # kept: "a" is now the most recent
    cache.get("ccc", compute)  # over the size: "bb" (least recently used) goes
    cache.get("a", compute)
    assert compute.asked == ["a", "bb", "ccc"] and len(cache) == 2
    cache.get("bb", compute)
    assert compute.asked[-1] == "bb"


def test_resize_and_clear() -> None:
    cache: TextCache[int] = TextCache(4)
    compute = Counting()
    for text in ("a", "b", "c", "d"):
        cache.get(text, compute)
    cache.resize(2)  # the two least recent go
    assert cache.size == 2 and len(cache) == 2
    cache.get("d", compute)
    cache.get("a", compute)
    assert compute.asked[-1] == "a" and compute.asked.count("d") == 1
    cache.clear()
    assert len(cache) == 0
    with pytest.raises(ValueError, match="at least one"):
        cache.resize(0)
    with pytest.raises(ValueError, match="at least one"):
        TextCache(0)


def test_a_failed_computation_keeps_nothing() -> None:
    cache: TextCache[int] = TextCache(2)

    def broken(text: str) -> int:
        raise RuntimeError("model file vanished")

    with pytest.raises(RuntimeError):
        cache.get("a", broken)
    assert len(cache) == 0 and cache.get("a", len) == 1


@given(st.lists(st.text(max_size=3), max_size=60), st.integers(min_value=1, max_value=5))
def test_never_over_its_size_and_always_the_computed_value(texts: list[str], size: int) -> None:
    cache: TextCache[int] = TextCache(size)
    for text in texts:
        assert cache.get(text, len) == len(text)
        assert len(cache) <= size
