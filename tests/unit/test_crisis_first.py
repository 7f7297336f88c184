"""The crisis check runs first on every path of a turn (ETHICS C9): normal, daily limit reached,
paused while running, the engine's fallback, an engine that fails, pipelined or not, the earcon
started during transcription or not, a reply that would play the person's own recording, a reply
from the family memory; and the crisis state lasts the session, not beyond.

The real TurnRunner, reply line and ethics hooks; text in place of audio (ASR, voice and speaker
are the hardware-side seams), an injectable clock."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from companion.config import EthicsSettings, LatencySettings
from companion.ethics.care import CareState
from companion.ethics.crisis import CrisisDetector, CrisisState
from companion.ethics.runtime import EthicsHooks
from companion.ethics.safety import SafetyCheck
from companion.events import SpeechEnded, Transcript, Trigger
from companion.persona.base import Exchange
from companion.persona.reply import ReplyKind, ReplyPiece, piece
from companion.service.turn import TurnRunner
from support.replies import ScriptedEngine

HELP = "116 123"
CRISIS = "I want to kill myself tonight."


class TextAsr:
    def __init__(self) -> None:
        self.text = ""

    def transcribe(self, pcm: np.ndarray, rate: int) -> Transcript:
        return Transcript(self.text)


class Voice:
    sample_rate = 16000

    def __init__(self) -> None:
        self.said: list[str] = []

    def synthesize(self, sentence: str) -> np.ndarray:
        self.said.append(sentence)
        return np.zeros(1600, dtype=np.int16)


class Sink:
    def begin(self, rate: int) -> None: ...
    def write(self, pcm: np.ndarray) -> None: ...
    def finish(self) -> None: ...
    def abort(self) -> None: ...
    def close(self) -> None: ...
    def queued_s(self) -> float | None: return None


class FallbackEngine(ScriptedEngine):
    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[ReplyPiece]:
        yield piece(self.fallback_replies[0], ReplyKind.FALLBACK)


class BrokenEngine(ScriptedEngine):
    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[ReplyPiece]:
        raise RuntimeError("the language model crashed")


def runner(tmp_path: Path, *, engine=None, daily_limit_min: float = 0.0, paused: bool = False,  # type: ignore[no-untyped-def]
           latency: LatencySettings | None = None, now: list[float] | None = None, recordings=None):
    clock = now or [1_800_000_000.0]
    care = CareState(tmp_path)
    if paused:
        care.pause("walter")
    if daily_limit_min:
        import datetime as dt
        care.add_usage(daily_limit_min * 60 + 1, dt.date.fromtimestamp(clock[0]))
    voice = Voice()
    safety = SafetyCheck(CrisisDetector(), name="Walter", help_number=HELP)
    hooks = EthicsHooks(EthicsSettings(daily_limit_min=daily_limit_min, help_number=HELP), tts=voice, care=care,
                        persona_id="walter", persona_name="Walter", clock=lambda: clock[0], safety=safety)
    asr = TextAsr()
    turns = TurnRunner(asr, engine or ScriptedEngine("The lake was calm that day."), voice, ethics=hooks,
                       latency=latency or LatencySettings(filler=False), recordings=recordings)
    return turns, asr, voice, clock


def say(turns: TurnRunner, asr: TextAsr, text: str, history=(), crisis: CrisisState | None = None):  # type: ignore[no-untyped-def]
    asr.text = text
    utterance = SpeechEnded(np.zeros(1600, dtype=np.int16), 16000, 0.0, 0.3)
    return asyncio.run(turns.run(utterance, Trigger.BUTTON, list(history), Sink(), threading.Event(), crisis=crisis))


PATHS = {
    "normal": {},
    "daily limit reached": {"daily_limit_min": 10.0},
    "paused while running": {"paused": True},
    "engine falls back": {"engine": FallbackEngine("")},
    "engine fails": {"engine": BrokenEngine("")},
    "not pipelined": {"latency": LatencySettings(filler=False, pipelined=False)},
    "earcon during transcription": {"latency": LatencySettings(filler=False, prelude_during_asr=True)},
    "earcon after transcription": {"latency": LatencySettings(filler=False, prelude_during_asr=False)},
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_a_crisis_is_answered_first_on_every_path(tmp_path: Path, path: str) -> None:
    turns, asr, voice, _ = runner(tmp_path, **PATHS[path])
    result = say(turns, asr, CRISIS)
    assert result.source is not None and result.source.kind is ReplyKind.CRISIS, path
    assert HELP in result.reply and "not Walter" in result.reply
    assert result.source.voice.value == "neutral"
    assert "That is all the time set aside" not in " ".join(voice.said)
    assert result.crisis is not None and result.crisis.active


def test_paths_without_a_crisis_still_behave_as_before(tmp_path: Path) -> None:
    turns, asr, _, _ = runner(tmp_path / "a", daily_limit_min=10.0)
    assert say(turns, asr, "Tell me about the lake.").source.kind is ReplyKind.CARE
    turns, asr, _, _ = runner(tmp_path / "b", paused=True)
    assert say(turns, asr, "Tell me about the lake.").reply == ""


def test_the_crisis_state_lasts_the_session_and_ends_at_the_gap(tmp_path: Path) -> None:
    turns, asr, _, clock = runner(tmp_path)
    history: list[Exchange] = []
    state = CrisisState()

    def turn(text: str):  # type: ignore[no-untyped-def]
        nonlocal state, history
        result = say(turns, asr, text, history, state)
        if result.new_session:
            history = []
        state = result.crisis or state
        history.append(Exchange(result.transcript, result.reply))
        clock[0] += 60.0
        return result

    assert turn("What was your favourite fishing spot?").source.kind is ReplyKind.MEMORY
    assert turn(CRISIS).source.kind is ReplyKind.CRISIS
    follow = turn("Anyway, what was your favourite fishing spot?")
    assert follow.source.kind is ReplyKind.CRISIS and "safe" in follow.reply and HELP in follow.reply
    clock[0] += EthicsSettings().session_gap_min * 60.0  # the session ends
    later = turn("What was your favourite fishing spot?")
    assert later.new_session and later.source.kind is ReplyKind.MEMORY and later.disclosed


def test_saying_you_are_safe_ends_it_within_the_session(tmp_path: Path) -> None:
    turns, asr, _, _ = runner(tmp_path)
    r1 = say(turns, asr, CRISIS)
    r2 = say(turns, asr, "I'm safe now, my sister is here with me.", [Exchange(CRISIS, r1.reply)], r1.crisis)
    assert r2.source.kind is ReplyKind.CHECK_IN and not r2.crisis.active
    r3 = say(turns, asr, "Tell me about the lake.", [Exchange(CRISIS, r1.reply)], r2.crisis)
    assert r3.source.kind is ReplyKind.MEMORY


def _tone_wav(seconds: float = 1.0, rate: int = 16000) -> bytes:
    """A WAV file of a 300 Hz tone: stands in for a recording of the person's own voice."""
    import io
    import wave

    pcm = (0.3 * 32767 * np.sin(2 * np.pi * 300 * np.arange(int(seconds * rate)) / rate)).astype(np.int16)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return out.getvalue()


def test_a_crisis_is_answered_first_where_a_recording_of_the_person_would_play(tmp_path: Path) -> None:
    from companion.persona.recorded import Clip, RecordingLibrary

    message_id = "rec-abcd1234-1"
    library = RecordingLibrary({message_id: Clip(_tone_wav(), 0.0, 1.0, "2019-03-12T09:17")})
    engine = ScriptedEngine("I grew tomatoes by the lake.", kind=ReplyKind.RECORDING, message_id=message_id)
    turns, asr, voice, _ = runner(tmp_path / "a", engine=engine, recordings=library)
    calm = say(turns, asr, "What did you grow by the lake?")
    assert calm.source.kind is ReplyKind.RECORDING  # this exit path plays the recording itself ...
    assert "I grew tomatoes by the lake." not in voice.said  # ... not the voice saying its words
    for path, options in (("normal", {}), ("daily limit reached", {"daily_limit_min": 10.0}),
                          ("paused while running", {"paused": True})):
        turns, asr, voice, _ = runner(tmp_path / path, engine=engine, recordings=library, **options)
        result = say(turns, asr, CRISIS)
        assert result.source.kind is ReplyKind.CRISIS and HELP in result.reply, path
        assert result.crisis is not None and result.crisis.active, path


def test_a_crisis_is_answered_first_where_the_family_memory_would_reply(tmp_path: Path) -> None:
    from companion.persona.bundle.family import NEWS, open_family_file
    from companion.persona.remember import FamilyMemory, RememberingPersona

    clock = [1_800_000_000.0]
    memory = FamilyMemory(open_family_file(tmp_path / "bundle", "b-1", bytes(range(32))), clock=lambda: clock[0])
    memory.add(NEWS, "I got the nurse job!", None)
    engine = RememberingPersona(ScriptedEngine("The lake was calm that day."), memory, address="kiddo")
    turns, asr, _, _ = runner(tmp_path / "a", engine=engine, now=clock)
    calm = say(turns, asr, "Do you remember what I told you last time?")
    assert calm.source.kind is ReplyKind.REFLECTION and "nurse job" in calm.reply  # the family memory's exit path
    said_before = [t.said for t in memory.entries()]
    asking = "Do you remember what I told you last time? I want to kill myself tonight."
    for path, options in (("normal", {}), ("daily limit reached", {"daily_limit_min": 10.0}),
                          ("paused while running", {"paused": True})):
        turns, asr, _, _ = runner(tmp_path / path, engine=engine, now=clock, **options)
        result = say(turns, asr, asking)
        assert result.source.kind is ReplyKind.CRISIS and HELP in result.reply, path
    assert [t.said for t in memory.entries()] == said_before  # the crisis never reached the family memory
