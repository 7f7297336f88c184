"""Turn-taking rules of the conversation state machine."""

from __future__ import annotations

import numpy as np

from companion.events import ButtonAction, ButtonEvent, SpeechEnded, Trigger, WakeDetected
from companion.service.state import (
    CancelReply,
    ConversationStateMachine,
    EnterIdle,
    Phase,
    StartListening,
    StartTurn,
)

PRESS = ButtonEvent(ButtonAction.PRESSED)
RELEASE = ButtonEvent(ButtonAction.RELEASED)
UTTERANCE = SpeechEnded(pcm=np.zeros(160, dtype=np.int16), rate=16000, timestamp=1.0, hangover=0.6)


def machine(follow_up_s: float = 5.0) -> ConversationStateMachine:
    return ConversationStateMachine(no_speech_timeout_s=6.0, follow_up_s=follow_up_s)


def test_wake_word_starts_listening_and_drops_the_wake_word_audio() -> None:
    sm = machine()
    (action,) = sm.on_wake(WakeDetected("Okay Nabu", 1.0))
    assert action == StartListening(Trigger.WAKE_WORD, 6.0, keep_pre_roll=False)
    assert sm.phase is Phase.LISTENING


def test_button_press_starts_listening_release_does_nothing() -> None:
    sm = machine()
    assert sm.on_button(RELEASE) == []
    (action,) = sm.on_button(PRESS)
    assert isinstance(action, StartListening) and action.trigger is Trigger.BUTTON and action.keep_pre_roll


def test_a_full_turn_with_follow_up_then_idle() -> None:
    sm = machine()
    sm.on_button(PRESS)
    (turn,) = sm.on_speech_ended(UTTERANCE)
    assert turn == StartTurn(UTTERANCE, Trigger.BUTTON)
    assert sm.phase is Phase.THINKING
    sm.on_reply_audio()
    assert sm.phase is Phase.SPEAKING
    (listen,) = sm.on_turn_done(interrupted=False)
    assert listen == StartListening(Trigger.FOLLOW_UP, 5.0, keep_pre_roll=False)
    # A follow-up question needs no wake word.
    (turn,) = sm.on_speech_ended(UTTERANCE)
    assert turn.trigger is Trigger.FOLLOW_UP
    sm.on_turn_done(interrupted=False)
    assert sm.on_no_speech() == [EnterIdle()]
    assert sm.phase is Phase.IDLE


def test_follow_up_disabled_goes_straight_to_idle() -> None:
    sm = machine(follow_up_s=0)
    sm.on_command()
    sm.on_speech_ended(UTTERANCE)
    assert sm.on_turn_done(interrupted=False) == [EnterIdle()]


def test_button_while_speaking_stops_the_reply() -> None:
    sm = machine()
    sm.on_button(PRESS)
    sm.on_speech_ended(UTTERANCE)
    sm.on_reply_audio()
    assert sm.on_button(PRESS) == [CancelReply(), EnterIdle()]
    assert sm.phase is Phase.IDLE
    # The cancelled turn reporting back later changes nothing.
    assert sm.on_turn_done(interrupted=True) == []


def test_button_while_thinking_stops_the_reply_too() -> None:
    sm = machine()
    sm.on_button(PRESS)
    sm.on_speech_ended(UTTERANCE)
    assert CancelReply() in sm.on_button(PRESS)


def test_wake_word_is_ignored_unless_idle() -> None:
    sm = machine()
    sm.on_button(PRESS)
    assert sm.on_wake(WakeDetected("Okay Nabu", 2.0)) == []
    sm.on_speech_ended(UTTERANCE)
    sm.on_reply_audio()
    assert sm.on_wake(WakeDetected("Okay Nabu", 3.0)) == []


def test_no_speech_after_the_trigger_returns_to_idle() -> None:
    sm = machine()
    sm.on_wake(WakeDetected("Okay Nabu", 1.0))
    assert sm.on_no_speech() == [EnterIdle()]
    assert sm.on_speech_ended(UTTERANCE) == []


def test_button_in_follow_up_window_restarts_a_fresh_question() -> None:
    sm = machine()
    sm.on_command()
    sm.on_speech_ended(UTTERANCE)
    sm.on_turn_done(interrupted=False)
    (action,) = sm.on_button(PRESS)
    assert action.trigger is Trigger.BUTTON
