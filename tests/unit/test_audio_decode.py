"""The shared PyAV decoder: real FFmpeg round trips, both sample types, clean errors."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from companion.audio.decode import decode_mono
from companion.errors import AudioError


def _stereo_wav(path: Path, rate: int = 16000) -> np.ndarray:
    t = np.arange(rate) / rate
    left = (0.4 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.stack([left, left], axis=1).tobytes())
    return left


def test_int16_at_native_rate_from_bytes(tmp_path: Path) -> None:
    left = _stereo_wav(tmp_path / "a.wav")
    samples, rate = decode_mono((tmp_path / "a.wav").read_bytes(), None, np.int16)
    assert rate == 16000 and samples.dtype == np.int16 and samples.shape == left.shape
    assert np.abs(samples.astype(np.int32) - left).max() <= 2  # identical channels downmix to themselves


def test_float32_resampled_from_path(tmp_path: Path) -> None:
    _stereo_wav(tmp_path / "a.wav")
    samples, rate = decode_mono(tmp_path / "a.wav", 22050, np.float32)
    assert rate == 22050 and samples.dtype == np.float32
    assert abs(samples.size - 22050) < 200
    assert 0.3 < float(np.abs(samples).max()) <= 1.0


def test_garbage_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"not audio at all " * 64)
    with pytest.raises(AudioError) as info:
        decode_mono(bad, 16000, np.float32)
    assert str(bad) in str(info.value)


def test_missing_file_and_bad_dtype(tmp_path: Path) -> None:
    with pytest.raises(AudioError):
        decode_mono(tmp_path / "nope.wav", 16000, np.float32)
    with pytest.raises(AudioError):
        decode_mono(tmp_path / "nope.wav", 16000, np.float64)  # type: ignore[arg-type]
