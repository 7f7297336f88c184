"""The barge-in monitor's decisions: the device's echo is not a voice; a voice over it is."""

from __future__ import annotations

import logging
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.audio.echo import NlmsEchoCanceller, PassThroughCanceller, ReferenceBuffer
from companion.audio.echo_webrtc import WebRtcEchoCanceller
from companion.config import BargeInSettings
from companion.errors import ConfigError
from companion.events import AudioChunk, ButtonAction, ButtonEvent, SpeechEnded, Trigger
from companion.service.bargein import BargeInMonitor, build_barge_in
from companion.service.state import CancelReply, ConversationStateMachine, Phase, StartListening
from test_echo_canceller import RATE, room, speechlike

T0 = 7000.0
BLOCK = 480


class EnergyVad:
    """The VAD seam: speech = a loud frame (WebRTC VAD needs real speech; the rules are tested here)."""

    frame_samples = BLOCK

    def is_speech(self, frame: np.ndarray) -> bool:
        return float(np.sqrt(np.mean(np.square(frame, dtype=np.float64)))) > 300.0


def feed(monitor: BargeInMonitor, mic: np.ndarray, jitter_seed: int = 0) -> list[tuple[float, AudioChunk]]:
    """Deliver the mic in 30 ms blocks, each arriving a little late; returns (time, replay) per interruption."""
    rng = np.random.default_rng(jitter_seed)
    now = [0.0]
    monitor._clock = lambda: now[0]
    hits = []
    for i in range(0, len(mic) - BLOCK + 1, BLOCK):
        chunk = AudioChunk.from_int16(mic[i : i + BLOCK], RATE, timestamp=i / RATE)
        now[0] = T0 + (i + BLOCK) / RATE + 0.01 + abs(rng.normal(0, 0.01))  # the event loop's delay
        replay = monitor.process(chunk)
        if replay is not None:
            hits.append(((i + BLOCK) / RATE, replay))
    return hits


def scene(seconds: float, *, gain: float = 0.9, talker_at: float | None = None, seed: int = 2) -> tuple[np.ndarray, np.ndarray]:
    far = speechlike(seconds, seed)
    d = int(0.2 * RATE)
    mic = np.zeros(len(far))
    mic[d:] = (np.convolve(far, room(seed))[: len(far)] * gain)[: len(far) - d]
    mic += np.random.default_rng(seed).standard_normal(len(far)) * 10
    if talker_at is not None:
        start = int(talker_at * RATE)
        voice = speechlike(seconds - talker_at, seed + 50, level=4500.0)  # speaking up over the device
        mic[start:] += voice
    return far, np.clip(mic, -32768, 32767).astype(np.int16)


CANCELLERS = {"nlms": NlmsEchoCanceller, "webrtc": WebRtcEchoCanceller, "none": PassThroughCanceller}


def monitor_for(far: np.ndarray, *, cancel: bool = True, kind: str = "nlms") -> BargeInMonitor:
    reference = ReferenceBuffer(seconds=30.0)
    reference.add(far.astype(np.int16), T0)
    canceller = CANCELLERS[kind if cancel else "none"](reference)
    return BargeInMonitor(canceller, EnergyVad(), min_speech_s=0.3)


@pytest.mark.parametrize("kind", ["nlms", "webrtc"])
@pytest.mark.parametrize("seed", [2, 5])
def test_echo_alone_never_interrupts(seed: int, kind: str) -> None:
    far, mic = scene(12.0, seed=seed)
    monitor = monitor_for(far, kind=kind)
    assert feed(monitor, mic, jitter_seed=seed) == []
    assert monitor.canceller.converged


def test_without_cancellation_the_echo_interrupts() -> None:
    far, mic = scene(6.0)
    assert feed(monitor_for(far, cancel=False), mic)  # what the canceller is there to prevent


# AEC3's suppressor takes the first syllables of this synthetic talker for echo (it sounds only
# ~55 % of the time, with hard onsets); on real speech it is heard sooner: 0.4-0.7 s in
# tests/bench/bench_aec.py, against 0.5-1.4 s (and some missed) for the built-in canceller.
@pytest.mark.parametrize(("kind", "latest"), [("nlms", 8.2), ("webrtc", 8.5)])
def test_a_talker_over_the_echo_interrupts_within_a_second_or_so_and_is_replayed(kind: str, latest: float) -> None:
    far, mic = scene(10.0, talker_at=7.0)
    monitor = monitor_for(far, kind=kind)
    hits = feed(monitor, mic)
    assert hits, "the talker was not heard over the echo"
    at, replay = hits[0]
    assert 7.0 < at <= latest  # its syllables sound ~55 % of the time; real speech is denser
    # The replay reaches back to just before the talker started: their first words are kept.
    assert replay.timestamp <= 7.0 < replay.timestamp + replay.duration
    assert monitor.stats.interruptions == len(hits)


@pytest.mark.parametrize("kind", ["nlms", "webrtc"])
def test_speech_while_the_device_is_silent_interrupts(kind: str) -> None:
    far = np.zeros(3 * RATE, dtype=np.float32)
    voice = speechlike(2.0, 8, level=2000.0)
    mic = np.zeros(3 * RATE)
    mic[RATE:] = voice
    hits = feed(monitor_for(far, kind=kind), mic.astype(np.int16))
    assert hits and 1.0 < hits[0][0] <= 1.5


@settings(max_examples=20, deadline=None)
@given(min_speech=st.floats(0.1, 1.0), burst=st.floats(0.03, 1.5))
def test_only_bursts_of_at_least_min_speech_interrupt(min_speech: float, burst: float) -> None:
    """Cancelled-silent device, a loud burst: an interruption exactly when the burst is long enough."""
    monitor = BargeInMonitor(PassThroughCanceller(), EnergyVad(), min_speech_s=min_speech)
    frames_needed = int(np.ceil(min_speech / 0.03 - 1e-9))
    burst_frames = int(round(burst / 0.03))
    mic = np.zeros((burst_frames + 40) * BLOCK, dtype=np.int16)
    mic[10 * BLOCK : (10 + burst_frames) * BLOCK] = 3000
    hits = feed(monitor, mic)
    assert bool(hits) == (burst_frames >= frames_needed)


def test_state_machine_barge_in_stops_the_reply_and_listens() -> None:
    machine = ConversationStateMachine(no_speech_timeout_s=6.0, follow_up_s=5.0)
    machine.on_button(ButtonEvent(ButtonAction.PRESSED))
    machine.on_speech_ended(SpeechEnded(pcm=np.zeros(10, np.int16), rate=RATE, timestamp=1.0, hangover=0.5))
    assert machine.on_barge_in() == []  # still thinking: nothing is playing yet
    machine.on_reply_audio()
    actions = machine.on_barge_in()
    assert isinstance(actions[0], CancelReply)
    assert isinstance(actions[1], StartListening) and actions[1].trigger is Trigger.BARGE_IN
    assert machine.phase is Phase.LISTENING
    assert machine.on_turn_done(interrupted=True) == []  # the stopped turn ending changes nothing
    assert machine.phase is Phase.LISTENING


def test_settings_and_wiring() -> None:
    class Sink:
        def begin(self, rate: int) -> None: ...
        def write(self, pcm: np.ndarray) -> None: ...
        def finish(self) -> None: ...
        def abort(self) -> None: ...
        def close(self) -> None: ...
        def queued_s(self) -> float | None: return None

    sink = Sink()
    assert build_barge_in(BargeInSettings(canceller="none"), sink, frame_ms=30, aggressiveness=2) == (sink, None)
    assert build_barge_in(BargeInSettings(enabled=False), sink, frame_ms=30, aggressiveness=2) == (sink, None)
    tapped, monitor = build_barge_in(BargeInSettings(), sink, frame_ms=30, aggressiveness=2)
    assert tapped is not sink and isinstance(monitor.canceller, NlmsEchoCanceller)  # the default
    assert tapped.reference is monitor.canceller.reference
    tapped, monitor = build_barge_in(BargeInSettings(canceller="webrtc"), sink, frame_ms=30, aggressiveness=2)
    assert isinstance(monitor.canceller, WebRtcEchoCanceller) and tapped.reference is monitor.canceller.reference
    _, headset = build_barge_in(BargeInSettings(canceller="none", headset=True), sink, frame_ms=30, aggressiveness=2)
    assert isinstance(headset.canceller, PassThroughCanceller)
    with pytest.raises(ConfigError, match="barge_in.canceller"):
        BargeInSettings(canceller="speex").validate("barge_in")
    with pytest.raises(ConfigError, match="barge_in.min_speech_s"):
        BargeInSettings(min_speech_s=0.0).validate("barge_in")


def test_without_the_webrtc_package_the_built_in_canceller_is_used_and_said_once(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    class Sink:
        def begin(self, rate: int) -> None: ...
        def write(self, pcm: np.ndarray) -> None: ...
        def finish(self) -> None: ...
        def abort(self) -> None: ...
        def close(self) -> None: ...
        def queued_s(self) -> float | None: return None

    monkeypatch.setitem(sys.modules, "pywebrtc_audio", None)  # import fails as if not installed
    with caplog.at_level(logging.WARNING, logger="companion.service.bargein"):
        tapped, monitor = build_barge_in(BargeInSettings(canceller="webrtc"), Sink(), frame_ms=30, aggressiveness=2)
    assert isinstance(monitor.canceller, NlmsEchoCanceller) and tapped.reference is monitor.canceller.reference
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "pywebrtc-audio" in lines[0] and "built-in" in lines[0], lines


@pytest.mark.parametrize("seed", [2, 5])
def test_a_mic_outage_during_a_pause_in_the_reply_is_not_an_interruption(seed: int) -> None:
    """The mic is lost for 0.8 s while the reply pauses, and the reopened device's audio is
    stamped on as if nothing was lost (service/supervisor.py). Its blocks now arrive 0.8 s
    later than the mic clock says; until the monitor's clock mapping follows, the echo of the
    next sentence would be matched with the pause before it ("nothing played, so a voice"):
    before the monitor stayed unarmed meanwhile, the device interrupted itself ~1 s later
    (the chance failure of tests/integration/test_barge_in_live.py under load, where a slow
    turn leaves the rig's virtual mic in exact zeros for 10 s and the supervisor reopens it)."""
    gap = int(0.8 * RATE)
    far = np.concatenate([speechlike(6.0, seed), np.zeros(RATE), speechlike(6.0, seed + 1)]).astype(np.float32)
    d = int(0.2 * RATE)
    mic = np.zeros(len(far))
    mic[d:] = (np.convolve(far, room(seed))[: len(far)] * 0.9)[: len(far) - d]
    mic += np.random.default_rng(seed).standard_normal(len(far)) * 10
    mic = np.clip(mic, -32768, 32767).astype(np.int16)
    cut = int(6.5 * RATE) // BLOCK * BLOCK  # the mic is lost in the pause
    heard = np.concatenate([mic[:cut], mic[cut + gap :]])
    monitor = monitor_for(far)
    now = [0.0]
    monitor._clock = lambda: now[0]
    hits = []
    for i in range(0, len(heard) - BLOCK + 1, BLOCK):
        wall = (i + BLOCK + gap * (i >= cut)) / RATE
        now[0] = T0 + wall + 0.01
        if monitor.process(AudioChunk.from_int16(heard[i : i + BLOCK], RATE, timestamp=i / RATE)) is not None:
            hits.append(wall)
    assert hits == []
    assert monitor.canceller.converged


def stretches_heard_late(stretches: list[tuple[float, float, float]], seed: int) -> tuple[ReferenceBuffer, np.ndarray]:
    """Stretches of playback (start, seconds, heard after): each put in the reference at its
    write time, as after a pause, but heard at the mic after its own latency."""
    reference = ReferenceBuffer(seconds=30.0)
    mic = np.zeros(int(16.5 * RATE))
    for k, (start, seconds, lag) in enumerate(stretches):
        far = speechlike(seconds, seed + k)
        reference.add(far.astype(np.int16), T0 + start)
        at = int((start + lag) * RATE)
        echo = np.convolve(far, room(seed))[: len(far)] * 0.63
        mic[at : at + len(echo)] += echo[: len(mic) - at]
    mic += np.random.default_rng(seed).standard_normal(len(mic)) * 10
    return reference, np.clip(mic, -32768, 32767).astype(np.int16)


def feed_and_watch(monitor: BargeInMonitor, mic: np.ndarray, watch) -> list[float]:  # type: ignore[no-untyped-def]
    """Deliver the mic in blocks (arriving 10 ms late), call ``watch(t)`` after each; returns interruption times."""
    now = [0.0]
    monitor._clock = lambda: now[0]
    hits = []
    for i in range(0, len(mic) - BLOCK + 1, BLOCK):
        t = (i + BLOCK) / RATE
        now[0] = T0 + t + 0.01
        if monitor.process(AudioChunk.from_int16(mic[i : i + BLOCK], RATE, timestamp=i / RATE)) is not None:
            hits.append(t)
        watch(t)
    return hits


@pytest.mark.parametrize("seed", [2, 5])
def test_an_echo_delay_that_jumps_between_stretches_of_playback_is_followed_not_taken_for_a_voice(seed: int) -> None:
    """On a loaded machine each restart of the drained playback stream is heard after a different
    latency: measured on the live rig under load, 60-100 ms for one sentence, ~490 ms for the
    next, 80 ms again after a pause. The canceller used to keep the first delay: the misplaced
    echo then looked like double talk, which froze the filter, its ERLE (still "converged") and
    the re-check of the delay for good, and at the end of that sentence the monitor took the late
    echo for a voice. (After a jump back, the echo of the next sentence came before the stretch
    the canceller watched: "nothing played, so a voice".) Now the delay is re-checked every
    second and after each restart over the whole range, and an echo found where the filter does
    not look means not converged: the device never interrupts itself, and cancels again."""
    stretches = [(0.0, 4.0, 0.08), (4.5, 6.0, 0.48), (12.0, 4.5, 0.08)]  # (starts at, lasts, heard after)
    reference, mic = stretches_heard_late(stretches, seed)
    monitor = BargeInMonitor(NlmsEchoCanceller(reference), EnergyVad(), min_speech_s=0.3)
    canceller = monitor.canceller
    trusted_wrong = []

    def watch(t: float) -> None:
        lag = next((lag for start, _, lag in reversed(stretches) if t - lag >= start), 0.08)  # the echo heard now
        if canceller.converged and abs(canceller.found_delay_s - lag) > 0.05:
            trusted_wrong.append(round(t, 2))

    assert feed_and_watch(monitor, mic, watch) == []
    # The wrong delay is found out within ~2 s of the jump, and never trusted after that.
    assert not [t for t in trusted_wrong if not (4.5 < t < 4.5 + 0.48 + 2.0 or 12.0 < t < 12.0 + 0.48 + 2.0)]
    assert canceller.converged and canceller.found_delay_s == pytest.approx(0.08, abs=0.02)


@pytest.mark.parametrize("seed", [2, 5])
def test_an_echo_later_than_the_search_range_is_not_trusted_as_cancelled(seed: int) -> None:
    """Under heavy load the playback ran up to 1.2 s behind the reference on the live rig: beyond
    the 0.5 s the delay is searched in. The mic then holds an echo's worth of sound that nothing
    in range explains: the canceller must not go on calling itself converged (it did, for up to
    0.85 s of the late stretch here), and the device counts as playing for 2 s after each sound."""
    stretches = [(0.0, 4.0, 0.08), (4.5, 6.0, 0.9), (12.0, 4.5, 0.08)]
    reference, mic = stretches_heard_late(stretches, seed)
    monitor = BargeInMonitor(NlmsEchoCanceller(reference), EnergyVad(), min_speech_s=0.3)
    trusted = []
    hits = feed_and_watch(monitor, mic, lambda t: trusted.append(t) if 7.0 < t < 10.5 and monitor.canceller.converged else None)
    assert hits == [] and trusted == []
    assert monitor.canceller.converged and monitor.canceller.found_delay_s == pytest.approx(0.08, abs=0.02)
