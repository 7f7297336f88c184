"""A microphone and a speaker that keep wall-clock time, so the bench measures what a person waits.

``PacedSource`` plays a script of spoken questions like a live microphone: 30 ms blocks at the
pace of speech (block k is available at start + (k+1) x 30 ms, never earlier; a slow reader gets
the backlog at once, as from the sound card's queue), low background noise before, under and
after each question, and trailing noise until the turn is over. It stamps the moment the block
holding the question's last speech sample became available: the true end of speech.

``PacedSink`` plays like a speaker: ``write`` returns once the audio has played, and it records
when each write started playing and when its first non-silent sample played.

Both take a clock (and a sleep) so the timing logic is unit-tested with a fake clock.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..audio.base import CAPTURE_RATE
from ..errors import CompanionError
from ..events import AudioChunk
from .questions import SPEECH_THRESHOLD

logger = logging.getLogger(__name__)

NOISE_RMS = 30.0
"""Background noise (about -61 dBFS): a quiet room, well below the VAD's trigger and the speech threshold."""


class BenchError(CompanionError):
    """The bench could not measure a turn."""


class Question(Protocol):
    @property
    def pcm(self) -> np.ndarray: ...

    @property
    def speech_end(self) -> int: ...


@dataclass
class QuestionTiming:
    """What the paced microphone saw of one question (perf_counter seconds)."""

    index: int
    speech_end: float | None = None
    """When the block holding the last speech sample was available (a live mic's delivery time)."""
    delivered: float | None = None
    """When the pipeline actually took that block (later than ``speech_end`` if it fell behind)."""
    turns: int = 0
    """Turns the pipeline finished while this question was current (1 unless the endpointer cut it)."""
    missed: bool = False
    """No turn came within the wait limit (the endpointer never heard the question)."""


class BlockClock:
    """Wall-clock pace for a microphone: block k is available at start + (k + 1) x block length."""

    def __init__(
        self, block_s: float, *, clock: Callable[[], float], sleep: Callable[[float], Awaitable[None]]
    ) -> None:
        self.block_s = block_s
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None

    async def next_block(self) -> float:
        """Wait until the next block is available (not at all when behind); returns that moment."""
        if self._next is None:
            self._next = self._clock() + self.block_s
        wait = self._next - self._clock()
        if wait > 0:
            await self._sleep(wait)
        available, self._next = self._next, self._next + self.block_s
        return available

    def catch_up(self) -> None:
        """Drop a backlog: the next block is recorded from now on."""
        now = self._clock()
        if self._next is not None and self._next < now:
            self._next = now + self.block_s


class PacedSource:
    """An AudioSource that speaks ``questions`` one after another at real-time pace."""

    def __init__(
        self,
        questions: Sequence[Question],
        *,
        block_ms: int = 30,
        lead_in_s: float = 0.5,
        noise_rms: float = NOISE_RMS,
        max_wait_s: float = 60.0,
        seed: int = 0,
        ready: Callable[[], bool] = lambda: True,
        before_question: Callable[[int], None] = lambda index: None,
        clock: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """``ready``: the pipeline can take a new question (no turn under way); ``before_question``
        is called as each question's lead-in starts (e.g. to press the button when idle)."""
        self._questions = list(questions)
        self._block = CAPTURE_RATE * block_ms // 1000
        self._block_s = self._block / CAPTURE_RATE
        self._lead_in = int(lead_in_s * CAPTURE_RATE)
        self._noise_rms = noise_rms
        self._max_wait_blocks = int(max_wait_s / self._block_s)
        self._rng = np.random.default_rng(seed)
        self._ready = ready
        self._before_question = before_question
        self._clock = clock
        self._pace = BlockClock(self._block_s, clock=clock, sleep=sleep)
        self.timings: list[QuestionTiming] = []
        self._buffer = np.zeros(0, dtype=np.int16)
        self._pos = 0
        self._end_at = -1  # index in _buffer of the current question's last speech sample
        self._trailing = 0  # blocks of noise sent after the current question's audio
        self._sent = 0  # samples delivered since the stream started
        self._closed = False

    @property
    def current(self) -> QuestionTiming | None:
        return self.timings[-1] if self.timings else None

    def turn_over(self) -> None:
        """The pipeline finished a turn (call from the pipeline's on_turn)."""
        if self.current is not None:
            self.current.turns += 1

    def close(self) -> None:
        self._closed = True

    def _noise(self, samples: int) -> np.ndarray:
        return self._rng.normal(0.0, self._noise_rms, samples)

    def _advance(self) -> bool:
        """Start the next question's lead-in; False when the script is over."""
        index = len(self.timings)
        if index >= len(self._questions):
            return False
        question = self._questions[index]
        speech = question.pcm.astype(np.float64) + self._noise(len(question.pcm))
        self._buffer = np.clip(np.concatenate([self._noise(self._lead_in), speech]), -32768, 32767).astype(np.int16)
        self._pos = 0
        self._end_at = self._lead_in + int(question.speech_end)
        self._trailing = 0
        self.timings.append(QuestionTiming(index=index))
        self._pace.catch_up()  # a new question starts on time, not in a backlog
        self._before_question(index)
        return True

    def _question_done(self) -> bool:
        current = self.current
        if current is None or self._pos < len(self._buffer):
            return current is None
        if current.turns > 0 and self._ready():
            return True
        if self._trailing >= self._max_wait_blocks:
            if self._ready():
                logger.warning("bench question %d got no turn within the wait limit", current.index)
                current.missed = True
                return True
            if self._trailing >= 5 * self._max_wait_blocks:
                raise BenchError(f"a turn did not finish within {5 * self._max_wait_blocks * self._block_s:.0f} s",
                                 where=f"bench question {current.index + 1}")
        return False

    async def read(self) -> AudioChunk | None:
        if self._closed:
            return None
        if self._question_done() and not self._advance():
            return None
        available = await self._pace.next_block()
        if self._pos < len(self._buffer):
            block = self._buffer[self._pos : self._pos + self._block]
            if self._pos <= self._end_at < self._pos + self._block:
                current = self.current
                assert current is not None
                current.speech_end, current.delivered = available, self._clock()
            self._pos += len(block)
            if len(block) < self._block:
                block = np.concatenate([block, self._noise(self._block - len(block)).astype(np.int16)])
        else:
            block = np.clip(self._noise(self._block), -32768, 32767).astype(np.int16)
            self._trailing += 1
        chunk = AudioChunk.from_int16(block, CAPTURE_RATE, timestamp=self._sent / CAPTURE_RATE)
        self._sent += self._block
        return chunk


class PacedNoise:
    """An AudioSource of ``seconds`` of background noise at real-time pace (the idle listening loop)."""

    def __init__(
        self,
        seconds: float,
        *,
        block_ms: int = 30,
        noise_rms: float = NOISE_RMS,
        seed: int = 1,
        clock: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._block = CAPTURE_RATE * block_ms // 1000
        self._blocks = int(round(seconds * CAPTURE_RATE / self._block))
        self._pace = BlockClock(self._block / CAPTURE_RATE, clock=clock, sleep=sleep)
        self._noise_rms = noise_rms
        self._rng = np.random.default_rng(seed)
        self._sent = 0
        self._closed = False

    async def read(self) -> AudioChunk | None:
        if self._closed or self._sent >= self._blocks:
            return None
        await self._pace.next_block()
        block = np.clip(self._rng.normal(0.0, self._noise_rms, self._block), -32768, 32767).astype(np.int16)
        self._sent += 1
        return AudioChunk.from_int16(block, CAPTURE_RATE, timestamp=(self._sent - 1) * self._block / CAPTURE_RATE)

    def close(self) -> None:
        self._closed = True


@dataclass(frozen=True)
class PlayedWrite:
    """One ``write`` to the paced speaker (perf_counter seconds)."""

    start: float
    """When its first sample played."""
    samples: int
    first_sound: float | None
    """When its first sample louder than the threshold played; None for silence."""


class PacedSink:
    """An AudioSink that takes as long as the audio lasts, and notes when sound came out."""

    def __init__(
        self,
        *,
        threshold: int = SPEECH_THRESHOLD,
        clock: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.rate = 0
        self._threshold = threshold
        self._clock = clock
        self._stopped = threading.Event()
        self._sleep = sleep or (lambda seconds: self._stopped.wait(seconds) and None)
        self._play_end = 0.0
        self._writes: list[PlayedWrite] = []
        self._lock = threading.Lock()

    def begin(self, rate: int) -> None:
        self.rate = rate
        self._stopped.clear()

    def write(self, pcm: np.ndarray) -> None:
        if self._stopped.is_set() or not self.rate or len(pcm) == 0:
            return
        start = max(self._clock(), self._play_end)
        loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > self._threshold)
        first_sound = start + loud[0] / self.rate if len(loud) else None
        self._play_end = start + len(pcm) / self.rate
        with self._lock:
            self._writes.append(PlayedWrite(start=start, samples=len(pcm), first_sound=first_sound))
        self._wait_until(self._play_end)

    def _wait_until(self, moment: float) -> None:
        remaining = moment - self._clock()
        if remaining > 0 and not self._stopped.is_set():
            self._sleep(remaining)

    def finish(self) -> None:
        self._wait_until(self._play_end)

    def abort(self) -> None:
        self._stopped.set()
        self._play_end = self._clock()

    def close(self) -> None:
        self.abort()

    def queued_s(self) -> float | None:
        return None  # each write returns once it has "played": nothing is ever queued ahead

    def take_writes(self) -> list[PlayedWrite]:
        """What was played since the last call (one turn's audio)."""
        with self._lock:
            writes, self._writes = self._writes, []
        return writes


def first_sound(writes: Sequence[PlayedWrite], *, not_before: float | None = None) -> float | None:
    """When the first non-silent sample played, optionally among writes started at ``not_before`` or later.

    A turn stamps the moment it hands audio to the sink just before the write call; 2 ms of
    slack keep that write even when the stamp and the sink's clock reading straddle it.
    """
    for write in writes:
        if not_before is not None and write.start < not_before - 0.002:
            continue
        if write.first_sound is not None:
            return write.first_sound
    return None
