"""Pure logic of `companion voice`: clip rules, segmentation, challenge matching, WER, alignment."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.voice import challenge, quality
from companion.voice.piper_fixes import maximum_path_each
from companion.voice.prepare import heldout_indices
from companion.voice.report import verdict
from companion.voice.verify import word_error_rate


def test_clipped_fraction_counts_full_scale_samples() -> None:
    audio = np.zeros(1000, dtype=np.float32)
    audio[:10] = 1.0
    audio[10:20] = -0.995
    assert quality.clipped_fraction(audio) == pytest.approx(0.02)
    assert quality.clipped_fraction(np.zeros(0)) == 0.0


def test_snr_of_known_powers() -> None:
    assert quality.snr_db(1.01, 0.01) == pytest.approx(20.0)
    assert quality.snr_db(0.5, 0.0) == quality.SNR_CAP_DB
    assert quality.snr_db(0.01, 0.02) == 0.0


def test_noise_floor_uses_non_speech_frames() -> None:
    powers = np.array([0.5, 0.5, 0.01, 0.02, 0.01, 0.5])
    speech = np.array([True, True, False, False, False, True])
    assert quality.noise_floor(powers, speech) == pytest.approx(0.01)


def test_normalise_rms_hits_target_and_respects_peak() -> None:
    rng = np.random.default_rng(0)
    audio = (rng.normal(0, 0.01, 22050)).astype(np.float32)
    out = quality.normalise_rms(audio, -23.0)
    assert 20 * np.log10(np.sqrt(np.mean(out.astype(np.float64) ** 2))) == pytest.approx(-23.0, abs=0.01)
    spiky = np.zeros(1000, dtype=np.float32)
    spiky[0] = 0.5
    assert np.max(np.abs(quality.normalise_rms(spiky, -6.0))) <= 0.95 + 1e-6


def test_segments_join_short_gaps_and_split_long_runs() -> None:
    flags = [False] * 5 + [True] * 10 + [False] * 2 + [True] * 10 + [False] * 20 + [True] * 5 + [False] * 5
    assert quality.speech_segments(flags, min_gap=5, pad=1, max_len=100) == [(4, 28), (46, 53)]
    long = [True] * 30 + [False] * 3 + [True] * 30
    assert quality.speech_segments(long, min_gap=5, pad=0, max_len=40) == [(0, 30), (33, 63)]


@given(st.lists(st.booleans(), max_size=300), st.integers(1, 10), st.integers(0, 5), st.integers(2, 60))
@settings(max_examples=200, deadline=None)
def test_segments_are_ordered_bounded_and_cover_all_speech(flags: list[bool], gap: int, pad: int, max_len: int) -> None:
    segments = quality.speech_segments(flags, min_gap=gap, pad=pad, max_len=max_len)
    for start, end in segments:
        assert 0 <= start < end <= len(flags)
        assert end - start <= max_len + 2 * pad
    covered = {i for s, e in segments for i in range(s, e)}
    assert all(i in covered for i, f in enumerate(flags) if f)
    assert [s for s, _ in segments] == sorted(s for s, _ in segments)


def test_histogram_bins_and_clamps() -> None:
    bins = quality.histogram([-5, 0, 5, 10, 99], [0, 5, 10])
    assert [b["count"] for b in bins] == [2, 3]
    with pytest.raises(ValueError):
        quality.histogram([1], [0])


def test_verdict_levels() -> None:
    assert verdict(1.0, 30)["level"] == "not-enough"
    assert verdict(10.0, 30)["level"] == "weak"
    assert verdict(45.0, 30)["level"] == "enough"


def test_heldout_is_a_tenth_spread_over_the_set() -> None:
    assert heldout_indices(3) == set()
    assert len(heldout_indices(4)) == 1
    held = heldout_indices(40)
    assert len(held) == 4 and all(0 <= i < 40 for i in held)


def test_challenge_is_random_recorded_and_checked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    now = dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone.utc)
    first = challenge.new_challenge(tmp_path, now=now)
    assert len(first.phrase.split()) == challenge.CHALLENGE_WORDS
    assert challenge.load_challenge(tmp_path) == first
    issued = challenge.load_challenge(tmp_path)
    assert challenge.check_enrolment(issued, issued.phrase.upper() + ".", now=now, where="x") == 1.0
    with pytest.raises(challenge.ConsentCheckError, match="does not say"):
        challenge.check_enrolment(issued, "hello this is an old voice note", now=now, where="x")
    with pytest.raises(challenge.ConsentCheckError, match="expired"):
        challenge.check_enrolment(issued, issued.phrase, now=now + dt.timedelta(days=2), where="x")


def test_missing_challenge_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(challenge.ConsentCheckError, match="no challenge phrase"):
        challenge.load_challenge(tmp_path)
    (tmp_path / challenge.CHALLENGE_FILE).write_text("{not json")
    with pytest.raises(challenge.ConsentCheckError, match="unreadable"):
        challenge.load_challenge(tmp_path)


@given(st.text(max_size=80), st.text(max_size=80))
@settings(max_examples=200, deadline=None)
def test_phrase_match_and_wer_are_bounded_for_any_text(a: str, b: str) -> None:
    assert 0.0 <= challenge.phrase_match(a, b) <= 1.0
    assert word_error_rate(a, b) >= 0.0
    if challenge.normalise_words(a):
        assert word_error_rate(a, a) == 0.0
        assert challenge.phrase_match(a, a) == 1.0


def test_word_error_rate() -> None:
    assert word_error_rate("the cat sat", "the cat sat") == 0.0
    assert word_error_rate("the cat sat", "the dog sat") == pytest.approx(1 / 3)
    assert word_error_rate("the cat sat", "") == 1.0
    assert word_error_rate("", "") == 0.0


def _brute_force_best(value: np.ndarray) -> float:
    """Best monotonic alignment score by exhaustive search (tiny sizes only)."""
    t_y, t_x = value.shape
    best = -np.inf

    def walk(y: int, x: int, total: float) -> None:
        nonlocal best
        total += value[y, x]
        if y == t_y - 1:
            if x == t_x - 1:
                best = max(best, total)
            return
        walk(y + 1, x, total)
        if x + 1 < t_x:
            walk(y + 1, x + 1, total)

    walk(0, 0, 0.0)
    return best


@given(st.integers(1, 4), st.integers(0, 4), st.integers(0, 2**31 - 1))
@settings(max_examples=60, deadline=None)
def test_monotonic_alignment_finds_the_best_path(t_x: int, extra: int, seed: int) -> None:
    t_y = t_x + extra
    value = np.random.default_rng(seed).normal(size=(t_y, t_x)).astype(np.float32)
    path = np.zeros((t_y, t_x), dtype=np.int32)
    maximum_path_each(path, value.copy(), t_y, t_x)
    assert (path.sum(axis=1) == 1).all()  # every frame aligned to exactly one token
    xs = path.argmax(axis=1)
    assert xs[0] == 0 and xs[-1] == t_x - 1 and np.all(np.diff(xs) >= 0) and np.all(np.diff(xs) <= 1)
    assert float((value * path).sum()) == pytest.approx(_brute_force_best(value), abs=1e-4)


def test_confirm_speech_drops_quiet_blips_and_short_runs() -> None:
    powers = np.array([1.0, 1.0, 1.0, 1.0, 0.011, 0.01, 1.0, 0.01, 0.01, 1.0, 1.0, 1.0])
    flags = np.ones(len(powers), dtype=bool)
    out = quality.confirm_speech(flags, powers, 0.01, min_run=3)
    # the pause frames (near the noise floor) and the lone loud frame between them are not speech
    assert out.tolist() == [True] * 4 + [False] * 5 + [True] * 3
    assert not quality.confirm_speech(np.zeros(3, dtype=bool), np.ones(3), 0.01).any()


def test_phrase_match_forgives_small_mishearings_but_not_other_words() -> None:
    phrase = "tunnel marble violin helmet basket needle"
    assert challenge.phrase_match(phrase, "Tunnel, Marble, Bioline, Helmet, Asket, Needle.") == 1.0
    assert challenge.phrase_match(phrase, "tunnel marble") == pytest.approx(2 / 6)
    assert challenge.phrase_match(phrase, "needle basket helmet violin marble tunnel") == pytest.approx(1 / 6)
    assert challenge.phrase_match(phrase, "hi love just checking in call me back") == 0.0


def test_voice_settings_are_validated_by_key() -> None:
    from companion.config import settings_from_mapping
    from companion.errors import ConfigError

    assert settings_from_mapping({"voice": {"verify_threshold": 0.85}}).voice.verify_threshold == 0.85
    with pytest.raises(ConfigError, match="voice.verify_threshold"):
        settings_from_mapping({"voice": {"verify_threshold": 2.0}}).validate()
    with pytest.raises(ConfigError, match="voice.min_clip_s"):
        settings_from_mapping({"voice": {"min_clip_s": 20.0, "max_clip_s": 10.0}}).validate()
