"""Pure parts of the reply line."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from companion.service.reply_line import split_at_quiet

RATE = 22050


def test_a_long_first_sentence_is_cut_in_its_quietest_gap() -> None:
    rng = np.random.default_rng(1)
    pcm = (rng.standard_normal(2 * RATE) * 3000).astype(np.int16)
    pcm[int(0.62 * RATE) : int(0.66 * RATE)] = 0  # the gap between two words
    head, rest = split_at_quiet(pcm, RATE)
    assert head is not None
    assert 0.62 * RATE <= len(head) <= 0.66 * RATE
    assert np.array_equal(np.concatenate([head, rest]), pcm)


def test_short_audio_is_not_cut() -> None:
    pcm = np.ones(int(0.5 * RATE), dtype=np.int16)
    head, rest = split_at_quiet(pcm, RATE)
    assert head is None and rest is pcm


@given(st.integers(0, 5 * RATE), st.sampled_from([16000, 22050, 24000]))
def test_cutting_never_loses_or_reorders_samples(length: int, rate: int) -> None:
    pcm = (np.arange(length) % 30000).astype(np.int16)
    head, rest = split_at_quiet(pcm, rate)
    joined = rest if head is None else np.concatenate([head, rest])
    assert np.array_equal(joined, pcm)
    if head is not None:
        assert 0.3 * rate <= len(head) <= 0.8 * rate + rate // 100
