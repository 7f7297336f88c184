"""Asking a persona engine in tests: the whole reply and its record, from the pieces it yields."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from companion.persona.base import Exchange, PersonaEngine
from companion.persona.reply import ReplyKind, ReplyPiece, ReplySource, main_source, piece, reply_text


@dataclass(frozen=True)
class Answer:
    text: str
    source: ReplySource | None
    pieces: tuple[ReplyPiece, ...]

    @property
    def kind(self) -> str | None:
        return None if self.source is None else self.source.kind.value


def ask(engine: PersonaEngine, question: str, history: Sequence[Exchange] = ()) -> Answer:
    pieces = tuple(engine.respond(question, history))
    return Answer(reply_text(pieces), main_source(pieces), pieces)


class ScriptedEngine:
    """Stands in for the persona engine in unit tests of what wraps it: says what the test wrote."""

    display_name = "Grandpa Walt"
    name = "Walter"
    language = "en"
    fallback_replies = ("Oh, you've got me there, kiddo. I don't remember that one.",)
    consent = None

    def __init__(self, reply: str, *, kind: ReplyKind = ReplyKind.MEMORY, message_id: str = "m1") -> None:
        self.reply = reply
        self.kind = kind
        self.message_id = message_id

    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[ReplyPiece]:
        yield piece(self.reply, self.kind, score=0.9, message_id=self.message_id)


_last: dict[int, Answer] = {}


def reply_of(engine: PersonaEngine, question: str, history: Sequence[Exchange] = ()) -> str:
    """The reply as text; its record is kept for ``last_source(engine)`` (older tests read it after)."""
    answer = ask(engine, question, history)
    _last[id(engine)] = answer
    return answer.text


def last_source(engine: PersonaEngine) -> ReplySource | None:
    """The record of the reply ``reply_of`` last read from this engine."""
    answer = _last.get(id(engine))
    return None if answer is None else answer.source
