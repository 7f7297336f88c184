"""Barge-in against the real PulseAudio rig, with the device's own voice echoing into its mic.

The echo path (tests/support/echo_path.py) feeds the speaker back into the virtual microphone
80 ms later at -4 dB, so the device hears itself as loudly as a speaker beside a mic would make
it. With the echo canceller it must (1) not interrupt itself over whole replies, and (2) stop
when someone really speaks over it, and answer what they said. (3) Without the canceller but
still listening over the reply it interrupts itself: that is what the canceller is for.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from gpiozero.pins.mock import MockFactory

from companion.audio.wavfile import read_wav
from companion.events import Trigger
from companion.service.live import LiveSession
from companion.service.state import Phase
from support.echo_path import EchoPath
from support.pulse_rig import PulseRig

PulseRecordRate = PulseRig.SPEAKER_RATE

pytestmark = [pytest.mark.integration, pytest.mark.live]

LONG_QUESTION = "How do you make apple pie?"  # Walt's answer is 45 words, ~15 s, after the disclosure
SECOND_QUESTION = "Tell me about your dog."
INTERRUPTION = "Grandpa, wait. How do you change a flat tire?"


def barge_settings(settings, device: str, **barge):  # type: ignore[no-untyped-def]
    # The rig's microphone is exact zeros between sounds, which no real microphone is: on this
    # loaded box the device can think for over 10 s between the disclosure and the answer, and
    # the dead-mic watchdog (service.mic_silence_s) then reopened the mic mid-reply, which made
    # the echo's timing jump (ERLE 2.5 dB in one run). The watchdog has its own tests.
    return replace(
        settings,
        audio=replace(settings.audio, input_device=device, output_device=device),
        service=replace(settings.service, mic_silence_s=600.0),
        button=replace(settings.button, enabled=True, pin=17),
        wake=replace(settings.wake, enabled=False),
        barge_in=replace(settings.barge_in, **barge),
    )


def start(session: LiveSession, results: list, max_turns: int) -> threading.Thread:  # type: ignore[type-arg]
    def target() -> None:
        results.extend(asyncio.run(session.run(max_turns=max_turns, handle_signals=False)))

    thread = threading.Thread(target=target, name="live-session", daemon=True)
    thread.start()
    assert session.started.wait(30), "live session did not start"
    return thread


def press(factory: MockFactory) -> None:
    pin = factory.pin(17)
    pin.drive_low()
    pin.drive_high()


def holds_within(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``condition`` comes true within ``timeout`` s; returns as soon as it does (no event
    exists for the pipeline's phase or the speaker's level: they are checked every 20 ms)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    assert holds_within(condition, timeout), f"timed out waiting for {what}"


def when_the_reply_plays(session: LiveSession) -> threading.Event:
    """Set when the first sentence of the persona's answer (not the earcon or the AI disclosure)
    starts playing: told by the same callback that gives the frame its subtitles."""
    playing = threading.Event()
    told = session.pipeline.turns.on_text

    def on_text(role: str, text: str) -> None:
        if told is not None:
            told(role, text)
        if role == "reply":
            playing.set()

    session.pipeline.turns.on_text = on_text
    return playing


def speaking_now(recording) -> bool:  # type: ignore[no-untyped-def]
    """The speaker recorder's last 100 ms are loud: the device is mid-word, not between sentences."""
    tail = recording.samples()[-PulseRecordRate // 10 :].astype(np.float64)
    return len(tail) > 0 and float(np.sqrt(np.mean(tail**2))) > 1500


def speech_onset_s(path: Path) -> float:
    pcm, rate = read_wav(path)
    return int(np.flatnonzero(np.abs(pcm) > 1000)[0]) / rate


def test_device_does_not_interrupt_itself_on_its_own_echo(
    pulse_rig, loaded_models, test_settings, speak, tmp_path: Path, record_property
) -> None:
    pulse_rig.apply_env()
    factory = MockFactory()
    session = LiveSession(barge_settings(test_settings, pulse_rig.device_name), loaded_models, pin_factory=factory)
    monitor = session.pipeline.barge_in
    assert monitor is not None
    results: list = []  # type: ignore[type-arg]
    with EchoPath(pulse_rig) as echo:
        mic = echo.record_mic(tmp_path / "mic.wav")
        thread = start(session, results, max_turns=2)
        try:
            press(factory)
            pulse_rig.play_into_mic(speak(LONG_QUESTION), wait=True)
            # The first reply has been played and the follow-up window is open (the result is
            # recorded a little before: a question asked then would be speech over the reply).
            state = session.pipeline.state
            wait_for(lambda: state.phase is Phase.LISTENING and state.trigger is Trigger.FOLLOW_UP, 120, "the follow-up window")
            pulse_rig.play_into_mic(speak(SECOND_QUESTION), wait=True)  # it needs no button
            thread.join(timeout=120)
            assert not thread.is_alive(), "no second reply within 120 s"
        finally:
            session.stop()
            thread.join(timeout=10)
            assert pulse_rig.running, pulse_rig.log_tail()
        heard, rate = read_wav(mic.stop())

    canceller = monitor.canceller
    stats = monitor.stats.to_dict()
    print(f"echo delay {canceller.found_delay_s}, ERLE {canceller.erle_total_db:.1f} dB over the replies, "
          f"monitor {stats}, canceller CPU {canceller.cpu_per_audio_s:.4f} s per audio s")
    record_property("rig_erle_db", round(canceller.erle_total_db, 1))
    record_property("barge_in_cpu_per_audio_s", stats["cpu_per_audio_s"])
    assert [r.trigger for r in results] == [Trigger.BUTTON, Trigger.FOLLOW_UP]
    assert not any(r.interrupted for r in results), [r.to_dict() for r in results]
    assert "apple" in results[0].reply.lower() and "biscuit" in results[1].reply.lower()
    assert stats["interruptions"] == 0
    # The echo really was in the microphone, loud: about as loud as the device's own voice.
    assert np.sqrt(np.mean(heard.astype(np.float64) ** 2)) > 1000, "the echo path did not reach the mic"
    # Cancelled over the replies: echo energy is only counted while the canceller is converged, so
    # this also says it converged. Not its state at the last instant: under heavy load the echo's
    # timing jumps and the canceller then honestly says it is not converged until it re-locks.
    assert canceller.erle_total_db > 3.0  # measured 6-8 dB here (10-28 dB since issue 21): see the README


def test_speaking_over_the_reply_stops_it_and_is_answered_next(
    pulse_rig, loaded_models, test_settings, speak, tmp_path: Path, record_property
) -> None:
    pulse_rig.apply_env()
    factory = MockFactory()
    session = LiveSession(barge_settings(test_settings, pulse_rig.device_name), loaded_models, pin_factory=factory)
    results: list = []  # type: ignore[type-arg]
    interruption = speak(INTERRUPTION)
    speaker = pulse_rig.record_speaker(tmp_path / "speaker.wav")
    answer = when_the_reply_plays(session)
    monitor = session.pipeline.barge_in
    assert monitor is not None
    with EchoPath(pulse_rig):
        thread = start(session, results, max_turns=2)
        try:
            press(factory)
            pulse_rig.play_into_mic(speak(LONG_QUESTION), wait=True)
            # Past the earcon and disclosure (never cut off), inside Walt's answer, mid-word.
            assert answer.wait(90), "Walt's answer did not start playing"
            wait_for(lambda: speaking_now(speaker) and monitor.canceller.converged, 12,
                     "the device to be mid-word, its echo cancelled")
            assert session.pipeline.state.phase is Phase.SPEAKING
            play = pulse_rig.play_into_mic(interruption)
            onset = play.started_at + speech_onset_s(interruption)
            play.wait()
            # Someone who is not heard says it again: the canceller can still be settling on the
            # echo delay (about 1 run in 6 on this rig). The repeat is reported, never hidden.
            repeated = not holds_within(lambda: session.pipeline.state.phase is not Phase.SPEAKING, 2.5)
            if repeated:
                play = pulse_rig.play_into_mic(interruption)
                onset = play.started_at + speech_onset_s(interruption)
                play.wait()
            record_property("interruption_repeated", repeated)
            thread.join(timeout=120)
            assert not thread.is_alive(), "no answer to the interruption within 120 s"
        finally:
            session.stop()
            thread.join(timeout=10)
    speaker.stop()
    print(f"echo delay {monitor.canceller.found_delay_s}, ERLE {monitor.canceller.erle_total_db:.1f} dB, "
          f"monitor {monitor.stats.to_dict()}")

    # When did the device's voice stop? The last loud block the speaker recorder got before
    # the answer to the interruption (that one starts after a long gap of silence).
    pcm = speaker.samples()
    loud = np.flatnonzero(np.abs(pcm) > 500)
    arrivals = np.array([speaker.arrival_time(int(i)) or 0.0 for i in loud[:: max(1, len(loud) // 4000)]])
    after = arrivals[arrivals > onset]
    gaps = np.flatnonzero(np.diff(after) > 0.8)
    assert len(after) and len(gaps), "the device did not go quiet after the interruption"
    stop_s = after[gaps[0]] - onset
    aborted_s = min(t for t in session.pipeline.sink.aborts if t > onset) - onset
    print(f"interruption onset -> playback aborted {aborted_s * 1000:.0f} ms, -> silent at the speaker "
          f"{stop_s * 1000:.0f} ms")
    record_property("interruption_to_stop_ms", round(stop_s * 1000))

    assert len(results) == 2, [r.to_dict() for r in results]
    first, second = results
    assert first.interrupted and len(first.reply.split()) < 40  # Walt's full answer is 45 words
    assert second.trigger is Trigger.BARGE_IN
    assert "tire" in second.transcript.lower(), second.transcript
    assert "lug nuts" in second.reply.lower(), second.reply
    # At least min_speech_s of the user, then promptly: measured 0.37-1.6 s on this busy 2-core box
    # (slower when the words fall right after a pause in the reply, or on its loudest syllables).
    assert 0.3 <= aborted_s < 2.5
    assert stop_s < 2.6


def test_without_the_canceller_the_device_interrupts_itself(
    pulse_rig, loaded_models, test_settings, speak, tmp_path: Path
) -> None:
    """The same echo, listening over the reply but with nothing cancelled: it stops by itself."""
    pulse_rig.apply_env()
    factory = MockFactory()
    settings = barge_settings(test_settings, pulse_rig.device_name, canceller="none", headset=True)
    session = LiveSession(settings, loaded_models, pin_factory=factory)
    results: list = []  # type: ignore[type-arg]
    with EchoPath(pulse_rig):
        thread = start(session, results, max_turns=1)
        try:
            press(factory)
            pulse_rig.play_into_mic(speak(LONG_QUESTION), wait=True)
            thread.join(timeout=120)
            assert not thread.is_alive()
        finally:
            session.stop()
            thread.join(timeout=10)
    assert session.pipeline.barge_in is not None
    assert session.pipeline.barge_in.stats.interruptions >= 1, "it did not hear itself: is the echo path broken?"
    # Its own echo cut the answer short (what it then "heard" may even be answered first).
    assert results and not any(len(r.reply.split()) >= 40 for r in results), [r.to_dict() for r in results]
