"""The endpointer's rules: trigger level, pre-roll, hangover, max length, no-speech timeout."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.config import VadSettings
from companion.events import SpeechEnded, SpeechPaused, SpeechStarted
from companion.vad.endpointer import EndpointState, Endpointer, NoSpeech

FRAME = 480  # 30 ms at 16 kHz
FRAME_S = 0.03


def make(**overrides: float) -> Endpointer:
    settings = VadSettings(**{"pre_roll_s": 0.3, "trigger_s": 0.09, "hangover_s": 0.3, "max_utterance_s": 3.0,
                              "no_speech_timeout_s": 2.0, **overrides})
    return Endpointer(settings, frame_samples=FRAME)


def frame(value: int) -> np.ndarray:
    return np.full(FRAME, value, dtype=np.int16)


def run(ep: Endpointer, flags: list[bool], values: list[int] | None = None) -> list[object]:
    events = []
    for i, flag in enumerate(flags):
        value = values[i] if values else (1000 if flag else 0)
        event = ep.feed(frame(value), flag, (i + 1) * FRAME_S)
        if event is not None:
            events.append(event)
    return events


def test_a_single_voiced_frame_does_not_start_speech() -> None:
    ep = make()
    events = run(ep, [False] * 5 + [True] + [False] * 20)
    assert not any(isinstance(e, SpeechStarted) for e in events)


def test_speech_starts_at_the_trigger_level_and_ends_after_the_hangover() -> None:
    ep = make()
    flags = [False] * 10 + [True] * 20 + [False] * 20
    events = run(ep, flags)
    assert isinstance(events[0], SpeechStarted)
    assert events[0].timestamp == pytest.approx(13 * FRAME_S)  # third voiced frame (trigger 90 ms)
    ended = events[1]
    assert isinstance(ended, SpeechEnded)
    # 300 ms of silence after the last voiced frame (frame 30) ends it, at frame 40.
    assert ended.timestamp == pytest.approx(40 * FRAME_S)
    assert ended.hangover == pytest.approx(0.3)
    assert not ended.truncated
    assert ep.state is EndpointState.DONE


def test_pre_roll_keeps_audio_from_before_the_trigger() -> None:
    ep = make()
    values = list(range(1, 51))
    flags = [False] * 10 + [True] * 20 + [False] * 20
    events = run(ep, flags, values)
    ended = next(e for e in events if isinstance(e, SpeechEnded))
    first_value = int(ended.pcm[0])
    # Pre-roll 300 ms (10 frames) plus the trigger window reach back before speech (value 11).
    assert first_value < 11
    # The speech itself is all there.
    kept = set(ended.pcm[::FRAME].tolist())
    assert set(range(11, 31)) <= kept


def test_short_pauses_inside_a_sentence_do_not_end_it() -> None:
    ep = make()
    flags = [True] * 10 + [False] * 5 + [True] * 10 + [False] * 15
    events = run(ep, flags)
    ends = [e for e in events if isinstance(e, SpeechEnded)]
    assert len(ends) == 1
    assert ends[0].timestamp == pytest.approx(35 * FRAME_S)


def test_maximum_utterance_length_cuts_a_speaker_who_goes_on() -> None:
    ep = make(max_utterance_s=1.5)
    events = run(ep, [True] * 200)
    ended = next(e for e in events if isinstance(e, SpeechEnded))
    assert ended.truncated
    assert len(ended.pcm) / 16000 == pytest.approx(1.5, abs=0.1)


def test_no_speech_timeout() -> None:
    ep = make(no_speech_timeout_s=0.6)
    events = run(ep, [False] * 40)
    assert len(events) == 1 and isinstance(events[0], NoSpeech)
    assert events[0].timestamp == pytest.approx(20 * FRAME_S)


def test_reset_can_drop_the_pre_roll_and_change_the_timeout() -> None:
    ep = make()
    for _ in range(10):
        ep.observe(frame(7))
    ep.reset(keep_pre_roll=False, no_speech_timeout_s=0.3)
    events = run(ep, [False] * 10)
    assert isinstance(events[0], NoSpeech) and events[0].timestamp == pytest.approx(10 * FRAME_S)
    ep.reset(keep_pre_roll=False)
    events = run(ep, [True] * 5 + [False] * 12)
    ended = next(e for e in events if isinstance(e, SpeechEnded))
    assert 7 not in set(ended.pcm.tolist())


@given(st.lists(st.booleans(), max_size=300))
def test_any_flag_sequence_gives_a_sane_event_order(flags: list[bool]) -> None:
    ep = make()
    events = run(ep, flags)
    kinds = [type(e) for e in events]
    assert kinds in ([], [SpeechStarted], [SpeechStarted, SpeechEnded], [NoSpeech])
    for e in events:
        if isinstance(e, SpeechEnded):
            assert len(e.pcm) % FRAME == 0 and len(e.pcm) > 0
            assert len(e.pcm) / 16000 <= 3.0 + 0.3 + 0.1


def test_a_pause_is_announced_once_and_confirmed_by_the_end() -> None:
    ep = Endpointer(VadSettings(pre_roll_s=0.3, trigger_s=0.09, hangover_s=0.3), frame_samples=FRAME, pause_after_s=0.09)
    events = run(ep, [False] * 5 + [True] * 20 + [False] * 15)
    paused = [e for e in events if isinstance(e, SpeechPaused)]
    ended = [e for e in events if isinstance(e, SpeechEnded)]
    assert len(paused) == 1 and len(ended) == 1
    assert paused[0].timestamp == pytest.approx(28 * FRAME_S)  # three silent frames after the last voiced one
    assert ended[0].pause_id == paused[0].pause_id
    assert np.array_equal(paused[0].pcm, ended[0].pcm)  # the speculative transcript covers the same audio


def test_speech_after_a_pause_voids_it() -> None:
    ep = Endpointer(VadSettings(pre_roll_s=0.3, trigger_s=0.09, hangover_s=0.3), frame_samples=FRAME, pause_after_s=0.09)
    events = run(ep, [False] * 5 + [True] * 10 + [False] * 5 + [True] * 10 + [False] * 15)
    paused = [e for e in events if isinstance(e, SpeechPaused)]
    ended = next(e for e in events if isinstance(e, SpeechEnded))
    assert len(paused) == 2
    assert ended.pause_id == paused[1].pause_id != paused[0].pause_id
    assert len(ended.pcm) > len(paused[0].pcm)


def test_an_end_without_a_pause_event_claims_none() -> None:
    # hangover shorter than the pause delay: the utterance ends before any pause is announced
    ep = Endpointer(VadSettings(pre_roll_s=0.3, trigger_s=0.09, hangover_s=0.15), frame_samples=FRAME, pause_after_s=0.3)
    events = run(ep, [False] * 5 + [True] * 10 + [False] * 4 + [True] * 10 + [False] * 10)
    ended = next(e for e in events if isinstance(e, SpeechEnded))
    assert not any(isinstance(e, SpeechPaused) for e in events)
    assert ended.pause_id is None


def test_short_turns_end_after_the_short_hangover() -> None:
    settings = VadSettings(pre_roll_s=0.3, trigger_s=0.09, hangover_s=0.6, max_utterance_s=10.0)
    short = Endpointer(settings, frame_samples=FRAME, short_turn=(1.0, 0.3))
    ended = next(e for e in run(short, [False] * 5 + [True] * 20 + [False] * 30) if isinstance(e, SpeechEnded))
    assert ended.hangover == pytest.approx(0.3)
    long = Endpointer(settings, frame_samples=FRAME, short_turn=(1.0, 0.3))
    ended = next(e for e in run(long, [False] * 5 + [True] * 50 + [False] * 30) if isinstance(e, SpeechEnded))
    assert ended.hangover == pytest.approx(0.6)


@given(st.lists(st.booleans(), min_size=1, max_size=200))
def test_a_confirmed_pause_always_holds_the_whole_utterance(flags: list[bool]) -> None:
    ep = Endpointer(VadSettings(pre_roll_s=0.3, trigger_s=0.09, hangover_s=0.3), frame_samples=FRAME, pause_after_s=0.09)
    events = run(ep, flags)
    ended = [e for e in events if isinstance(e, SpeechEnded)]
    if ended and ended[0].pause_id is not None:
        pause = next(e for e in events if isinstance(e, SpeechPaused) and e.pause_id == ended[0].pause_id)
        assert np.array_equal(pause.pcm, ended[0].pcm)
