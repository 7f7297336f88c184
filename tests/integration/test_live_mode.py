"""Live mode against a real PulseAudio server: button press, spoken question, spoken answer."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from support.cli import words
from gpiozero.pins.mock import MockFactory

from companion.audio.wavfile import read_wav
from companion.service.live import LiveSession

pytestmark = [pytest.mark.integration, pytest.mark.live]

QUESTION = "How did you meet grandma?"



def live_settings(settings, device: str, **wake):  # type: ignore[no-untyped-def]
    return replace(
        settings,
        audio=replace(settings.audio, input_device=device, output_device=device),
        button=replace(settings.button, enabled=True, pin=17),
        wake=replace(settings.wake, **wake),
    )


def run_in_background(session: LiveSession, results: list) -> threading.Thread:  # type: ignore[type-arg]
    def target() -> None:
        results.extend(asyncio.run(session.run(max_turns=1, handle_signals=False)))

    thread = threading.Thread(target=target, name="live-session", daemon=True)
    thread.start()
    assert session.started.wait(30), "live session did not start"
    return thread


def test_button_press_then_question_is_answered_through_the_speaker(
    pulse_rig, loaded_models, test_settings, speak, tmp_path: Path
) -> None:
    pulse_rig.apply_env()
    factory = MockFactory()
    session = LiveSession(live_settings(test_settings, pulse_rig.device_name), loaded_models, pin_factory=factory)
    results: list = []  # type: ignore[type-arg]
    recording = pulse_rig.record_speaker(tmp_path / "speaker.wav")
    thread = run_in_background(session, results)
    try:
        button = factory.pin(17)
        button.drive_low()  # pressed: the button pulls the pin to ground
        button.drive_high()
        pulse_rig.play_into_mic(speak(QUESTION), wait=True)
        thread.join(timeout=90)
        assert not thread.is_alive(), "no reply within 90 s"
    finally:
        session.stop()
        thread.join(timeout=10)
    heard_path = recording.stop()

    assert len(results) == 1
    result = results[0]
    assert result.trigger.value == "button"
    assert "grandma" in result.transcript.lower()
    pcm, rate = read_wav(heard_path)
    voiced = pcm[np.abs(pcm) > 500]
    assert len(voiced) > rate // 2, "the speaker stayed silent"
    heard = loaded_models.asr.transcribe(pcm, rate).text
    expected = result.reply
    assert len(words(heard) & words(expected)) >= 0.5 * len(words(expected)), (heard, expected)


def test_wake_word_starts_a_live_turn(pulse_rig, loaded_models, test_settings, speak, tmp_path: Path) -> None:
    pulse_rig.apply_env()
    session = LiveSession(live_settings(test_settings, pulse_rig.device_name, enabled=True), loaded_models, pin_factory=MockFactory())
    results: list = []  # type: ignore[type-arg]
    thread = run_in_background(session, results)
    try:
        pulse_rig.play_into_mic(speak("Okay Nabu. Tell me about your dog."), wait=True)
        thread.join(timeout=90)
    finally:
        session.stop()
        thread.join(timeout=10)
    assert [r.trigger.value for r in results] == ["wake_word"]
    assert "dog" in results[0].transcript.lower()
    assert results[0].reply
