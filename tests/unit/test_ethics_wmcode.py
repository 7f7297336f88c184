"""The keyed chip pattern and the pure parts of the search: periodicity, sync, folding."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from companion.ethics import wmsearch
from companion.ethics.wmcode import BANDS, CODE_BITS, PERIOD_TILES, crc16, encode_bits, keyed_pattern

KEY = b"unit-test-watermark-key-0002"


def test_every_period_carries_the_whole_payload_in_equal_shares() -> None:
    pattern = keyed_pattern(KEY)
    counts = np.bincount(pattern.bit_index[pattern.bit_index >= 0], minlength=CODE_BITS)
    assert counts.min() >= counts.max() - 1 and counts.min() >= 30
    assert abs(pattern.sync_mask.mean() - 2 / 3) < 0.01  # two chips in three are sync
    # Chips repeat every period, from wherever the utterance is cut.
    chips = pattern.chips(0xCAFE, 0, 3 * PERIOD_TILES)
    assert np.array_equal(chips[:PERIOD_TILES], chips[PERIOD_TILES:2 * PERIOD_TILES])
    assert np.array_equal(pattern.chips(0xCAFE, 40, 10), chips[40:50])
    # The payload chips carry the code bits: despread, every bit reads back.
    full = pattern.period(0xCAFE)
    soft = np.bincount(pattern.bit_index[pattern.bit_index >= 0],
                       weights=(full * pattern.spread)[pattern.bit_index >= 0], minlength=CODE_BITS)
    assert np.array_equal(np.sign(soft), encode_bits(0xCAFE))


def test_the_sync_chips_of_two_keys_are_uncorrelated() -> None:
    a, b = keyed_pattern(b"a" * 32).sync, keyed_pattern(b"b" * 32).sync
    both = (a != 0) & (b != 0)
    assert abs(float((a * b)[both].mean())) < 4 / np.sqrt(both.sum())


def test_scale_grids_are_symmetric_and_hold_no_change() -> None:
    grid = wmsearch.scale_grid(0.11, 0.0045)
    assert np.any(np.isclose(grid, 1.0)) and np.allclose(grid * grid[::-1], 1.0)
    assert grid.min() <= 1 / 1.1 and grid.max() >= 1.1


def test_band_weights_move_with_the_frequency_scale() -> None:
    bin_hz = wmsearch.ANALYSIS_RATE / wmsearch.FRAME
    widths = np.diff(wmsearch.BAND_EDGES_HZ) / bin_hz
    assert np.allclose(wmsearch.band_weights(1.0).sum(axis=0), widths)
    up = wmsearch.band_weights(1.06)  # a semitone up: every band 6 % higher and wider
    assert np.allclose(up.sum(axis=0), widths * 1.06)
    centre = np.arange(up.shape[0]) @ up / up.sum(axis=0)
    assert np.all(centre > np.arange(up.shape[0]) @ wmsearch.band_weights(1.0) / widths)


def test_folding_and_the_circulant_find_a_shifted_pattern_at_every_offset() -> None:
    pattern = keyed_pattern(KEY)
    rng = np.random.default_rng(0)
    circ = wmsearch.circulant(pattern.sync)
    for shift in (0, 1, 57, PERIOD_TILES - 1):
        tiles = 2 * PERIOD_TILES + 30
        chips = pattern.sync[(np.arange(tiles) + shift) % PERIOD_TILES]
        residual = 0.3 * chips + rng.standard_normal((tiles, BANDS))
        folded = wmsearch.fold(residual)
        assert folded.shape == (PERIOD_TILES, BANDS)
        assert np.allclose(folded[0], residual[0] + residual[PERIOD_TILES] + residual[2 * PERIOD_TILES])
        z = folded.reshape(-1) @ circ
        brute = [np.sum(folded * pattern.sync[(np.arange(PERIOD_TILES) + o) % PERIOD_TILES]) for o in (shift, 3)]
        assert np.isclose(z[shift], brute[0]) and np.isclose(z[3], brute[1])
        assert int(np.argmax(z)) == shift


def test_soft_bits_read_the_payload_at_the_found_offset() -> None:
    pattern = keyed_pattern(KEY)
    rng = np.random.default_rng(1)
    period = pattern.period(0x12345678)
    shift = 33
    residual = 0.5 * period[(np.arange(PERIOD_TILES) + shift) % PERIOD_TILES] + rng.standard_normal((PERIOD_TILES, BANDS))
    soft = wmsearch.soft_bits(residual, pattern, shift)
    assert np.array_equal(np.sign(soft), encode_bits(0x12345678))


def test_the_threshold_follows_the_hoeffding_bound() -> None:
    """P(z > t) <= exp(-t^2/2) per hypothesis; the union over H of them stays under alpha."""
    for hypotheses in (1, 1000, 500_000):
        t = wmsearch.threshold(hypotheses, 1e-4)
        assert hypotheses * np.exp(-t * t / 2) <= 1e-4 * (1 + 1e-9)


def test_the_crc_is_ccitt_false_and_stays_what_marked_audio_already_carries() -> None:
    # Values of the bitwise implementation the watermark shipped with (marks made with it must
    # still decode); "1234" as a payload.
    assert crc16(0x31323334) == 0x5349
    assert crc16(0) == 0x84C0 and crc16(0xFFFFFFFF) == 0x1D0F


@given(st.integers(0, 2**32 - 1), st.integers(0, 31), st.integers(0, 31))
def test_the_crc_catches_every_one_and_two_bit_error(payload: int, bit: int, other: int) -> None:
    assert crc16(payload ^ (1 << bit)) != crc16(payload)
    if other != bit:
        assert crc16(payload ^ (1 << bit) ^ (1 << other)) != crc16(payload)
