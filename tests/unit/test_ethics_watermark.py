"""The watermark: embed/detect round trip, robustness, a calibrated null, the payload code."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.audio.convert import resample
from companion.ethics import watermark as wm
from companion.ethics import wmsearch
from companion.ethics.wmcode import keyed_pattern

KEY = b"unit-test-watermark-key-0001"


def speechlike(seconds: float, rate: int = 22050, seed: int = 0) -> np.ndarray:
    """Noise shaped by a syllable-rate envelope and a speech-like spectral tilt (no model needed)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    noise = rng.standard_normal(n)
    spectrum = np.fft.rfft(noise) / (1 + np.fft.rfftfreq(n, 1 / rate) / 500.0)
    audio = np.fft.irfft(spectrum, n)
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 4.0 * np.arange(n) / rate + rng.uniform(0, 6))
    audio = audio * envelope
    return (audio / np.abs(audio).max() * 12000).astype(np.int16)


def test_a_marked_utterance_is_found_with_its_payload() -> None:
    pcm = speechlike(4.0)
    marked = wm.embed(pcm, 22050, 0xDEADBEEF, key=KEY)
    found = wm.detect(marked, 22050, key=KEY)
    assert found.present and found.payload == 0xDEADBEEF
    assert 14.0 < wm.snr_db(pcm, marked) < 25.0  # inaudible by design, yet not zero


def test_unmarked_audio_and_a_wrong_key_are_not_detected() -> None:
    pcm = speechlike(4.0, seed=1)
    assert not wm.detect(pcm, 22050, key=KEY).present
    marked = wm.embed(pcm, 22050, 7, key=KEY)
    assert not wm.detect(marked, 22050, key=b"some other device's key").present


def test_the_mark_survives_resampling_to_16k_and_a_time_offset() -> None:
    pcm = speechlike(3.0, seed=2)
    marked = wm.embed(pcm, 22050, 123456, key=KEY)
    shifted = np.concatenate([np.zeros(int(0.13 * 22050), dtype=np.int16), marked])
    received = resample(shifted, 22050, 16000)
    found = wm.detect(received, 16000, key=KEY)
    assert found.present
    period = keyed_pattern(KEY).sync.shape[0] * wmsearch.TILE_S  # a period starts every 2 s
    assert abs((found.offset_s - 0.13 + 0.5 * period) % period - 0.5 * period) < 0.02


def test_any_excerpt_holds_the_whole_mark() -> None:
    """Cut anywhere: a 3 s window from the middle of a 9 s utterance still carries the mark."""
    marked = wm.embed(speechlike(9.0, seed=3), 22050, 99, key=KEY)
    for start_s in (0.37, 2.9, 5.55):
        piece = marked[int(start_s * 22050):int((start_s + 3.0) * 22050)]
        found = wm.detect(piece, 22050, key=KEY)
        assert found.present, start_s
        assert found.match_score(99) > wm.presence_threshold(1000)  # its id is found in a log


def test_piecewise_marking_equals_one_continuous_mark() -> None:
    """Sentences and pauses marked one by one form one mark that spans the utterance."""
    pieces = [speechlike(0.6, seed=s) for s in range(5)]
    pause = np.zeros(3000, dtype=np.int16)
    marker = wm.UtteranceMarker(42, 22050, key=KEY)
    out = []
    for piece in pieces:
        out += [marker.mark(piece), marker.mark(pause)]
    audio = np.concatenate(out)
    assert wm.detect(audio, 22050, key=KEY).present
    # each sub-second piece alone carries too little: that is why the mark must be continuous
    assert wm.detect(out[0], 22050, key=KEY).score < wm.detect(audio, 22050, key=KEY).score


def voiced(seconds: float, rate: int = 22050, seed: int = 0) -> np.ndarray:
    """A vowel-like signal: a 140 Hz harmonic series under two formant peaks, plus a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    audio = np.zeros_like(t)
    for k in range(1, 40):
        f = 140.0 * k
        formants = np.exp(-((f - 700) / 150) ** 2) + 0.5 * np.exp(-((f - 1800) / 200) ** 2) + 0.01
        audio += formants * np.sin(2 * np.pi * f * t + rng.uniform(0, 6))
    audio += 0.01 * rng.standard_normal(len(t))
    return (audio / np.abs(audio).max() * 12000).astype(np.int16)


def test_perceptual_shaping_puts_less_mark_on_spectral_peaks() -> None:
    pcm = voiced(3.0)
    shaped = wm.UtteranceMarker(9, 22050, key=KEY).mark(pcm)
    flat = wm.UtteranceMarker(9, 22050, key=KEY, shaped=False).mark(pcm)
    assert wm.snr_db(pcm, shaped) > wm.snr_db(pcm, flat) + 3.0  # same strength, far less error energy
    assert wm.detect(shaped, 22050, key=KEY).present


def test_quiet_tiles_get_a_weaker_mark() -> None:
    loud = speechlike(2.0, seed=5)
    quiet = (speechlike(2.0, seed=6) * 0.03).astype(np.int16)  # -30 dB
    pcm = np.concatenate([loud, quiet])
    marked = wm.embed(pcm, 22050, 77, key=KEY)
    half = len(loud)
    assert wm.snr_db(pcm[half:], marked[half:]) > wm.snr_db(pcm[:half], marked[:half]) + 6.0


def test_silence_stays_silent() -> None:
    assert not np.any(wm.embed(np.zeros(22050, dtype=np.int16), 22050, 1, key=KEY))


def test_the_null_score_is_standard_normal_so_the_threshold_means_what_it_says() -> None:
    """At a fixed alignment the self-normalised score of unmarked audio is ~N(0, 1)."""
    scores = []
    for seed in range(12):
        pcm = resample(speechlike(3.0, seed=100 + seed), 22050, 16000)
        searcher = wmsearch.Searcher(keyed_pattern(f"null-key-{seed:08d}".encode()))
        scores.append(searcher.null_scores(pcm)[0, ::10])  # offsets 10 tiles apart: near independent
    z = np.concatenate(scores)
    assert abs(np.mean(z)) < 0.3 and 0.7 < np.std(z) < 1.3
    # Hoeffding + union bound: more places looked at, a higher bar; one place: sqrt(2 ln(1/alpha)).
    assert abs(wm.presence_threshold(1, 1e-4) - np.sqrt(2 * np.log(1e4))) < 1e-9
    assert 4.0 < wm.presence_threshold(44) < wm.presence_threshold(500_000) < 7.5


@given(st.integers(min_value=0, max_value=2**32 - 1))
@settings(max_examples=200, deadline=None)
def test_payload_code_round_trip(payload: int) -> None:
    assert wm.decode_bits(wm.encode_bits(payload)) == payload


@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=0, max_value=47))
@settings(max_examples=100, deadline=None)
def test_one_weak_wrong_bit_is_corrected(payload: int, flip: int) -> None:
    soft = wm.encode_bits(payload) * 3.0
    soft[flip] = -0.1 * soft[flip]
    assert wm.decode_bits(soft) == payload


@given(st.lists(st.floats(min_value=-5, max_value=5, allow_nan=False), min_size=48, max_size=48))
@settings(max_examples=100, deadline=None)
def test_decoding_never_crashes(soft: list[float]) -> None:
    result = wm.decode_bits(np.array(soft))
    assert result is None or 0 <= result < 2**32


def test_a_long_file_whose_windows_each_miss_a_weak_mark_is_found_by_combining_them() -> None:
    """A phone line leaves each 3.2 s window only the bands below 3.4 kHz: a weak mark (a third of the
    shipped strength here, to make each window miss) is found by folding every period of the file."""
    from companion.ethics.wmattacks import phone

    pcm = speechlike(9.0, seed=0)
    marked = wm.UtteranceMarker(0xABCD1234, 22050, key=KEY, strength=0.12).mark(pcm)
    line, rate = phone(marked, 22050)
    found = wm.detect(line, rate, key=KEY)
    audio16 = np.asarray(resample(line, rate, wmsearch.ANALYSIS_RATE))
    per_window = [wm._searcher(KEY).search(audio16[a:b]).z for a, b in wm.windows(len(audio16))]
    assert max(per_window) < found.threshold < found.score and found.present
    clean, rate = phone(speechlike(9.0, seed=5), 22050)
    assert not wm.detect(clean, rate, key=KEY).present
