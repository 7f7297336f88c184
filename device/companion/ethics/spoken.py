"""A persona engine as the device speaks through it, for `companion persona eval`: the crisis
check first, then the guardrails. The evaluation scores what a listener would hear."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..persona.base import Exchange, PersonaEngine
from ..persona.reply import ReplyPiece


class _AsSpoken:
    """Each question asked on its own, as the first turn of a session."""

    def __init__(self, guarded: PersonaEngine, safety: Any) -> None:  # safety: ethics.safety.SafetyCheck
        self.guarded, self.safety = guarded, safety

    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[ReplyPiece]:
        from .crisis import CrisisState

        said, _ = self.safety.turn(question, [], CrisisState(), time.time())
        return iter(said) if said else self.guarded.respond(question, history)


def as_spoken(settings: Any, persona: Any) -> Callable[[PersonaEngine], _AsSpoken]:
    """``persona``: the loaded RetrievalPersona (its embedder serves the guardrails and the crisis check)."""
    from .setup import guard_persona, safety_check

    safety = safety_check(settings, persona)
    return lambda engine: _AsSpoken(guard_persona(settings, engine, embedder=persona.embedder), safety)
