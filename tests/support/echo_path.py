"""An acoustic echo path for the PulseAudio rig: the virtual mic hears the device's speaker.

``module-loopback`` copies ``companion_speaker.monitor`` (everything the device plays) into
``companion_mic_feed`` (the sink whose monitor is the device's microphone), after a fixed
latency and at a reduced level, mixed with whatever the test plays into the mic. That is what a
speaker standing next to a microphone does, minus the room's reverberation (the unit tests
cover a reverberant, filtered echo path synthetically).

    with EchoPath(rig, latency_ms=80, gain_db=-4) as echo:
        ...                       # the device now hears itself
        mic = echo.record_mic(tmp_path / "mic.wav")   # what the device's microphone got

``adjust_time=0`` keeps the loopback from re-timing itself (its rate controller would change
the echo delay while a reply plays). The loopback is unloaded on exit, also after a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from .pulse_rig import PulseRig, PulseRigError, RecordHandle


class EchoPath:
    def __init__(self, rig: PulseRig, *, latency_ms: int = 80, gain_db: float = -4.0) -> None:
        self.rig = rig
        self.latency_ms = latency_ms
        self.gain_db = gain_db
        self.module: int | None = None

    def __enter__(self) -> EchoPath:
        self.load()
        return self

    def __exit__(self, *exc: object) -> None:
        self.unload()

    def load(self) -> None:
        out = self.rig.pactl(
            "load-module",
            "module-loopback",
            f"source={PulseRig.SPEAKER_MONITOR}",
            f"sink={PulseRig.MIC_FEED_SINK}",
            f"latency_msec={self.latency_ms}",
            "adjust_time=0",
            "source_dont_move=true",
            "sink_dont_move=true",
            "sink_input_properties=media.name=echo-path",
        )
        self.module = int(out.strip())
        deadline = time.monotonic() + 5
        while (index := self._sink_input()) is None:
            if time.monotonic() > deadline:
                raise PulseRigError("the echo loopback has no sink input")
            time.sleep(0.02)
        self.rig.pactl("set-sink-input-volume", index, f"{self.gain_db}dB")

    def _sink_input(self) -> str | None:
        listing = json.loads(self.rig.pactl("--format=json", "list", "sink-inputs") or "[]")
        for entry in listing:
            if str(entry.get("owner_module")) == str(self.module):
                return str(entry["index"])
        return None

    def unload(self) -> None:
        if self.module is not None and self.rig.running:
            self.rig.pactl("unload-module", str(self.module))
        self.module = None

    def record_mic(self, path: str | os.PathLike) -> RecordHandle:
        """Record what the device's microphone hears (question + echo), 16 kHz mono."""
        proc = self.rig._spawn(  # the rig's own spawner: pulse env, parent-death signal, cleanup
            [
                "parec",
                "--raw",
                f"--device={PulseRig.MIC_SOURCE}",
                f"--rate={PulseRig.MIC_RATE}",
                "--channels=1",
                "--format=s16le",
                "--latency-msec=20",
                "--client-name=echo-path-recorder",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        handle = RecordHandle(proc, Path(path), PulseRig.MIC_RATE, 1)
        self.rig._recordings.append(handle)
        return handle
