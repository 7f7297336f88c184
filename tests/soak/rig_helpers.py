"""Helpers for driving the live service on the PulseAudio rig (tests/support/pulse_rig.py)."""

from __future__ import annotations

import socket
import threading
import wave
from pathlib import Path

import numpy as np

NOISE_AMPLITUDE = 24
"""Peak-ish level of the room noise (int16 LSB, about -62 dBFS): below any VAD trigger."""


def write_noise_wav(path: Path, seconds: float = 120.0, rate: int = 16000, seed: int = 7) -> Path:
    """A quiet, non-zero noise floor: a real microphone is never exactly silent."""
    rng = np.random.default_rng(seed)
    block = rng.normal(0, NOISE_AMPLITUDE / 3, rate * 10).clip(-NOISE_AMPLITUDE, NOISE_AMPLITUDE).astype("<i2")
    block[block == 0] = 1
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        for _ in range(int(seconds // 10)):
            wav.writeframes(block.tobytes())
    return path


class NoiseFloor:
    """Plays room noise into the rig's virtual mic until stopped (mixes with the questions).

    The noise file is short; a watcher thread starts it again whenever it ends, so a soak of
    any length never hears exact zeros (which the supervisor would rightly treat as a dead mic).
    """

    def __init__(self, rig: object, folder: Path, seconds: float = 120.0) -> None:
        self._rig = rig
        self._path = write_noise_wav(folder / "room-noise.wav", seconds=seconds)
        self._handle = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    def start(self) -> None:
        self.stop()
        self._stop = threading.Event()
        self._play()
        self._watcher = threading.Thread(target=self._watch, args=(self._stop,), name="noise-floor", daemon=True)
        self._watcher.start()

    def _play(self) -> None:
        with self._lock:
            self._handle = self._rig.play_into_mic(self._path)  # type: ignore[attr-defined]

    def _watch(self, stop: threading.Event) -> None:
        while not stop.wait(0.2):
            with self._lock:
                ended = self._handle is not None and not self._handle.running
            if ended and not stop.is_set():
                self._play()

    def stop(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=2)
            self._watcher = None
        with self._lock:
            if self._handle is not None:
                self._handle.stop()
                self._handle = None


class NotifyCollector:
    """A stand-in for systemd's notify socket: collects every sd_notify message sent to it."""

    def __init__(self, folder: Path) -> None:
        self.path = str(folder / "notify.sock")
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(self.path)
        self._sock.settimeout(0.2)
        self.messages: list[dict[str, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._pump, name="notify-collector", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._sock.recv(4096).decode()
            except TimeoutError:
                continue
            except OSError:
                return
            self.messages.append(dict(line.split("=", 1) for line in data.splitlines() if "=" in line))

    def statuses(self) -> list[str]:
        return [m["STATUS"] for m in list(self.messages) if "STATUS" in m]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()
