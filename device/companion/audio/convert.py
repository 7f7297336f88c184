"""Sample-format and sample-rate conversion, done once where audio enters or leaves."""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def to_mono_int16(samples: np.ndarray, channels: int) -> np.ndarray:
    """Average interleaved channels into one int16 channel."""
    if channels == 1:
        return samples.astype(np.int16, copy=False)
    frames = samples.reshape(-1, channels).astype(np.int32)
    return (frames.sum(axis=1) // channels).astype(np.int16)


def int16_to_float(pcm: np.ndarray) -> np.ndarray:
    return pcm.astype(np.float32) / 32768.0


def float_to_int16(audio: np.ndarray) -> np.ndarray:
    return (np.clip(audio, -1.0, 1.0) * 32767.0).astype(np.int16)


@lru_cache(maxsize=8)
def _lowpass(cutoff: float, taps: int = 63) -> np.ndarray:
    """Windowed-sinc low-pass FIR; ``cutoff`` is a fraction of the sample rate (0-0.5)."""
    n = np.arange(taps) - (taps - 1) / 2
    kernel = 2 * cutoff * np.sinc(2 * cutoff * n) * np.blackman(taps)
    return (kernel / kernel.sum()).astype(np.float32)


def resample(pcm: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Resample mono int16 audio; low-pass first when going down so speech does not alias.

    Quality is aimed at speech recognition and playback, not mastering: a 63-tap FIR and
    linear interpolation cost well under 1 ms per second of audio.
    """
    if from_rate == to_rate or len(pcm) == 0:
        return pcm.astype(np.int16, copy=False)
    audio = pcm.astype(np.float32)
    if to_rate < from_rate:
        audio = np.convolve(audio, _lowpass(0.5 * to_rate / from_rate * 0.95), mode="same")
    duration = len(pcm) / from_rate
    out_len = max(1, int(round(duration * to_rate)))
    positions = np.arange(out_len) * (from_rate / to_rate)
    out = np.interp(positions, np.arange(len(audio)), audio)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)
