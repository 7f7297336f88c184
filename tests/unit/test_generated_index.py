"""generated_index.py and the answer route's use of it: per-message best scores, the cache holds only
vectors (never the generated text), and agreement lowers the lead a reply needs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from companion.persona.answer_route import AGREE_LEAD, LEAD, ReplyBar, clear_reply, lead_for
from companion.persona.generated_index import GeneratedQuestions, build, generate


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_scores_are_each_message_best_question_and_minus_one_without_any() -> None:
    vectors = _unit(np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], dtype=np.float32))
    generated = GeneratedQuestions(vectors, np.array([2, 0, 2, 0], dtype=np.int32), count=4)
    scores = generated.scores(np.array([1, 0, 0], dtype=np.float32))
    assert scores.tolist() == [np.float32(1 / np.sqrt(2)), -1.0, 1.0, -1.0]
    view = generated.restricted([2, 3])
    assert view.scores(np.array([0, 0, 1], dtype=np.float32)).tolist() == [1.0, -1.0]


def test_only_replies_without_a_stored_question_get_questions() -> None:
    texts = ["We got married in June 1962.", "I was born in 1939 on a farm."]
    found, owners = generate(texts, np.array([False, True]))
    assert found and set(owners.tolist()) == {1}


class _Embedder:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        rng = np.random.default_rng(len(texts))
        return _unit(rng.normal(size=(len(texts), 8)))


def test_the_cache_holds_vectors_only_and_is_read_back(tmp_path: Path) -> None:
    texts = ["We got married in June 1962, in St. Anne's church in Millbrook.", "Cheese."]
    embed = _Embedder()
    first = build(texts, np.array([True, True]), embed, 8, tmp_path, "fp", "rosa")
    again = build(texts, np.array([True, True]), embed, 8, tmp_path, "fp", "rosa")
    assert embed.calls == 1 and np.array_equal(first.vectors, again.vectors)
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and files[0].name.startswith("rosa-generated.")
    raw = files[0].read_bytes()
    assert b"married" not in raw and b"Millbrook" not in raw  # no words of hers, in any form
    build(texts, np.array([True, True]), embed, 8, tmp_path, "other-model", "rosa")
    assert embed.calls == 2 and len(list(tmp_path.iterdir())) == 1  # the stale vectors are gone


def test_agreement_of_the_generated_view_lowers_the_lead() -> None:
    free = np.array([True, True, True, False])
    by_text = np.array([0.50, 0.47, 0.30, 0.90])
    agree = np.array([0.70, 0.50, 0.40, -1.0])
    assert lead_for(0, agree, free) == AGREE_LEAD
    assert lead_for(0, np.array([0.50, 0.70, 0.40, -1.0]), free) == LEAD  # it prefers another reply
    assert lead_for(0, np.array([0.70, 0.69, 0.40, -1.0]), free) == LEAD  # it hardly prefers this one
    assert lead_for(0, None, free) == LEAD
    bar = ReplyBar(0.40)
    assert clear_reply(by_text, free, bar, agree) == 0
    assert clear_reply(by_text, free, bar, None) is None  # 0.03 ahead is not enough alone
    assert clear_reply(by_text, free, ReplyBar(0.55), agree) is None  # below the floor
