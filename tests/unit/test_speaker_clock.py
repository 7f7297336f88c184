"""The speaker says when what it is given will be heard, and the echo reference believes it.

On the PulseAudio rig under load, a blocking output stream accepted audio that was then heard
0.1-1 s later than its buffer's fill level implied, so the canceller's reference drifted away
from the echo. The speaker now plays from a queue its callback drains, taking each block's
time from the sound card (PortAudio's ``outputBufferDacTime``). These tests drive that
callback by hand on a virtual clock (the sound card is the hardware seam): a queue that runs
dry is heard later, and the reference places the next piece there, as a new segment.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from companion.audio import sounddevice_io
from companion.audio.reference import ReferenceBuffer, ReferenceTap
from companion.audio.sounddevice_io import SoundDeviceSink

RATE = 16000
LATENCY = 0.05
EPOCH = 1.8e9  # PortAudio's clock on ALSA counts from the epoch, ours does not


class SteppedCard:
    """A sound card whose callback runs only when the test says, on a virtual clock."""

    def __init__(self) -> None:
        self.now = 10.0
        self.played: list[np.ndarray] = []
        self.callback: Any = None
        self.streams: list[Any] = []

    def clock(self) -> float:
        return self.now

    def query_devices(self, device: Any = None, kind: str | None = None) -> Any:
        info = {"name": "card", "max_input_channels": 0, "max_output_channels": 1, "default_samplerate": float(RATE)}
        return info if kind else [info]

    def check_output_settings(self, **kw: Any) -> None:
        pass

    def RawOutputStream(self, *, callback: Any, **kw: Any) -> Any:
        self.callback = callback
        nothing = lambda *a, **k: None  # noqa: E731
        stream = SimpleNamespace(latency=LATENCY, start=nothing, stop=nothing, closed=False, aborts=0)
        stream.close = lambda **k: setattr(stream, "closed", True)
        stream.abort = lambda **k: setattr(stream, "aborts", stream.aborts + 1)
        self.streams.append(stream)
        return stream

    def tick(self, seconds: float, *, late: float = 0.0) -> None:
        """The device asks for ``seconds`` of audio; the callback runs ``late`` (a busy machine)."""
        frames = int(round(seconds * RATE))
        out = bytearray(2 * frames)
        pa_now = self.now + EPOCH
        self.now += late
        self.callback(out, frames, SimpleNamespace(currentTime=pa_now, outputBufferDacTime=pa_now + LATENCY),
                      SimpleNamespace(output_underflow=False))
        self.now += seconds - late
        self.played.append(np.frombuffer(bytes(out), dtype="<i2"))


@pytest.fixture
def card(monkeypatch: pytest.MonkeyPatch) -> SteppedCard:
    card = SteppedCard()
    monkeypatch.setattr(sounddevice_io, "_sounddevice", lambda: card)
    monkeypatch.setattr("companion.audio.devices._sounddevice", lambda: card)
    return card


def voice(seconds: float, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(-8000, 8000, int(seconds * RATE)).astype(np.int16)


def test_the_next_write_is_heard_after_the_queue_or_after_the_silence_a_dry_queue_left(card: SteppedCard) -> None:
    sink = SoundDeviceSink("card", clock=card.clock)
    sink.begin(RATE)
    assert sink.queued_s() == pytest.approx(LATENCY)  # before any callback: the stream's latency
    sink.write(voice(0.3))
    assert card.now + sink.queued_s() == pytest.approx(10.35)  # type: ignore[operator]
    card.tick(0.1)
    card.tick(0.1, late=0.03)  # a callback that ran late still knows when its block is heard
    assert card.now + sink.queued_s() == pytest.approx(10.35)  # type: ignore[operator]
    card.tick(0.1)
    card.tick(0.1)  # the queue ran dry: the card played 0.1 s of silence
    assert sink.underflows == 1
    assert card.now + sink.queued_s() == pytest.approx(10.45)  # type: ignore[operator]
    played = np.concatenate(card.played)
    assert np.array_equal(played[:4800], voice(0.3)) and not played[4800:].any()


def test_the_reference_follows_the_speaker_through_a_dry_queue(card: SteppedCard) -> None:
    reference = ReferenceBuffer(seconds=5.0)
    tap = ReferenceTap(SoundDeviceSink("card", clock=card.clock), reference, clock=card.clock)
    tap.begin(RATE)
    first, second = voice(0.2, seed=1), voice(0.2, seed=2)
    tap.write(first)
    for _ in range(3):
        card.tick(0.1)  # 0.2 s of voice, then 0.1 s of silence: the speech came late
    tap.write(second)
    card.tick(0.2)
    start = int(10.05 * RATE)
    stored = reference.read(start, int(0.5 * RATE))
    lag = 1000 * (np.argmax(np.correlate(stored, second.astype(np.float32), "valid")) / RATE - 0.3)
    assert abs(lag) < 2, f"the second piece is stored {lag:.1f} ms away from where it is heard"
    assert not stored[int(0.21 * RATE) : int(0.29 * RATE)].any(), "the silence the card played is silence"
    assert reference.last_restart(int(11 * RATE)) == pytest.approx(int(10.35 * RATE), abs=16), "a new segment"


def test_the_reference_follows_what_was_played_when_the_callback_ran_late(card: SteppedCard) -> None:
    """Written whole and early, then the card's callback stalled for 0.15 s (a loaded machine):
    the card played silence meanwhile and the rest of the voice was heard that much later. The
    reference follows the card's reports, not the prediction made when the voice was written."""
    reference = ReferenceBuffer(seconds=5.0)
    tap = ReferenceTap(SoundDeviceSink("card", clock=card.clock), reference, clock=card.clock)
    tap.begin(RATE)
    said = voice(0.5, seed=3)
    tap.write(said)  # predicted: heard from 10.05 s, continuously
    card.tick(0.1)
    card.now += 0.15  # no callback: the card underran and played 0.15 s of silence
    for _ in range(5):
        card.tick(0.1)
    stored = reference.read(int(10.05 * RATE), int(0.7 * RATE))
    heard = np.concatenate([said[: int(0.1 * RATE)], np.zeros(int(0.15 * RATE)), said[int(0.1 * RATE) :]])
    error = np.abs(stored[: len(heard)] - heard.astype(np.float32))
    assert float(error.max()) < 1500, f"off by {float(error.mean()):.0f} on average: the reference is not the played voice"
    assert reference.last_restart(int(11 * RATE)) == pytest.approx(int(10.30 * RATE), abs=16), "a new segment"
    tap.finish()


def test_an_aborted_reply_is_not_stored_by_reports_that_follow_the_abort(card: SteppedCard) -> None:
    reference = ReferenceBuffer(seconds=5.0)
    tap = ReferenceTap(SoundDeviceSink("card", clock=card.clock), reference, clock=card.clock)
    tap.begin(RATE)
    tap.write(voice(0.4, seed=4))
    card.tick(0.1)
    tap.abort()  # barge-in at 10.1 s: what the card had not taken is never heard
    card.tick(0.1)
    assert reference.end_time <= 10.15 + 1e-6
    assert not reference.read(int(10.15 * RATE), int(0.5 * RATE)).any()


def test_a_block_the_speaker_places_earlier_cuts_what_was_stored_after_it() -> None:
    reference = ReferenceBuffer(seconds=5.0)
    reference.add(np.ones(8000, np.float32), 1.0, exact=True)
    reference.add(np.full(1600, 2.0, np.float32), 1.2, exact=True)  # the speaker says: heard from 1.2 s
    assert reference.end_time == pytest.approx(1.3)
    assert reference.last_restart(int(2 * RATE)) == int(1.2 * RATE)
    assert reference.read(int(1.0 * RATE), int(0.3 * RATE)).tolist() == [1.0] * 3200 + [2.0] * 1600
    reference.add(np.full(160, 3.0, np.float32), 1.31, exact=True)  # 10 ms off: the clock's jitter
    assert reference.end_time == pytest.approx(1.31) and reference.last_restart(int(2 * RATE)) == int(1.2 * RATE)


class ScriptedSink:
    """A speaker whose answers to ``queued_s`` are given in advance."""

    def __init__(self, answers: list[float]) -> None:
        self.answers = answers

    def begin(self, rate: int) -> None: ...
    def write(self, pcm: np.ndarray) -> None: ...
    def finish(self) -> None: ...
    def abort(self) -> None: ...
    def close(self) -> None: ...

    def queued_s(self) -> float | None:
        return self.answers.pop(0)


def test_a_piece_that_a_stall_made_late_is_moved_where_it_is_heard() -> None:
    reference = ReferenceBuffer(seconds=5.0)
    # Asked before the write: heard in 0.1 s; after it: the piece ends 0.55 s from now, not 0.35 s.
    tap = ReferenceTap(ScriptedSink([0.1, 0.55]), reference, clock=lambda: 20.0)
    tap.begin(RATE)
    tap.write(voice(0.25))
    assert reference.end_time == pytest.approx(20.55, abs=0.002)
    assert reference.last_restart(int(21 * RATE)) == pytest.approx(int(20.3 * RATE), abs=32)
    assert not reference.read(int(20.1 * RATE), int(0.19 * RATE)).any(), "nothing is stored where it was not heard"


def test_an_aborted_reply_drops_what_was_queued_and_the_next_reply_closes_its_stream(card: SteppedCard) -> None:
    sink = SoundDeviceSink("card", clock=card.clock)
    sink.begin(RATE)
    sink.write(voice(0.3))
    card.tick(0.1)
    sink.abort()  # barge-in: what is still queued is never played
    sink.abort()  # and the reply's own thread stops too: PortAudio must hear of it once
    assert sink.queued_s() is None and card.streams[0].aborts == 1
    card.tick(0.1)
    assert not card.played[-1].any()
    sink.begin(RATE)
    assert [s.closed for s in card.streams] == [True, False], "one open stream, not one per barge-in"
