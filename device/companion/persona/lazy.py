"""A value computed once, on first need or ahead on a background thread (thread-safe).

The answer route's noise floor and the generated questions are both measured from the persona's
data when it loads: ahead, so the first question does not wait, but never twice, and a failure
ahead only means the first question that needs it computes it again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Lazy(Generic[T]):
    """``make()`` on first ``get``, once; ``make`` is dropped afterwards (its inputs are not held twice)."""

    def __init__(self, make: Callable[[], T], what: str) -> None:
        self._make: Callable[[], T] | None = make
        self._value: T | None = None
        self._lock = threading.Lock()
        self.what = what
        """What is computed, for the thread's name and the log."""

    def get(self) -> T:
        with self._lock:
            if self._value is None:
                assert self._make is not None
                self._value = self._make()
                self._make = None
            return self._value

    def warm(self) -> threading.Thread:
        """Compute it now on a background thread (speed only: else on first need)."""

        def run() -> None:
            try:
                self.get()
            except Exception as exc:  # noqa: BLE001  (the question that needs it computes it again)
                logger.warning("%s not computed ahead: %s", self.what, exc)

        thread = threading.Thread(target=run, name=f"persona-{self.what.replace(' ', '-')}", daemon=True)
        thread.start()
        return thread
