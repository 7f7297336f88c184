"""Barge-in by voice: is the user really speaking over the reply, or is it the device's own echo?

While the device thinks or speaks, every microphone block goes through the echo canceller and
then these tests, per VAD frame of the echo-cancelled residual:

- the VAD hears speech in the residual;
- the canceller is converged and its timing checked, or the device is silent: nothing
  played for 2 s (audio/echo.py AUDIBLE_S), whatever delay the canceller found (the first second
  of the very first reply, the delay plus ~0.3 s after each pause in the playback, a delay
  found wrong until it is found again, and up to 2 s after the mic lost samples (a reopened
  device), are never an interruption: the button still is);
- the microphone holds clearly more (4 dB) than the echo to expect from what is playing (path
  gain x reference power): leftover echo never does, however badly the filter is doing;
- the residual is louder than the leftover echo can be: above the subtracted echo estimate
  minus the canceller's measured ERLE, by ``echo_margin_db``.

Such frames must add up to ``min_speech_s`` within a short window (a cough or a door is not a
question). The monitor then hands back the cleaned audio from just before the user started,
so the pipeline can listen on from there and the interrupting words become the next question.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..audio.base import AudioSink
from ..audio.echo import EchoCanceller, ReferenceBuffer
from ..config import BargeInSettings
from ..events import AudioChunk
from ..vad.base import VoiceActivityDetector

logger = logging.getLogger(__name__)

NOISE_FLOOR = 1e4
"""Residual power (int16 units squared, ~-50 dBFS) below which a frame is never speech."""
CLOCK_DRIFT = 2e-4
"""How fast the mic-clock-to-wall-clock offset may creep up (sound card clocks drift ~0.01 %)."""
CLOCK_WINDOW_S = 2.0
CLOCK_JUMP_S = 0.03
"""If every block of the last CLOCK_WINDOW_S arrived this much later than the mapping says, the
mic lost samples (an input overflow): the mapping jumps to the new floor."""
CLOCK_UNSURE_S = 0.1
"""A block arriving this much later than the mapping says leaves the echo's timing unknown
(the canceller copes with tens of ms): no interruption by voice until the mapping is sure."""
ECHO_EXCESS = 2.5
"""The mic must hold this much more power (4 dB) than the echo to expect from what is playing:
leftover echo never does, however badly the filter is doing at that moment."""
PRE_ROLL_S = 0.3
"""Audio kept from before the first interrupting frame (the first syllable's onset)."""


@dataclass
class BargeInStats:
    audio_s: float = 0.0
    cpu_s: float = 0.0
    speech_frames: int = 0
    interruptions: int = 0

    def to_dict(self) -> dict[str, float]:
        return {
            "audio_s": round(self.audio_s, 3),
            "cpu_per_audio_s": round(self.cpu_s / self.audio_s, 6) if self.audio_s else 0.0,
            "speech_frames": self.speech_frames,
            "interruptions": self.interruptions,
        }


class BargeInMonitor:
    """Feed it the microphone while the device speaks; ``process`` returns audio on an interruption."""

    def __init__(
        self,
        canceller: EchoCanceller,
        vad: VoiceActivityDetector,
        *,
        min_speech_s: float = 0.3,
        echo_margin_db: float = 8.0,
        rate: int = 16000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.canceller = canceller
        self.vad = vad
        self.rate = rate
        self.echo_margin_db = echo_margin_db
        self.stats = BargeInStats()
        self._clock = clock
        frame_s = vad.frame_samples / rate
        self._needed = max(1, math.ceil(min_speech_s / frame_s - 1e-9))
        flags = self._needed + max(2, math.ceil(0.3 / frame_s))  # syllable gaps
        self._flags: deque[bool] = deque(maxlen=flags)
        # The cleaned audio of the last ~1.5 s, with each frame's verdict, for the replay.
        self._ring: deque[tuple[np.ndarray, bool]] = deque(
            maxlen=flags + math.ceil((0.6 + PRE_ROLL_S) / frame_s) + 1
        )
        self._pre_frames = math.ceil(PRE_ROLL_S / frame_s)
        self._arrivals: deque[tuple[float, float]] = deque()  # (wall time, arrival minus mic time)
        self._offset: float | None = None  # wall time minus mic time: the floor of the arrival delays
        self._offset_at = 0.0
        self._episode_start = True
        self._timing_unsure = False
        self._expected: float | None = None
        self._pending = np.zeros(0, dtype=np.int16)
        self._pending_echo = np.zeros(0, dtype=np.float32)
        self._pending_mic = np.zeros(0, dtype=np.int16)
        self._pending_expected = np.zeros(0, dtype=np.float32)

    def _new_episode(self) -> None:
        self._episode_start = True
        self._flags.clear()
        self._ring.clear()
        self._pending = np.zeros(0, dtype=np.int16)
        self._pending_echo = np.zeros(0, dtype=np.float32)
        self._pending_mic = np.zeros(0, dtype=np.int16)
        self._pending_expected = np.zeros(0, dtype=np.float32)

    def _capture_time(self, chunk: AudioChunk) -> float:
        """Wall-clock time of the chunk's first sample.

        The sound card's word when the source has it (``AudioChunk.captured_at``). Else the
        mic's own clock (samples counted) is mapped onto the wall clock by the smallest arrival
        delay seen: a block that reached us late was not captured late. (That guess fails on a
        loop that stays late for seconds: the floor then jumps and the echo seems to move.)
        """
        if chunk.captured_at is not None:
            self._timing_unsure = False
            self._episode_start = False
            return chunk.captured_at
        now = self._clock()
        observed = now - (chunk.timestamp + chunk.duration)
        while self._arrivals and (self._arrivals[0][0] < now - CLOCK_WINDOW_S or self._arrivals[-1][1] >= observed):
            if self._arrivals[-1][1] >= observed:  # keep the window's minimum at the front
                self._arrivals.pop()
            else:
                self._arrivals.popleft()
        self._arrivals.append((now, observed))
        window_floor = self._arrivals[0][1]
        if self._offset is None or window_floor > self._offset + CLOCK_JUMP_S:
            self._offset = window_floor
        elif self._episode_start:  # let the floor rise with clock drift between replies, never
            self._offset += CLOCK_DRIFT * max(0.0, now - self._offset_at)  # within one (jitter)
            self._offset = min(self._offset, observed)
        else:
            self._offset = min(self._offset, observed)
        self._episode_start = False
        self._offset_at = now
        # Far above the floor: a stalled loop, or samples the mic lost (a reopened device is
        # stamped on as if nothing was lost). Until the floor follows (CLOCK_WINDOW_S) the echo
        # would be matched with the wrong stretch of playback: a pause there makes the echo
        # look like a voice. So the monitor is unarmed meanwhile, as after a playback restart.
        self._timing_unsure = observed > self._offset + CLOCK_UNSURE_S
        return chunk.timestamp + self._offset

    def _is_user(self, mic: np.ndarray, residual: np.ndarray, echo: np.ndarray, expected: float,
                 reference_active: bool, aligned: bool) -> bool:
        p_res = float(np.mean(np.square(residual, dtype=np.float64)))
        if p_res < NOISE_FLOOR or not self.vad.is_speech(residual):
            return False
        if reference_active and not (self.canceller.converged and aligned):
            return False  # unarmed: the echo cannot be told from a voice yet (or for ~0.3 s after a pause)
        p_echo = float(np.mean(np.square(echo, dtype=np.float64)))
        if p_echo < NOISE_FLOOR and expected < NOISE_FLOOR:
            return True  # nothing of the device's voice can be in the mic
        p_mic = float(np.mean(np.square(mic, dtype=np.float64)))
        if p_mic < ECHO_EXCESS * expected:
            return False  # no more in the mic than the device's own echo
        erle = min(max(self.canceller.erle_db, 0.0), 40.0)
        return 10.0 * math.log10(p_res / max(p_echo, 1.0)) > self.echo_margin_db - erle

    def process(self, chunk: AudioChunk) -> AudioChunk | None:
        """Cancel the echo in one mic block; the audio to listen to if the user interrupted, else None."""
        t = time.thread_time()
        try:
            return self._process(chunk)
        finally:
            self.stats.cpu_s += time.thread_time() - t
            self.stats.audio_s += chunk.duration

    def _process(self, chunk: AudioChunk) -> AudioChunk | None:
        if self._expected is None or abs(chunk.timestamp - self._expected) > 1.5 * chunk.duration:
            self._new_episode()  # a new reply (the mic went elsewhere in between)
        self._expected = chunk.timestamp + chunk.duration
        mic = chunk.as_int16()
        result = self.canceller.process(mic, self._capture_time(chunk))
        residual = np.concatenate([self._pending, result.residual])
        echo = np.concatenate([self._pending_echo, result.echo])
        raw = np.concatenate([self._pending_mic, mic])
        expected = result.expected if result.expected is not None else np.zeros(len(mic), np.float32)
        expected = np.concatenate([self._pending_expected, expected])
        size = self.vad.frame_samples
        usable = len(residual) - len(residual) % size
        self._pending, self._pending_echo = residual[usable:], echo[usable:]
        self._pending_mic, self._pending_expected = raw[usable:], expected[usable:]
        for offset in range(0, usable, size):
            frame = residual[offset : offset + size]
            span = slice(offset, offset + size)
            user = self._is_user(raw[span], frame, echo[span], float(np.mean(expected[span])),
                                 result.reference_active, result.aligned) and not self._timing_unsure
            self.stats.speech_frames += user
            self._flags.append(user)
            self._ring.append((frame, user))
        if sum(self._flags) < self._needed:
            return None
        # Replay from a little before the first frame of the user's voice still remembered.
        ring = list(self._ring)
        onset = next(i for i, (_, user) in enumerate(ring) if user)
        replay = np.concatenate([*(frame for frame, _ in ring[max(0, onset - self._pre_frames) :]), self._pending])
        self.stats.interruptions += 1
        logger.info("the user spoke over the reply (ERLE %.0f dB)", self.canceller.erle_db)
        self._new_episode()
        end = chunk.timestamp + chunk.duration
        return AudioChunk.from_int16(replay, self.rate, timestamp=max(0.0, end - len(replay) / self.rate))


def build_barge_in(
    settings: BargeInSettings, sink: AudioSink, *, frame_ms: int, aggressiveness: int
) -> tuple[AudioSink, BargeInMonitor | None]:
    """The speaker (tapped for the canceller when one is used) and the monitor, or None (mic gated)."""
    if not settings.active:
        return sink, None
    from ..audio.echo import PassThroughCanceller, ReferenceTap
    from ..vad.webrtc import WebRtcVad

    canceller: EchoCanceller
    if settings.canceller in ("webrtc", "nlms"):
        reference = ReferenceBuffer()
        canceller = _canceller(settings, reference)
        sink = ReferenceTap(sink, reference)
    else:  # a headset: nothing to cancel
        canceller = PassThroughCanceller()
    vad = WebRtcVad(aggressiveness, frame_ms=frame_ms)
    monitor = BargeInMonitor(canceller, vad, min_speech_s=settings.min_speech_s, echo_margin_db=settings.echo_margin_db)
    return sink, monitor


def _canceller(settings: BargeInSettings, reference: ReferenceBuffer) -> EchoCanceller:
    """The configured echo canceller; the built-in one, with one log line, if WebRTC's is missing."""
    from ..audio.echo import NlmsEchoCanceller

    if settings.canceller == "webrtc":
        try:
            from ..audio.echo_webrtc import WebRtcEchoCanceller

            return WebRtcEchoCanceller(reference, max_delay_s=settings.max_echo_delay_s)
        except ImportError as exc:
            logger.warning("barge_in.canceller = \"webrtc\" but the WebRTC audio processing package is not "
                           "installed (%s): using the built-in canceller; `pip install pywebrtc-audio` or set "
                           "canceller = \"nlms\"", exc)
    return NlmsEchoCanceller(reference, max_delay_s=settings.max_echo_delay_s, filter_s=settings.filter_s)
