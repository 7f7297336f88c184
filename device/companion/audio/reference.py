"""What the speaker played, kept for the echo canceller (audio/echo.py).

``ReferenceTap`` wraps the speaker: every block it is given is also stored, resampled to
16 kHz, in a ``ReferenceBuffer`` indexed by the wall-clock time it is heard. Getting that time
right matters more than anything else for cancellation: a block that follows the previous one
without a pause plays seamlessly after it, whatever its write call's timing; after a pause
(the stream ran dry) it plays from when it is written.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from .base import CAPTURE_RATE, AudioSink
from .resampler import StreamResampler


class ReferenceBuffer:
    """What the speaker played, at 16 kHz, indexed by wall-clock sample number; thread-safe.

    Written by the playback thread, read by the event loop. A block is placed where it will
    really play: right after the previous block when the stream runs continuously (a blocking
    write returns long before its audio is heard), or at its write time after a gap.
    """

    def __init__(self, seconds: float = 10.0, rate: int = CAPTURE_RATE) -> None:
        self.rate = rate
        self._size = int(seconds * rate)
        self._ring = np.zeros(self._size, dtype=np.float32)
        self._origin: int | None = None  # wall sample index of the first sample ever stored
        self._segments: deque[int] = deque(maxlen=256)  # where playback restarted after a pause
        self._end = 0  # wall sample index just after the last stored sample
        self._lock = threading.Lock()

    SNAP_S = 0.02
    """A block starting this close after the previous one is taken to follow it seamlessly."""

    def add(self, pcm: np.ndarray, start_time: float, *, follows: bool = False) -> None:
        """Store ``pcm`` (16 kHz) that starts playing at ``start_time``, or right after the last
        block if it ``follows`` it (the stream had not run dry) or would overlap it."""
        if len(pcm) == 0:
            return
        with self._lock:
            start = int(round(start_time * self.rate))
            if self._origin is None:
                self._origin = self._end = start
            if follows or start < self._end + self.SNAP_S * self.rate:
                start = self._end
            if start > self._end or not self._segments:
                self._segments.append(start)
            self._fill(self._end, start, None)  # a gap: silence in between
            self._fill(start, start + len(pcm), pcm.astype(np.float32))
            self._end = start + len(pcm)

    def cut(self, at_time: float) -> None:
        """Forget everything after ``at_time``: playback was aborted, it will never be heard."""
        with self._lock:
            if self._origin is None:
                return
            at = max(int(round(at_time * self.rate)), self._origin)
            if at < self._end:
                self._fill(at, self._end, None)
                self._end = at

    def _fill(self, first: int, last: int, data: np.ndarray | None) -> None:
        if last <= first:
            return
        if last - first > self._size:  # only the newest part fits
            if data is not None:
                data = data[-self._size :]
            first = last - self._size
        idx = np.arange(first, last) % self._size
        self._ring[idx] = 0.0 if data is None else data

    def read(self, first: int, count: int) -> np.ndarray:
        """Samples ``first .. first + count`` (wall sample indices); zeros where nothing played."""
        out = np.zeros(count, dtype=np.float32)
        with self._lock:
            if self._origin is None:
                return out
            lo = max(first, self._origin, self._end - self._size)
            hi = min(first + count, self._end)
            if hi > lo:
                out[lo - first : hi - first] = self._ring[np.arange(lo, hi) % self._size]
        return out

    def any_sound(self, first: int, count: int) -> bool:
        """Whether anything was played in ``first .. first + count`` (cheap: no copy, for every block)."""
        with self._lock:
            if self._origin is None:
                return False
            lo = max(first, self._origin, self._end - self._size)
            hi = min(first + count, self._end)
            if hi <= lo:
                return False
            a, b = lo % self._size, hi % self._size
            if a < b:
                return bool(np.any(self._ring[a:b]))
            return bool(np.any(self._ring[a:])) or bool(np.any(self._ring[:b]))

    def last_restart(self, at_or_before: int) -> int | None:
        """The latest index <= ``at_or_before`` where playback (re)started after a pause."""
        with self._lock:
            for start in reversed(self._segments):
                if start <= at_or_before:
                    return start
        return None

    @property
    def end_time(self) -> float:
        """Wall time at which the last stored sample finishes playing."""
        with self._lock:
            return self._end / self.rate


class ReferenceTap:
    """An AudioSink wrapper: plays through ``sink`` and stores what it plays for the canceller."""

    PIECE_S = 0.25

    def __init__(self, sink: AudioSink, reference: ReferenceBuffer, clock: Callable[[], float] = time.monotonic):
        self.sink = sink
        self.reference = reference
        self._clock = clock
        self._rate = CAPTURE_RATE
        self._resampler = StreamResampler(CAPTURE_RATE, reference.rate)
        self.aborts: deque[float] = deque(maxlen=32)
        """When playback was aborted (barge-in, button, stop): for logs and measurements."""

    def begin(self, rate: int) -> None:
        self._rate = rate
        self._resampler = StreamResampler(rate, self.reference.rate)  # one per reply: carried state
        self.sink.begin(rate)

    def write(self, pcm: np.ndarray) -> None:
        # In pieces, so each is stamped when the stream takes it (a sentence can be 10 s long).
        piece = max(1, int(self.PIECE_S * self._rate))
        for start in range(0, len(pcm), piece):
            part = pcm[start : start + piece]
            ref = self._resampler.process(part)
            # Still audio in the stream's buffer: this piece plays right after the previous one.
            # Run dry (an underrun, or the first write): it plays from now. The buffer's depth is
            # only used as yes/no: its value jumps by whole device periods.
            ahead = self.sink.queued_s()
            if len(ref):
                self.reference.add(ref, self._clock(), follows=ahead is not None and ahead > 0.005)
            self.sink.write(part)

    def finish(self) -> None:
        tail = self._resampler.flush()  # the last samples, still in the filter, play right after
        if len(tail):
            self.reference.add(tail, self._clock(), follows=True)
        self.sink.finish()

    def abort(self) -> None:
        now = self._clock()
        self._resampler.reset()
        self.aborts.append(now)
        self.reference.cut(now)
        self.sink.abort()

    def queued_s(self) -> float | None:
        return self.sink.queued_s()

    def close(self) -> None:
        self.sink.close()
