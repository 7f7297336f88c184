"""Try the home server within its time budget; on any failure, the local model answers.

Shared by the remote recogniser, synthesizer and persona engine so that all three fall back
the same way: one warning when the server first fails, the local model meanwhile, one line
when the server is back, and counters that `companion doctor` and the benchmark read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from .link import RemoteError, RemoteHealth, WyomingUri

T = TypeVar("T")


@dataclass
class RemoteStats:
    remote: int = 0
    local: int = 0
    fallback_s: list[float] = field(default_factory=list)
    """Seconds lost to the server before each fall-back (connect timeout, broken turn, deadline)."""


class RemoteStage:
    """The budget and the fall-back rule of one remote stage."""

    def __init__(self, stage: str, uri: WyomingUri, *, timeout_s: float, connect_timeout_s: float,
                 retry_after_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.stage = stage
        self.uri = uri
        self.timeout_s = timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.health = RemoteHealth(stage, uri, retry_after_s=retry_after_s, clock=clock)
        self.stats = RemoteStats()
        self._clock = clock

    def deadline(self) -> float:
        return time.monotonic() + self.timeout_s

    def run(self, remote: Callable[[], T], local: Callable[[], T]) -> T:
        """``remote()`` if the server is usable and answers in time, else ``local()``."""
        if self.health.should_try():
            t0 = time.perf_counter()
            try:
                result = remote()
            except RemoteError as exc:
                self.stats.fallback_s.append(time.perf_counter() - t0)
                self.health.failed(exc)
            else:
                self.health.succeeded()
                self.stats.remote += 1
                return result
        self.stats.local += 1
        return local()
