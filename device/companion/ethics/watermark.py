"""An inaudible, keyed spread-spectrum watermark on everything the device says (ETHICS.md C4).

No watermark model ships in a registry package (audioseal, wavmark... download weights at run
time), so this is a small numpy scheme: band-energy modulation. Time is cut into 16 ms tiles and
300-6000 Hz into 48 bands (36 below 3.4 kHz, where speech is loud and a phone line passes);
each (tile, band) gets a +-1 chip from the device's secret key (wmkey.py, wmcode.py), and the
band's amplitude in that tile is scaled by (1 + strength * chip).
The chip grid repeats every 2 s and every period carries the whole payload (the utterance id), so
any excerpt of 2-3 s holds a whole mark; ``UtteranceMarker`` keeps the position across the
sentences and pauses of one utterance so they join into one continuous pattern.

The mark is perceptually shaped (wmshape.py): within a tile, bands above the tile's spectral
envelope (formant peaks) get a smaller share and the weak bands between them, masked by their
loud neighbours, a larger one; tiles well below the utterance's loud level get less.

Band energies survive what people do to audio: resampling, MP3, an 8 kHz phone line (the bands
below 3.4 kHz carry the mark alone), and a change of tempo or pitch only moves the grid in time
or frequency. The detector (wmsearch.py) searches cyclic offset, tempo and pitch, and thresholds
a self-normalised correlation with a bound that holds for any sound.
"""

from __future__ import annotations

import contextlib
import logging
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import wmsearch
from .wmcode import decode_bits, encode_bits, keyed_pattern
from .wmsearch import ANALYSIS_RATE, BAND_EDGES_HZ, TILE_S, WINDOW_HOP_S, WINDOW_S, Searcher
from .wmshape import loud_level, perceptual_gains, tile_band_energy

logger = logging.getLogger(__name__)

STRENGTH = 0.35
"""Band amplitude is scaled by 1 +- this times the chip's perceptual gain (wmshape.py)."""
RAMP_S = 0.016
"""Chips cross-fade over this long (raised cosine, a whole tile): no clicks at tile edges;
measured PESQ-WB +0.1 against 4 ms ramps at the same detection score."""

__all__ = ["Detection", "UtteranceMarker", "decode_bits", "detect", "embed", "encode_bits", "presence_threshold",
           "snr_db"]


# --------------------------------------------------------------------------- embedding


class UtteranceMarker:
    """Watermarks one utterance piece by piece (sentence PCM, pauses) as one continuous pattern.

    Each piece is filtered into bands on its own (zero-phase FFT masks); the chip of each band
    follows the absolute time since the utterance began, so the pieces join into one mark.
    """

    def __init__(self, payload: int, rate: int, *, key: bytes, strength: float = STRENGTH,
                 shaped: bool = True) -> None:
        encode_bits(payload)  # a bad payload fails here, not halfway through a reply
        self.payload = payload
        self.rate = rate
        self.strength = strength
        self.shaped = shaped
        self._pattern = keyed_pattern(key)
        self._position = 0  # samples of this utterance already marked
        self._loud_level = 0.0  # the loudest piece's loud level so far: pieces are judged alike

    def mark(self, pcm: np.ndarray) -> np.ndarray:
        """The piece with the mark added; int16 in, int16 out, same length."""
        start, n = self._position, len(pcm)
        self._position += n
        if n == 0 or not np.any(pcm):
            return pcm.astype(np.int16, copy=True)
        audio = pcm.astype(np.float64)
        spectrum = np.fft.rfft(audio)
        freqs = np.fft.rfftfreq(n, 1.0 / self.rate)
        tile_pos = (start + np.arange(n)) / self.rate / TILE_S
        index = np.floor(tile_pos).astype(np.int64)
        chips = self._pattern.chips(self.payload, 0, int(index[-1]) + 2)
        if self.shaped:
            energy = tile_band_energy(audio, self.rate, index, BAND_EDGES_HZ, TILE_S)
            self._loud_level = max(self._loud_level, loud_level(energy))
            chips = chips * perceptual_gains(energy, self._loud_level)
        to_prev, to_next = _ramp_weights(tile_pos - index, index)
        delta = np.zeros(n)
        edges = [(b, lo, hi) for b, (lo, hi) in enumerate(zip(BAND_EDGES_HZ[:-1], BAND_EDGES_HZ[1:])) if lo < self.rate / 2]
        for group in range(0, len(edges), 12):  # 12 bands at a time bounds the memory on a Pi
            part = edges[group:group + 12]
            masks = np.stack([(freqs >= lo) & (freqs < hi) for _, lo, hi in part])
            bands = np.fft.irfft(masks * spectrum[None, :], n, axis=1)
            tile_chips = chips[:, [b for b, _, _ in part]].T  # (bands, tiles)
            here = tile_chips[:, index]
            gain = here
            gain += (tile_chips[:, np.maximum(index - 1, 0)] - here) * to_prev
            gain += (tile_chips[:, np.minimum(index + 1, tile_chips.shape[1] - 1)] - here) * to_next
            delta += np.einsum("bn,bn->n", bands, gain)
        marked = audio + self.strength * delta
        return np.clip(np.round(marked), -32768, 32767).astype(np.int16)


def _ramp_weights(frac_tiles: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How much of the previous / next chip each sample takes: raised-cosine crossfades of
    RAMP_S centred on tile edges, so chip changes do not click."""
    frac = frac_tiles * TILE_S  # seconds into the tile
    half = RAMP_S / 2
    to_prev = np.where((frac < half) & (index > 0), 0.5 - 0.5 * np.sin(np.pi * frac / RAMP_S), 0.0)
    to_next = np.where(frac > TILE_S - half, 0.5 - 0.5 * np.sin(np.pi * (TILE_S - frac) / RAMP_S), 0.0)
    return to_prev, to_next


def embed(pcm: np.ndarray, rate: int, payload: int, *, key: bytes) -> np.ndarray:
    """Watermark a whole utterance at once."""
    return UtteranceMarker(payload, rate, key=key).mark(pcm)


# --------------------------------------------------------------------------- detection


@dataclass(frozen=True)
class Detection:
    present: bool
    score: float
    """Sync z-score of the best hypothesis (noise exceeds t with probability <= exp(-t^2/2))."""
    threshold: float
    payload: int | None
    """The utterance id, if its bits passed the CRC."""
    offset_s: float
    """Where a pattern period starts in the file (s)."""
    bit_confidence: float
    """Mean |z| of the soft payload bits; below ~2 the payload is unreliable."""
    soft_bits: tuple[float, ...] = ()
    tempo: float = 1.0
    """How much faster the audio plays than it was made (1.1 = 10 % faster)."""
    pitch: float = 1.0
    """Frequency scale of the audio against what was made (1.059 = a semitone up)."""
    windows: int = 0
    hypotheses: int = field(default=0)

    @property
    def payload_hex(self) -> str | None:
        return None if self.payload is None else f"{self.payload:08x}"

    def match_score(self, payload: int) -> float:
        """z-score that this audio carries ``payload`` (for looking an id up in the log)."""
        if not self.soft_bits:
            return 0.0
        soft = np.array(self.soft_bits)
        return float(np.dot(soft, encode_bits(payload)) / math.sqrt(len(soft)))

    def to_dict(self) -> dict[str, object]:
        return {
            "watermark": self.present,
            "score": round(self.score, 2),
            "threshold": round(self.threshold, 2),
            "payload": self.payload_hex if self.present else None,
            "offset_s": round(self.offset_s, 3),
            "tempo": round(self.tempo, 3),
            "pitch_semitones": round(12 * math.log2(self.pitch), 2),
            "bit_confidence": round(self.bit_confidence, 2),
            "windows_searched": self.windows,
        }


def presence_threshold(candidates: int, false_alarm: float = wmsearch.FALSE_ALARM) -> float:
    """z above which one of ``candidates`` tries is accepted (Hoeffding + union bound)."""
    return wmsearch.threshold(candidates, false_alarm)


def windows(length: int, rate: int = ANALYSIS_RATE, max_windows: int = wmsearch.MAX_WINDOWS) -> list[tuple[int, int]]:
    """(start, end) sample ranges searched: WINDOW_S long, WINDOW_HOP_S apart, at most max_windows."""
    size, hop = int(WINDOW_S * rate), int(WINDOW_HOP_S * rate)
    if length <= size + hop // 2:
        return [(0, length)]
    starts = list(range(0, length - size + 1, hop))
    if starts[-1] + size < length:
        starts.append(length - size)
    if len(starts) > max_windows:
        starts = [starts[int(round(i))] for i in np.linspace(0, len(starts) - 1, max_windows)]
    return [(s, s + size) for s in starts]


def detect(pcm: np.ndarray, rate: int, *, key: bytes, false_alarm: float = wmsearch.FALSE_ALARM,
           max_windows: int = wmsearch.MAX_WINDOWS, read_payload: bool = True) -> Detection:
    """Is the mark of ``key`` in this audio, wherever it starts and however stretched?

    Windows are searched in order until one finds the mark and (with ``read_payload``) its
    payload reads; the threshold counts every window that could have been searched, so stopping
    early never changes whether the mark is found."""
    from ..audio.convert import resample

    audio16 = np.asarray(resample(np.asarray(pcm, dtype=np.int16), rate, ANALYSIS_RATE))
    searcher = _searcher(key)
    spans = windows(len(audio16), max_windows=max_windows)
    # Last resort for a long file no window found: the windows' periods combined in one span at
    # unchanged tempo (a phone line's narrow band leaves each 3.2 s window a weaker mark; folding
    # every period of the file adds them up). Its hypotheses are in the union bound from the start.
    whole = _searcher(key, long=True) if len(spans) > 1 else None
    extra = whole.hypotheses if whole is not None else 0
    limit = presence_threshold(searcher.hypotheses * len(spans) + extra, false_alarm)
    found: list[tuple[wmsearch.Hypothesis, int]] = []
    payload = None
    with _one_blas_thread():
        for a, b in spans:
            found.append((searcher.search(audio16[a:b]), a))
            if found[-1][0].z > limit and (not read_payload or (payload := decode_bits(found[-1][0].soft_bits)) is not None):
                break
        if whole is not None and not any(h.z > limit for h, _ in found):
            found.append((whole.search(audio16[:int(wmsearch.LONG_MAX_S * ANALYSIS_RATE)]), 0))
            if found[-1][0].z > limit and read_payload:
                payload = decode_bits(found[-1][0].soft_bits)
    best, start = max(found, key=lambda item: item[0].z)
    present = best.z > limit
    soft = best.soft_bits
    if present and payload is None and read_payload:
        # Several windows that each found the mark: their bits add up (disjoint windows only).
        hits = [h for h, a in found[::2] if h.z > limit] or [best]
        soft = np.sum([h.soft_bits for h in hits], axis=0) / math.sqrt(len(hits))
        payload = decode_bits(soft)
    elif present:
        soft = found[-1][0].soft_bits
        payload = payload if payload is not None else decode_bits(soft)
    return Detection(
        present=bool(present), score=float(best.z), threshold=limit, payload=payload if present else None,
        offset_s=start / ANALYSIS_RATE + best.offset_s,
        bit_confidence=float(np.mean(np.abs(soft))) if len(soft) else 0.0,
        soft_bits=tuple(float(s) for s in soft),
        tempo=1.0 / best.time_scale, pitch=best.freq_scale, windows=len(found),
        hypotheses=searcher.hypotheses * len(spans),
    )


def _one_blas_thread() -> Any:
    """The search's small matrix products run fastest on one BLAS thread (many threads thrash
    on a busy machine); threadpoolctl is optional."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1)


_SEARCHERS: dict[tuple[bytes, bool], Searcher] = {}


def _searcher(key: bytes, long: bool = False) -> Searcher:
    """The key's window searcher, or (``long``) its whole-file searcher at unchanged tempo."""
    if (key, long) not in _SEARCHERS:
        if len(_SEARCHERS) > 8:
            _SEARCHERS.clear()
        _SEARCHERS[(key, long)] = (Searcher(keyed_pattern(key), tempo_range=wmsearch.LONG_TEMPO_RANGE) if long
                                   else Searcher(keyed_pattern(key)))
    return _SEARCHERS[(key, long)]


def snr_db(original: np.ndarray, marked: np.ndarray) -> float:
    """Signal-to-watermark ratio in dB."""
    o = original.astype(np.float64)
    noise = marked.astype(np.float64) - o
    return float(10 * np.log10(np.sum(o**2) / max(np.sum(noise**2), 1e-9)))

