"""Where the LM's facts come from: the person's real messages, found by retrieval.

The LM engine needs only this small interface, so the plain persona folder (today) and the
encrypted persona bundle (the bundle engineer's) can both feed it: ``search`` returns the
person's real messages most relevant to a question, with their similarity; ``examples`` returns
real exchanges to show the model the person's style; the rest is the persona card.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..base import Exchange
from ..reply import ReplyPiece

if TYPE_CHECKING:
    from ...consent.record import ConsentRecord


@dataclass(frozen=True)
class Memory:
    """One real message of the person and how well it matches the question."""

    id: str
    text: str
    context: str | None
    score: float


class GroundingSource(Protocol):
    """The person's card and real words, searchable."""

    display_name: str
    name: str
    description: str
    language: str
    fallback_replies: tuple[str, ...]
    consent: ConsentRecord | None
    """A bundle's consent record (for the ethics gate), None for a plain folder."""

    def search(self, question: str, k: int) -> list[Memory]:
        """The ``k`` best-matching real messages, best first."""
        ...

    def examples(self, n: int) -> list[Memory]:
        """Up to ``n`` real question/reply pairs that show how the person talks."""
        ...

    def settled(self, question: str, history: Sequence[Exchange]) -> ReplyPiece | None:
        """The reply when generation cannot help (no memory answers: a decline; news, feelings,
        greetings: the person's own message of that kind; a question about the listener: their
        words said back), decided before any token is generated; None when a memory answers and
        the model may phrase it."""
        ...

    def answer(self, question: str, history: Sequence[Exchange]) -> ReplyPiece | None:
        """The memory retrieval itself would answer with (answerability-checked, follow-ups
        resolved), or None when this source has no retrieval engine behind it."""
        ...

    @property
    def close_bar(self) -> float | None:
        """The persona's calibrated score of a close paraphrase (retrieval's "high" bar): above it
        the memory answers as it stands and generation cannot help. None: not calibrated."""
        ...


class RetrievalGrounding:
    """A GroundingSource over a RetrievalPersona (persona folder + MiniLM vectors)."""

    def __init__(self, retrieval) -> None:  # a persona.retrieval.RetrievalPersona
        self._retrieval = retrieval
        folder = retrieval.folder
        self.display_name = folder.display_name
        self.name = folder.name
        self.description = folder.description
        self.language = folder.language
        self.fallback_replies = tuple(folder.fallback_replies)
        self.consent = retrieval.consent
        self._messages = folder.messages

    @property
    def retrieval(self):
        return self._retrieval

    def settled(self, question: str, history: Sequence[Exchange]) -> ReplyPiece | None:
        return self._retrieval.settled(question, history)

    def answer(self, question: str, history: Sequence[Exchange]) -> ReplyPiece:
        """The retrieval engine's own reply (a memory that answers, follow-ups resolved): what the LM
        phrases, and what is said when nothing it generates survives the fact check."""
        from ..conversation import hear, recall

        return self._retrieval.reply_for(hear(question, recall(history)), history)

    @property
    def close_bar(self) -> float | None:
        return float(self._retrieval.catalogue.bars.high)

    def search(self, question: str, k: int) -> list[Memory]:
        if not question.strip():
            return []
        scores = self._retrieval.scores(question)
        order = np.argsort(-scores, kind="stable")[:k]
        return [self._memory(int(i), float(scores[i])) for i in order]

    def examples(self, n: int) -> list[Memory]:
        """Short, conversational replies to distinct questions, spread over the whole history."""
        candidates = [i for i, m in enumerate(self._messages)
                      if m.context and 20 <= len(m.text) <= 160 and not _looks_private(m.text)]
        if not candidates:
            return []
        step = max(1, len(candidates) // max(1, n))
        chosen = candidates[::step][:n]
        return [self._memory(i, 1.0) for i in chosen]

    def _memory(self, index: int, score: float) -> Memory:
        message = self._messages[index]
        return Memory(id=message.id, text=message.text, context=message.context, score=score)


_DIGITS = re.compile(r"\d{5,}")


def _looks_private(text: str) -> bool:
    """Numbers that look like phone or account numbers never go into a prompt as style examples."""
    return bool(_DIGITS.search(text))


def exclude(source: GroundingSource, ids: Sequence[str]) -> GroundingSource:
    """A view of ``source`` without some messages (held-out exchanges for evaluation)."""
    return _Excluding(source, frozenset(ids))


class _Excluding:
    def __init__(self, inner: GroundingSource, ids: frozenset[str]) -> None:
        self._inner = inner
        self._ids = ids
        self.display_name, self.name, self.description = inner.display_name, inner.name, inner.description
        self.language, self.fallback_replies, self.consent = inner.language, inner.fallback_replies, inner.consent

    def search(self, question: str, k: int) -> list[Memory]:
        found = self._inner.search(question, k + len(self._ids))
        return [m for m in found if m.id not in self._ids][:k]

    def examples(self, n: int) -> list[Memory]:
        return [m for m in self._inner.examples(n + len(self._ids)) if m.id not in self._ids][:n]

    def settled(self, question: str, history: Sequence[Exchange]) -> ReplyPiece | None:
        """The inner source's decision, unless it would say a held-out message (then the model may try)."""
        return self._unless_held_out(self._inner.settled(question, history))

    def answer(self, question: str, history: Sequence[Exchange]) -> ReplyPiece | None:
        return self._unless_held_out(self._inner.answer(question, history))

    @property
    def close_bar(self) -> float | None:
        return self._inner.close_bar

    def _unless_held_out(self, piece: ReplyPiece | None) -> ReplyPiece | None:
        if piece is not None and piece.source.message_id in self._ids:
            return None
        return piece
