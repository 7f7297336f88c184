"""Logs during device loss: one line at the start, a summary every few minutes, one at recovery.

Before, a missing microphone wrote a line or two for every reopen attempt (~4,600 an hour) and
a "does not take 16000 Hz" line each time a vanished device was probed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from companion.audio import sounddevice_io
from companion.errors import AudioError
from companion.service.outage import OutageLog
from companion.service.supervisor import Backoff
from test_supervisor import FakeMic, Opener, chunk, read_n, supervised


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def shown(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the journal gets from the unit (it runs with -v: INFO and above)."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]


def test_an_hour_without_a_microphone_is_fourteen_lines(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    log = OutageLog("microphone", summary_every_s=300, clock=clock)
    with caplog.at_level(logging.DEBUG, logger="companion.service.outage"):
        assert log.lost("cannot open the microphone: no audio input device found")
        for _ in range(360):  # one attempt every 10 s (the back-off cap) for an hour
            clock.now += 10
            log.failed("no audio input device found")
        outage = log.recovered()
    lines = shown(caplog)
    assert outage == pytest.approx(3600)
    assert len(lines) == 1 + 12 + 1, lines
    assert lines[0].startswith("microphone lost: cannot open the microphone: no audio input device found")
    assert lines[1] == "microphone still unavailable after 5 min: 30 attempts so far; latest: no audio input device found"
    assert lines[-1] == "microphone is back after 60 min (360 failed reopen attempts)"
    assert len(caplog.records) - len(lines) == 360, "each attempt is still there at DEBUG"


def test_a_summary_names_every_distinct_reason(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    log = OutageLog("microphone", summary_every_s=60, clock=clock)
    with caplog.at_level(logging.INFO, logger="companion.service.outage"):
        log.lost("the microphone stream ended")
        for reason in ("no audio from the microphone for 5 s", "device busy", "device busy"):
            clock.now += 20
            log.failed(reason)
    assert shown(caplog)[-1] == ("microphone still unavailable after 60.0 s: 3 attempts so far; latest: device busy; "
                                 "also since the last summary: no audio from the microphone for 5 s (x1)")


def test_a_new_outage_after_recovery_is_announced_again(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    log = OutageLog("microphone", clock=clock)
    with caplog.at_level(logging.INFO, logger="companion.service.outage"):
        assert log.lost("a") and not log.lost("b"), "a second fault during an outage is an attempt"
        clock.now += 2
        assert log.recovered() == 2.0 and log.recovered() is None
        assert log.lost("c")
    assert [line.split(":")[0] for line in shown(caplog)] == ["microphone lost", "microphone is back after 2.0 s (1 failed reopen attempts)", "microphone lost"]


def test_the_supervisor_logs_a_long_outage_in_two_lines(caplog: pytest.LogCaptureFixture) -> None:
    missing = AudioError("no audio input device found")
    opener = Opener([missing] * 60 + [FakeMic([chunk(9)])])
    source, events = supervised(opener, backoff=Backoff(0.001, 0.001))
    with caplog.at_level(logging.DEBUG, logger="companion.service"):
        chunks = asyncio.run(read_n(source, 1))
    assert int(chunks[0].as_int16()[0]) == 9 and opener.calls == 61
    lines = shown(caplog)
    assert len(lines) == 2, lines
    assert lines[0].startswith("microphone lost: cannot open the microphone: no audio input device found")
    assert lines[1].startswith("microphone is back after") and "(59 failed reopen attempts)" in lines[1]
    assert source.last_outage_s is not None and events["interrupted"] == [True]


class FakeSd:
    """PortAudio's answers for a device that takes 48 kHz only, or that vanished since it was listed."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def check_input_settings(self, **kw: Any) -> None:
        raise self.error

    def query_devices(self, device: int | None, kind: str) -> dict[str, Any]:
        if "querying" in str(self.error):
            raise self.error
        return {"default_samplerate": 48000.0}


def test_a_vanished_device_is_not_reported_as_a_sample_rate_problem(caplog: pytest.LogCaptureFixture) -> None:
    import sounddevice as sd

    with caplog.at_level(logging.DEBUG, logger="companion.audio"):
        with pytest.raises(AudioError, match="cannot be used: Error querying device 3"):
            sounddevice_io._supported_rate(FakeSd(sd.PortAudioError("Error querying device 3")), 3, 16000, "input")
    assert not any("Hz" in r.getMessage() for r in caplog.records)


def test_the_resampling_note_is_logged_once_per_device(caplog: pytest.LogCaptureFixture) -> None:
    import sounddevice as sd

    fake = FakeSd(sd.PortAudioError("Invalid sample rate", sounddevice_io.PA_INVALID_SAMPLE_RATE))
    with caplog.at_level(logging.DEBUG, logger="companion.audio"):
        rates = [sounddevice_io._supported_rate(fake, 7, 16000, "input") for _ in range(5)]
    assert rates == [48000] * 5
    assert len(shown(caplog)) == 1 and "takes 48000 Hz, not 16000 Hz" in shown(caplog)[0]
