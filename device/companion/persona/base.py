"""The persona interface: whatever engine answers, the pipeline sees only this.

An engine is blocking (it runs inference) and is called from a worker thread. It yields the
reply as text pieces (a whole message, or streamed tokens from a language model), so the
pipeline can split sentences and start speaking before the reply is finished.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Exchange:
    """One past turn of the conversation, as it was actually heard."""

    question: str
    reply: str


@dataclass(frozen=True)
class ReplySource:
    """Why the engine answered as it did (for --json and the generation log, no content)."""

    kind: str  # "message" (a real message of the person), "fallback" (does not remember), "generated"
    score: float
    message_id: str | None = None


class PersonaEngine(Protocol):
    """Answers a question as the person."""

    @property
    def display_name(self) -> str:
        """The person's name as the family uses it."""
        ...

    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[str]:
        """Yield the reply as text pieces; blocking, call from a worker thread."""
        ...

    @property
    def last_source(self) -> ReplySource | None:
        """Where the most recent reply came from."""
        ...
