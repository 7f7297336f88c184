"""A persona's stored questions asked with their own answers taken out: what a non-answer scores.

Every bar that says when to decline is set from the persona's own data this way (answerable.calibrate
for the embedder's score, zh_calibrate.lexical_bars for a Chinese persona's embedder + word overlap):
a stored question is asked, its answer and every near-copy of it (re-sent messages) and the same
question stored again are taken out, and the best of the rest is by construction a memory that does
not answer it. This module is that loop, once; each caller scores what is left its own way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

POOL = 20_000
"""A bigger bundle is sampled down to this many messages (the best non-answer among a random pool is
a fair estimate, and each question costs a pass over the pool)."""
BIG_LIMIT = 100
"""Stored questions asked of a pooled bundle."""
MIN_QUESTIONS = 8
NEAR_COPY = 0.85
"""Replies this close to the held-out one are taken out with it (re-sent messages)."""
SAME_QUESTION = 0.97
"""Stored questions this close to the asked one are the same question stored again."""


@dataclass(frozen=True)
class HeldOut:
    """One stored question asked with its answer taken out (indices are into the pool's rows)."""

    index: int
    by_context: np.ndarray
    """The embedder's score of every message's stored question (-1 where there is none)."""
    by_text: np.ndarray
    """The embedder's score of every message's own words."""
    removed: np.ndarray
    """The answer, its near-copies and the same question stored again."""


@dataclass(frozen=True)
class Sample:
    """The messages the loop runs over and the stored questions it asks."""

    rows: np.ndarray
    """Message indices of the pool (all messages unless the bundle is bigger than POOL)."""
    pooled: bool
    chosen: np.ndarray
    """Pool indices of the stored questions asked."""
    context_rows: np.ndarray
    text_rows: np.ndarray


def sample(context_rows: np.ndarray, text_rows: np.ndarray, limit: int, rng: np.random.Generator) -> Sample | None:
    """The pool and the stored questions to ask (None when the pool has fewer than MIN_QUESTIONS)."""
    rows = np.arange(len(text_rows))
    pooled = len(rows) > POOL
    if pooled:
        rows = np.sort(rng.choice(len(rows), size=POOL, replace=False))
        limit = min(limit, BIG_LIMIT)
    ctx_rows, txt_rows = context_rows[rows], text_rows[rows]
    asked = np.flatnonzero(ctx_rows >= 0)
    if len(asked) < MIN_QUESTIONS:
        return None
    chosen = rng.choice(asked, size=min(limit, len(asked)), replace=False)
    return Sample(rows, pooled, chosen, ctx_rows, txt_rows)


def held_out(matrix: np.ndarray, drawn: Sample) -> Iterator[HeldOut]:
    """Each chosen stored question asked of the pool, its answer taken out."""
    has_context = drawn.context_rows >= 0
    contexts = matrix[np.maximum(drawn.context_rows, 0)]
    texts = matrix[drawn.text_rows]
    for i in drawn.chosen:
        question = contexts[i]
        dense_context = contexts @ question
        removed = texts @ texts[i] >= NEAR_COPY
        removed |= has_context & (dense_context >= SAME_QUESTION)
        removed[i] = True
        yield HeldOut(int(i), np.where(has_context, dense_context, -1.0), texts @ question, removed)
