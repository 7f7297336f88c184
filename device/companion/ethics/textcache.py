"""A small bounded cache of what was computed from a text (an embedding's scores, a model's probabilities).

The crisis detector reads each turn again with the next two (the window), so the exemplar classes
(crisis.py) and the learned layer (crisis_learned.py) each keep their last few texts' results.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class TextCache(Generic[T]):
    """Least recently used, at most ``size`` texts; thread-safe. ``get`` computes a missing text's value
    under the cache's lock, so two threads asking for the same text compute it once."""

    def __init__(self, size: int = 64) -> None:
        if size < 1:
            raise ValueError(f"a text cache holds at least one text, not {size}")
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[str, T] = OrderedDict()

    @property
    def size(self) -> int:
        """How many texts are kept at most."""
        return self._size

    def resize(self, size: int) -> None:
        """Keep at most ``size`` texts from now on (the least recently used go first); an evaluation
        that reads every row again at each grid point makes it large."""
        if size < 1:
            raise ValueError(f"a text cache holds at least one text, not {size}")
        with self._lock:
            self._size = size
            while len(self._items) > size:
                self._items.popitem(last=False)

    def get(self, text: str, compute: Callable[[str], T]) -> T:
        """The value for ``text``: the kept one, else ``compute(text)`` (then kept)."""
        with self._lock:
            if text in self._items:
                self._items.move_to_end(text)
                return self._items[text]
            value = compute(text)
            self._items[text] = value
            if len(self._items) > self._size:
                self._items.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
