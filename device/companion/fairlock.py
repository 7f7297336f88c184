"""A first-come, first-served lock, for a model several threads take turns with.

``threading.Lock`` is not fair: a thread that lets it go and takes it again at once (the persona's
word warm-up, a chunk at a time) can win over a thread that has been waiting (the crisis check of
a turn), again and again. With one multilingual model shared by both, the turn would wait for the
whole warm-up instead of one chunk. Here each caller takes a ticket and is served in order.
"""

from __future__ import annotations

import threading
from types import TracebackType


class FairLock:
    """A non-reentrant lock that serves waiting threads in the order they asked (a ticket lock)."""

    def __init__(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._next = 0
        self._serving = 0
        self._abandoned: set[int] = set()
        """Tickets whose thread stopped waiting (an exception while it waited): skipped."""

    @property
    def waiting(self) -> int:
        """Threads holding or waiting for the lock (for tests and logs)."""
        with self._changed:
            return self._next - self._serving - len(self._abandoned)

    def acquire(self) -> None:
        with self._changed:
            ticket = self._next
            self._next += 1
            try:
                self._changed.wait_for(lambda: self._serving == ticket)
            except BaseException:  # e.g. KeyboardInterrupt while waiting: never leave the queue stuck on us
                if self._serving == ticket:
                    self._advance()
                else:
                    self._abandoned.add(ticket)
                raise

    def release(self) -> None:
        with self._changed:
            if self._serving == self._next:
                raise RuntimeError("release of an unheld FairLock")
            self._advance()

    def _advance(self) -> None:
        self._serving += 1
        while self._serving in self._abandoned:
            self._abandoned.discard(self._serving)
            self._serving += 1
        self._changed.notify_all()

    def __enter__(self) -> FairLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()
