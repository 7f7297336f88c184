"""The follow-up window does not start on the device's own reply, however late the loop reads the mic.

Under load the event loop reads microphone blocks late and in bursts: when the reply has been
played and the follow-up window opens, the blocks not yet read still hold the reply's last
words (its echo). Those must not become the follow-up question (the live rig once answered
"Okay." that Whisper made of them); a question after the echo is heard, from its start.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import numpy as np
import pytest

from companion.audio.capture_clock import CaptureClock
from companion.config import VadSettings
from companion.events import AudioChunk, SpeechEnded, Trigger
from companion.service.pipeline import VoicePipeline
from companion.service.state import ConversationStateMachine, Phase
from companion.service.turn import TurnResult
from companion.vad.endpointer import Endpointer

RATE = 16000
BLOCK = 480  # 30 ms
T0 = 500.0  # the wall clock when the mic's clock is 0
LATENCY = 0.02  # a block read on time arrives this long after its last sample


class EnergyVad:
    """The VAD seam: speech = a loud frame."""

    frame_samples = BLOCK

    def is_speech(self, frame: np.ndarray) -> bool:
        return float(np.sqrt(np.mean(np.square(frame, dtype=np.float64)))) > 300.0


def tone(seconds: float, level: float, hz: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.int16)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.int16)


@dataclass
class FakeTurns:
    """The turn seam: the first turn's reply "plays" until ``reply_done``; records utterances."""

    reply_done: asyncio.Event = field(default_factory=asyncio.Event)
    heard: list[tuple[Trigger, SpeechEnded]] = field(default_factory=list)
    disclosing: bool = False

    async def run(self, utterance, trigger, history, sink, cancel, on_audio_started, transcript=None, crisis=None):  # type: ignore[no-untyped-def]
        self.heard.append((trigger, utterance))
        if len(self.heard) == 1:
            on_audio_started()
            await self.reply_done.wait()
        return TurnResult(trigger=trigger, transcript="heard", reply="said")


class LaggingMic:
    """Mic blocks in order, each read when the script says (the wall clock is set to it)."""

    def __init__(self, pcm: np.ndarray, read_at, now: list[float], on_read) -> None:  # type: ignore[no-untyped-def]
        self.pcm, self.read_at, self.now, self.on_read = pcm, read_at, now, on_read
        self.pos = 0

    async def read(self) -> AudioChunk | None:
        if self.pos + BLOCK > len(self.pcm):
            return None
        start = self.pos / RATE
        self.pos += BLOCK
        self.now[0] = max(self.now[0], self.read_at(start, self.pos / RATE))
        await self.on_read(start)
        return AudioChunk.from_int16(self.pcm[self.pos - BLOCK : self.pos], RATE, timestamp=start)

    def close(self) -> None:
        pass


QUESTION_AT = 1.0  # the first question: 1.0-2.0 s of mic time
ECHO_AT = (9.0, 9.6)  # the reply's last words, as the mic heard them
REPLY_PLAYED = 10.0  # when the reply had been played (the sink returned), on the mic's clock
STALL = 1.0  # the loop read nothing for this long before then
FOLLOW_UP_AT = 11.0  # the follow-up question: 11.0-12.0 s


def conversation(echo_tail_s: float) -> tuple[list[tuple[Trigger, SpeechEnded]], VoicePipeline]:
    pcm = np.concatenate([
        silence(QUESTION_AT), tone(1.0, 6000, 300), silence(ECHO_AT[0] - 2.0),
        tone(ECHO_AT[1] - ECHO_AT[0], 3000, 500), silence(FOLLOW_UP_AT - ECHO_AT[1]),
        tone(1.0, 6000, 300), silence(2.0),
    ])
    now = [T0]

    def read_at(start: float, end: float) -> float:
        if REPLY_PLAYED - STALL < end <= REPLY_PLAYED:  # the stalled blocks come in a burst
            return T0 + REPLY_PLAYED + LATENCY + 0.001 * (end - REPLY_PLAYED + STALL)
        return T0 + end + LATENCY

    async def main() -> tuple[list[tuple[Trigger, SpeechEnded]], VoicePipeline]:
        turns = FakeTurns()

        async def on_read(start: float) -> None:
            if start >= REPLY_PLAYED - STALL and not turns.reply_done.is_set():
                # The reply has just been played to its end: the turn ends and the follow-up
                # window opens while the loop has read nothing for a second.
                now[0] = T0 + REPLY_PLAYED
                turns.reply_done.set()
                while pipeline.state.phase is not Phase.LISTENING:
                    await asyncio.sleep(0.001)

        pipeline = VoicePipeline(
            source=LaggingMic(pcm, read_at, now, on_read),
            sink=None,  # type: ignore[arg-type]  # FakeTurns plays nothing
            vad=EnergyVad(),  # type: ignore[arg-type]
            endpointer=Endpointer(VadSettings(), frame_samples=BLOCK),
            turns=turns,  # type: ignore[arg-type]
            state=ConversationStateMachine(no_speech_timeout_s=6.0, follow_up_s=5.0),
            echo_tail_s=echo_tail_s,
            clock=lambda: now[0],
        )
        await pipeline.run(start_listening=True, max_turns=2)
        return turns.heard, pipeline

    return asyncio.run(main())


def test_the_reply_s_echo_read_late_does_not_start_the_follow_up() -> None:
    heard, _ = conversation(echo_tail_s=0.5)
    assert [trigger for trigger, _ in heard] == [Trigger.COMMAND, Trigger.FOLLOW_UP]
    follow_up = heard[1][1]
    starts = follow_up.timestamp - len(follow_up.pcm) / RATE
    # The follow-up question, from before its start (the pre-roll), with nothing of the echo.
    assert ECHO_AT[1] < starts < FOLLOW_UP_AT
    assert np.abs(follow_up.pcm[: int((FOLLOW_UP_AT - starts) * RATE) - BLOCK]).max() == 0


def test_without_the_echo_tail_the_late_echo_is_taken_for_a_question() -> None:
    """What the rule is for: the same mic, read as late, with no tail allowed for."""
    heard, _ = conversation(echo_tail_s=0.0)
    follow_up = heard[1][1]
    assert heard[1][0] is Trigger.FOLLOW_UP
    assert follow_up.timestamp - len(follow_up.pcm) / RATE < ECHO_AT[1]


def test_a_question_begun_in_the_tail_keeps_its_start() -> None:
    """Someone who answers the moment the reply ends: the start is kept, the question heard."""
    endpointer = Endpointer(VadSettings(), frame_samples=BLOCK)
    endpointer.reset(keep_pre_roll=False)
    for _ in range(10):  # 0.3 s inside the tail: observed, not listened to
        endpointer.observe(tone(0.03, 6000, 300))
    events = [endpointer.feed(tone(0.03, 6000, 300), True, 1.0 + i * 0.03) for i in range(10)]
    started = next(e for e in events if e is not None)
    assert started is not None
    for i in range(40):
        ended = endpointer.feed(silence(0.03), False, 2.0 + i * 0.03)
        if isinstance(ended, SpeechEnded):
            break
    assert isinstance(ended, SpeechEnded) and len(ended.pcm) >= int(0.55 * RATE)


def test_the_capture_clock_maps_by_the_fastest_arrival() -> None:
    now = [0.0]
    clock = CaptureClock(clock=lambda: now[0], window_s=2.0)
    assert clock.mic_time(5.0) is None
    for i, late in enumerate([0.02, 0.5, 0.03, 0.9, 0.02]):
        now[0] = 100.0 + (i + 1) * 0.03 + late
        clock.observe(AudioChunk.from_int16(silence(0.03), RATE, timestamp=i * 0.03))
    assert clock.mic_time(100.0 + 0.15 + 0.02) == pytest.approx(0.15)
    # A block that came 1 s late does not move the mapping; after the window a slower mic does.
    for i in range(5, 120):
        now[0] = 100.0 + (i + 1) * 0.03 + 0.1
        clock.observe(AudioChunk.from_int16(silence(0.03), RATE, timestamp=i * 0.03))
    assert clock.mic_time(now[0]) == pytest.approx(120 * 0.03)
    # A mic clock that restarts (a reopened device) starts the mapping afresh.
    now[0] = 200.0
    clock.observe(AudioChunk.from_int16(silence(0.03), RATE, timestamp=0.0))
    assert clock.mic_time(200.0) == pytest.approx(0.03)
