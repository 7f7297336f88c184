"""The paced microphone and speaker of the bench, on a fake clock."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from companion.bench.paced_io import (
    BenchError,
    PacedNoise,
    PacedSink,
    PacedSource,
    PlayedWrite,
    first_sound,
)
from companion.bench.questions import SpokenQuestion

BLOCK = 480  # 30 ms at 16 kHz
BLOCK_S = 0.03


class FakeClock:
    def __init__(self, start: float = 100.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def sleep_blocking(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def question(speech_s: float, end_index: int | None = None) -> SpokenQuestion:
    pcm = np.full(int(speech_s * 16000), 6000, dtype=np.int16)
    return SpokenQuestion(text="q", pcm=pcm, speech_end=len(pcm) - 1 if end_index is None else end_index)


def read_all(source: PacedSource, limit: int = 10_000, on_block=lambda i, chunk: None) -> list:  # type: ignore[no-untyped-def]
    async def go() -> list:  # type: ignore[type-arg]
        chunks = []
        for i in range(limit):
            chunk = await source.read()
            if chunk is None:
                break
            chunks.append(chunk)
            on_block(i, chunk)
        return chunks

    return asyncio.run(go())


def test_blocks_come_at_real_time_pace_and_stamp_the_true_end_of_speech() -> None:
    clock = FakeClock()
    source = PacedSource([question(0.3, end_index=4000)], lead_in_s=0.51, max_wait_s=10, clock=clock, sleep=clock.sleep)
    started = clock.now
    read_all(source, on_block=lambda i, chunk: source.turn_over() if i == 40 else None)

    timing = source.timings[0]
    # lead-in 0.51 s = 8160 samples; the end sample 8160 + 4000 = 12160 is in block 25 (12000-12480),
    # which a live microphone delivers when it is complete: 26 blocks after the start.
    assert timing.speech_end == pytest.approx(started + 26 * BLOCK_S)
    assert timing.delivered == pytest.approx(timing.speech_end)
    assert timing.turns == 1 and not timing.missed
    assert all(s == pytest.approx(BLOCK_S) for s in clock.sleeps)


def test_audio_is_lead_in_noise_then_the_question_then_noise_with_rising_timestamps() -> None:
    clock = FakeClock()
    source = PacedSource([question(0.3)], lead_in_s=0.48, max_wait_s=10, clock=clock, sleep=clock.sleep)
    chunks = read_all(source, on_block=lambda i, chunk: source.turn_over() if i == 30 else None)
    levels = [np.abs(c.as_int16().astype(int)).mean() for c in chunks]
    assert all(level < 100 for level in levels[:16])  # 0.48 s of low noise
    assert all(level > 5000 for level in levels[16:26])  # the 0.3 s question
    assert all(level < 100 for level in levels[26:])  # trailing noise until the turn is over
    assert len(chunks) == 31  # the turn was over at block 30: the script ends
    assert [c.timestamp for c in chunks] == pytest.approx([i * BLOCK_S for i in range(31)])
    assert all(c.rate == 16000 and c.samples == BLOCK for c in chunks)


def test_a_slow_reader_gets_the_backlog_at_once_and_the_stamp_keeps_the_real_moment() -> None:
    clock = FakeClock()
    source = PacedSource([question(0.09)], lead_in_s=0.0, max_wait_s=10, clock=clock, sleep=clock.sleep)
    started = clock.now

    async def go() -> None:
        await source.read()  # block 0 (speech)
        clock.now += 0.5  # the pipeline was busy for half a second
        await source.read()  # block 1: overdue, no wait
        await source.read()  # block 2 holds the last speech sample

    asyncio.run(go())
    timing = source.timings[0]
    assert timing.speech_end == pytest.approx(started + 3 * BLOCK_S)  # when a live mic had it
    assert timing.delivered == pytest.approx(started + 0.03 + 0.5)  # when the pipeline took it
    assert clock.sleeps == [pytest.approx(BLOCK_S)]


def test_the_next_question_waits_for_the_turn_and_for_the_pipeline_to_be_ready() -> None:
    clock = FakeClock()
    ready = [False]
    announced: list[int] = []
    source = PacedSource([question(0.06), question(0.06)], lead_in_s=0.06, max_wait_s=10, ready=lambda: ready[0],
                         before_question=announced.append, clock=clock, sleep=clock.sleep)

    def script(i: int, chunk) -> None:  # type: ignore[no-untyped-def]
        if i == 10:
            source.turn_over()  # a turn ended but the pipeline is still busy (e.g. a second turn)
        if i == 20:
            ready[0] = True

    chunks = read_all(source, limit=60, on_block=script)
    assert announced == [0, 1]
    loud = [i for i, c in enumerate(chunks) if np.abs(c.as_int16().astype(int)).mean() > 1000]
    assert loud == [2, 3, 23, 24]  # question 2 starts (after its 2-block lead-in) only once ready
    assert len(chunks) == 60  # question 2 has no turn yet: the noise goes on
    assert source.timings[1].turns == 0


def test_a_question_without_a_turn_is_marked_missed_after_the_wait_limit() -> None:
    clock = FakeClock()
    source = PacedSource([question(0.03), question(0.03)], lead_in_s=0.0, max_wait_s=0.3, clock=clock, sleep=clock.sleep)
    chunks = read_all(source, limit=100)
    assert [t.missed for t in source.timings] == [True, True]
    assert len(chunks) == 2 * (1 + 10)  # each: 1 block of speech, 10 blocks (0.3 s) of waiting


def test_a_turn_that_never_ends_is_an_error_not_a_hang() -> None:
    clock = FakeClock()
    source = PacedSource([question(0.03)], lead_in_s=0.0, max_wait_s=0.3, ready=lambda: False, clock=clock, sleep=clock.sleep)
    with pytest.raises(BenchError, match="did not finish"):
        read_all(source, limit=1000)


def test_a_new_question_drops_an_old_backlog() -> None:
    clock = FakeClock()
    source = PacedSource([question(0.03), question(0.03)], lead_in_s=0.0, max_wait_s=10, clock=clock, sleep=clock.sleep)

    async def go() -> None:
        await source.read()  # question 1
        source.turn_over()
        clock.now += 5.0  # a long stall between questions
        stalled.append(clock.now)
        await source.read()  # question 2's only block: recorded from now, not 5 s ago

    stalled: list[float] = []
    asyncio.run(go())
    assert source.timings[1].speech_end == pytest.approx(stalled[0] + BLOCK_S)
    assert clock.sleeps[-1] == pytest.approx(BLOCK_S)


def test_closed_or_empty_sources_end() -> None:
    clock = FakeClock()
    assert read_all(PacedSource([], clock=clock, sleep=clock.sleep)) == []
    source = PacedSource([question(1.0)], clock=clock, sleep=clock.sleep)
    source.close()
    assert read_all(source) == []


def test_paced_noise_lasts_as_long_as_asked_at_real_time_pace() -> None:
    clock = FakeClock()
    start = clock.now
    source = PacedNoise(0.3, clock=clock, sleep=clock.sleep)
    chunks = read_all(source)  # type: ignore[arg-type]
    assert len(chunks) == 10 and clock.now == pytest.approx(start + 0.3)
    assert all(np.abs(c.as_int16().astype(int)).max() < 300 for c in chunks)


def test_the_sink_takes_as_long_as_the_audio_and_notes_the_first_sound() -> None:
    clock = FakeClock()
    sink = PacedSink(clock=clock, sleep=clock.sleep_blocking)
    sink.begin(1000)
    start = clock.now
    sink.write(np.zeros(500, dtype=np.int16))  # 0.5 s of silence (e.g. a pause)
    pcm = np.zeros(1000, dtype=np.int16)
    pcm[250:] = 3000
    sink.write(pcm)  # sound from 0.25 s into this 1 s write
    sink.finish()
    assert clock.now == pytest.approx(start + 1.5)
    writes = sink.take_writes()
    assert writes == [
        PlayedWrite(start=pytest.approx(start), samples=500, first_sound=None),  # type: ignore[arg-type]
        PlayedWrite(start=pytest.approx(start + 0.5), samples=1000, first_sound=pytest.approx(start + 0.75)),  # type: ignore[arg-type]
    ]
    assert first_sound(writes) == pytest.approx(start + 0.75)
    assert sink.take_writes() == []


def test_a_write_after_a_gap_starts_when_written_and_aborted_audio_is_dropped() -> None:
    clock = FakeClock()
    sink = PacedSink(clock=clock, sleep=clock.sleep_blocking)
    sink.begin(1000)
    sink.write(np.full(100, 5000, dtype=np.int16))
    clock.now += 2.0  # an underrun: the speaker was silent meanwhile
    sink.write(np.full(100, 5000, dtype=np.int16))
    first, second = sink.take_writes()
    assert second.start == pytest.approx(first.start + 0.1 + 2.0)
    sink.abort()
    before = clock.now
    sink.write(np.full(1000, 5000, dtype=np.int16))
    assert sink.take_writes() == [] and clock.now == before
    sink.begin(1000)  # the next turn plays again
    sink.write(np.full(10, 5000, dtype=np.int16))
    assert len(sink.take_writes()) == 1


def test_first_sound_can_skip_audio_handed_over_before_a_stamp() -> None:
    writes = [
        PlayedWrite(start=1.0, samples=10, first_sound=1.01),  # earcon
        PlayedWrite(start=2.0, samples=10, first_sound=None),  # pause
        PlayedWrite(start=3.0, samples=10, first_sound=3.2),  # the answer
    ]
    assert first_sound(writes) == 1.01
    assert first_sound(writes, not_before=2.5) == 3.2
    assert first_sound(writes, not_before=3.001) == 3.2  # a stamp a hair after the write's clock reading
    assert first_sound(writes, not_before=4.0) is None
    assert first_sound([]) is None
