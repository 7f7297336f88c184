"""A persona engine as the device speaks through it, for `companion persona eval`: the crisis
check first, then the guardrails. The evaluation scores what a listener would hear."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..persona.base import Exchange, PersonaEngine
from ..persona.reply import ReplyPiece

if TYPE_CHECKING:
    from ..persona.multilingual import SharedMultilingual


class _AsSpoken:
    """Each question asked on its own, as the first turn of a session."""

    def __init__(self, guarded: PersonaEngine, safety: Any) -> None:  # safety: ethics.safety.SafetyCheck
        self.guarded, self.safety = guarded, safety

    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[ReplyPiece]:
        from .crisis import CrisisState

        said, _ = self.safety.turn(question, [], CrisisState(), time.time())
        return iter(said) if said else self.guarded.respond(question, history)


def as_spoken(settings: Any, persona: Any,
              multilingual: SharedMultilingual | None = None) -> Callable[[PersonaEngine], _AsSpoken]:
    """``persona``: the loaded RetrievalPersona; its embedder serves the guardrails and the crisis
    check's English classes (one set of classes for every engine). ``multilingual``: the model the
    persona was loaded with, shared with the crisis check (without it the check loads a copy)."""
    from .setup import crisis_detector, guard_persona, safety_check, semantic_cues

    cues = semantic_cues(settings, persona.embedder)
    detector = crisis_detector(settings, persona.embedder, cues, multilingual=multilingual)
    safety = safety_check(settings, persona, detector)
    return lambda engine: _AsSpoken(guard_persona(settings, engine, semantic=cues), safety)
