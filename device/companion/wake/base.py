"""The wake-word interface, and the refractory rule every backend shares."""

from __future__ import annotations

from typing import Protocol

from ..events import AudioChunk, WakeDetected


class WakeWordDetector(Protocol):
    name: str

    def process(self, chunk: AudioChunk) -> WakeDetected | None:
        """Feed 16 kHz mono int16 audio; returns a detection at most once per refractory period."""
        ...

    def reset(self) -> None:
        """Forget buffered audio (after the device spoke, so its own voice cannot re-trigger)."""
        ...


class Refractory:
    """Suppresses repeated detections of one utterance of the wake word."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._last: float | None = None

    def allow(self, timestamp: float) -> bool:
        # Time running backwards means a new audio stream: the old detection no longer counts.
        if self._last is not None and 0.0 <= timestamp - self._last < self.seconds:
            return False
        self._last = timestamp
        return True

    def reset(self) -> None:
        self._last = None
