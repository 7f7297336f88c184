"""The reply record: what a turn says, in pieces, each carrying where it came from.

An engine yields ``ReplyPiece`` values; the guardrails wrap that stream and may replace pieces;
the reply line cuts them into sentences once and speaks each in the voice its piece names. The
record is immutable and travels with the text, so nothing downstream has to ask an engine what
it "last" did while the reply is still being read.

A piece holds whole sentences (a message as it was written, or one generated sentence), never
half a sentence: a check can then judge each piece as it will be heard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum


class ReplyKind(str, Enum):
    """Why a piece is said. A ``str`` enum: it prints and serialises as its value."""

    MEMORY = "memory"
    """The person's own message, verbatim."""
    GENERATED = "generated"
    """Phrased by the language model from the person's messages."""
    FALLBACK = "fallback"
    """In character: the person does not remember (no source, no words)."""
    RECORDING = "recording"
    """The person's own recorded voice (reserved for recordings imported with the chat)."""
    REFLECTION = "reflection"
    """In character: the listener's own words said back ("You're Lucy, of course."); nothing about the person."""
    CRISIS = "crisis"
    """Out of character: the help line (ETHICS C9)."""
    CHECK_IN = "check_in"
    """Out of character: a gentle "are you safe?" after ambiguous talk of death or reunion, or
    while a crisis lasts (ETHICS C9); neutral voice, with the help line."""
    HONESTY = "honesty"
    """Out of character: a sincere "are you alive / real?" answered truthfully (C8)."""
    REFUSAL = "refusal"
    """In character: no money, passwords, codes or secrecy (C8)."""
    WITHHELD = "withheld"
    """A message that must not be spoken (instructions, codes, private details) replaced (C8)."""
    CARE = "care"
    """The daily limit or a break reminder (C10), in the neutral voice."""
    DISCLOSURE = "disclosure"
    """The AI disclosure that opens a session (C3), in the neutral voice."""

    def __str__(self) -> str:
        return self.value


class Voice(str, Enum):
    """Which voice speaks a piece: the persona's (possibly cloned) or the neutral one (never cloned)."""

    PERSONA = "persona"
    NEUTRAL = "neutral"

    def __str__(self) -> str:
        return self.value


OUT_OF_CHARACTER = frozenset({ReplyKind.CRISIS, ReplyKind.CHECK_IN, ReplyKind.HONESTY, ReplyKind.CARE, ReplyKind.DISCLOSURE})
"""Kinds spoken by the device about itself, not as the person."""


@dataclass(frozen=True)
class ReplySource:
    """Where a piece came from: content-free, so it may go to logs and the generation log."""

    kind: ReplyKind
    score: float = 0.0
    """The retrieval score behind the piece (1.0 for guardrail answers, 0.0 when nothing matched)."""
    message_id: str | None = None
    """The person's message the piece is (or is phrased from); None for fallbacks and guard texts."""
    voice: Voice = Voice.PERSONA
    language: str | None = None
    """The language the text is written in ("en", "zh") when the guard chose it; the neutral voice
    for that language speaks it. None: the persona's own language."""

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind.value, "score": round(float(self.score), 4), "message_id": self.message_id,
                "voice": self.voice.value}


@dataclass(frozen=True)
class ReplyPiece:
    """Whole sentences of a reply and where they came from."""

    text: str
    source: ReplySource

    @property
    def kind(self) -> ReplyKind:
        return self.source.kind

    @property
    def voice(self) -> Voice:
        return self.source.voice

    def with_text(self, text: str) -> ReplyPiece:
        """The same origin for other words (a sentence cut from this piece)."""
        return replace(self, text=text)


def piece(text: str, kind: ReplyKind, *, score: float = 0.0, message_id: str | None = None,
          voice: Voice = Voice.PERSONA, language: str | None = None) -> ReplyPiece:
    """Shorthand for building a piece."""
    return ReplyPiece(text, ReplySource(kind=kind, score=score, message_id=message_id, voice=voice, language=language))


def reply_text(pieces: Iterable[ReplyPiece]) -> str:
    """The pieces as one text, as it would be spoken (no space added between Chinese sentences)."""
    from ..tts.splitter import join_sentences

    return join_sentences([p.text.strip() for p in pieces if p.text.strip()])


def main_source(pieces: Iterable[ReplyPiece]) -> ReplySource | None:
    """What a whole reply was: its first piece that is not a care line or disclosure (those are
    said around an answer, not instead of one), else its first piece; None for no pieces."""
    first: ReplySource | None = None
    for p in pieces:
        if p.kind not in (ReplyKind.CARE, ReplyKind.DISCLOSURE):
            return p.source
        first = first or p.source
    return first
