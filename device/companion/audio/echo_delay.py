"""Where the device's own voice sits in the microphone signal: the echo delay, by GCC-PHAT.

Kept apart from the canceller (audio/echo.py) that uses it: it is plain signal analysis with no
state, and the tests check it on its own.
"""

from __future__ import annotations

import numpy as np


def mean_power(x: np.ndarray) -> float:
    """Mean square of ``x`` (0 for an empty block)."""
    return float(np.mean(np.square(x, dtype=np.float64))) if len(x) else 0.0


def gcc_phat_delay(mic: np.ndarray, ref: np.ndarray, max_lag: int) -> tuple[int, float, float]:
    """Delay (samples, 0..max_lag) of ``mic`` behind ``ref``, the peak's height in noise units, gain.

    ``ref`` holds ``max_lag`` extra samples before the span of ``mic``. PHAT weighting whitens
    both signals so the peak is sharp for speech; the least-squares gain of the aligned
    reference tells how loud the echo is (near-end speech is uncorrelated with it).
    """
    n = 1 << int(np.ceil(np.log2(len(ref) + len(mic))))
    cross = np.fft.rfft(mic, n) * np.conj(np.fft.rfft(ref, n))
    cross /= np.abs(cross) + 1e-9
    corr = np.fft.irfft(cross, n)
    # corr[t] = sum mic[i + t] ref[i]; an echo lag makes mic[i] ~ ref[i + max_lag - lag]: t = lag - max_lag
    lags = corr[(np.arange(max_lag + 1) - max_lag) % n]
    best = int(np.argmax(lags))
    peak = float(lags[best])
    # Confidence: how far the peak stands above the correlation's own noise (robust spread).
    spread = 1.4826 * float(np.median(np.abs(lags - np.median(lags)))) + 1e-12
    ratio = peak / spread
    aligned = ref[max_lag - best : max_lag - best + len(mic)]
    gain = float(np.dot(mic, aligned) / (np.dot(aligned, aligned) + 1e-9))
    return best, ratio, abs(gain)
