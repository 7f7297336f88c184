"""What the speaker played, kept for the echo canceller (audio/echo.py).

``ReferenceTap`` wraps the speaker: every block it is given is also stored, resampled to
16 kHz, in a ``ReferenceBuffer`` indexed by the wall-clock time it is heard. Getting that time
right matters more than anything else for cancellation. A speaker that can tell when the next
sample written will be heard (``AudioSink.queued_s``: the sound card's own clock, see
audio/sounddevice_io.py) is believed: a block heard within ``SNAP_S`` of the previous one's end
follows it seamlessly, anywhere else it starts a new segment (the stream ran dry, or the sound
server fell behind), and if the sink's answer moved while the block was being written (a
stall opened a gap right then) the block is moved to where it really plays. A sink that
cannot tell (None) gets the old guess: a block plays at its write time, or right after the
previous one if that is still playing.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from .base import CAPTURE_RATE, AudioSink, PlayoutReporter
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

    def add(self, pcm: np.ndarray, start_time: float, *, follows: bool = False, exact: bool = False) -> None:
        """Store ``pcm`` (16 kHz) that starts playing at ``start_time``, or right after the last
        block if it ``follows`` it (the stream had not run dry) or would overlap it.

        ``exact``: ``start_time`` is the speaker's own word. Within ``SNAP_S`` of the last
        block's end it follows that block (the word's jitter); else a new segment starts there,
        also earlier than the last block's end (which was then stored too late: cut)."""
        if len(pcm) == 0:
            return
        with self._lock:
            start = int(round(start_time * self.rate))
            if self._origin is None:
                self._origin = self._end = start
            snap = self.SNAP_S * self.rate
            if exact and start < self._end - snap:
                start = max(start, self._origin)
                self._fill(start, self._end, None)
                self._end = start
                while self._segments and self._segments[-1] > start:
                    self._segments.pop()
                self._segments.append(start)
            elif follows or start < self._end + snap:
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
    """An AudioSink wrapper: plays through ``sink`` and stores what it plays for the canceller.

    A sink that reports playback as it happens (``PlayoutReporter``: the sound card's callback)
    places the reference: each stretch is stored when the card takes it, at the time the card
    says it is heard, so the reference follows what was really played, also when the callback
    ran late and the card played silence in between. Other sinks get the write-time prediction.
    """

    PIECE_S = 0.25

    def __init__(self, sink: AudioSink, reference: ReferenceBuffer, clock: Callable[[], float] = time.monotonic):
        self.sink = sink
        self.reference = reference
        self._clock = clock
        self._rate = CAPTURE_RATE
        self._resampler = StreamResampler(CAPTURE_RATE, reference.rate)
        self._fed = self._made = 0  # samples into the resampler (at the reply's rate) and out of it
        self._aborted = False
        self._reported = False  # the sink reports playback: the reference is placed by it
        self._report_lock = threading.Lock()
        self._unplaced = np.zeros(0, dtype=np.float32)  # reference samples the card has not taken yet
        self._unplaced_at = 0  # their first sample's index in the reply (reference rate)
        self._reports: deque[tuple[int, int, float]] = deque(maxlen=1024)  # (first, end, heard at)
        self.aborts: deque[float] = deque(maxlen=32)
        """When playback was aborted (barge-in, button, stop): for logs and measurements."""

    def begin(self, rate: int) -> None:
        self._rate = rate
        self._resampler = StreamResampler(rate, self.reference.rate)  # one per reply: carried state
        self._fed = self._made = 0
        with self._report_lock:
            self._aborted = False
            self._unplaced = np.zeros(0, dtype=np.float32)
            self._unplaced_at = 0
            self._reports.clear()
        self.sink.begin(rate)
        self._reported = isinstance(self.sink, PlayoutReporter) and self.sink.listen_playout(self._played)

    def _played(self, position_s: float, duration_s: float, heard_at: float) -> None:
        """The sink's report (its callback's thread): that stretch of the reply is heard from ``heard_at``."""
        rate = self.reference.rate
        with self._report_lock:
            if self._aborted:
                return
            self._reports.append((round(position_s * rate), round((position_s + duration_s) * rate), heard_at))
            self._place()

    def _hold(self, ref: np.ndarray) -> None:
        """Keep ``ref`` (the next reference samples of the reply) until the card reports taking them."""
        with self._report_lock:
            if self._aborted:
                return
            self._unplaced = np.concatenate([self._unplaced, ref.astype(np.float32)])
            self._place()

    def _place(self) -> None:
        """Store what the reports cover, where they say it is heard (holding ``_report_lock``)."""
        rate = self.reference.rate
        while self._reports and len(self._unplaced):
            first, end, heard_at = self._reports[0]
            if end <= self._unplaced_at:
                self._reports.popleft()
                continue
            start = max(first, self._unplaced_at)
            if start > self._unplaced_at:  # (rounding) samples no report covers: not heard
                self._unplaced = self._unplaced[start - self._unplaced_at :]
                self._unplaced_at = start
            count = min(end - start, len(self._unplaced))
            self.reference.add(self._unplaced[:count], heard_at + (start - first) / rate, exact=True)
            self._unplaced = self._unplaced[count:]
            self._unplaced_at += count
            if self._unplaced_at >= end:
                self._reports.popleft()

    def _lag(self) -> float:
        """How far the resampler's output runs behind its input, in seconds: it gives its output
        in bursts (soxr: 3779 or 4319 samples for every 5512 in), so a stored piece starts
        earlier in the reply than the piece written with it, by this much."""
        return self._fed / self._rate - self._made / self.reference.rate

    def write(self, pcm: np.ndarray) -> None:
        # In pieces, so each is stamped when the stream takes it (a sentence can be 10 s long).
        piece = max(1, int(self.PIECE_S * self._rate))
        for start in range(0, len(pcm), piece):
            if self._aborted:  # the rest of the sentence is never played: not stored either
                break
            part = pcm[start : start + piece]
            lag = self._lag()
            ref = self._resampler.process(part)
            self._fed += len(part)
            self._made += len(ref)
            if self._reported:  # placed when the card takes it (``_played``)
                self._hold(ref)
                self.sink.write(part)
                continue
            ahead = self.sink.queued_s()
            if ahead is None:  # the sink cannot tell: heard from now, or after what still plays
                if len(ref):
                    self.reference.add(ref, self._clock())
                self.sink.write(part)
                continue
            if not len(ref):
                self.sink.write(part)
                continue
            self.reference.add(ref, self._clock() + ahead - lag, exact=True)
            stored_end = self.reference.end_time
            self.sink.write(part)
            # Where the sink now says the piece ends: a stall between asking and writing let the
            # stream run dry, and the piece plays later than stored (then it is moved there).
            # Only while the piece can still be waiting whole (else this is the later stall).
            after = self.sink.queued_s()
            if after is not None and after >= len(part) / self._rate:
                ends = self._clock() + after - self._lag()  # where the stored audio ends
                if ends - stored_end > self.reference.SNAP_S:
                    self.reference.cut(stored_end - len(ref) / self.reference.rate)
                    self.reference.add(ref, ends - len(ref) / self.reference.rate, exact=True)
        if self._aborted and self.aborts:  # aborted while a piece was being stored: forget it again
            self.reference.cut(self.aborts[-1])

    def finish(self) -> None:
        tail = self._resampler.flush()  # the last samples, still in the filter, play right after
        if self._reported:
            self._hold(tail)
        elif len(tail):
            self.reference.add(tail, self._clock(), follows=True)
        self.sink.finish()
        if self._reported:  # everything was played (and reported): the next reply asks again
            assert isinstance(self.sink, PlayoutReporter)
            self.sink.listen_playout(None)
            self._reported = False

    def abort(self) -> None:
        with self._report_lock:  # a report racing the abort is dropped: the card drops that audio
            self._aborted = True
            self._unplaced = np.zeros(0, dtype=np.float32)
            self._reports.clear()
        now = self._clock()
        self._resampler.reset()
        self._fed = self._made = 0
        self.aborts.append(now)
        self.reference.cut(now)
        self.sink.abort()

    def queued_s(self) -> float | None:
        return self.sink.queued_s()

    def close(self) -> None:
        self.sink.close()
