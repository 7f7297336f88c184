"""WAV files as an audio source (a recorded question) and sink (the spoken reply)."""

from __future__ import annotations

import asyncio
import logging
import wave
from pathlib import Path

import numpy as np

from ..errors import AudioError
from ..events import AudioChunk
from .base import CAPTURE_RATE
from .convert import resample, to_mono_int16

logger = logging.getLogger(__name__)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Mono int16 samples and the sample rate of a 16-bit PCM WAV file."""
    try:
        with wave.open(str(path), "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except FileNotFoundError:
        raise AudioError("audio file not found", where=str(path)) from None
    except (wave.Error, EOFError, OSError) as exc:
        reason = str(exc) or "the file is empty or cut short"
        raise AudioError(
            f"cannot read WAV file: {reason}", where=str(path), hint="give a 16-bit PCM .wav file"
        ) from None
    if width != 2:
        raise AudioError(
            f"WAV file is {8 * width}-bit; only 16-bit PCM is supported",
            where=str(path),
            hint="convert it, e.g. `sox in.wav -b 16 out.wav`",
        )
    if rate <= 0 or channels <= 0:
        raise AudioError("WAV file has an invalid header", where=str(path))
    samples = np.frombuffer(frames[: len(frames) - len(frames) % (2 * channels)], dtype="<i2")
    return to_mono_int16(samples, channels), rate


def write_wav(path: Path, pcm: np.ndarray, rate: int) -> None:
    """Write mono int16 samples; the parent folder must exist."""
    try:
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(rate)
            wav.writeframes(pcm.astype("<i2").tobytes())
    except OSError as exc:
        raise AudioError(f"cannot write WAV file: {exc.strerror or exc}", where=str(path)) from None


class WavFileSource:
    """Feeds a WAV file as if it came from the microphone, then optional trailing silence.

    The trailing silence lets the endpointer see the end of the question just as it would live.
    With ``realtime`` the blocks are paced at the speed of speech (for benchmarks and tests of
    the live timing); otherwise they come as fast as the pipeline takes them.
    """

    def __init__(
        self, path: Path, *, block_ms: int = 30, trailing_silence_s: float = 1.5, realtime: bool = False
    ) -> None:
        pcm, rate = read_wav(path)
        self.path = path
        self.duration = len(pcm) / rate
        pcm = resample(pcm, rate, CAPTURE_RATE)
        silence = np.zeros(int(trailing_silence_s * CAPTURE_RATE), dtype=np.int16)
        self._pcm = np.concatenate([pcm, silence])
        self._block = CAPTURE_RATE * block_ms // 1000
        self._pos = 0
        self._realtime = realtime
        self._closed = False

    async def read(self) -> AudioChunk | None:
        if self._closed or self._pos >= len(self._pcm):
            return None
        block = self._pcm[self._pos : self._pos + self._block]
        if len(block) < self._block:
            block = np.pad(block, (0, self._block - len(block)))
        timestamp = self._pos / CAPTURE_RATE
        self._pos += self._block
        if self._realtime:
            await asyncio.sleep(self._block / CAPTURE_RATE)
        else:
            await asyncio.sleep(0)
        return AudioChunk.from_int16(block, CAPTURE_RATE, timestamp)

    def close(self) -> None:
        self._closed = True


class WavFileSink:
    """Collects the reply and writes it as one WAV file when closed."""

    def __init__(self, path: Path) -> None:
        if not path.parent.is_dir():
            raise AudioError("output folder does not exist", where=str(path.parent))
        self.path = path
        self.rate: int | None = None
        self._parts: list[np.ndarray] = []

    def begin(self, rate: int) -> None:
        if self.rate is not None and rate != self.rate:
            raise AudioError(f"reply changed sample rate from {self.rate} to {rate} Hz", where=str(self.path))
        self.rate = rate

    def write(self, pcm: np.ndarray) -> None:
        self._parts.append(pcm.astype(np.int16, copy=True))

    def finish(self) -> None:
        pass

    def abort(self) -> None:
        pass

    def queued_s(self) -> float | None:
        return None  # a file plays nothing

    def close(self) -> None:
        pcm = np.concatenate(self._parts) if self._parts else np.zeros(0, dtype=np.int16)
        write_wav(self.path, pcm, self.rate or 22050)
        logger.info("wrote %.2f s of reply audio to %s", len(pcm) / (self.rate or 22050), self.path)
