"""The conversation state machine: pure rules, no audio, no threads.

IDLE --wake word / button--> LISTENING --speech ended--> THINKING --first audio--> SPEAKING
SPEAKING --played--> LISTENING (follow-up window, no wake word needed) --silence--> IDLE
A button press while THINKING or SPEAKING stops the reply and returns to IDLE. Speech over the
reply (barge-in, only with echo cancellation) stops it too and goes straight to LISTENING for the
interrupting question. Without echo cancellation the microphone is gated (not listened to) while
THINKING and SPEAKING, because the device would hear itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ..events import ButtonAction, ButtonEvent, SpeechEnded, Trigger, WakeDetected


class Phase(Enum):
    IDLE = "idle"
    LISTENING = "listening"
    THINKING = "thinking"
    SPEAKING = "speaking"


@dataclass(frozen=True)
class StartListening:
    trigger: Trigger
    timeout_s: float
    keep_pre_roll: bool


@dataclass(frozen=True)
class StartTurn:
    utterance: SpeechEnded
    trigger: Trigger


@dataclass(frozen=True)
class CancelReply:
    pass


@dataclass(frozen=True)
class EnterIdle:
    """Back to waiting for the wake word; the detector forgets what it heard meanwhile."""


Action = StartListening | StartTurn | CancelReply | EnterIdle


class ConversationStateMachine:
    def __init__(self, *, no_speech_timeout_s: float, follow_up_s: float) -> None:
        self.phase = Phase.IDLE
        self.trigger: Trigger | None = None
        self._no_speech_timeout_s = no_speech_timeout_s
        self._follow_up_s = follow_up_s

    def _listen(self, trigger: Trigger, timeout_s: float, keep_pre_roll: bool) -> list[Action]:
        self.phase = Phase.LISTENING
        self.trigger = trigger
        return [StartListening(trigger, timeout_s, keep_pre_roll)]

    def _idle(self) -> list[Action]:
        self.phase = Phase.IDLE
        self.trigger = None
        return [EnterIdle()]

    def on_wake(self, event: WakeDetected) -> list[Action]:
        if self.phase is not Phase.IDLE:
            return []
        # The pre-roll holds the wake word itself: drop it so it is not transcribed.
        return self._listen(Trigger.WAKE_WORD, self._no_speech_timeout_s, keep_pre_roll=False)

    def on_command(self) -> list[Action]:
        """A turn started by the program (converse): like a button press with nothing before it."""
        if self.phase is not Phase.IDLE:
            return []
        return self._listen(Trigger.COMMAND, self._no_speech_timeout_s, keep_pre_roll=True)

    def on_button(self, event: ButtonEvent) -> list[Action]:
        if event.action is not ButtonAction.PRESSED:
            return []
        if self.phase is Phase.IDLE:
            return self._listen(Trigger.BUTTON, self._no_speech_timeout_s, keep_pre_roll=True)
        if self.phase in (Phase.THINKING, Phase.SPEAKING):
            return [CancelReply(), *self._idle()]
        if self.phase is Phase.LISTENING and self.trigger is Trigger.FOLLOW_UP:
            # A deliberate press during the follow-up window starts a fresh question.
            return self._listen(Trigger.BUTTON, self._no_speech_timeout_s, keep_pre_roll=True)
        return []

    def on_barge_in(self) -> list[Action]:
        """The user spoke over the reply: stop it, like the button, then listen to them at once.

        "Grandpa, wait - what about the war?" is the next question: no wake word, and the
        words that interrupted are not lost. The pipeline replays the echo-cancelled audio from
        just before they started speaking, so that is the pre-roll that is kept; what the
        endpointer buffered before the reply (stale audio) is dropped.
        """
        if self.phase is not Phase.SPEAKING:
            return []
        return [CancelReply(), *self._listen(Trigger.BARGE_IN, self._no_speech_timeout_s, keep_pre_roll=False)]

    def on_speech_ended(self, event: SpeechEnded) -> list[Action]:
        if self.phase is not Phase.LISTENING or self.trigger is None:
            return []
        trigger = self.trigger
        self.phase = Phase.THINKING
        return [StartTurn(event, trigger)]

    def on_no_speech(self) -> list[Action]:
        if self.phase is not Phase.LISTENING:
            return []
        return self._idle()

    def on_reply_audio(self) -> list[Action]:
        if self.phase is Phase.THINKING:
            self.phase = Phase.SPEAKING
        return []

    def on_turn_done(self, *, interrupted: bool) -> list[Action]:
        if self.phase not in (Phase.THINKING, Phase.SPEAKING):
            return []
        if interrupted or self._follow_up_s <= 0:
            return self._idle()
        return self._listen(Trigger.FOLLOW_UP, self._follow_up_s, keep_pre_roll=False)
