"""Questions a Chinese reply answers, written from its own clauses (persona/zh_questions.py), and how
the answer route matches them (zh_answer.text_scores, kept_questions)."""

from __future__ import annotations

import numpy as np
import pytest
from companion.persona.zh_answer import ASKED_WEIGHT, kept_questions, text_scores
from companion.persona.zh_questions import CLAUSES, asked_back, by_questions, questions_for, swap_persons
from hypothesis import given
from hypothesis import strategies as st


def test_a_reply_is_asked_back_whole_and_with_what_it_holds_asked_for() -> None:
    assert questions_for("我老家在安徽芜湖，小时候家门口就是青弋江。")[:2] == ["你老家在安徽芜湖吗？", "你老家在哪儿？"]
    assert "你是什么时候退休的？" in questions_for("我是1998年退休的。")
    assert "你只读到小学几年级？" in questions_for("我只读到小学四年级，家里穷。")  # a count, not a time
    assert "你养过几只猫吗？" not in questions_for("我养过三只猫。") and "你养过几只猫？" in questions_for("我养过三只猫。")
    assert "你最喜欢什么？" in questions_for("我最喜欢栀子花，开的时候满院子都是香的。")
    assert questions_for("好的。") == [] and questions_for("") == []


def test_persons_swap_both_ways() -> None:
    assert swap_persons("你爸小时候我们常去河边") == "我爸小时候你们常去河边"


@given(st.text(alphabet="我你他在去了年月三几个只喜欢猫，。！？1990安徽", max_size=60))
def test_questions_are_few_end_asking_and_hold_no_first_person_of_the_reply(reply: str) -> None:
    found = questions_for(reply)
    assert len(found) <= 2 * CLAUSES
    assert all(q.endswith("？") and len(q) >= 3 for q in found)
    assert sum(q.count("你") for q in found) <= 2 * CLAUSES * reply.count("我")


class _Embedder:
    dimension = 4
    fingerprint = "test"

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.calls += 1
        vectors = np.array([[len(t) % 3 + 1, t.count("你"), t.count("什么"), 1.0] for t in texts], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_asked_back_questions_are_embedded_once_and_cached(tmp_path) -> None:  # type: ignore[no-untyped-def]
    texts = ["我最喜欢栀子花。", "晚安。", "我是1941年生的，属蛇。"]
    embedder = _Embedder()
    vectors, owners = asked_back(texts, np.array([True, True, True]), embedder, tmp_path, "nainai")
    assert list(owners) == sorted(owners) and set(owners) == {0, 2} and len(vectors) == len(owners)
    again, _ = asked_back(texts, np.array([True, True, True]), embedder, tmp_path, "nainai")
    assert embedder.calls == 1 and np.array_equal(vectors, again)
    _, only = asked_back(texts, np.array([False, True, True]), embedder, tmp_path, "nainai")
    assert set(only) == {2}


def test_a_reply_scores_by_its_closest_question_and_views_keep_theirs() -> None:
    vectors = np.eye(3, dtype=np.float32)
    owners = np.array([0, 0, 2])
    query = np.array([0.0, 0.6, 0.8], dtype=np.float32)
    assert by_questions(vectors, owners, query, 4).tolist() == pytest.approx([0.6, -1.0, 0.8, -1.0])
    by_text = np.array([0.1, 0.5, 0.2, 0.3], dtype=np.float32)
    assert text_scores(by_text, (vectors, owners), query).tolist() == pytest.approx(
        [ASKED_WEIGHT * 0.6, 0.5, ASKED_WEIGHT * 0.8, 0.3])
    kept_vectors, kept_owners = kept_questions((vectors, owners), [1, 2, 3])
    assert kept_owners.tolist() == [1] and kept_vectors.tolist() == [[0.0, 0.0, 1.0]]
    assert kept_questions((vectors, owners), [0, 1, 2, 3])[1].tolist() == [0, 0, 2]
