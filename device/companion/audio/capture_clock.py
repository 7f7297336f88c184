"""When a microphone block was captured, on the wall clock, not when the loop got round to it.

A chunk's ``timestamp`` counts the mic's own samples. On a loaded machine the event loop reads
blocks late and in bursts, so "now" says little about when a block was heard: a block read
just after a reply ended may hold the last words of that reply. The earliest any block arrived
after its last sample (over the last ``window_s``) is the mic's latency; the mapping uses it.
A block that reached us late was not captured late.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from ..events import AudioChunk

WINDOW_S = 2.0
"""How long a fast arrival is remembered (a reopened mic or lost samples are followed after this)."""


class CaptureClock:
    """Feed it every chunk as it is read; ``mic_time`` maps a wall-clock time onto the mic's clock."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, window_s: float = WINDOW_S) -> None:
        self._clock = clock
        self._window_s = window_s
        self._delays: deque[tuple[float, float]] = deque()  # (read at, read at minus mic time of the block's end)
        self._expected: float | None = None

    def observe(self, chunk: AudioChunk) -> None:
        now = self._clock()
        end = chunk.timestamp + chunk.duration
        if self._expected is not None and abs(chunk.timestamp - self._expected) > chunk.duration:
            self._delays.clear()  # the mic's clock restarted or jumped (a reopened device)
        self._expected = end
        delay = now - end
        while self._delays and self._delays[-1][1] >= delay:  # the window's minimum stays at the front
            self._delays.pop()
        self._delays.append((now, delay))
        while self._delays[0][0] < now - self._window_s:  # (the newest entry is never older)
            self._delays.popleft()

    def mic_time(self, wall: float) -> float | None:
        """The mic's time of a sample captured at ``wall`` (``clock``'s time); None before any chunk."""
        if not self._delays:
            return None
        return wall - self._delays[0][1]
