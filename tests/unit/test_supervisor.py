"""The audio supervisor: reopen on error, stall or digital silence, with capped back-off.

The devices are fakes (this is the hardware seam); the real microphone is exercised against
PulseAudio in tests/integration/test_service_recovery.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.errors import AudioError
from companion.events import AudioChunk
from companion.service.supervisor import Backoff, SupervisedSink, SupervisedSource, is_digital_silence

HANG = object()


def chunk(value: int, n: int = 480) -> AudioChunk:
    return AudioChunk.from_int16(np.full(n, value, dtype=np.int16), 16000)


class SampleClock:
    """The supervisor's clock in the silence tests: the audio read so far (the mic's own time)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeMic:
    """Plays a script: AudioChunk, an exception to raise, HANG (never returns) or None (ended).
    With a ``clock``, each chunk read moves it on by the chunk's duration."""

    def __init__(self, script: list[object], clock: SampleClock | None = None) -> None:
        self.script = list(script)
        self.closed = False
        self.clock = clock

    def start(self) -> None:
        pass

    async def read(self) -> AudioChunk | None:
        if not self.script:
            await asyncio.sleep(3600)
        item = self.script.pop(0)
        if item is HANG:
            await asyncio.sleep(3600)
        if isinstance(item, Exception):
            raise item
        await asyncio.sleep(0)
        if self.clock is not None and isinstance(item, AudioChunk):
            self.clock.now += item.duration
        return item  # type: ignore[return-value]

    def close(self) -> None:
        self.closed = True


class Opener:
    """Each call opens the next fake mic, or raises the next AudioError."""

    def __init__(self, devices: list[FakeMic | AudioError]) -> None:
        self.devices: Iterator[FakeMic | AudioError] = iter(devices)
        self.opened: list[FakeMic] = []
        self.calls = 0

    def __call__(self) -> FakeMic:
        self.calls += 1
        device = next(self.devices)
        if isinstance(device, AudioError):
            raise device
        self.opened.append(device)
        return device


def supervised(opener: Opener, **kw: object) -> tuple[SupervisedSource, dict[str, list[object]]]:
    events: dict[str, list[object]] = {"fault": [], "recovered": [], "interrupted": [], "beats": []}
    source = SupervisedSource(
        opener,
        silence_s=kw.pop("silence_s", 5.0),  # type: ignore[arg-type]
        backoff=kw.pop("backoff", Backoff(0.01, 0.04)),  # type: ignore[arg-type]
        on_fault=events["fault"].append,
        on_recovered=events["recovered"].append,
        on_interrupted=lambda: events["interrupted"].append(True),
        heartbeat=kw.pop("heartbeat", lambda: events["beats"].append(True)),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )
    return source, events


async def read_n(source: SupervisedSource, n: int) -> list[AudioChunk]:
    source.start()
    out = []
    for _ in range(n):
        c = await asyncio.wait_for(source.read(), timeout=5)
        assert c is not None
        out.append(c)
    return out


def test_an_io_error_reopens_the_device_and_audio_continues() -> None:
    first = FakeMic([chunk(5), chunk(6), AudioError("the microphone stopped delivering audio")])
    second = FakeMic([chunk(7), chunk(8)])
    opener = Opener([first, second])
    source, events = supervised(opener)
    chunks = asyncio.run(read_n(source, 4))
    assert [int(c.as_int16()[0]) for c in chunks] == [5, 6, 7, 8]
    assert [c.timestamp for c in chunks] == [0.0, 0.03, 0.06, 0.09], "timestamps keep rising across reopens"
    assert first.closed and opener.calls == 2
    assert events["interrupted"] == [True]
    assert events["fault"] == ["the microphone stopped delivering audio"]
    assert events["recovered"][0] == 0.0, "first real audio at start"
    assert len(events["recovered"]) == 2 and source.last_outage_s is not None


def test_an_unplugged_mic_is_retried_with_capped_back_off_then_recovers(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = AudioError("no audio input device matches 'usb'")
    opener = Opener([FakeMic([AudioError("gone")]), missing, missing, missing, missing, FakeMic([chunk(9)])])
    rescans: list[bool] = []
    source, events = supervised(opener, rescan=lambda: rescans.append(True) or True)
    delays: list[float] = []
    real_next = source.backoff.next_delay
    monkeypatch.setattr(source.backoff, "next_delay", lambda: delays.append(real_next()) or delays[-1])
    chunks = asyncio.run(read_n(source, 1))
    assert int(chunks[0].as_int16()[0]) == 9
    assert delays == [0.01, 0.02, 0.04, 0.04, 0.04], "doubling, capped"
    assert events["interrupted"] == [True], "one interruption, however many retries"
    assert rescans, "devices are re-enumerated after repeated failures"
    assert source.backoff.failures == 0, "back-off restarts once real audio flows"
    assert events["beats"], "waiting to reconnect keeps the heartbeat going"


SHORT = 250  # samples: 1/64 s, exact in binary, so the silence count below is exact too


def test_digital_silence_for_too_long_reopens_the_device() -> None:
    """With silence_s = 0.25 and 1/64 s chunks the 17th zero chunk is 0.25 s after the first:
    16 are passed on, the 17th is the fault, and the next chunk comes from a new device."""
    clock = SampleClock()
    first = FakeMic([chunk(3, SHORT), *(chunk(0, SHORT) for _ in range(40))], clock)
    second = FakeMic([chunk(4, SHORT)], clock)
    opener = Opener([first, second])
    source, events = supervised(opener, silence_s=0.25, clock=clock)

    async def scenario() -> list[AudioChunk]:
        source.start()
        out = []
        while not out or int(out[-1].as_int16()[0]) != 4:
            c = await asyncio.wait_for(source.read(), timeout=5)
            assert c is not None
            out.append(c)
        return out

    chunks = asyncio.run(scenario())
    assert [int(c.as_int16()[0]) for c in chunks] == [3] + [0] * 16 + [4]
    assert first.closed and opener.calls == 2
    assert len(events["fault"]) == 1 and "only silence" in str(events["fault"][0])


def test_a_silent_device_that_reopens_fine_keeps_backing_off() -> None:
    clock = SampleClock()
    opener = Opener([FakeMic([chunk(0, SHORT) for _ in range(200)], clock) for _ in range(6)]
                    + [FakeMic([chunk(1, SHORT)], clock)])
    source, events = supervised(opener, silence_s=0.02, backoff=Backoff(0.001, 0.008), clock=clock)

    async def scenario() -> None:
        source.start()
        while True:
            c = await asyncio.wait_for(source.read(), timeout=5)
            assert c is not None
            if int(c.as_int16()[0]) == 1:
                return

    asyncio.run(scenario())
    assert opener.calls == 7
    assert len(events["recovered"]) == 1, "zeros never count as recovery"
    assert source.backoff.failures == 0 and len(events["fault"]) == 6


def test_a_stalled_stream_is_reopened() -> None:
    opener = Opener([FakeMic([chunk(1), HANG]), FakeMic([chunk(2)])])
    source, events = supervised(opener, stall_timeout_s=0.05)
    chunks = asyncio.run(read_n(source, 2))
    assert [int(c.as_int16()[0]) for c in chunks] == [1, 2]
    assert "no audio" in str(events["fault"][0])


def test_close_ends_reading_even_while_waiting_to_reconnect() -> None:
    opener = Opener([AudioError("absent")] * 100)

    async def scenario() -> AudioChunk | None:
        waiting = asyncio.Event()  # the reader beats while it waits to reconnect
        source, _ = supervised(opener, backoff=Backoff(5.0, 5.0), heartbeat=waiting.set)
        source.start()
        reader = asyncio.create_task(source.read())
        await asyncio.wait_for(waiting.wait(), timeout=5)
        source.close()
        return await asyncio.wait_for(reader, timeout=2)

    assert asyncio.run(scenario()) is None


@given(st.floats(0.01, 5.0), st.floats(1.0, 100.0), st.integers(0, 60))
def test_backoff_doubles_and_never_exceeds_the_cap(first: float, factor: float, steps: int) -> None:
    backoff = Backoff(first, first * factor)
    delays = [backoff.next_delay() for _ in range(steps + 1)]
    assert delays[0] == first
    assert all(d <= first * factor for d in delays)
    assert all(b == min(a * 2, first * factor) or b == a for a, b in zip(delays, delays[1:]))
    assert delays == sorted(delays)


def test_backoff_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        Backoff(2.0, 1.0)


def test_digital_silence_means_exact_zeros() -> None:
    assert is_digital_silence(np.zeros(10, dtype=np.int16))
    assert not is_digital_silence(np.array([0, 0, 1], dtype=np.int16))


class FlakySpeaker:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.begun = 0
        self.closed = 0

    def begin(self, rate: int) -> None:
        if self.failures:
            self.failures -= 1
            raise AudioError("cannot open the speaker: Device or resource busy")
        self.begun += 1

    def write(self, pcm: np.ndarray) -> None:
        pass

    def finish(self) -> None:
        pass

    def abort(self) -> None:
        pass

    def close(self) -> None:
        self.closed += 1

    def queued_s(self) -> float | None:
        return 0.25 if self.begun else None


def test_the_speaker_is_rebuilt_and_retried_after_a_glitch() -> None:
    speakers = [FlakySpeaker(1), FlakySpeaker(0)]
    made = iter(speakers)
    faults: list[str] = []
    sink = SupervisedSink(lambda: next(made), first_delay_s=0.001, on_fault=faults.append)
    sink.begin(22050)
    assert speakers[0].closed == 1 and speakers[1].begun == 1
    assert faults == ["cannot open the speaker: Device or resource busy"]


def test_the_speaker_gives_up_after_its_attempts() -> None:
    sink = SupervisedSink(lambda: FlakySpeaker(99), attempts=2, first_delay_s=0.001)
    with pytest.raises(AudioError):
        sink.begin(22050)
    assert not sink.active and sink.queued_s() is None  # no speaker: nothing playing, nothing queued


def test_the_speaker_is_active_from_begin_until_finish_and_says_what_it_has_queued() -> None:
    """``active`` keeps a sound-card rescan from running under a reply (service/live.py)."""
    sink = SupervisedSink(lambda: FlakySpeaker(0), first_delay_s=0.001)
    assert not sink.active and sink.queued_s() is None
    sink.begin(22050)
    assert sink.active and sink.queued_s() == 0.25  # the speaker's own answer, passed through
    sink.abort()
    assert sink.active  # stopping is not finishing: the stream is closed by finish
    sink.finish()
    assert not sink.active
