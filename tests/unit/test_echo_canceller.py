"""The echo canceller on synthetic echo: a delayed, room-filtered, scaled copy of what was played."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.audio.echo import (
    NlmsEchoCanceller,
    PassThroughCanceller,
    ReferenceBuffer,
    ReferenceTap,
)
from companion.audio.echo_delay import gcc_phat_delay

RATE = 16000
T0 = 5000.0  # wall-clock time the reply starts playing


def speechlike(seconds: float, seed: int, level: float = 3000.0) -> np.ndarray:
    """Speech-shaped noise: a falling spectrum, switched on and off at a syllable rate."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    spectrum *= (freqs > 80) / (1.0 + (freqs / 700.0) ** 2)
    x = np.fft.irfft(spectrum, n)
    t = np.arange(n) / RATE
    x *= np.clip(np.sin(2 * np.pi * rng.uniform(2.5, 4.5) * t + rng.uniform(0, 6)) + 0.3, 0, None)
    return (x / np.sqrt(np.mean(x**2)) * level).astype(np.float32)


def room(seed: int, taps: int = 1200) -> np.ndarray:
    """A room impulse response: direct sound plus an exponentially decaying tail (~75 ms)."""
    rng = np.random.default_rng(seed)
    h = rng.standard_normal(taps) * np.exp(-np.arange(taps) / 250.0)
    h[0] = 3.0
    return h / np.sqrt(np.sum(h**2))


def db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(np.square(x.astype(np.float64))) + 1e-9)


def run(far: np.ndarray, *, delay_s: float, gain: float, near: np.ndarray | None = None, seed: int = 1,
        block: int = 480) -> tuple[np.ndarray, np.ndarray, NlmsEchoCanceller]:
    """Play ``far``, hear its echo (plus ``near`` and noise), cancel; returns (mic, residual, canceller)."""
    echo = np.convolve(far, room(seed))[: len(far)] * gain
    d = int(delay_s * RATE)
    mic = np.zeros(len(far))
    mic[d:] = echo[: len(far) - d]
    mic += np.random.default_rng(seed + 7).standard_normal(len(far)) * 10.0
    if near is not None:
        mic += near
    mic = np.clip(mic, -32768, 32767).astype(np.int16)
    reference = ReferenceBuffer(seconds=30.0)
    aec = NlmsEchoCanceller(reference)
    reference.add(far.astype(np.int16), T0)
    out = [aec.process(mic[i : i + block], T0 + i / RATE).residual for i in range(0, len(mic), block)]
    return mic, np.concatenate(out), aec


def test_echo_is_cancelled_after_convergence() -> None:
    far = speechlike(8.0, seed=3)
    mic, residual, aec = run(far, delay_s=0.18, gain=0.6)
    assert aec.found_delay_s == pytest.approx(0.18, abs=0.002)
    late = slice(5 * RATE, 8 * RATE)
    erle = db(mic[late]) - db(residual[late])
    assert erle >= 20.0, erle
    assert aec.converged and aec.erle_db >= 20.0
    assert aec.cpu_per_audio_s < 0.25  # a few percent of a core here; see the report for the Pi


def test_near_end_talker_is_preserved_while_echo_is_removed() -> None:
    far = speechlike(10.0, seed=4)
    talker = np.zeros(len(far), dtype=np.float32)
    talk = slice(7 * RATE, 9 * RATE)
    talker[talk] = speechlike(2.0, seed=99, level=1500.0)  # quieter than the echo
    mic, residual, aec = run(far, delay_s=0.25, gain=0.8, near=talker)
    # In the talker's two seconds the residual is the talker: little echo left, voice kept.
    left = residual[talk].astype(np.float64) - talker[talk]
    assert db(talker[talk]) - db(left) >= 12.0  # the talker stands >= 12 dB above what is left
    assert abs(db(residual[talk]) - db(talker[talk])) < 2.0  # and was not cancelled with the echo
    # Double talk did not wreck the filter: the echo after the talker is still cancelled.
    after = slice(9 * RATE + 3200, 10 * RATE)
    assert db(mic[after]) - db(residual[after]) >= 15.0


def test_no_reference_means_no_change_and_pass_through_changes_nothing() -> None:
    mic = (np.random.default_rng(0).standard_normal(4800) * 1000).astype(np.int16)
    aec = NlmsEchoCanceller()
    out = np.concatenate([aec.process(mic[i : i + 480], T0 + i / RATE).residual for i in range(0, 4800, 480)])
    assert np.array_equal(out, mic) and not aec.converged
    assert np.array_equal(PassThroughCanceller().process(mic, T0).residual, mic)


@settings(max_examples=25, deadline=None)
@given(lag=st.integers(0, 7900), gain=st.floats(0.05, 2.0), seed=st.integers(0, 10_000))
def test_gcc_phat_finds_any_delay_in_range(lag: int, gain: float, seed: int) -> None:
    ref = speechlike(1.5, seed)[: RATE + 8000].astype(np.float64)
    mic = np.roll(ref, lag)[8000:] * gain  # mic[i] = ref[i + 8000 - lag]
    found, ratio, measured = gcc_phat_delay(mic, ref, 8000)
    assert found == lag and ratio > 12.0
    assert measured == pytest.approx(gain, rel=0.05)


@settings(max_examples=40, deadline=None)
@given(
    writes=st.lists(st.tuples(st.floats(0.0, 0.5), st.integers(1, 4000)), min_size=1, max_size=12),
)
def test_reference_buffer_places_blocks_contiguously_or_after_gaps(writes: list[tuple[float, int]]) -> None:
    """A block starts at its play time, or right after the previous one when it would overlap it
    or leave less than SNAP_S between them."""
    buf = ReferenceBuffer(seconds=60.0)
    now, end, expected = 100.0, None, {}
    for step, length in writes:
        now += step
        start = int(round(now * RATE))
        if end is not None and start < end + ReferenceBuffer.SNAP_S * RATE:
            start = end  # at or just after the previous block's end: seamless
        pcm = np.arange(length, dtype=np.int16) % 1000 + 1
        buf.add(pcm, now)
        for i, v in enumerate(pcm):
            expected[start + i] = v
        end = start + length
    first = min(expected)
    got = buf.read(first - 10, end - first + 20)
    want = np.array([expected.get(i, 0) for i in range(first - 10, end + 10)], dtype=np.float32)
    assert np.array_equal(got, want)


def test_abort_forgets_what_will_never_be_played() -> None:
    class Sink:
        def __init__(self) -> None:
            self.calls: list[str] = []

        def begin(self, rate: int) -> None:
            self.calls.append("begin")

        def write(self, pcm: np.ndarray) -> None:
            self.calls.append("write")

        def finish(self) -> None: ...
        def abort(self) -> None:
            self.calls.append("abort")

        def close(self) -> None: ...
        def queued_s(self) -> float | None: return None

    clock = [10.0]
    buf = ReferenceBuffer()
    inner = Sink()
    tap = ReferenceTap(inner, buf, clock=lambda: clock[0])
    tap.begin(22050)
    tap.write(np.full(22050, 1000, dtype=np.int16))  # 1 s, resampled to 16 kHz
    assert inner.calls.count("write") >= 4  # in pieces of ~0.25 s
    # All but the streaming resampler's hold-back (its filter delay, ~22 ms here) is stored.
    assert buf.end_time == pytest.approx(11.0, abs=0.03)
    clock[0] = 10.5
    tap.abort()
    assert inner.calls[-1] == "abort"
    assert list(tap.aborts) == [10.5]
    assert buf.end_time == pytest.approx(10.5, abs=0.001)
    assert np.all(buf.read(int(10.5 * RATE), 1000) == 0)
    assert np.all(buf.read(int(10.2 * RATE), 100) > 900)


@settings(max_examples=100, deadline=None)
@given(
    writes=st.lists(st.tuples(st.floats(0.0, 3.0), st.integers(1, 20000), st.booleans()), min_size=1, max_size=8),
    first=st.integers(-40000, 200000),
    count=st.integers(0, 60000),
)
def test_any_sound_agrees_with_what_read_returns(writes: list[tuple[float, int, bool]], first: int, count: int) -> None:
    """The cheap check the canceller makes for every block (wrapping ring, gaps, old audio gone)."""
    buf = ReferenceBuffer(seconds=3.0)
    now = 10.0
    for step, length, loud in writes:
        now += step
        pcm = np.zeros(length, dtype=np.int16)
        if loud:
            pcm[length // 2] = 100  # one sample of sound in a block of silence
        buf.add(pcm, now)
    start = int(10.0 * RATE) + first
    assert buf.any_sound(start, count) == bool(np.any(buf.read(start, count)))
