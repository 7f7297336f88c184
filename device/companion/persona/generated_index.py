"""The vectors of the questions each reply without a stored question answers (question_gen.py).

They are a second, independent view of "does this message answer this question": the question is
compared with questions (the scale MiniLM was trained for), not with the answer's own words. The
answer route (answer_route.py) trusts a reply found by its own words with a smaller lead over the
next when this view picks the same reply (``AGREE_LEAD``).

Only vectors are kept, never the generated text: in RAM for a bundle (its words are decrypted
into RAM only), and for a plain folder beside its message vectors in the cache directory (the
folder's words are already on disk in the clear; the vectors are no more than that). Built once,
on first need or ahead on a background thread at load (``warm``), like the answer route's floor.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .lazy import Lazy
from .question_gen import questions
from .vector_cache import _safe_name, read_cache, write_cache

logger = logging.getLogger(__name__)

MOST_REPLIES = 5_000
"""At most this many replies without a stored question get generated questions (an even spread):
<= 20,000 short questions, ~2 minutes of embedding at ~180 sentences/s on 2 cores, once per start
of a bundle (in RAM, on a background thread) and once per change of a folder (then cached)."""
QUESTIONS_PER_REPLY = 4
_VERSION = "generated-v1"


class GeneratedQuestions:
    """Per message, the unit vectors of the questions its words answer (rows ``starts[k]`` to the next
    start belong to message ``owners[k]``)."""

    def __init__(self, vectors: np.ndarray, owners: np.ndarray, count: int) -> None:
        order = np.argsort(owners, kind="stable")
        self.vectors = np.ascontiguousarray(vectors[order], dtype=np.float32)
        owners = owners[order]
        self.messages, self.starts = np.unique(owners, return_index=True)
        self.count = count

    def __len__(self) -> int:
        return len(self.vectors)

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Per message, the cosine of ``query`` (a unit vector) with its closest generated question;
        -1 for a message without any (einsum, not BLAS: see RetrievalPersona.channels)."""
        best = np.full(self.count, -1.0, dtype=np.float32)
        if len(self.vectors):
            similarity = np.einsum("ij,j->i", self.vectors, query)
            best[self.messages] = np.maximum.reduceat(similarity, self.starts)
        return best

    def restricted(self, keep: Sequence[int]) -> GeneratedQuestions:
        """The same questions for a subset of the messages (``keep``: old indices, in their new order)."""
        where = {old: new for new, old in enumerate(keep)}
        owners = np.repeat(self.messages, np.diff(np.append(self.starts, len(self.vectors))))
        mask = np.array([int(o) in where for o in owners], dtype=bool)
        new_owners = np.array([where[int(o)] for o in owners[mask]], dtype=np.int32)
        return GeneratedQuestions(self.vectors[mask], new_owners, len(keep))


def generate(texts: Sequence[str], free: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The generated questions of the replies flagged in ``free`` (at most MOST_REPLIES of them,
    an even spread) and, per question, the index of its reply."""
    rows = np.flatnonzero(free)
    if len(rows) > MOST_REPLIES:
        rows = rows[:: -(-len(rows) // MOST_REPLIES)]
    found: list[str] = []
    owners: list[int] = []
    for index in rows.tolist():
        for question in questions(texts[index], QUESTIONS_PER_REPLY):
            found.append(question)
            owners.append(index)
    return found, np.asarray(owners, dtype=np.int32)


def build(texts: Sequence[str], free: np.ndarray, embed: Callable[[Sequence[str]], np.ndarray], dimension: int,
          cache: Path | None = None, fingerprint: str = "", name: str = "persona") -> GeneratedQuestions:
    """Generate and embed (or read back from ``cache``, a directory, when it holds these replies'
    vectors by this embedder: ``fingerprint``; ``name``: the persona's file-safe name)."""
    found, owners = generate(texts, free)
    path = None
    if cache is not None:
        digest = hashlib.sha256(f"{_VERSION}\0{fingerprint}".encode())
        for question, owner in zip(found, owners.tolist()):
            digest.update(f"{owner}\0{question}\0".encode("utf-8", "surrogatepass"))
        path = cache / f"{name}-generated.{digest.hexdigest()[:32]}.npy"
        vectors = read_cache(path, (len(found), dimension))
        if vectors is not None:
            return GeneratedQuestions(vectors, owners, len(texts))
    vectors = (np.asarray(embed(found), dtype=np.float32) if found
               else np.zeros((0, dimension), dtype=np.float32))
    if path is not None:
        write_cache(path, vectors)
    logger.info("generated %d questions for %d replies without a stored question", len(found), len(set(owners.tolist())))
    return GeneratedQuestions(vectors, owners, len(texts))


LazyGenerated = Lazy[GeneratedQuestions]
"""The generated questions, built on first need or ahead (lazy.py)."""


def lazy_generated(texts: Sequence[str], free: np.ndarray, embedder: Any, cache: Path | None,
                   name: str) -> LazyGenerated:
    """The generated questions of ``texts[free]`` by ``embedder`` (a SentenceEmbedder), built on first need."""
    return Lazy(lambda: build(texts, free, embedder.embed, embedder.dimension, cache, embedder.fingerprint,
                              _safe_name(name)), "generated questions")
