"""Spoken disclosure (ETHICS.md C3): an earcon (Morse "AI") then a sentence, in the neutral voice.

The sentence is fixed per language, with the persona's name filled in: settings may add a
sentence after it (``ethics.disclosure_addition``), never replace it, and an addition that claims
to be the person, alive or not an AI is refused. It is spoken in the listener's language by a
voice that speaks that language; without such a voice, in English (a Chinese sentence read by an
English voice comes out as "Chinese letter ..." for half a minute).

The policy is pure logic on a clock so it is testable: a session starts with the first turn or
after a long gap; within a session the disclosure comes back after the interval (<= 2 h).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
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


FIXED: dict[str, str] = {
    "en": "This is an AI re-creation based on {name}'s messages. It is not {name}, and it can be wrong.",
    "zh": "这是根据{name}的消息制作的人工智能再现。它不是{name}本人，也可能会出错。",
}
"""The core sentence per language family; nothing in the settings replaces it."""

_INVERTS = re.compile(
    r"\b(?:it(?:'s| is)|this is) (?:really|truly|actually|still|just) (?:me|him|her|{name})\b|\breally (?:me|{name})\b"
    r"|\bi(?:'m| am) (?:really |truly |actually |still )?(?:{name}|alive|real|human|not an? (?:ai|machine|computer|program))\b"
    r"|\bnot (?:an? )?(?:ai|a\.i\.|artificial|machine|computer|program|re-?creation)\b|\bnever left\b"
    r"|\b(?:just )?kidding\b|\bignore (?:that|the above|what)|\bdisregard\b|\bis (?:really )?{name}\b"
    r"|就是(?:我|{name})|真的是我|是我本人|我是{name}|不是人工智能|我还活着|我没有离开|别相信|开玩笑",
    re.IGNORECASE,
)
"""An addition that would take back the fixed sentence: "it is really me", "I never left", "not an AI"."""


def language_family(language: str) -> str:
    """"zh-CN", "cmn", "zh_TW" -> "zh"; "en-US" -> "en"."""
    base = language.replace("_", "-").split("-")[0].lower()
    return "zh" if base in ("zh", "cmn", "yue") else base


def disclosure_language(wanted: str, voice_languages: Iterable[str]) -> str:
    """The language the disclosure is spoken in: the listener's when a neutral voice speaks it and a
    fixed sentence exists for it, else English (never text in a language the voice cannot say)."""
    family = language_family(wanted)
    spoken = {language_family(v) for v in voice_languages}
    if family in FIXED and family in spoken:
        return family
    if family != "en":
        logger.warning("no neutral voice speaks %s: the AI disclosure is spoken in English", family)
    return "en"


def inverts_disclosure(addition: str, name: str = "") -> bool:
    """True when an added sentence contradicts the disclosure (claims to be the person, alive, not an AI)."""
    pattern = _INVERTS.pattern.replace("{name}", re.escape(name.strip()) if name.strip() else r"\{name\}")
    return bool(re.search(pattern, addition.replace("\u2019", "'"), re.IGNORECASE))


def disclosure_text(name: str, language: str = "en", addition: str = "") -> str:
    """The fixed sentence for ``language`` with ``name`` filled in, then the addition (if any)."""
    core = FIXED.get(language_family(language), FIXED["en"]).replace("{name}", name)
    extra = addition.strip().replace("{name}", name)
    if extra and inverts_disclosure(extra, name):
        from ..errors import ConfigError

        raise ConfigError("the disclosure addition contradicts the disclosure (it claims to be the person, alive "
                          "or not an AI)", where="ethics.disclosure_addition",
                          hint="remove it or say something that adds to the disclosure; the fixed sentence stays")
    return f"{core} {extra}" if extra else core


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
