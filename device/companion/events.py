"""The small typed events that pass between stages.

Audio is self-describing (rate, width, channels travel with the bytes) and is normalised once,
where it enters. The names follow the Wyoming protocol's vocabulary so a stage could later move
to another machine without changing what flows between them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum

import numpy as np


@dataclass(frozen=True)
class AudioChunk:
    """A block of PCM audio; ``data`` is little-endian signed integers, interleaved."""

    rate: int
    width: int
    channels: int
    data: bytes
    timestamp: float = 0.0  # seconds of audio since the stream started
    captured_at: float | None = None
    """Wall-clock (time.monotonic) time the first sample was captured, by the sound card's own
    clock; None when the source cannot tell (a file). The echo canceller matches the mic to what
    was played by it: the time a block is read says little on a loaded machine."""

    @property
    def samples(self) -> int:
        return len(self.data) // (self.width * self.channels)

    @property
    def duration(self) -> float:
        return self.samples / self.rate

    def as_int16(self) -> np.ndarray:
        """Mono int16 samples (the format every stage after the mic works in)."""
        if self.width != 2:
            raise ValueError(f"expected 16-bit audio, got {8 * self.width}-bit")
        pcm = np.frombuffer(self.data, dtype="<i2")
        if self.channels > 1:
            pcm = pcm.reshape(-1, self.channels).mean(axis=1).astype(np.int16)
        return pcm

    @classmethod
    def from_int16(cls, pcm: np.ndarray, rate: int, timestamp: float = 0.0, captured_at: float | None = None
                   ) -> AudioChunk:
        return cls(rate=rate, width=2, channels=1, data=pcm.astype("<i2").tobytes(), timestamp=timestamp,
                   captured_at=captured_at)


class Trigger(Enum):
    """What started a turn."""

    WAKE_WORD = "wake_word"
    BUTTON = "button"
    FOLLOW_UP = "follow_up"
    COMMAND = "command"  # `converse`: the turn starts with the file
    BARGE_IN = "barge_in"  # the user spoke over the reply; what they said is the question


@dataclass(frozen=True)
class WakeDetected:
    name: str
    timestamp: float


class ButtonAction(Enum):
    PRESSED = "pressed"
    RELEASED = "released"


@dataclass(frozen=True)
class ButtonEvent:
    action: ButtonAction


@dataclass(frozen=True)
class SpeechStarted:
    timestamp: float


def _audio_digest(pcm: np.ndarray) -> str:
    """What an event's audio is, for ``==`` and ``hash()`` (an array has neither)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{pcm.dtype.str}{pcm.shape}".encode())
    digest.update(np.ascontiguousarray(pcm).tobytes())
    return digest.hexdigest()


def _frozen_audio(event: object, pcm: np.ndarray) -> None:
    """Store a read-only view of ``pcm`` and its digest on a frozen event: the audio it compares
    by cannot change under it."""
    view = pcm.view()
    view.flags.writeable = False
    object.__setattr__(event, "pcm", view)
    object.__setattr__(event, "audio_digest", _audio_digest(view))


@dataclass(frozen=True)
class SpeechEnded:
    """The endpointer closed an utterance; ``pcm`` is mono int16 at ``rate``.

    Events compare and hash by their audio's digest, not the array."""

    pcm: np.ndarray = field(repr=False, compare=False)
    rate: int
    timestamp: float
    hangover: float  # seconds of silence waited before deciding the speech had ended
    truncated: bool = False  # cut at the maximum utterance length
    pause_id: int | None = None
    """The pause (SpeechPaused.pause_id) this utterance ended in; None if cut at the maximum."""
    audio_digest: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _frozen_audio(self, self.pcm)


@dataclass(frozen=True)
class SpeechPaused:
    """The speaker has been silent a moment: maybe the end, maybe a breath.

    Lets transcription start speculatively; a later SpeechEnded with the same ``pause_id``
    confirms that nothing was said after ``pcm``, so that transcript can be used as is.
    """

    pcm: np.ndarray = field(repr=False, compare=False)
    rate: int
    timestamp: float
    pause_id: int
    audio_digest: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _frozen_audio(self, self.pcm)


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str | None = None

