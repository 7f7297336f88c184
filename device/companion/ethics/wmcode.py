"""The watermark's keyed chip pattern and its payload code (ETHICS.md C4): pure functions.

The pattern is a grid of +-1 chips, PERIOD_TILES tiles of 16 ms by BANDS bands, that repeats for as
long as the utterance lasts. Two chips in three are sync (they prove presence and give the time
offset), one in three carries the payload: a 32-bit utterance id and a CRC-16, every code bit
spread over ~40 chips of each period. Because every period holds a whole copy of the payload and
the sync, any excerpt at least one period long (2 s) holds the whole mark, wherever it was cut.

Every chip comes from the device's secret key (wmkey.py) through a seeded generator: without the
key the pattern cannot be told from noise, so it can be neither subtracted nor stamped onto
other audio.
"""

from __future__ import annotations

import binascii
import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

PERIOD_TILES = 125
"""The pattern repeats every 125 tiles (2.0 s): a 3 s excerpt always holds a whole period."""
BANDS = 48
SYNC_PERIOD = 3
"""Two chips in three are sync (presence must be certain), one in three carries the payload."""
PAYLOAD_BITS = 32
CRC_BITS = 16
CODE_BITS = PAYLOAD_BITS + CRC_BITS
CHASE_BITS = 6
"""Soft decoding flips up to the 6 least reliable bits (64 tries): a garbled word still passes
the CRC-16 by chance with probability 64 / 65536 ~ 0.1 %, and only after presence is proven."""
PATTERN_DOMAIN = b"companion-watermark-pattern-v2"


def crc16(value: int) -> int:
    """CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF) of the 4 payload bytes: a garbled
    payload is not reported as an id."""
    return binascii.crc_hqx(value.to_bytes(4, "big"), 0xFFFF)


def encode_bits(payload: int) -> np.ndarray:
    """The 48 code bits (payload then CRC) as +-1."""
    if not 0 <= payload < 2**PAYLOAD_BITS:
        raise ValueError("payload must be a 32-bit unsigned integer")
    word = (payload << CRC_BITS) | crc16(payload)
    bits = [(word >> (CODE_BITS - 1 - i)) & 1 for i in range(CODE_BITS)]
    return np.array(bits, dtype=np.float64) * 2 - 1


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
    """One period of the keyed chip layout: sync chips, payload chips, the bit each one carries."""

    sync: np.ndarray  # (PERIOD_TILES, BANDS) +-1, zero where the chip carries payload
    spread: np.ndarray  # (PERIOD_TILES, BANDS) +-1, zero where the chip is sync
    bit_index: np.ndarray  # (PERIOD_TILES, BANDS) int, the code bit of a payload chip (-1 for sync)

    @property
    def sync_mask(self) -> np.ndarray:
        return (self.sync != 0).astype(np.float64)

    def period(self, payload: int) -> np.ndarray:
        """One period of +-1 chips carrying ``payload``."""
        code = encode_bits(payload)
        bit_signs = np.where(self.bit_index >= 0, code[np.maximum(self.bit_index, 0)], 0.0)
        return self.sync + self.spread * bit_signs

    def chips(self, payload: int, first_tile: int, tiles: int) -> np.ndarray:
        """(tiles, BANDS) chips of absolute tiles first_tile .. first_tile + tiles - 1."""
        full = self.period(payload)
        return full[(first_tile + np.arange(tiles)) % PERIOD_TILES]


@lru_cache(maxsize=8)
def keyed_pattern(key: bytes) -> Pattern:
    """The pattern a key makes; any change of key gives an unrelated pattern."""
    if len(key) < 16:
        raise ValueError("a watermark key has at least 16 bytes")
    seed = int.from_bytes(hashlib.sha256(PATTERN_DOMAIN + key).digest(), "big")
    rng = np.random.default_rng(seed)
    shape = (PERIOD_TILES, BANDS)
    is_sync = (np.add.outer(np.arange(PERIOD_TILES), np.arange(BANDS)) % SYNC_PERIOD) != 0
    signs = rng.choice([-1.0, 1.0], size=shape)
    # Payload chips cycle through the code bits in a keyed order, so every bit gets an equal share.
    order = rng.permutation(int((~is_sync).sum())) % CODE_BITS
    bit_index = np.full(shape, -1, dtype=np.int64)
    bit_index[~is_sync] = order
    return Pattern(sync=np.where(is_sync, signs, 0.0), spread=np.where(is_sync, 0.0, signs), bit_index=bit_index)
