"""Decode audio and video containers (PyAV/FFmpeg) into mono float32 at one sample rate.

Families' recordings come as voice messages (.ogg/.opus, .m4a, .amr), phone videos (.mp4,
.mov), old .mp3/.wav files; FFmpeg through PyAV (installed with faster-whisper) reads them all,
so no system ffmpeg is needed.
"""

from __future__ import annotations

import logging
import wave
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..audio.decode import decode_mono
from ..errors import AudioError

logger = logging.getLogger(__name__)

MEDIA_SUFFIXES = frozenset({
    ".wav", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".flac", ".amr", ".wma", ".webm",
    ".mp4", ".mov", ".mkv", ".avi", ".3gp", ".caf", ".aiff", ".aif",
})
"""Suffixes picked up when a folder is given; a file named explicitly is tried whatever its suffix."""


def decode_audio(path: Path, rate: int) -> np.ndarray:
    """The first audio stream of ``path`` as mono float32 in [-1, 1] at ``rate`` Hz."""
    if not path.is_file():
        raise AudioError("recording not found", where=str(path))
    audio, _ = decode_mono(path, rate, np.float32,
                           hint="give an audio or video file (wav, mp3, m4a, ogg/opus, mp4, ...)")
    if audio.size == 0:
        raise AudioError("the recording holds no audio samples", where=str(path))
    return audio


def find_recordings(inputs: Iterable[Path]) -> list[Path]:
    """Files named directly, plus media files found (recursively, sorted) in folders named."""
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found.extend(sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in MEDIA_SUFFIXES))
        elif item.is_file():
            found.append(item)
        else:
            raise AudioError("recording or folder not found", where=str(item))
    if not found:
        raise AudioError("no recordings found", where=", ".join(str(i) for i in inputs),
                         hint=f"give audio or video files ({', '.join(sorted(MEDIA_SUFFIXES))})")
    return found


def write_wav_float(path: Path, audio: np.ndarray, rate: int) -> None:
    """Write mono float audio as 16-bit PCM (what Piper's trainer and the ASR read)."""
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
