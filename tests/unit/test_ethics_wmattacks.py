"""Each attack of the bench, once, at a small scale: the tool does what it says, the mark survives.

The bench (`companion watermark bench`) measures the rates over 100 real utterances; these tests
only make sure every attack path works and a marked clip gets through it (not timed)."""

from __future__ import annotations

import numpy as np
import pytest

from companion.ethics import watermark as wm
from companion.ethics import wmattacks

KEY = b"unit-test-watermark-key-0003"
RATE = 22050


def speech_like(seconds: float, seed: int) -> np.ndarray:
    """Voiced syllables (a gliding harmonic series under formants) between noisy consonants."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    f0 = 120 + 25 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    voiced = sum(np.sin(k * phase) * (np.exp(-((k * 120 - 600) / 300) ** 2) + 0.4 * np.exp(-((k * 120 - 1900) / 400) ** 2) + 0.02)
                 for k in range(1, 45))
    noise = np.fft.irfft(np.fft.rfft(rng.standard_normal(n)) / (1 + np.fft.rfftfreq(n, 1 / RATE) / 2000), n)
    syllable = 0.5 + 0.5 * np.sin(2 * np.pi * 3.5 * t + rng.uniform(0, 6))
    audio = voiced * syllable + 0.6 * noise * np.std(voiced) / np.std(noise) * (1 - syllable)
    return (audio / np.abs(audio).max() * 14000).astype(np.int16)


@pytest.fixture(scope="module")
def marked() -> tuple[np.ndarray, np.ndarray]:
    pcm = speech_like(5.0, seed=3)
    return pcm, wm.embed(pcm, RATE, 0x5EED5EED, key=KEY)


@pytest.mark.parametrize("name", [n for n in wmattacks.ATTACKS if n != "none"])
def test_the_mark_survives(name: str, marked: tuple[np.ndarray, np.ndarray]) -> None:
    _, audio = marked
    received, rate = wmattacks.ATTACKS[name](audio, RATE, np.random.default_rng(5))
    found = wm.detect(received, rate, key=KEY)
    assert found.present, (name, found.score, found.threshold)
    assert found.match_score(0x5EED5EED) > wm.presence_threshold(1000)  # the id is found in a 1000-entry log
    assert not wm.detect(received, rate, key=b"another device's watermark key").present


def test_the_attacks_do_what_they_say(marked: tuple[np.ndarray, np.ndarray]) -> None:
    _, audio = marked
    seconds = len(audio) / RATE
    rng = np.random.default_rng(0)

    def duration(name: str) -> tuple[float, int]:
        out, rate = wmattacks.ATTACKS[name](audio, RATE, rng)
        return len(out) / rate, rate

    assert abs(duration("tempo_1.1")[0] - seconds / 1.1) < 0.05
    assert abs(duration("tempo_0.9")[0] - seconds / 0.9) < 0.05
    assert abs(duration("pitch_+1st")[0] - seconds) < 0.05  # pitch moves, duration stays
    assert abs(duration("speed_1.1")[0] - seconds / 1.1) < 0.05
    assert duration("phone_8k")[1] == 8000 and duration("mp3_64k")[1] == 16000
    assert 3.0 <= duration("crop_random_offset")[0] < seconds - 0.04
    assert abs(duration("excerpt_3s")[0] - 3.0) < 1e-3
    # A semitone up: the voiced harmonics (below 3 kHz) move up ~6 %.
    up, _ = wmattacks.pitch(audio, RATE, 1.0)

    def centroid(x: np.ndarray) -> float:
        power = np.abs(np.fft.rfft(x.astype(np.float64))) ** 2
        freqs = np.fft.rfftfreq(len(x), 1 / RATE)
        low = freqs < 3000
        return float(np.sum(power[low] * freqs[low]) / np.sum(power[low]))

    assert 1.03 < centroid(up) / centroid(audio) < 1.09
    # The phone line passes nothing above 3.4 kHz worth speaking of.
    narrow, _ = wmattacks.phone(audio, RATE)
    spectrum = np.abs(np.fft.rfft(narrow.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(narrow), 1 / 8000)
    assert spectrum[freqs > 3700].sum() < 0.02 * spectrum.sum()
