"""Keeps the audio devices alive: reopen on error or silence, with capped exponential back-off.

A USB microphone that is unplugged, a PortAudio stream that dies with an I/O error, or a mic
that suddenly delivers only exact zeros (a muted or half-dead device) must not kill the service,
and must not make systemd restart it in a loop. ``SupervisedSource`` wraps the real microphone
behind the same ``AudioSource`` interface: ``read()`` never ends because of the device; it logs
one line when the device is lost, a summary every few minutes while it stays lost and one line
when it is back (service/outage.py), reports a status, and reopens the device after 0.5 s, 1 s,
2 s ... up to a cap, until it works again. The watchdog follows the main loop (the heartbeat below), never the
mic itself.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np

from ..audio.base import CAPTURE_RATE, AudioSink, PlayoutListener, PlayoutReporter
from ..errors import AudioError
from ..events import AudioChunk
from .outage import OutageLog

logger = logging.getLogger(__name__)

STALL_TIMEOUT_S = 5.0
"""No block at all for this long means the stream is stuck (a live mic sends one every 30 ms)."""
BEAT_SLICE_S = 1.0
"""While waiting to retry, the heartbeat is still refreshed this often (waiting is progress)."""


class OpenableSource(Protocol):
    """A device source: opened with ``start()``, read until it fails, then closed."""

    def start(self) -> None: ...

    async def read(self) -> AudioChunk | None: ...

    def close(self) -> None: ...


class Backoff:
    """Capped exponential delays: first, 2*first, 4*first ... cap, cap, ..."""

    def __init__(self, first_s: float, cap_s: float) -> None:
        if not 0 < first_s <= cap_s:
            raise ValueError("need 0 < first_s <= cap_s")
        self.first_s = first_s
        self.cap_s = cap_s
        self.failures = 0

    def next_delay(self) -> float:
        delay = min(self.cap_s, self.first_s * (2 ** min(self.failures, 30)))
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0


def is_digital_silence(pcm: np.ndarray) -> bool:
    """Exact zeros: a real microphone always has a noise floor, even in a silent room."""
    return not np.any(pcm)


class SupervisedSource:
    """An AudioSource that survives its device: see the module docstring.

    ``open_source`` builds and starts a fresh device source (raising AudioError when it cannot);
    ``on_fault(reason)`` and ``on_recovered(outage_s)`` (also on the first real audio, with 0)
    report state changes (log, STATUS);
    ``on_interrupted()`` lets the pipeline drop a half-heard question; ``heartbeat()`` is called
    whenever the loop makes progress; ``rescan()`` re-enumerates devices after repeated failures.
    Chunks are re-stamped so timestamps keep rising across reopenings.
    """

    def __init__(
        self,
        open_source: Callable[[], OpenableSource],
        *,
        silence_s: float,
        backoff: Backoff,
        on_fault: Callable[[str], None] = lambda reason: None,
        on_recovered: Callable[[float], None] = lambda outage_s: None,
        on_interrupted: Callable[[], None] = lambda: None,
        heartbeat: Callable[[], None] = lambda: None,
        rescan: Callable[[], bool] | None = None,
        stall_timeout_s: float = STALL_TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic,
        outage: OutageLog | None = None,
    ) -> None:
        self._open_source = open_source
        self._silence_s = silence_s
        self._stall_s = min(stall_timeout_s, silence_s)
        self.backoff = backoff
        self._on_fault = on_fault
        self._on_recovered = on_recovered
        self._on_interrupted = on_interrupted
        self._heartbeat = heartbeat
        self._rescan = rescan
        self._source: OpenableSource | None = None
        self._closed = False
        self._wake: asyncio.Event | None = None
        self._zero_since: float | None = None
        self._clock = clock
        self.outage = outage if outage is not None else OutageLog("microphone", clock=clock)
        self._samples = 0
        self._proven = False  # the current device delivered real (non-zero) audio
        self.faults = 0
        self.reopens = 0
        self.last_outage_s: float | None = None

    @property
    def connected(self) -> bool:
        return self._source is not None

    def start(self) -> None:
        """Open the device now if possible; a failure is left to ``read`` to retry."""
        self._wake = asyncio.Event()
        try:
            self._source = self._open_source()
        except AudioError as exc:
            self._fault(f"cannot open the microphone: {exc.what}")

    async def read(self) -> AudioChunk | None:
        if self._wake is None:
            self._wake = asyncio.Event()
        while not self._closed:
            if self._source is None:
                await self._reopen()
                continue
            try:
                chunk = await asyncio.wait_for(self._source.read(), timeout=self._stall_s)
            except asyncio.TimeoutError:
                self._fault(f"no audio from the microphone for {self._stall_s:.0f} s")
                continue
            except AudioError as exc:
                self._fault(exc.what)
                continue
            if chunk is None:
                if not self._closed:
                    self._fault("the microphone stream ended")
                continue
            self._heartbeat()
            pcm = chunk.as_int16()
            if self._silent_too_long(pcm):
                self._fault(f"the microphone delivered only silence (zeros) for {self._silence_s:.0f} s")
                continue
            timestamp = self._samples / CAPTURE_RATE
            self._samples += len(pcm)
            return AudioChunk.from_int16(pcm, CAPTURE_RATE, timestamp)
        return None

    def _silent_too_long(self, pcm: np.ndarray) -> bool:
        now = self._clock()
        if not is_digital_silence(pcm):
            self._zero_since = None
            if not self._proven:
                self._proven = True
                self._recovered()
            return False
        if self._zero_since is None:
            self._zero_since = now
        return now - self._zero_since >= self._silence_s

    def _recovered(self) -> None:
        # Back-off restarts only once the device proved itself with real audio: a mic that
        # opens fine but then only sends zeros keeps backing off instead of flapping.
        self.backoff.reset()
        outage_s = self.outage.recovered()
        if outage_s is not None:
            self.last_outage_s = outage_s
        self._on_recovered(outage_s or 0.0)

    def _fault(self, reason: str) -> None:
        self.faults += 1
        if self.outage.lost(reason):
            self._on_interrupted()
        self._on_fault(reason)
        self._drop()

    def _drop(self) -> None:
        source, self._source = self._source, None
        self._zero_since = None
        self._proven = False
        if source is not None:
            try:
                source.close()
            except Exception as exc:  # a dead device may fail to close; it is gone either way
                logger.debug("closing the failed microphone: %s", exc)

    async def _reopen(self) -> None:
        delay = self.backoff.next_delay()
        if self.backoff.failures > 2 and self._rescan is not None and self._rescan():
            logger.debug("re-enumerated the sound devices")
        deadline = time.monotonic() + delay
        assert self._wake is not None
        while not self._closed and (remaining := deadline - time.monotonic()) > 0:
            self._heartbeat()  # waiting on purpose is progress: the watchdog must not fire
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=min(BEAT_SLICE_S, remaining))
            except asyncio.TimeoutError:
                pass
        if self._closed:
            return
        self._heartbeat()
        try:
            self._source = self._open_source()
        except AudioError as exc:
            self.outage.failed(exc.what)
            self._on_fault(exc.what)
            return
        self.reopens += 1
        logger.debug("microphone reopened (attempt %d)", self.backoff.failures)

    def close(self) -> None:
        """Idempotent; ``read`` returns None afterwards."""
        self._closed = True
        if self._wake is not None:
            self._wake.set()
        self._drop()


class SupervisedSink:
    """The speaker, built lazily and retried with a short back-off when it cannot be opened.

    The sink is opened per reply anyway, so a speaker that comes back is used by the next reply
    (a failed sink is rebuilt, which looks the device up again); this wrapper also rides out a
    brief glitch (a re-plug, a device busy for a moment) before the turn gives up. A speaker
    missing at start-up is therefore not fatal either.
    """

    def __init__(
        self,
        make_sink: Callable[[], AudioSink],
        *,
        attempts: int = 3,
        first_delay_s: float = 0.2,
        on_fault: Callable[[str], None] = lambda reason: None,
    ) -> None:
        self._make_sink = make_sink
        self._sink: AudioSink | None = None
        self._attempts = attempts
        self._first_delay_s = first_delay_s
        self._on_fault = on_fault
        self._aborted = threading.Event()
        self._playing = False

    @property
    def active(self) -> bool:
        """True while a reply is being played: from ``begin`` until ``finish`` (or the speaker failed)."""
        return self._playing

    def begin(self, rate: int) -> None:
        self._aborted.clear()
        backoff = Backoff(self._first_delay_s, self._first_delay_s * 2 ** max(0, self._attempts - 1))
        for attempt in range(1, self._attempts + 1):
            try:
                if self._sink is None:
                    self._sink = self._make_sink()
                self._sink.begin(rate)
                self._playing = True
                return
            except AudioError as exc:
                self._on_fault(exc.what)
                self._discard()
                if attempt == self._attempts or self._aborted.is_set():
                    raise
                logger.warning("%s; retrying (%d/%d)", exc.what, attempt, self._attempts - 1)
                self._aborted.wait(backoff.next_delay())

    def queued_s(self) -> float | None:
        """Seconds written but not yet played, if the speaker can tell (for echo cancellation)."""
        return self._sink.queued_s() if self._sink is not None else None

    def listen_playout(self, listener: PlayoutListener | None) -> bool:
        """Playback reports from the current speaker, if it gives them (ask again after ``begin``)."""
        return isinstance(self._sink, PlayoutReporter) and self._sink.listen_playout(listener)

    def write(self, pcm: np.ndarray) -> None:
        if self._sink is not None:
            try:
                self._sink.write(pcm)
            except AudioError as exc:
                self._on_fault(exc.what)
                self._discard()
                raise

    def finish(self) -> None:
        if self._sink is not None:
            try:
                self._sink.finish()
            except AudioError:
                self._discard()
                raise
            finally:
                self._playing = False

    def abort(self) -> None:
        self._aborted.set()
        if self._sink is not None:
            self._sink.abort()

    def _discard(self) -> None:
        self._playing = False
        sink, self._sink = self._sink, None
        if sink is not None:
            try:
                sink.close()
            except Exception as exc:  # a vanished device may fail to close
                logger.debug("closing the failed speaker: %s", exc)

    def close(self) -> None:
        self._aborted.set()
        self._discard()
