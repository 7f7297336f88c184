"""Endpointing: decides where a spoken question starts and ends, from per-frame VAD flags.

Pure logic (no audio library), so every rule is unit-tested:
- a pre-roll ring keeps the audio just before speech started, so the first syllable survives;
- speech starts once the voiced frames in a short window reach the trigger level, which
  ignores clicks and single false positives;
- speech ends after ``hangover`` of continuous silence, or is cut at the maximum length; a short
  turn ("yes", "what was her name?") may use a shorter hangover, since short questions rarely
  hold a thinking pause and every 100 ms of hangover is 100 ms the person waits;
- optionally, a SpeechPaused event after a brief silence lets transcription start before the
  hangover is over (speculative ASR);
- if nobody starts speaking within the no-speech timeout, the turn is abandoned.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import Enum

import numpy as np

from ..config import VadSettings
from ..events import SpeechEnded, SpeechPaused, SpeechStarted


class EndpointState(Enum):
    WAITING = "waiting"
    IN_SPEECH = "in_speech"
    DONE = "done"


@dataclass(frozen=True)
class NoSpeech:
    """Nobody spoke within the timeout."""

    timestamp: float


class Endpointer:
    """Feed frames in order; ``feed`` returns an event when something happens."""

    def __init__(
        self,
        settings: VadSettings,
        *,
        frame_samples: int,
        rate: int = 16000,
        short_turn: tuple[float, float] | None = None,
        pause_after_s: float | None = None,
    ) -> None:
        """``short_turn`` = (speech shorter than, hangover to use); ``pause_after_s`` enables SpeechPaused."""
        self.rate = rate
        self.frame_samples = frame_samples
        frame_s = frame_samples / rate
        self.frame_s = frame_s
        self._trigger_frames = max(1, math.ceil(settings.trigger_s / frame_s - 1e-9))
        self._window = max(self._trigger_frames + 2, 2 * self._trigger_frames)
        self._hangover_frames = max(1, math.ceil(settings.hangover_s / frame_s - 1e-9))
        self._short_turn_frames = 0
        self._short_hangover_frames = self._hangover_frames
        if short_turn is not None:
            self._short_turn_frames = math.ceil(short_turn[0] / frame_s - 1e-9)
            self._short_hangover_frames = min(self._hangover_frames, max(1, math.ceil(short_turn[1] / frame_s - 1e-9)))
        self._pause_frames = None if pause_after_s is None else max(1, math.ceil(pause_after_s / frame_s - 1e-9))
        self._pause_id = 0
        self._max_frames = max(1, int(settings.max_utterance_s / frame_s))
        self._pre_roll: deque[np.ndarray] = deque(maxlen=max(0, int(settings.pre_roll_s / frame_s)) + self._window)
        self._no_speech_timeout_s = settings.no_speech_timeout_s
        self.reset()

    def reset(self, *, keep_pre_roll: bool = True, no_speech_timeout_s: float | None = None) -> None:
        """Start waiting for a new utterance.

        ``keep_pre_roll=False`` drops buffered audio, e.g. the wake word itself.
        """
        self.state = EndpointState.WAITING
        self._flags: deque[bool] = deque(maxlen=self._window)
        self._speech: list[np.ndarray] = []
        self._silent_run = 0
        self._voiced = 0
        self._paused = False
        self._waited = 0
        self._timeout_frames = max(
            1, int((no_speech_timeout_s if no_speech_timeout_s is not None else self._no_speech_timeout_s) / self.frame_s)
        )
        if not keep_pre_roll:
            self._pre_roll.clear()

    def feed(
        self, frame: np.ndarray, is_speech: bool, timestamp: float
    ) -> SpeechStarted | SpeechPaused | SpeechEnded | NoSpeech | None:
        """One frame of mono int16 audio and its VAD flag; ``timestamp`` is the frame's end."""
        if self.state is EndpointState.DONE:
            return None
        if self.state is EndpointState.WAITING:
            return self._feed_waiting(frame, is_speech, timestamp)
        return self._feed_speech(frame, is_speech, timestamp)

    def _feed_waiting(self, frame: np.ndarray, is_speech: bool, timestamp: float) -> SpeechStarted | NoSpeech | None:
        self._pre_roll.append(frame)
        self._flags.append(is_speech)
        self._waited += 1
        if sum(self._flags) >= self._trigger_frames:
            self.state = EndpointState.IN_SPEECH
            self._speech = list(self._pre_roll)
            self._pre_roll.clear()
            self._silent_run = 0
            self._voiced = sum(self._flags)
            return SpeechStarted(timestamp=timestamp)
        if self._waited >= self._timeout_frames:
            self.state = EndpointState.DONE
            return NoSpeech(timestamp=timestamp)
        return None

    def _feed_speech(self, frame: np.ndarray, is_speech: bool, timestamp: float) -> SpeechPaused | SpeechEnded | None:
        self._speech.append(frame)
        if is_speech:
            self._silent_run = 0
            self._voiced += 1
            self._paused = False  # whatever a pause promised is void: the speaker went on
        else:
            self._silent_run += 1
        if self._silent_run >= self._current_hangover_frames():
            return self._finish(self._without_trailing_silence(), timestamp, truncated=False)
        if len(self._speech) >= self._max_frames:
            return self._finish(self._speech, timestamp, truncated=True)
        if self._silent_run == self._pause_frames:
            self._pause_id += 1
            self._paused = True
            return SpeechPaused(
                pcm=np.concatenate(self._without_trailing_silence()), rate=self.rate, timestamp=timestamp,
                pause_id=self._pause_id,
            )
        return None

    def _current_hangover_frames(self) -> int:
        if self._voiced < self._short_turn_frames:
            return self._short_hangover_frames
        return self._hangover_frames

    def _without_trailing_silence(self) -> list[np.ndarray]:
        """Keep a little of the trailing silence (Whisper likes a clean ending), not all of it.

        The same frames whether cut at a pause or at the end, so a speculative transcript of
        the pause is exactly the transcript of the finished utterance.
        """
        keep = min(self._silent_run, 5, self._pause_frames or 5)
        return self._speech[: len(self._speech) - self._silent_run + keep]

    def _finish(self, frames: list[np.ndarray], timestamp: float, *, truncated: bool) -> SpeechEnded:
        self.state = EndpointState.DONE
        pcm = np.concatenate(frames) if frames else np.zeros(0, dtype=np.int16)
        hangover = 0.0 if truncated else self._silent_run * self.frame_s
        self._speech = []
        pause_id = self._pause_id if self._paused and not truncated else None
        return SpeechEnded(
            pcm=pcm, rate=self.rate, timestamp=timestamp, hangover=hangover, truncated=truncated, pause_id=pause_id
        )

    def observe(self, frame: np.ndarray) -> None:
        """Keep pre-roll while not listening (so speech right after the trigger is not lost)."""
        self._pre_roll.append(frame)
