"""Pure signal checks for training clips: clipping, SNR, loudness, speech segmentation.

Kept free of models so every rule is unit-testable: a clip that is clipped, too noisy, too
short or too long teaches a voice model distortion, hiss or truncated words, so it is dropped
with a reason the QC report can count.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..audio.level import normalise_rms  # noqa: F401  (re-exported for voice preparation)

CLIP_LEVEL = 0.99
"""|sample| at or above this (of full scale) counts as clipped."""
_EPS = 1e-12
SNR_CAP_DB = 60.0
"""Reported when there is no measurable noise (digital silence between words)."""


def clipped_fraction(audio: np.ndarray) -> float:
    """Fraction of samples at full scale; a distorted recording has runs of them."""
    if len(audio) == 0:
        return 0.0
    return float(np.count_nonzero(np.abs(audio) >= CLIP_LEVEL)) / len(audio)


def frame_power(audio: np.ndarray, frame: int) -> np.ndarray:
    """Mean power of consecutive frames of ``frame`` samples (the tail shorter than a frame is dropped)."""
    n = len(audio) // frame
    if n == 0:
        return np.zeros(0, dtype=np.float64)
    frames = audio[: n * frame].astype(np.float64).reshape(n, frame)
    return np.mean(frames * frames, axis=1)


def snr_db(speech_power: float, noise_power: float) -> float:
    """SNR of speech over a noise floor, where ``speech_power`` includes that noise (as measured)."""
    if speech_power <= noise_power:
        return 0.0 if speech_power > _EPS else -SNR_CAP_DB
    if noise_power <= _EPS:
        return SNR_CAP_DB
    return float(min(SNR_CAP_DB, 10.0 * math.log10((speech_power - noise_power) / noise_power)))


def noise_floor(powers: np.ndarray, speech: np.ndarray) -> float:
    """Noise power of a recording: the median of its non-speech frames.

    Falls back to the 10th percentile of all frames when the VAD found speech everywhere
    (a recording with continuous background babble is then judged by its quietest moments).
    """
    if len(powers) == 0:
        return 0.0
    quiet = powers[~speech] if len(speech) == len(powers) else np.zeros(0)
    if len(quiet) >= 3:
        return float(np.median(quiet))
    return float(np.percentile(powers, 10))


def confirm_speech(flags: np.ndarray, powers: np.ndarray, noise: float, *, margin_db: float = 3.0,
                   min_run: int = 3) -> np.ndarray:
    """VAD flags kept only where the frame is ``margin_db`` above the noise floor, in runs of ``min_run``+.

    WebRTC VAD fires on some noise frames in pauses; left alone, those blips bridge the pause
    between two speakers and merge their turns into one clip.
    """
    loud = powers > noise * 10.0 ** (margin_db / 10.0) if noise > 0 else np.ones(len(powers), dtype=bool)
    out = np.asarray(flags, dtype=bool)[: len(powers)] & loud[: len(flags)]
    i, n = 0, len(out)
    while i < n:
        if out[i]:
            j = i
            while j < n and out[j]:
                j += 1
            if j - i < min_run:
                out[i:j] = False
            i = j
        else:
            i += 1
    return out


def speech_segments(
    speech: Sequence[bool] | np.ndarray, *, min_gap: int, pad: int, max_len: int
) -> list[tuple[int, int]]:
    """Frame ranges [start, end) of speech, one per utterance.

    Speech runs closer than ``min_gap`` frames are joined (a breath is not a clip boundary);
    each range is padded by ``pad`` frames of context; a range longer than ``max_len`` frames
    is split at its longest pause, recursively, and split hard only where there is no pause.
    """
    flags = np.asarray(speech, dtype=bool)
    n = len(flags)
    runs: list[list[int]] = []
    i = 0
    while i < n:
        if flags[i]:
            j = i
            while j < n and flags[j]:
                j += 1
            if runs and i - runs[-1][1] < min_gap:
                runs[-1][1] = j
            else:
                runs.append([i, j])
            i = j
        else:
            i += 1
    out: list[tuple[int, int]] = []
    for start, end in runs:
        for s, e in _split_long(flags, start, end, max_len):
            out.append((max(0, s - pad), min(n, e + pad)))
    return out


def _split_long(flags: np.ndarray, start: int, end: int, max_len: int) -> list[tuple[int, int]]:
    if end - start <= max_len or max_len < 2:
        return [(start, end)]
    best = (start + max_len, start + max_len)  # no pause at all: a hard cut
    i = start + 1
    while i < end - 1:
        if flags[i]:
            i += 1
            continue
        j = i
        while j < end and not flags[j]:
            j += 1
        if j - i > best[1] - best[0]:
            best = (i, j)
        i = j
    left, right = best
    return _split_long(flags, start, left, max_len) + _split_long(flags, right, end, max_len)


def histogram(values: Sequence[float], edges: Sequence[float]) -> list[dict[str, float | int]]:
    """Counts per bin [edges[i], edges[i+1]); values outside go to the first or last bin."""
    if len(edges) < 2:
        raise ValueError("a histogram needs at least two edges")
    counts = [0] * (len(edges) - 1)
    for v in values:
        k = int(np.searchsorted(edges, v, side="right")) - 1
        counts[min(max(k, 0), len(counts) - 1)] += 1
    return [{"from": float(edges[k]), "to": float(edges[k + 1]), "count": c} for k, c in enumerate(counts)]
