"""The voice loop: reads the microphone, drives the state machine, runs turns.

Everything here runs on the asyncio loop thread; inference runs on worker threads (TurnRunner)
and hardware callbacks (button) are marshalled onto the loop with ``call_soon_threadsafe``.
Live mode and `companion converse` both run this class; only the source and sink differ.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..audio.base import AudioSink, AudioSource
from ..audio.capture_clock import CaptureClock
from ..ethics.crisis import CrisisState
from ..events import AudioChunk, ButtonEvent, SpeechEnded, SpeechPaused, SpeechStarted, Transcript, Trigger
from ..persona.base import Exchange
from ..vad.base import VoiceActivityDetector
from ..vad.endpointer import Endpointer, NoSpeech
from ..wake.base import WakeWordDetector
from .bargein import BargeInMonitor
from .memory import release_freed_memory
from .state import Action, CancelReply, ConversationStateMachine, EnterIdle, Phase, StartListening, StartTurn
from .turn import TurnResult, TurnRunner

logger = logging.getLogger(__name__)

KEEP_RESULTS = 100


@dataclass
class ListenStats:
    """CPU the always-on part (wake word, VAD, endpointing) spends per second of audio."""

    audio_s: float = 0.0
    wake_cpu_s: float = 0.0
    vad_cpu_s: float = 0.0
    speculations: int = 0
    """Transcriptions started at a pause ..."""
    speculations_used: int = 0
    """... and those the endpoint confirmed (the others were wasted: the speaker went on)."""

    def to_dict(self) -> dict[str, float]:
        per = self.audio_s or 1.0
        return {
            "audio_s": round(self.audio_s, 3),
            "wake_cpu_per_audio_s": round(self.wake_cpu_s / per, 6),
            "vad_cpu_per_audio_s": round(self.vad_cpu_s / per, 6),
            "speculations": self.speculations,
            "speculations_used": self.speculations_used,
        }


class VoicePipeline:
    def __init__(
        self,
        *,
        source: AudioSource,
        sink: AudioSink,
        vad: VoiceActivityDetector,
        endpointer: Endpointer,
        turns: TurnRunner,
        state: ConversationStateMachine,
        wake: WakeWordDetector | None = None,
        history_turns: int = 12,
        on_turn: Callable[[TurnResult], None] | None = None,
        on_phase: Callable[[Phase], None] | None = None,
        barge_in: BargeInMonitor | None = None,
        echo_tail_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``echo_tail_s``: how long after the reply was played its sound can still reach the mic
        (a speaker, not a file: live.py sets it); the follow-up window does not start on it."""
        self.source = source
        self.sink = sink
        self.vad = vad
        self.endpointer = endpointer
        self.turns = turns
        self.state = state
        self.wake = wake
        self.stats = ListenStats()
        self.results: list[TurnResult] = []
        """The latest turns (a long-running service keeps only the last ``KEEP_RESULTS``)."""
        self.turns_done = 0
        self.history: list[Exchange] = []
        self.crisis = CrisisState()
        """The session's crisis state (ETHICS C9), passed to each turn and replaced by its result;
        a turn that opens a new session starts it afresh, with the history."""
        self._history_turns = history_turns
        self._on_turn = on_turn
        self._on_phase = on_phase
        self.barge_in = barge_in
        """Listens over the reply (echo-cancelled) for the user interrupting; None gates the mic."""
        self._echo_tail_s = echo_tail_s
        self._clock = clock
        self._capture = CaptureClock(clock=clock) if echo_tail_s > 0 else None
        self._quiet_until: float | None = None
        """Mic time before which speech cannot start a follow-up (the reply's own echo and tail)."""
        self._reported_phase = state.phase
        self._loop: asyncio.AbstractEventLoop | None = None
        self._turn_task: asyncio.Task[None] | None = None
        self._cancel = threading.Event()
        self._stopped = False
        self._pending = np.zeros(0, dtype=np.int16)
        self._failure: BaseException | None = None
        self._speculation: tuple[int, asyncio.Task[Transcript]] | None = None

    # -- entry points from other threads -------------------------------------------------
    def button_event(self, event: ButtonEvent) -> None:
        """Thread-safe: called from gpiozero's thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._on_button, event)

    def source_interrupted(self) -> None:
        """The microphone went away: a half-heard question is dropped (loop thread only).

        A reply already being thought of or spoken goes on (the mic is gated then anyway).
        """
        self._pending = np.zeros(0, dtype=np.int16)
        if self.state.phase is Phase.LISTENING:
            logger.info("microphone lost while listening; the question is dropped")
            self._execute(self.state.on_no_speech())

    def stop(self) -> None:
        """Thread-safe: end `run` after the current block."""
        self._stopped = True
        self._cancel.set()
        self.sink.abort()

    # -- the loop ------------------------------------------------------------------------
    async def run(
        self, *, start_listening: bool = False, max_turns: int | None = None, fail_fast: bool = False
    ) -> list[TurnResult]:
        """Process audio until the source ends, ``stop()`` is called or ``max_turns`` are done.

        A failed turn is logged and the loop goes on listening (the device must not die of one
        bad turn); with ``fail_fast`` (one-shot commands) the error is raised instead.
        """
        self._loop = asyncio.get_running_loop()
        if self.wake is not None:
            self.wake.reset()  # the detector may have heard another stream before this one
        if start_listening:
            self._execute(self.state.on_command())
        try:
            while not self._stopped:
                if max_turns is not None and self.turns_done >= max_turns and self._turn_task is None:
                    break
                if fail_fast and self._failure is not None:
                    break
                chunk = await self.source.read()
                if chunk is None:
                    break
                self._process(chunk)
            if self._turn_task is not None:
                await self._turn_task
            if fail_fast and self._failure is not None:
                raise self._failure
        finally:
            if self._turn_task is not None and not self._turn_task.done():
                self._cancel.set()
                self.sink.abort()
                await asyncio.gather(self._turn_task, return_exceptions=True)
        return self.results

    def _process(self, chunk: AudioChunk) -> None:
        self.stats.audio_s += chunk.duration
        if self._capture is not None:
            self._capture.observe(chunk)
        phase = self.state.phase
        if phase in (Phase.THINKING, Phase.SPEAKING):
            if self.barge_in is None:
                return  # mic gated while the device itself speaks (no echo cancellation)
            replay = self.barge_in.process(chunk)  # echo-cancelled; audio only if the user spoke over us
            if replay is None or self.turns.disclosing:  # the AI disclosure is always heard whole (C3)
                return
            self._execute(self.state.on_barge_in())
            if self.state.phase is not Phase.LISTENING:
                return
            chunk = replay  # listen on from just before the user started: their words are the question
            self._pending = np.zeros(0, dtype=np.int16)
        if phase is Phase.IDLE and self.wake is not None:
            t = time.thread_time()
            detection = self.wake.process(chunk)
            self.stats.wake_cpu_s += time.thread_time() - t
            if detection is not None:
                self._execute(self.state.on_wake(detection))
                return
        t = time.thread_time()
        pcm = np.concatenate([self._pending, chunk.as_int16()]) if len(self._pending) else chunk.as_int16()
        size = self.vad.frame_samples
        usable = len(pcm) - len(pcm) % size
        self._pending = pcm[usable:]
        quiet_until = self._quiet_until if self._quiet_until is not None else -math.inf
        for offset in range(0, usable, size):
            frame = pcm[offset : offset + size]
            timestamp = chunk.timestamp + (offset + size) / chunk.rate
            if self.state.phase is not Phase.LISTENING or timestamp <= quiet_until:
                self.endpointer.observe(frame)  # pre-roll only: a question begun meanwhile keeps its start
                continue
            event = self.endpointer.feed(frame, self.vad.is_speech(frame), timestamp)
            if isinstance(event, SpeechStarted):
                logger.debug("speech started at %.2f s", event.timestamp)
            elif isinstance(event, SpeechPaused):
                self._speculate(event)
            elif isinstance(event, SpeechEnded):
                self._execute(self.state.on_speech_ended(event))
            elif isinstance(event, NoSpeech):
                logger.info("no speech; back to idle")
                self._execute(self.state.on_no_speech())
        self.stats.vad_cpu_s += time.thread_time() - t

    def _speculate(self, pause: SpeechPaused) -> None:
        """Start transcribing at a pause; the endpoint will say whether that was the whole question."""
        task = asyncio.get_running_loop().create_task(asyncio.to_thread(self.turns.asr.transcribe, pause.pcm, pause.rate))
        task.add_done_callback(_consume_failure)  # a wasted speculation's error is nobody's business
        self._speculation = (pause.pause_id, task)
        self.stats.speculations += 1

    def _take_speculation(self, utterance: SpeechEnded) -> asyncio.Task[Transcript] | None:
        """The speculative transcript, if it covers exactly this utterance."""
        speculation, self._speculation = self._speculation, None
        if speculation is None or utterance.pause_id is None or speculation[0] != utterance.pause_id:
            return None
        self.stats.speculations_used += 1
        return speculation[1]

    def _on_button(self, event: ButtonEvent) -> None:
        self._execute(self.state.on_button(event))

    def _execute(self, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, StartListening):
                logger.info("listening (%s)", action.trigger.value)
                self.endpointer.reset(keep_pre_roll=action.keep_pre_roll, no_speech_timeout_s=action.timeout_s)
                self._speculation = None
                self._quiet_until = self._after_the_echo() if action.trigger is Trigger.FOLLOW_UP else None
            elif isinstance(action, StartTurn):
                self._cancel = threading.Event()
                self._turn_task = asyncio.get_running_loop().create_task(self._turn(action))
            elif isinstance(action, CancelReply):
                logger.info("reply stopped (%s)", "barge-in" if self.state.trigger is Trigger.BARGE_IN else "button")
                self._cancel.set()
                self.sink.abort()
            elif isinstance(action, EnterIdle):
                if self.wake is not None:
                    self.wake.reset()
        self._report_phase()

    def _after_the_echo(self) -> float | None:
        """The mic time from which the follow-up window may hear a question: the reply has just
        been played (the sink waited for it), its echo and the room's reverberation last
        ``echo_tail_s`` longer. By the mic's own clock, because under load the loop reads the
        mic late: the blocks still unread can hold the reply's last words, which would start
        the follow-up on the device's own voice (a rig run heard "Okay." before the question)."""
        if self._capture is None:
            return None
        until = self._capture.mic_time(self._clock() + self._echo_tail_s)
        if until is not None:
            logger.debug("follow-up: no start on the reply's echo before mic time %.2f s", until)
        return until

    def _report_phase(self) -> None:
        """Tell the phase-change listener (sd_notify STATUS) once per change."""
        phase = self.state.phase
        if phase is not self._reported_phase:
            self._reported_phase = phase
            if self._on_phase is not None:
                self._on_phase(phase)

    def _on_reply_audio(self) -> None:
        self.state.on_reply_audio()
        self._report_phase()

    async def _turn(self, action: StartTurn) -> None:
        cancel = self._cancel
        loop = asyncio.get_running_loop()

        def audio_started() -> None:
            loop.call_soon_threadsafe(self._on_reply_audio)

        this_task = asyncio.current_task()
        try:
            transcript = self._take_speculation(action.utterance)
            result = await self.turns.run(
                action.utterance, action.trigger, self.history, self.sink, cancel, audio_started, transcript=transcript,
                crisis=self.crisis,
            )
        except Exception as exc:
            logger.error("the turn failed: %s", exc)
            self._failure = exc
            if self._turn_task is this_task:
                self._turn_task = None
                self._execute(self.state.on_turn_done(interrupted=True))
            return
        self.results.append(result)
        self.turns_done += 1
        del self.results[: max(0, len(self.results) - KEEP_RESULTS)]
        await asyncio.to_thread(release_freed_memory)
        self.remember(result)
        if self._on_turn is not None:
            self._on_turn(result)
        if self._turn_task is this_task:  # not superseded by a newer turn after a barge-in
            self._turn_task = None
            self._execute(self.state.on_turn_done(interrupted=result.interrupted or not result.reply))

    def remember(self, result: TurnResult) -> None:
        """Keep what the next turn of the session needs: the recent exchanges and the crisis state
        (both start afresh when a turn opened a new session)."""
        if result.new_session:
            self.history.clear()
        if result.crisis is not None:
            self.crisis = result.crisis
        if result.reply:
            self.history.append(Exchange(result.transcript, result.reply, result.source))
            del self.history[: max(0, len(self.history) - self._history_turns)]


def _consume_failure(task: asyncio.Task[Transcript]) -> None:
    if not task.cancelled():
        task.exception()
