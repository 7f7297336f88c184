"""A first-come, first-served lock, for a model several threads take turns with.

``threading.Lock`` is not fair: a thread that lets it go and takes it again at once (the persona's
word warm-up, a chunk at a time) can win over a thread that has been waiting (the crisis check of
a turn), again and again. With one multilingual model shared by both, the turn would wait for the
whole warm-up instead of one chunk. Here waiting threads are served in the order they asked, and
work marked ``background()`` (the warm-up: speed only) gives way to any other thread waiting, so a
turn waits at most for the chunk already running.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

_local = threading.local()


@contextmanager
def background() -> Iterator[None]:
    """Locks this thread takes inside the block give way to threads not in such a block."""
    before = getattr(_local, "background", False)
    _local.background = True
    try:
        yield
    finally:
        _local.background = before


class FairLock:
    """A non-reentrant lock that serves waiting threads in the order they asked, background work last."""

    def __init__(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._held = False
        self._queues: tuple[deque[object], deque[object]] = (deque(), deque())
        """Waiting callers, in order: (foreground, background)."""

    @property
    def waiting(self) -> int:
        """Threads holding or waiting for the lock (for tests and logs)."""
        with self._changed:
            return self._count()

    def _count(self) -> int:
        return int(self._held) + sum(len(queue) for queue in self._queues)

    def wait_for_waiting(self, count: int, timeout: float) -> bool:
        """Block until ``count`` threads hold or wait for the lock (False after ``timeout`` s): lets
        a test order its threads by the lock's own state instead of polling it."""
        with self._changed:
            return self._changed.wait_for(lambda: self._count() == count, timeout)

    def _first(self) -> object | None:
        foreground, later = self._queues
        return foreground[0] if foreground else later[0] if later else None

    def acquire(self) -> None:
        token, queue = object(), self._queues[1 if getattr(_local, "background", False) else 0]
        with self._changed:
            queue.append(token)
            self._changed.notify_all()  # the count changed (wait_for_waiting); waiters re-check and sleep on
            try:
                self._changed.wait_for(lambda: not self._held and self._first() is token)
            except BaseException:  # e.g. KeyboardInterrupt while waiting: leave the queue, let the next go
                queue.remove(token)
                self._changed.notify_all()
                raise
            queue.popleft()
            self._held = True

    def release(self) -> None:
        with self._changed:
            if not self._held:
                raise RuntimeError("release of an unheld FairLock")
            self._held = False
            self._changed.notify_all()

    def __enter__(self) -> FairLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()
