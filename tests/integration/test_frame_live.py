"""The live service publishes the frame's feed, and the frame's touch-to-talk is the button:
a press sent on the socket starts a real turn against a real PulseAudio server, and the frame
sees listening, thinking, speaking and the reply's sentences."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from gpiozero.pins.mock import MockFactory

from companion import feed
from companion.service.live import LiveSession

pytestmark = [pytest.mark.integration, pytest.mark.live]


def test_a_touch_on_the_frame_starts_a_live_turn(pulse_rig, loaded_models, test_settings, speak,  # type: ignore[no-untyped-def]
                                                 tmp_path: Path) -> None:
    pulse_rig.apply_env()
    settings = replace(
        test_settings,
        audio=replace(test_settings.audio, input_device=pulse_rig.device_name, output_device=pulse_rig.device_name),
        button=replace(test_settings.button, enabled=True, pin=17),
        frame=replace(test_settings.frame, socket=str(tmp_path / "frame.sock"), group=""),
    )
    session = LiveSession(settings, loaded_models, pin_factory=MockFactory())
    results: list = []  # type: ignore[type-arg]
    thread = threading.Thread(target=lambda: results.extend(asyncio.run(session.run(max_turns=1, handle_signals=False))),
                              daemon=True)
    thread.start()
    assert session.started.wait(30)
    events: list[feed.Event] = []
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as frame:
            frame.settimeout(90)
            frame.connect(str(tmp_path / "frame.sock"))
            lines = frame.makefile("rb")
            events.append(feed.decode(lines.readline()))  # type: ignore[arg-type]
            assert isinstance(events[0], feed.Hello) and events[0].state == "idle"
            frame.sendall(feed.encode(feed.Command("press")))  # the touch area
            events.append(feed.decode(lines.readline()))  # type: ignore[arg-type]
            assert events[-1] == feed.State("listening")
            pulse_rig.play_into_mic(speak("How did you meet grandma?"), wait=True)
            while line := lines.readline():  # until the session ends (max_turns=1) and closes the feed
                event = feed.decode(line)
                assert event is not None
                events.append(event)
        thread.join(timeout=60)
    finally:
        session.stop()
        thread.join(timeout=10)
    assert len(results) == 1 and results[0].trigger.value == "button"  # exactly a button press
    states = [e.state for e in events if isinstance(e, feed.State)]
    assert states[:3] == ["listening", "thinking", "speaking"], events
    # then the follow-up window (listening), where max_turns=1 ends the session
    assert states[3:4] in (["listening"], ["idle"], ["mic-missing"]), events
    said = [e.text for e in events if isinstance(e, feed.Subtitle) and e.role == "reply"]
    assert " ".join(said) == results[0].reply
    assert not (tmp_path / "frame.sock").exists()  # the service cleans up its socket
