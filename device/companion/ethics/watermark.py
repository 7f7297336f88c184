"""An inaudible spread-spectrum watermark on everything the device says (ETHICS.md C4).

No watermark model ships in a registry package (audioseal, wavmark... download weights at run
time), so this is a small numpy scheme: band-energy modulation. Time is cut into 16 ms tiles and
300-6000 Hz into 48 bands; each (tile, band) gets a keyed +-1 chip, and the band's amplitude in
that tile is scaled by (1 + strength * chip). Two chips in three are a fixed sync pattern
(presence), the third carries the payload (a 32-bit utterance id + CRC-16), each bit spread
over many tiles, so the mark is read by correlating over the whole utterance: a sentence of
under a second carries too few chips on its own, which is why one continuous pattern spans the
whole utterance (``UtteranceMarker`` keeps the position across sentences).

The mark is perceptually shaped: within a tile, bands that stand above the tile's spectral
envelope (formant peaks, which carry most of the energy) get a smaller share and the weak bands
between them, masked by their loud neighbours, a larger one; and tiles well below the utterance's
loud level (onsets, tails, breaths, where nothing masks the mark) get less. The detector weighs
every band and every loud tile alike in the log domain, so this costs little detection while
the error energy falls. Measured on 40 Piper utterances of 1-10 s (detection after 16 kHz + MP3
64 kbps), unshaped at strength 0.15 -> shaped at 0.35: SNR 18.8 -> 23.7 dB, PESQ-WB 3.76 -> 4.26,
smallest detection margin (z - threshold) 1.9 -> 2.8, utterance found in a 1000-entry log 31 -> 40.

The pattern is anchored in seconds and Hz, not samples, so the mark survives resampling; the
detector works in a 16 kHz analysis domain, searches the time offset (MP3 encoders add delay)
and thresholds a self-normalised correlation whose null distribution is N(0, 1) with a
Bonferroni correction over the offsets it tried: a principled false-alarm rate.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np

from .wmshape import loud_level, perceptual_gains, tile_band_energy

logger = logging.getLogger(__name__)

TILE_S = 0.016
"""One chip lasts this long (2 analysis hops of 8 ms at 16 kHz); short chips mean many chips."""
ANALYSIS_RATE = 16000
HOP = 128
FRAME = 256
HOPS_PER_TILE = 2
BAND_EDGES_HZ = tuple(float(f) for f in np.linspace(300.0, 6000.0, 49))
"""48 bands of ~119 Hz between 300 and 6000 Hz: speech energy lives there and MP3 keeps it.
Measured: 16 ms x 119 Hz chips gave 2-3x the z-score of 32 ms x 16 log bands after MP3."""
STRENGTH = 0.35
"""Band amplitude is scaled by 1 +- this times the chip's perceptual gain (wmshape.py)."""
SYNC_PERIOD = 3
"""Two chips in three are sync (presence must be certain), one in three carries the payload."""
PAYLOAD_BITS = 32
CRC_BITS = 16
CODE_BITS = PAYLOAD_BITS + CRC_BITS
RAMP_S = 0.016
"""Chips cross-fade over this long (raised cosine, a whole tile): no clicks at tile edges;
measured PESQ-WB +0.1 against 4 ms ramps at the same detection score."""
FALSE_ALARM_TARGET = 5e-4
"""Per-file false-alarm probability the presence threshold is set for: half the spec's 0.1 %
(Bonferroni over the offsets searched, so the true rate is lower still)."""
PATTERN_TILES = 4096
"""The keyed pattern repeats after this many tiles (~65 s), longer than any utterance."""
DEFAULT_KEY = b"companion-watermark-v1"


def crc16(value: int) -> int:
    """CRC-16/CCITT of the 4 payload bytes: a garbled payload is not reported as an id."""
    crc = 0xFFFF
    for byte in value.to_bytes(4, "big"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def encode_bits(payload: int) -> np.ndarray:
    """The 48 code bits (payload then CRC) as +-1."""
    if not 0 <= payload < 2**PAYLOAD_BITS:
        raise ValueError("payload must be a 32-bit unsigned integer")
    word = (payload << CRC_BITS) | crc16(payload)
    bits = [(word >> (CODE_BITS - 1 - i)) & 1 for i in range(CODE_BITS)]
    return np.array(bits, dtype=np.float64) * 2 - 1


CHASE_BITS = 6
"""Soft decoding flips up to the 6 least reliable bits (64 tries): a garbled word still passes
the CRC-16 by chance with probability 64 / 65536 ~ 0.1 %, and only after presence is proven."""


def decode_bits(soft: np.ndarray) -> int | None:
    """The payload whose bits, with the least reliable ones possibly flipped, pass the CRC."""
    signs = np.asarray(soft, dtype=np.float64)
    weakest = np.argsort(np.abs(signs))[:CHASE_BITS]
    hard = [int(s > 0) for s in signs]
    for mask in range(1 << len(weakest)):
        bits = list(hard)
        for j, index in enumerate(weakest):
            if mask >> j & 1:
                bits[index] ^= 1
        word = 0
        for bit in bits:
            word = (word << 1) | bit
        payload, crc = word >> CRC_BITS, word & 0xFFFF
        if crc16(payload) == crc:
            return payload
    return None


@dataclass(frozen=True)
class Pattern:
    """The keyed chip layout: sync chips, payload chips and which bit each payload chip carries."""

    sync: np.ndarray  # (tiles, bands) +-1, zero where the chip carries payload
    spread: np.ndarray  # (tiles, bands) +-1, zero where the chip is sync
    bit_index: np.ndarray  # (tiles, bands) int, the code bit of a payload chip (-1 for sync)

    def chips(self, payload: int, tiles: int) -> np.ndarray:
        """The +-1 chips of ``tiles`` tiles of an utterance carrying ``payload``."""
        code = encode_bits(payload)
        bit_signs = np.where(self.bit_index >= 0, code[np.maximum(self.bit_index, 0)], 0.0)
        full = self.sync + self.spread * bit_signs
        reps = -(-tiles // len(full))
        return np.tile(full, (reps, 1))[:tiles]


@lru_cache(maxsize=4)
def keyed_pattern(key: bytes = DEFAULT_KEY) -> Pattern:
    seed = int.from_bytes(hashlib.sha256(key).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    bands = len(BAND_EDGES_HZ) - 1
    shape = (PATTERN_TILES, bands)
    is_sync = (np.add.outer(np.arange(PATTERN_TILES), np.arange(bands)) % SYNC_PERIOD) != 0
    signs = rng.choice([-1.0, 1.0], size=shape)
    # Payload chips cycle through the code bits in a keyed order, so every bit gets an equal share.
    order = rng.permutation(int((~is_sync).sum())) % CODE_BITS
    bit_index = np.full(shape, -1, dtype=np.int64)
    bit_index[~is_sync] = order
    return Pattern(
        sync=np.where(is_sync, signs, 0.0),
        spread=np.where(is_sync, 0.0, signs),
        bit_index=bit_index,
    )


# --------------------------------------------------------------------------- embedding


class UtteranceMarker:
    """Watermarks one utterance piece by piece (sentence PCM, pauses) as one continuous pattern.

    Each piece is filtered into bands on its own (zero-phase FFT masks); the chip of each band
    follows the absolute time since the utterance began, so the pieces join into one mark.
    """

    def __init__(self, payload: int, rate: int, *, key: bytes = DEFAULT_KEY, strength: float = STRENGTH,
                 shaped: bool = True) -> None:
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
        chips = self._pattern.chips(self.payload, int(index[-1]) + 2)
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


def embed(pcm: np.ndarray, rate: int, payload: int, *, key: bytes = DEFAULT_KEY) -> np.ndarray:
    """Watermark a whole utterance at once."""
    return UtteranceMarker(payload, rate, key=key).mark(pcm)


# --------------------------------------------------------------------------- detection


@dataclass(frozen=True)
class Detection:
    present: bool
    score: float
    """Sync correlation z-score at the best offset (N(0, 1) on unmarked audio)."""
    threshold: float
    payload: int | None
    """The utterance id, if its bits passed the CRC."""
    offset_s: float
    bit_confidence: float
    """Mean |z| of the soft payload bits; below ~2 the payload is unreliable."""
    soft_bits: tuple[float, ...] = ()

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
            "bit_confidence": round(self.bit_confidence, 2),
        }


def _band_energies(audio16: np.ndarray) -> np.ndarray:
    """(hops, bands) energy per 8 ms hop at 16 kHz."""
    audio = audio16.astype(np.float64)
    if len(audio) < FRAME:
        audio = np.pad(audio, (0, FRAME - len(audio)))
    count = 1 + (len(audio) - FRAME) // HOP
    idx = np.arange(FRAME)[None, :] + HOP * np.arange(count)[:, None]
    frames = audio[idx] * np.hanning(FRAME)[None, :]
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(FRAME, 1.0 / ANALYSIS_RATE)
    bands = len(BAND_EDGES_HZ) - 1
    out = np.zeros((count, bands))
    for b in range(bands):
        sel = (freqs >= BAND_EDGES_HZ[b]) & (freqs < BAND_EDGES_HZ[b + 1])
        out[:, b] = power[:, sel].sum(axis=1)
    return out


def _residuals(tile_energy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """High-passed log band energies (the chip estimate) and their weights (0 in silence)."""
    log_e = np.log(tile_energy + 1e-3)
    r = log_e - log_e.mean(axis=1, keepdims=True)  # loudness changes hit every band alike
    padded = np.pad(r, ((1, 1), (0, 0)), mode="edge")
    r = r - 0.5 * (padded[:-2] + padded[2:])  # the spectral envelope moves slowly in time...
    across = np.pad(r, ((0, 0), (1, 1)), mode="edge")
    r = r - 0.25 * (across[:, :-2] + across[:, 2:])  # ...and is smooth across neighbouring bands
    total = tile_energy.sum(axis=1)
    loud = total > (total.max() if len(total) else 0.0) * 1e-4  # within 40 dB of the loudest tile
    band_ok = tile_energy > tile_energy.max() * 1e-7 if tile_energy.size else tile_energy > 0
    weight = (loud[:, None] & band_ok).astype(np.float64)
    return r, weight


def presence_threshold(candidates: int, false_alarm: float = FALSE_ALARM_TARGET) -> float:
    """z above which a mark is declared, Bonferroni-corrected for the offsets searched."""
    return NormalDist().inv_cdf(1.0 - false_alarm / max(1, candidates))


def detect(
    pcm: np.ndarray,
    rate: int,
    *,
    key: bytes = DEFAULT_KEY,
    max_offset_s: float = 0.3,
    false_alarm: float = FALSE_ALARM_TARGET,
) -> Detection:
    """Look for the mark at time offsets -0.05 s .. ``max_offset_s`` (where the utterance starts).

    The device writes each utterance at the start of its file and codecs shift it by tens of
    milliseconds at most; a wider search (a trimmed or padded clip) raises the threshold."""
    from ..audio.convert import resample

    audio16 = resample(np.asarray(pcm, dtype=np.int16), rate, ANALYSIS_RATE) if rate != ANALYSIS_RATE else pcm
    hops = _band_energies(np.asarray(audio16))
    pattern = keyed_pattern(key)
    bands = hops.shape[1]
    min_shift = -int(round(0.05 / TILE_S))
    max_shift = max(0, int(round(max_offset_s / TILE_S)))
    tried = 0
    scored: list[tuple[float, int, int]] = []
    cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for phase in range(HOPS_PER_TILE):
        usable = (len(hops) - phase) // HOPS_PER_TILE
        if usable < 4:
            continue
        tiles = hops[phase : phase + usable * HOPS_PER_TILE].reshape(usable, HOPS_PER_TILE, bands).sum(axis=1)
        r, w = _residuals(tiles)
        cache[phase] = (r, w)
        for shift in range(min_shift, max_shift + 1):
            scored.append((_sync_z(r, w, pattern.sync, shift), phase, shift))
            tried += 1
    threshold = presence_threshold(tried, false_alarm)
    if not cache:
        return Detection(False, 0.0, threshold, None, 0.0, 0.0)
    scored.sort(reverse=True)
    z, phase, shift = scored[0]
    r, w = cache[phase]
    soft = _soft_bits(r, w, pattern, shift)
    payload = decode_bits(soft) if z > threshold else None
    # The best sync alignment can sit a hop off; the payload may read better at a neighbour.
    for _, alt_phase, alt_shift in scored[1:4] if payload is None and z > threshold else ():
        alt = _soft_bits(*cache[alt_phase], pattern, alt_shift)
        if (found := decode_bits(alt)) is not None:
            payload, soft = found, alt
            break
    offset = shift * TILE_S + phase * HOP / ANALYSIS_RATE
    return Detection(
        present=bool(z > threshold),
        score=float(z),
        threshold=threshold,
        payload=payload,
        offset_s=offset,
        bit_confidence=float(np.mean(np.abs(soft))) if len(soft) else 0.0,
        soft_bits=tuple(float(s) for s in soft),
    )


def _aligned(r: np.ndarray, w: np.ndarray, shift: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Residual tiles aligned with pattern tiles when the utterance starts ``shift`` tiles in."""
    if shift >= 0:
        rr, ww = r[shift:], w[shift:]
        start = 0
    else:
        rr, ww = r, w
        start = -shift
    tiles = np.arange(start, start + len(rr)) % PATTERN_TILES
    return rr, ww, tiles


def _sync_z(r: np.ndarray, w: np.ndarray, sync: np.ndarray, shift: int) -> float:
    rr, ww, tiles = _aligned(r, w, shift)
    if len(rr) == 0:
        return -np.inf
    chips = sync[tiles]
    x = ww * rr * chips
    denom = math.sqrt(float(np.sum((ww * rr * (chips != 0)) ** 2)))
    return float(x.sum() / denom) if denom > 0 else 0.0


def _soft_bits(r: np.ndarray, w: np.ndarray, pattern: Pattern, shift: int) -> np.ndarray:
    """One z-score per code bit: the correlation of its chips, self-normalised."""
    rr, ww, tiles = _aligned(r, w, shift)
    spread = pattern.spread[tiles]
    index = pattern.bit_index[tiles]
    x = (ww * rr * spread).ravel()
    e = ((ww * rr * (spread != 0)) ** 2).ravel()
    idx = index.ravel()
    keep = idx >= 0
    num = np.bincount(idx[keep], weights=x[keep], minlength=CODE_BITS)
    den = np.sqrt(np.bincount(idx[keep], weights=e[keep], minlength=CODE_BITS))
    return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


def snr_db(original: np.ndarray, marked: np.ndarray) -> float:
    """Signal-to-watermark ratio in dB."""
    o = original.astype(np.float64)
    noise = marked.astype(np.float64) - o
    return float(10 * np.log10(np.sum(o**2) / max(np.sum(noise**2), 1e-9)))
