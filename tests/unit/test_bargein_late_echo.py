"""The echo falls behind the reference in the middle of a stretch of playback, with no restart.

A speaker callback that runs late on a loaded machine leaves the card playing silence, and the
rest of the reply is heard that much later than a reference placed at write time says. The
reference now follows the card's own reports (audio/reference.py), but a card or driver can
still be late unannounced: until the canceller's periodic check finds the echo again, it looks
at the wrong stretch of playback, and the echo of a word can fall where it sees a pause. The
monitor must not take that for a voice (the mic must hold clearly more than the echo to expect;
an echo found where the filter does not look makes the canceller unconverged), and must still
hear a real voice over that echo.
"""

from __future__ import annotations

import numpy as np
import pytest

from companion.audio.echo import NlmsEchoCanceller, ReferenceBuffer
from companion.service.bargein import BargeInMonitor
from companion.events import AudioChunk
from test_bargein_monitor import T0, EnergyVad, feed_and_watch, monitor_for, scene
from test_echo_canceller import RATE, room, speechlike


def heard_late_from(stall_at: float, stall_s: float, seed: int, *, talker_at: float | None = None
                    ) -> tuple[ReferenceBuffer, np.ndarray]:
    """12 s of playback stored as one stretch; heard 80 ms later, and from ``stall_at`` on
    ``stall_s`` later still (the card played silence meanwhile)."""
    far = speechlike(12.0, seed)
    reference = ReferenceBuffer(seconds=30.0)
    reference.add(far.astype(np.int16), T0)
    echo = np.convolve(far, room(seed))[: len(far)] * 0.63
    cut = int(stall_at * RATE)
    if stall_s >= 0:
        heard = np.concatenate([echo[:cut], np.zeros(int(stall_s * RATE)), echo[cut:]])
    else:  # heard earlier from there on: the card skipped ahead (or the mic's timing slipped back)
        heard = np.concatenate([echo[:cut], echo[cut + int(-stall_s * RATE) :]])
    mic = np.zeros(int(13.0 * RATE))
    lag = int(0.08 * RATE)
    mic[lag : lag + len(heard)] += heard[: len(mic) - lag]
    if talker_at is not None:
        start = int(talker_at * RATE)
        voice = speechlike(13.0 - talker_at, seed + 50, level=4500.0)
        mic[start:] += voice[: len(mic) - start]
    mic += np.random.default_rng(seed).standard_normal(len(mic)) * 10
    return reference, np.clip(mic, -32768, 32767).astype(np.int16)


@pytest.mark.parametrize(("seed", "stall_s"), [(2, 0.15), (5, 0.4), (2, -0.055), (5, -0.055)])
def test_an_echo_that_falls_behind_mid_stretch_is_never_a_voice(seed: int, stall_s: float) -> None:
    reference, mic = heard_late_from(5.0, stall_s, seed)
    monitor = BargeInMonitor(NlmsEchoCanceller(reference), EnergyVad(), min_speech_s=0.3)
    assert feed_and_watch(monitor, mic, lambda t: None) == []


@pytest.mark.parametrize("seed", [2])
def test_a_voice_over_the_echo_that_fell_behind_still_interrupts(seed: int) -> None:
    reference, mic = heard_late_from(5.0, 0.3, seed, talker_at=8.0)
    monitor = BargeInMonitor(NlmsEchoCanceller(reference), EnergyVad(), min_speech_s=0.3)
    hits = feed_and_watch(monitor, mic, lambda t: None)
    assert hits and 8.0 < hits[0] <= 9.5


def test_the_cards_capture_time_is_believed_however_late_the_loop_reads() -> None:
    """The mic's blocks carry the card's capture time: a loop that reads every block 0.3 s late
    for seconds (a loaded machine) neither moves the echo nor leaves the monitor unsure of it."""
    far, mic = scene(8.0, seed=2)
    monitor = monitor_for(far)
    monitor._clock = lambda: T0 + 1e6  # arrival times say nothing at all
    hits = []
    for i in range(0, len(mic) - 480 + 1, 480):
        chunk = AudioChunk.from_int16(mic[i : i + 480], RATE, timestamp=i / RATE, captured_at=T0 + i / RATE)
        assert monitor._capture_time(chunk) == T0 + i / RATE
        if monitor.process(chunk) is not None:
            hits.append(i / RATE)
        assert not monitor._timing_unsure
    assert hits == [] and monitor.canceller.converged
