"""Spoken disclosure (ETHICS.md C3): an earcon (Morse "AI") then a sentence, in the neutral voice.

The policy is pure logic on a clock so it is testable: a session starts with the first turn or
after a long gap; within a session the disclosure comes back after the interval (<= 2 h).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

MORSE_AI = ".- .."
"""A is dot-dash, I is dot-dot."""
TONE_HZ = 880.0
DOT_S = 0.07


def earcon(rate: int, *, dot_s: float = DOT_S, tone_hz: float = TONE_HZ, level: float = 0.25) -> np.ndarray:
    """Short tones spelling "AI" in Morse; int16 at ``rate``, with soft edges so nothing clicks."""
    parts: list[np.ndarray] = []
    gap = np.zeros(int(dot_s * rate))
    for symbol in MORSE_AI:
        if symbol == " ":
            parts.append(np.zeros(int(2 * dot_s * rate)))  # letter gap (3 units with the symbol gap)
            continue
        length = int((dot_s if symbol == "." else 3 * dot_s) * rate)
        t = np.arange(length) / rate
        tone = np.sin(2 * np.pi * tone_hz * t)
        ramp = min(int(0.008 * rate), length // 2)
        envelope = np.ones(length)
        envelope[:ramp] = np.linspace(0, 1, ramp)
        envelope[length - ramp:] = np.linspace(1, 0, ramp)
        parts += [tone * envelope, gap]
    parts.append(np.zeros(int(0.25 * rate)))
    return (np.concatenate(parts) * level * 32767).astype(np.int16)


DISCLOSURE_ZH = "这是根据{name}的消息制作的人工智能再现。它不是{name}本人，也可能会出错。"
"""The disclosure for a Chinese persona, spoken by a Chinese neutral voice (never English read aloud)."""


def disclosure_text(template: str, name: str) -> str:
    return template.replace("{name}", name)


def disclosure_for_language(template: str, language: str) -> str:
    """The disclosure template for a persona in ``language``: the configured one, except that a
    Chinese persona gets the Chinese text unless the configured one is already Chinese."""
    if language == "zh" and not any("\u4e00" <= ch <= "\u9fff" for ch in template):
        return DISCLOSURE_ZH
    return template


@dataclass
class DisclosurePolicy:
    """Decides, per turn, whether the disclosure is due; call ``due`` then ``disclosed``."""

    interval_s: float = 7200.0
    session_gap_s: float = 1800.0
    _last_turn: float | None = None
    _last_disclosure: float | None = None
    _session_start: float | None = None

    def __post_init__(self) -> None:
        if not 0 < self.interval_s <= 7200.0:
            raise ValueError("the disclosure interval must be at most 2 hours")

    def new_session(self, now: float) -> bool:
        return self._last_turn is None or now - self._last_turn >= self.session_gap_s

    def due(self, now: float) -> bool:
        if self.new_session(now):
            return True
        assert self._last_disclosure is not None
        return now - self._last_disclosure >= self.interval_s

    def turn(self, now: float) -> bool:
        """Register a turn at ``now``; True when the disclosure must be spoken first."""
        if self.new_session(now):
            self._session_start = now
        due = self.due(now)
        if due:
            self._last_disclosure = now
        self._last_turn = now
        return due

    def session_length(self, now: float) -> float:
        return 0.0 if self._session_start is None else now - self._session_start
