"""Perceptual shaping of the watermark (ETHICS.md C4, "no audible change"): a gain per chip.

Within a 16 ms tile, formant peaks carry most of the energy: a mark proportional to them is most
of the error energy, while the weak bands between peaks are masked by their loud neighbours. So
a band's share falls with its level above the tile's spectral envelope (in the log domain,
where the detector weighs every band alike). Tiles well below the utterance's loud level (onsets,
tails, breaths) mask little and get less. See watermark.py for the measured effect.
"""

from __future__ import annotations

import math

import numpy as np

SHAPE_ALPHA = 0.5
"""Band gain ~ (band energy / the tile's mean log band energy) ** -alpha: less on spectral peaks."""
SHAPE_GAIN_RANGE = (0.3, 2.0)
"""Band gains are clipped to this range (before normalising each tile's mean gain to 1)."""
QUIET_BETA = 0.5
"""A tile L dB below the utterance's loud level gets its mark scaled by 10 ** (beta * -L / 20)..."""
QUIET_FLOOR_DB = -20.0
"""...but never below this (the detector still needs the quieter tiles)."""
LOUD_PERCENTILE = 90.0
"""The utterance's loud level: this percentile of its tiles' energies."""


def tile_band_energy(audio: np.ndarray, rate: int, index: np.ndarray, band_edges_hz: tuple[float, ...],
                     tile_s: float) -> np.ndarray:
    """(tiles, bands) energy of the piece per pattern tile (rows before the piece stay 0).

    ``index`` is the pattern tile of every sample of the piece."""
    tiles = int(index[-1]) + 2
    bands = len(band_edges_hz) - 1
    energy = np.zeros((tiles, bands))
    first = int(index[0])
    starts = np.searchsorted(index, np.arange(first, tiles - 1))
    length = int(math.ceil(tile_s * rate))
    padded = np.concatenate([audio, np.zeros(length)])
    frames = padded[starts[:, None] + np.arange(length)[None, :]]
    valid = (starts[:, None] + np.arange(length)[None, :]) < len(audio)
    nfft = 1 << (2 * length - 1).bit_length()
    power = np.abs(np.fft.rfft(frames * valid * np.hanning(length)[None, :], nfft, axis=1)) ** 2
    freqs = np.fft.rfftfreq(nfft, 1.0 / rate)
    cumulative = np.concatenate([np.zeros((len(power), 1)), np.cumsum(power, axis=1)], axis=1)
    lo = np.searchsorted(freqs, band_edges_hz[:-1])
    hi = np.searchsorted(freqs, band_edges_hz[1:])
    energy[first:tiles - 1] = cumulative[:, hi] - cumulative[:, lo]
    return energy


def loud_level(energy: np.ndarray) -> float:
    """The piece's loud level: a high percentile of its tiles' energies (0 for silence)."""
    total = energy.sum(axis=1)
    loud = total[total > 0]
    return float(np.percentile(loud, LOUD_PERCENTILE)) if len(loud) else 0.0


def perceptual_gains(energy: np.ndarray, loud: float) -> np.ndarray:
    """(tiles, bands) gain of each chip: less on spectral peaks and in quiet tiles (module doc)."""
    eps = 1e-9
    usable = energy.max(axis=0) > 0  # bands above the Nyquist rate, or silent, do not steer the mean
    log_e = np.log(energy + eps)
    centre = (log_e * usable).sum(axis=1, keepdims=True) / max(1, int(usable.sum()))
    gains = np.clip(np.exp(-SHAPE_ALPHA * (log_e - centre)), *SHAPE_GAIN_RANGE)
    gains /= np.maximum((gains * usable).sum(axis=1, keepdims=True) / max(1, int(usable.sum())), eps)
    level_db = 10.0 * np.log10((energy.sum(axis=1) + eps) / max(loud, eps))
    tile_gain = np.clip(10.0 ** (QUIET_BETA * np.minimum(level_db, 0.0) / 20.0), 10.0 ** (QUIET_FLOOR_DB / 20.0), 1.0)
    return gains * tile_gain[:, None]
