"""The persona interface: whatever engine answers, the pipeline sees only this.

An engine is blocking (it runs inference) and is called from a worker thread. It yields the
reply as ``ReplyPiece`` records (reply.py): whole sentences plus where they came from, so the
pipeline can start speaking before the reply is finished and never has to ask the engine what
it did afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from .reply import ReplyPiece, ReplySource

if TYPE_CHECKING:  # the consent module imports nothing of persona/, but the interface stays import-light
    from ..consent.record import ConsentRecord


@dataclass(frozen=True)
class Exchange:
    """One past turn of the conversation, as it was actually heard."""

    question: str
    reply: str
    source: ReplySource | None = None
    """What the reply was (its record: kind, message id), when known."""


class PersonaEngine(Protocol):
    """Answers a question as the person; also says who the person is, for the ethics layer."""

    @property
    def display_name(self) -> str:
        """The person's name as the family uses it ("Grandpa Walt")."""
        ...

    @property
    def name(self) -> str:
        """The person's own name ("Walter"), for the disclosure and honesty answers."""
        ...

    @property
    def language(self) -> str:
        """The persona's language tag ("en", "zh")."""
        ...

    @property
    def fallback_replies(self) -> tuple[str, ...]:
        """In-character "I don't remember" lines, in the person's way of speaking."""
        ...

    @property
    def consent(self) -> ConsentRecord | None:
        """A bundle's consent record (the ethics gate re-checks it each session); None for a folder."""
        ...

    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[ReplyPiece]:
        """Yield the reply as pieces of whole sentences; blocking, call from a worker thread."""
        ...


class WrappedPersona:
    """Base of engines that wrap another (the guardrails, the family memory): who the person is
    comes from the inner engine; a subclass sets ``self.inner`` and writes ``respond``."""

    inner: PersonaEngine

    @property
    def display_name(self) -> str:
        return self.inner.display_name

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def language(self) -> str:
        return self.inner.language

    @property
    def fallback_replies(self) -> tuple[str, ...]:
        return self.inner.fallback_replies

    @property
    def consent(self) -> ConsentRecord | None:
        return self.inner.consent
