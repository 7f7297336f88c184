"""Loudness: scale audio to a target RMS level without clipping (voice preparation and the playback
of the person's recordings use the same rule)."""

from __future__ import annotations

import numpy as np

_EPS = 1e-12


def normalise_rms(audio: np.ndarray, target_dbfs: float, peak: float = 0.95) -> np.ndarray:
    """Scale to ``target_dbfs`` RMS (dB re full scale), lowering the gain if peaks would exceed ``peak``."""
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) if len(audio) else 0.0
    if rms <= _EPS:
        return audio.astype(np.float32)
    gain = 10.0 ** (target_dbfs / 20.0) / rms
    top = float(np.max(np.abs(audio)))
    if top * gain > peak:
        gain = peak / top
    return (audio * gain).astype(np.float32)
