"""The leave-one-out loop every decline bar is calibrated with (persona/leave_one_out.py)."""

from __future__ import annotations

import numpy as np
from companion.persona import leave_one_out
from companion.persona.leave_one_out import MIN_QUESTIONS, held_out, sample
from hypothesis import given, settings
from hypothesis import strategies as st


def _index(n: int, asked: list[bool], seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(2 * n, 8)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    context_rows = np.where(np.array(asked), np.arange(n), -1).astype(np.int32)
    return matrix, context_rows, np.arange(n, 2 * n, dtype=np.int32)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=40), st.integers(1, 50), st.integers(0, 5))
def test_only_stored_questions_are_asked_and_each_answer_is_taken_out(asked: list[bool], limit: int, seed: int) -> None:
    matrix, context_rows, text_rows = _index(len(asked), asked, seed)
    drawn = sample(context_rows, text_rows, limit, np.random.default_rng(seed))
    if sum(asked) < MIN_QUESTIONS:
        assert drawn is None
        return
    assert drawn is not None and not drawn.pooled and len(drawn.chosen) == min(limit, sum(asked))
    for held in held_out(matrix, drawn):
        assert asked[held.index] and held.removed[held.index]
        assert (held.by_context[~np.array(asked)] == -1.0).all()
        assert np.allclose(held.by_text, matrix[text_rows] @ matrix[context_rows[held.index]])


def test_near_copies_of_the_answer_and_the_same_question_stored_again_are_taken_out() -> None:
    matrix, context_rows, text_rows = _index(10, [True] * 10, 0)
    matrix[13] = matrix[12]  # message 3 re-sends message 2's words
    matrix[5] = matrix[2]  # message 5 was asked message 2's question again
    drawn = sample(context_rows, text_rows, 10, np.random.default_rng(0))
    assert drawn is not None
    (held,) = [h for h in held_out(matrix, drawn) if h.index == 2]
    assert held.removed[[2, 3, 5]].all() and held.removed.sum() == 3


def test_a_big_bundle_is_pooled_and_asks_fewer_questions(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(leave_one_out, "POOL", 30)
    _, context_rows, text_rows = _index(60, [True] * 60, 0)
    drawn = sample(context_rows, text_rows, 300, np.random.default_rng(0))
    assert drawn is not None and drawn.pooled and len(drawn.rows) == 30 and len(drawn.chosen) == 30
    assert (np.diff(drawn.rows) > 0).all() and (drawn.context_rows == context_rows[drawn.rows]).all()
