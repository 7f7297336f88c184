"""Finding the watermark wherever the audio was cut, stretched or shifted (ETHICS.md C4).

The detector does not know where the excerpt starts, how much faster or slower it plays, or how
far its pitch moved. It tries them all: for every frequency scale (pitch shift or resampling
moves every band by the same factor) the 16 kHz short-time spectrum is summed into the pattern's
bands as they now lie; for every time scale (tempo) and sub-tile phase the frames are summed into
the pattern's 16 ms tiles as they now lie; the tiles' log-energy residuals are folded onto one
pattern period, and one FFT per band correlates the fold with the sync chips at every cyclic
offset at once. A window of WINDOW_S is searched at a time, so the time-scale error it tolerates
is fixed; a long file is searched window by window.

The score is self-normalised: given the audio, the sync chips are independent fair +-1 coins
(the key is secret), so the score at one hypothesis is a Rademacher sum with
P(z > t) <= exp(-t^2 / 2) (Hoeffding) whatever the audio. The threshold is that bound with a
union over every hypothesis tried: the false-alarm rate holds for any sound, not just speech.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .wmcode import BANDS, CODE_BITS, PERIOD_TILES, Pattern

ANALYSIS_RATE = 16000
FRAME = 256
HOP = 64
"""4 ms hops: four sub-tile phases per 16 ms tile."""
TILE_S = 0.016
BAND_EDGES_HZ = tuple(float(f) for f in np.concatenate([np.linspace(300.0, 3400.0, 37), np.linspace(3400.0, 6000.0, 13)[1:]]))
"""36 bands of 86 Hz up to 3.4 kHz, where speech is loud and a phone line passes, and 12 of 217 Hz
above (MP3 keeps them). Measured on 8 Piper utterances, 3 s excerpts: against 48 equal bands up to
6 kHz, z after a G.711 phone line 6.7 -> 10.2 (median), clean 15.1 -> 15.8, same SNR."""
WINDOW_S = 3.2
"""Seconds searched at once: more than a pattern period (2 s), short enough for a coarse time-scale
grid; a longer file is searched in windows WINDOW_HOP_S apart."""
WINDOW_HOP_S = 1.6
MAX_WINDOWS = 12
"""A long file is searched in at most this many windows, spread over it (bounds the time)."""
TEMPO_RANGE = 0.11
"""Time scales 1 / (1 +- 0.11) are searched: tempo +-10 % and then some."""
TEMPO_STEP = 0.0045
"""Relative time-scale step: at most ~0.23 % off, i.e. 3.7 ms drift at the ends of a 3.2 s window."""
PITCH_RANGE = 0.115
"""Frequency scales 1 +- 0.115 are searched: +-1 semitone (5.9 %) and 1.1x playback speed."""
PITCH_STEP = 0.01
REFINE = 4
"""The best coarse hypotheses refined on the full grid."""
LONG_TEMPO_RANGE = 0.005
"""The whole-file search (detect's last resort) tries time scales 1 +- this only: over a long span a
coarse tempo grid would smear the tiles, and a file whose tempo changed is found window by window."""
LONG_MAX_S = 12.8
"""At most this much of a file is searched as one span (bounds the time and memory)."""
FALSE_ALARM = 1e-4
"""Per-file false-alarm bound the threshold is set for (Hoeffding + union bound)."""


@dataclass(frozen=True)
class Hypothesis:
    z: float
    freq_scale: float
    time_scale: float
    """Received duration / original duration (0.9 = played 1.11x faster)."""
    offset_s: float
    """Where in the received audio a pattern period starts."""
    soft_bits: np.ndarray


def scale_grid(spread: float, step: float) -> np.ndarray:
    """Scales 1, 1 +- step, ... within 1 +- spread (geometric, so 1/x is as fine as x)."""
    n = int(math.floor(math.log1p(spread) / math.log1p(step)))
    return (1.0 + step) ** np.arange(-n, n + 1)


def threshold(hypotheses: int, false_alarm: float = FALSE_ALARM) -> float:
    """z that noise exceeds somewhere with probability <= false_alarm (Hoeffding, union bound)."""
    return math.sqrt(2.0 * math.log(max(1, hypotheses) / false_alarm))


def spectrogram(audio16: np.ndarray) -> np.ndarray:
    """(frames, bins) power of hann frames of FRAME samples, HOP apart, at 16 kHz."""
    audio = np.asarray(audio16, dtype=np.float64)
    if len(audio) < FRAME:
        audio = np.pad(audio, (0, FRAME - len(audio)))
    count = 1 + (len(audio) - FRAME) // HOP
    frames = np.lib.stride_tricks.sliding_window_view(audio, FRAME)[::HOP][:count]
    return np.abs(np.fft.rfft(frames * np.hanning(FRAME), axis=1)) ** 2


def band_weights(freq_scale: float) -> np.ndarray:
    """(bins, BANDS): the share of each FFT bin in each pattern band moved by ``freq_scale``."""
    bin_hz = ANALYSIS_RATE / FRAME
    lo_bin = (np.arange(FRAME // 2 + 1) - 0.5) * bin_hz
    edges = np.asarray(BAND_EDGES_HZ) * freq_scale
    lo = np.maximum(lo_bin[:, None], edges[None, :-1])
    hi = np.minimum(lo_bin[:, None] + bin_hz, edges[None, 1:])
    return np.clip(hi - lo, 0.0, None) / bin_hz


def frame_residuals(band_energy: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Log band energies per frame with what is not the mark taken out: the frame's loudness
    (every band alike) and the spectral envelope (smooth across neighbouring bands)."""
    log_e = np.log(band_energy + 1e-3)
    log_e -= (log_e * alive).sum(axis=1, keepdims=True) / max(1.0, float(alive.sum()))
    across = np.concatenate([log_e[:, :1], log_e, log_e[:, -1:]], axis=1)
    return log_e - 0.25 * (across[:, :-2] + across[:, 2:])


def tile_means(cumulative: np.ndarray, time_scales: np.ndarray, phases: np.ndarray, tiles: int) -> np.ndarray:
    """(scales, phases, tiles, ...) mean over the frames of pattern tiles TILE_S * scale long, from
    each sub-tile offset in ``phases`` (fractions of a tile); ``cumulative`` is the running sum
    over frames (axis 0). Tiles past the end come out zero."""
    hop_s = HOP / ANALYSIS_RATE
    tile_frames = (TILE_S * np.asarray(time_scales) / hop_s)[:, None, None]
    starts = tile_frames * (np.asarray(phases)[None, :, None] + np.arange(tiles + 1)[None, None, :])
    starts = np.minimum(starts, len(cumulative) - 1.0)
    below = np.floor(starts).astype(np.int64)
    above = np.minimum(below + 1, len(cumulative) - 1)
    frac = (starts - below).astype(cumulative.dtype)
    if cumulative.ndim == 2:
        frac = frac[..., None]
    edge = cumulative[below] * (1 - frac) + cumulative[above] * frac
    tile_frames = tile_frames.astype(cumulative.dtype)
    if cumulative.ndim == 2:
        tile_frames = tile_frames[..., None]
    means = np.diff(edge, axis=2) / tile_frames
    return means


def time_highpass(r: np.ndarray) -> np.ndarray:
    """Take out what moves slowly over tiles (axis -2): the chip alternates, the envelope drifts."""
    padded = np.concatenate([r[..., :1, :], r, r[..., -1:, :]], axis=-2)
    return r - 0.5 * (padded[..., :-2, :] + padded[..., 2:, :])


def fold(values: np.ndarray) -> np.ndarray:
    """Sum tiles PERIOD_TILES apart: (..., tiles, bands) -> (..., PERIOD_TILES, bands)."""
    tiles = values.shape[-2]
    periods = -(-tiles // PERIOD_TILES)
    pad = [(0, 0)] * values.ndim
    pad[-2] = (0, periods * PERIOD_TILES - tiles)
    padded = np.pad(values, pad)
    shape = values.shape[:-2] + (periods, PERIOD_TILES, values.shape[-1])
    return padded.reshape(shape).sum(axis=-3)


def circulant(chips: np.ndarray) -> np.ndarray:
    """(PERIOD_TILES * BANDS, PERIOD_TILES): column o holds the chips shifted by o, so that
    folded.reshape(-1) @ circulant(chips) correlates at every cyclic offset in one product."""
    rows = (np.arange(PERIOD_TILES)[:, None] + np.arange(PERIOD_TILES)[None, :]) % PERIOD_TILES  # (p, o)
    return np.ascontiguousarray(chips[rows].transpose(0, 2, 1).reshape(-1, PERIOD_TILES))


def soft_bits(folded: np.ndarray, pattern: Pattern, offset: int) -> np.ndarray:
    """One z-score per code bit at a cyclic offset: the correlation of its chips, self-normalised."""
    rows = (np.arange(PERIOD_TILES) + offset) % PERIOD_TILES
    spread, index = pattern.spread[rows], pattern.bit_index[rows]
    x, e, idx = (folded * spread).ravel(), ((folded * (spread != 0)) ** 2).ravel(), index.ravel()
    keep = idx >= 0
    num = np.bincount(idx[keep], weights=x[keep], minlength=CODE_BITS)
    den = np.sqrt(np.bincount(idx[keep], weights=e[keep], minlength=CODE_BITS))
    return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


class Searcher:
    """The grid of hypotheses for one key; ``search`` scores one window of 16 kHz audio."""

    def __init__(self, pattern: Pattern, *, tempo_range: float = TEMPO_RANGE, pitch_range: float = PITCH_RANGE,
                 phases: int = 4) -> None:
        self.pattern = pattern
        self.time_scales = scale_grid(tempo_range, TEMPO_STEP)
        self.freq_scales = scale_grid(pitch_range, PITCH_STEP)
        self.phases = phases
        self.weights = [band_weights(f).astype(np.float32) for f in self.freq_scales]
        self.sync_c = circulant(pattern.sync).astype(np.float32)
        self.mask_c = circulant(pattern.sync_mask).astype(np.float32)

    @property
    def hypotheses(self) -> int:
        """Hypotheses one window tries (scales x phases x cyclic offsets)."""
        return len(self.time_scales) * len(self.freq_scales) * self.phases * PERIOD_TILES

    def search(self, audio16: np.ndarray) -> Hypothesis:
        """The best hypothesis: a coarse pass (every other time scale and phase), then the full
        grid around the REFINE best coarse ones. What is searched is a subset of the full grid,
        so the threshold for the full grid holds."""
        power, tiles, loud = self._prepare(audio16)
        if tiles < 8:
            return Hypothesis(0.0, 1.0, 1.0, 0.0, np.zeros(CODE_BITS))
        fine = np.arange(self.phases) / self.phases
        coarse_s, coarse_p = np.arange(0, len(self.time_scales), 2), fine[::2]
        sums, candidates = [], []
        for fi in range(len(self.freq_scales)):
            sums.append(self._cumulative(power, fi))
            z, _ = self._score(sums[fi], coarse_s, coarse_p, tiles, loud)
            for flat in np.argsort(z, axis=None)[-REFINE:]:
                s_at, p_at, _ = np.unravel_index(int(flat), z.shape)
                candidates.append((float(z.flat[flat]), fi, int(coarse_s[s_at]), float(coarse_p[p_at])))
        candidates.sort(reverse=True)
        best: tuple[float, int, int, float, int, np.ndarray] | None = None
        for _, fi, si, phase in candidates[:REFINE]:
            scales = np.arange(max(0, si - 1), min(len(self.time_scales), si + 2))
            phases = (phase + np.arange(-self.phases // 2, self.phases // 2 + 1) / self.phases) % 1.0
            z, folded = self._score(sums[fi], scales, phases, tiles, loud)
            s_i, p_i, offset = np.unravel_index(int(np.argmax(z)), z.shape)
            if best is None or z[s_i, p_i, offset] > best[0]:
                best = (float(z[s_i, p_i, offset]), fi, int(scales[s_i]), float(phases[p_i]), int(offset),
                        folded[s_i, p_i])
        assert best is not None
        best_z, best_fi, best_si, best_phase, best_offset, best_fold = best
        scale = float(self.time_scales[best_si])
        # frame j covers samples [j*HOP, j*HOP+FRAME): tile 0 starts at the first frame's centre
        start_s = (best_phase + (-best_offset % PERIOD_TILES)) * TILE_S * scale + FRAME / 2 / ANALYSIS_RATE
        bits = soft_bits(best_fold.astype(np.float64), self.pattern, best_offset)
        return Hypothesis(best_z, float(self.freq_scales[best_fi]), scale, start_s, bits)

    def null_scores(self, audio16: np.ndarray) -> np.ndarray:
        """z at every phase and cyclic offset for unchanged tempo and pitch (for calibration)."""
        power, tiles, loud = self._prepare(audio16)
        unit_f, unit_t = len(self.freq_scales) // 2, np.array([len(self.time_scales) // 2])
        phases = np.arange(self.phases) / self.phases
        return self._score(self._cumulative(power, unit_f), unit_t, phases, tiles, loud)[0][0]

    def _prepare(self, audio16: np.ndarray) -> tuple[np.ndarray, int, tuple[np.ndarray, float]]:
        """The window's power spectrogram, its tile count, and the loudness the weights need
        (its running sum over frames and the loudest tile)."""
        power = spectrogram(audio16).astype(np.float32)
        tiles = int((len(power) - 1) / (TILE_S * self.time_scales.min() / (HOP / ANALYSIS_RATE))) - 1
        total = power @ self.weights[len(self.weights) // 2].sum(axis=1)
        loud_sum = np.concatenate([[0.0], np.cumsum(total, dtype=np.float64)])
        peak = float(np.max(tile_means(loud_sum, np.ones(1), np.zeros(1), max(tiles, 1))))
        return power, tiles, (loud_sum, peak)

    def _cumulative(self, power: np.ndarray, fi: int) -> np.ndarray:
        """Running sum over frames of the frame residuals in the bands of frequency scale ``fi``."""
        bands = power @ self.weights[fi]
        level = bands.sum(axis=0)
        alive = (level > np.median(level) * 1e-5).astype(np.float32)  # a phone line kills the bands above 3.4 kHz
        frames = frame_residuals(bands, alive) * alive
        return np.concatenate([np.zeros((1, BANDS), np.float32), np.cumsum(frames, axis=0)])

    def _score(self, cumulative: np.ndarray, scale_index: np.ndarray, phases: np.ndarray, tiles: int,
               loud: tuple[np.ndarray, float]) -> tuple[np.ndarray, np.ndarray]:
        """z (scales, phases, PERIOD_TILES) at every cyclic offset, and the folded residuals."""
        scales = self.time_scales[scale_index]
        loudness = tile_means(loud[0], scales, phases, tiles)
        weight = (loudness > loud[1] * 1e-4).astype(np.float32)[..., None]  # silence carries no mark
        folded = fold(time_highpass(tile_means(cumulative, scales, phases, tiles)) * weight)
        flat = folded.reshape(len(scales) * len(phases), PERIOD_TILES * BANDS)
        z = (flat @ self.sync_c) / np.sqrt(np.maximum((flat * flat) @ self.mask_c, 1e-12))
        return z.reshape(len(scales), len(phases), PERIOD_TILES), folded
