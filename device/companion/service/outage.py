"""What the journal says while an audio device is gone: a start, a summary now and then, an end.

A missing microphone is retried every few seconds for as long as it is missing; logging every
attempt wrote ~4,600 lines an hour to an SD card. ``OutageLog`` keeps the story and drops the
noise: one WARNING when the device is lost (with the reason), one summary every few minutes
while it stays lost (how long, how many attempts, the latest reason, and every distinct reason
seen since the last summary), one INFO line when it is back. Each attempt is a DEBUG line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

SUMMARY_EVERY_S = 300.0


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.1f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class OutageLog:
    """Rate-limited log lines for one device's outages; ``clock`` is injectable for tests."""

    def __init__(self, device: str, *, summary_every_s: float = SUMMARY_EVERY_S,
                 clock: Callable[[], float] = time.monotonic, log: logging.Logger = logger) -> None:
        self.device = device
        self.summary_every_s = summary_every_s
        self._clock = clock
        self._log = log
        self.began: float | None = None
        self.attempts = 0
        self._last_report = 0.0
        self._reasons: dict[str, int] = {}

    @property
    def ongoing(self) -> bool:
        return self.began is not None

    def lost(self, reason: str) -> bool:
        """The device failed; True if this starts an outage (the caller drops a half-heard turn)."""
        if self.began is not None:
            self.failed(reason)
            return False
        self.began = self._last_report = self._clock()
        self.attempts = 0
        self._reasons = {}
        self._log.warning("%s lost: %s; reopening it in the background (a summary every %s while it is gone)",
                          self.device, reason, _duration(self.summary_every_s))
        return True

    def failed(self, reason: str) -> None:
        """Another attempt failed during the outage: DEBUG, and a summary when one is due."""
        if self.began is None:
            self.lost(reason)
            return
        self.attempts += 1
        self._reasons[reason] = self._reasons.get(reason, 0) + 1
        self._log.debug("%s still unavailable (attempt %d): %s", self.device, self.attempts, reason)
        now = self._clock()
        if now - self._last_report >= self.summary_every_s:
            self._summary(now, reason)

    def _summary(self, now: float, latest: str) -> None:
        assert self.began is not None
        others = [f"{text} (x{count})" for text, count in self._reasons.items() if text != latest]
        self._log.warning("%s still unavailable after %s: %d attempts so far; latest: %s%s",
                          self.device, _duration(now - self.began), self.attempts, latest,
                          f"; also since the last summary: {', '.join(others)}" if others else "")
        self._last_report = now
        self._reasons = {}

    def recovered(self) -> float | None:
        """The device works again; returns the outage's length (None if there was no outage)."""
        if self.began is None:
            return None
        outage = self._clock() - self.began
        self._log.info("%s is back after %s (%d failed reopen attempts)", self.device, _duration(outage), self.attempts)
        self.began = None
        return outage
