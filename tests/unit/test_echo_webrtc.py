"""The WebRTC (AEC3) adapter behind ``EchoCanceller``: what the rest of the device relies on."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.audio.echo import ReferenceBuffer
from companion.audio.echo_webrtc import WebRtcEchoCanceller
from test_echo_canceller import RATE, T0, db, room, speechlike


def echo_scene(seconds: float, *, delay_s: float, gain: float, seed: int,
               near: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    far = speechlike(seconds, seed=seed)
    echo = np.convolve(far, room(seed))[: len(far)] * gain
    d = int(delay_s * RATE)
    mic = np.zeros(len(far))
    mic[d:] = echo[: len(far) - d]
    mic += np.random.default_rng(seed + 7).standard_normal(len(far)) * 10.0
    if near is not None:
        mic += near
    return far, np.clip(mic, -32768, 32767).astype(np.int16)


def run(far: np.ndarray, mic: np.ndarray, sizes: list[int]) -> tuple[np.ndarray, WebRtcEchoCanceller, list]:  # type: ignore[type-arg]
    reference = ReferenceBuffer(seconds=30.0)
    reference.add(far.astype(np.int16), T0)
    aec = WebRtcEchoCanceller(reference)
    results, i, k = [], 0, 0
    while i < len(mic):
        n = sizes[k % len(sizes)]
        results.append(aec.process(mic[i : i + n], T0 + i / RATE))
        i, k = i + n, k + 1
    return np.concatenate([r.residual for r in results]), aec, results


def test_echo_is_cancelled_and_the_canceller_says_so() -> None:
    far, mic = echo_scene(8.0, delay_s=0.18, gain=0.6, seed=3)
    residual, aec, results = run(far, mic, [480])
    late = slice(5 * RATE, 8 * RATE)
    assert db(mic[late]) - db(residual[late]) >= 20.0
    assert aec.converged and aec.erle_db >= 20.0 and aec.erle_total_db >= 20.0
    assert all(r.reference_active for r in results[10:])
    # What was removed is reported as the echo, and the echo to expect is of the echo's size.
    echo = np.concatenate([r.echo for r in results])
    assert abs(db(echo[late]) - db(mic[late])) < 1.0
    expected = np.concatenate([r.expected for r in results])
    assert abs(10 * np.log10(np.mean(expected[late])) - db(mic[late])) < 6.0
    assert 0.0 < aec.cpu_per_audio_s < 0.5


def test_a_talker_over_the_echo_is_kept_and_does_not_count_as_echo() -> None:
    talker = np.zeros(10 * RATE, dtype=np.float32)
    talk = slice(7 * RATE, 9 * RATE)
    talker[talk] = speechlike(2.0, seed=99, level=4500.0)  # speaking up over the device
    far, mic = echo_scene(10.0, delay_s=0.25, gain=0.8, seed=4, near=talker)
    residual, aec, results = run(far, mic, [480])
    erle_before = aec.erle_db
    assert db(residual[talk]) - db(talker[talk]) > -10.0  # the talker is still there (AEC3 ducks a little)
    expected = np.concatenate([r.expected for r in results])
    # The monitor's test: a voice puts clearly more in the mic than the echo to expect.
    assert db(mic[talk]) - 10 * np.log10(np.mean(expected[talk])) > 4.0
    after = slice(9 * RATE + 3200, 10 * RATE)
    assert db(mic[after]) - db(residual[after]) >= 15.0  # and the echo after the talker is still cancelled
    assert aec.erle_db > 15.0 and erle_before > 15.0


def test_no_playback_is_no_echo() -> None:
    mic = (np.random.default_rng(0).standard_normal(2 * RATE) * 1000).astype(np.int16)
    residual, aec, results = run(np.zeros(10, np.float32), mic, [480])
    assert not aec.converged and not any(r.reference_active for r in results)
    assert abs(db(residual[RATE:]) - db(mic[RATE:])) < 1.0  # only the high-pass filter touched it
    assert all(float(np.max(r.expected)) == 0.0 for r in results)


@settings(max_examples=8, deadline=None)
@given(frames=st.lists(st.integers(1, 8), min_size=1, max_size=5))
def test_any_whole_frame_block_sizes_give_the_same_output(frames: list[int]) -> None:
    """The mic is read in 10, 20 or 30 ms blocks (or any whole number of 10 ms frames): AEC3
    sees the same stream of frames, so the output is the same sample for sample."""
    far, mic = echo_scene(1.5, delay_s=0.05, gain=0.5, seed=11)
    reference_out, _, _ = run(far, mic, [480])
    out, _, _ = run(far, mic, [160 * n for n in frames])
    np.testing.assert_array_equal(out, reference_out)


@settings(max_examples=8, deadline=None)
@given(sizes=st.lists(st.integers(1, 1200), min_size=1, max_size=5))
def test_any_block_size_gives_a_block_of_the_same_size(sizes: list[int]) -> None:
    far, mic = echo_scene(0.5, delay_s=0.05, gain=0.5, seed=12)
    reference = ReferenceBuffer(seconds=30.0)
    reference.add(far.astype(np.int16), T0)
    aec = WebRtcEchoCanceller(reference)
    i, k = 0, 0
    while i < len(mic):
        block = mic[i : i + sizes[k % len(sizes)]]
        result = aec.process(block, T0 + i / RATE)
        assert len(result.residual) == len(result.echo) == len(result.expected) == len(block)
        i, k = i + len(block), k + 1


def test_reset_forgets_the_room() -> None:
    far, mic = echo_scene(6.0, delay_s=0.1, gain=0.6, seed=5)
    _, aec, _ = run(far, mic, [480])
    assert aec.converged
    aec.reset()
    assert not aec.converged and aec.erle_db == 0.0


def test_missing_package_is_an_import_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from companion.audio.echo_webrtc import webrtc_available

    assert webrtc_available()
    monkeypatch.setitem(sys.modules, "pywebrtc_audio", None)
    assert not webrtc_available()
    with pytest.raises(ImportError):
        WebRtcEchoCanceller()
