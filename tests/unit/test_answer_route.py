"""The answer route (a reply found by its own words when its stored question is unknown) and the
answer-type check it shares: pure functions over synthetic scores and texts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from companion.persona.answer_route import (
    DEFAULT_FLOOR,
    FLOOR_BOUNDS,
    FILLER,
    LEAD,
    LazyFloor,
    MIN_GENERATED,
    SWITCH,
    ReplyBar,
    answering_by_reply,
    calibrate_floor,
    closest_free,
    generated_questions,
    leads,
    prefer_reply,
    reply_bar,
    unseen_words,
    vocabulary,
)
from companion.persona.answer_type import holds_kind, holds_place
from companion.persona.answerable import Bars, WordWeights
from companion.persona.choose import Catalogue, StemCache, answering
from companion.persona.understand import understand
from hypothesis import given
from hypothesis import strategies as st

BAR = ReplyBar(floor=0.40, samples=20)


@pytest.mark.parametrize("question, reply, holds", [
    ("Where did you grow up?", "In a white farmhouse out past the mill.", True),
    ("Where did you grow up?", "Off Heron Point, on the north shore.", True),
    ("Where did you grow up?", "Milking at five, feeding the chickens, hauling water.", False),
    ("What was your dog called?", "A farm dog named Tip.", True),
    ("What was your dog called?", "He was a good boy, always by my side.", False),
    ("How old are you now?", "Seventy-seven this August.", True),
    ("How old are you now?", "Old enough to know better.", False),
    ("When did you get married?", "In the spring, after the thaw.", True),
    ("How often do you fish?", "Every Saturday if the wind lays down.", True),
    ("How often do you fish?", "I like the quiet of it.", False),
    ("What colour was the truck?", "Blue, and rusty at the edges.", True),
    ("What colour was the truck?", "A Ford, and rusty at the edges.", False),
    ("What was your wedding like?", "Small and happy.", True),  # asks for nothing in particular
])
def test_a_reply_holds_the_kind_of_answer_the_question_asks_for(question: str, reply: str, holds: bool) -> None:
    assert holds_kind(understand(question).wants, reply) is holds


@given(st.text(max_size=200))
def test_the_answer_type_checks_take_any_text(text: str) -> None:
    for wants in (None, "name", "time", "number", "place", "often", "colour", "anything else"):
        assert isinstance(holds_kind(wants, text), bool)
    assert holds_kind(None, text)
    assert isinstance(holds_place(text), bool)


@given(st.text(alphabet=st.characters(whitelist_categories=("Ll",)), min_size=1, max_size=12))
def test_a_place_noun_in_a_sentence_is_a_place(word: str) -> None:
    assert holds_place(f"We lived {word} by the lake.")


def test_generated_questions_skip_topics_the_persona_talks_about() -> None:
    everything = generated_questions([])
    assert len(everything) >= 40 and all(q.endswith("?") for q in everything)
    some = generated_questions(["sailing", "violins", "egypt", "sports", "car"])
    assert "Did you ever go sailing?" in everything and "Did you ever go sailing?" not in some
    assert "Did you ever play the violin?" not in some  # "violins" has the same stem
    assert "Have you ever been to Egypt?" not in some
    assert "Did you ever own a sports car?" not in some  # one word of the topic is enough
    assert "Did you ever go bowling?" in some


def test_the_floor_is_a_quantile_of_the_best_replies_within_bounds() -> None:
    assert calibrate_floor([0.5] * (MIN_GENERATED - 1)) == ReplyBar(DEFAULT_FLOOR, MIN_GENERATED - 1)
    assert calibrate_floor([0.42] * 20).floor == pytest.approx(0.42)
    assert calibrate_floor([0.05] * 20).floor == FLOOR_BOUNDS[0]
    assert calibrate_floor([0.95] * 20).floor == FLOOR_BOUNDS[1]
    low = calibrate_floor([0.35 + 0.01 * i for i in range(20)]).floor
    assert 0.35 < low < 0.45  # well below the middle: a reply under it is noise


def test_the_floor_is_measured_with_one_embedding_call_on_the_persona_replies() -> None:
    calls: list[Sequence[str]] = []
    rng = np.random.default_rng(1)
    replies = rng.normal(size=(30, 8)).astype(np.float32)
    replies /= np.linalg.norm(replies, axis=1, keepdims=True)

    def embed(texts: Sequence[str]) -> np.ndarray:
        calls.append(texts)
        vectors = np.tile(replies[0], (len(texts), 1)) * 0.42 + 0.01  # a fixed closeness to reply 0
        return vectors.astype(np.float32)

    bar = reply_bar(embed, replies, np.arange(30), ["words", "the", "persona", "uses"])
    assert len(calls) == 1 and bar.samples == len(calls[0]) >= MIN_GENERATED
    assert FLOOR_BOUNDS[0] <= bar.floor <= FLOOR_BOUNDS[1]


def test_unseen_words_leave_out_how_a_question_is_put() -> None:
    seen = {"fish", "lake"}.__contains__
    assert unseen_words(["wondered", "remind", "hawaii", "fishing"], seen) == ["hawaii"]  # "fishing": "fish"
    assert all(w == w.lower() for w in FILLER)


def test_the_closest_reply_without_a_stored_question_must_lead() -> None:
    scores = np.array([0.9, 0.55, 0.50, 0.30])
    free = np.array([False, True, True, True])
    order = closest_free(scores, free)
    assert order.tolist() == [1, 2, 3]  # the reply with a stored question is not a candidate
    assert not leads(scores, order)  # 0.05 ahead is not enough
    assert leads(np.array([0.9, 0.55, 0.55 - LEAD, 0.1]), order)
    assert closest_free(scores, np.zeros(4, dtype=bool)).tolist() == []
    assert leads(scores, np.array([2]))  # alone


TEXTS = ["Chores every day: milking at five, feeding the chickens, hauling water.",  # chores, found by its own words
         "We lived in a white farmhouse out on the Miller Creek road when I was a boy.",
         "Cheese. He can smell it three rooms away.",
         "The lake was our everything: swimming, skating, fishing."]
CONTEXTS = [None, None, None, "What was it like growing up by the lake?"]


def _catalogue() -> Catalogue:
    return Catalogue(kinds=np.full(len(TEXTS), -1, dtype=np.int8), typical=np.zeros(len(TEXTS), dtype=bool),
                     stems=StemCache(CONTEXTS, TEXTS), weights=WordWeights(f"{c or ''} {t}" for c, t in zip(CONTEXTS, TEXTS)),
                     bars=Bars(high=0.8, low=0.5, answer_high=0.85, answer_low=0.8), address="kiddo", kind_replies={})


def _route(question: str, scores: list[float], bar: ReplyBar = BAR) -> list[tuple[int, float]]:
    heard = understand(question)
    return answering_by_reply(heard, heard.focus.split(), np.array(scores), np.array([c is None for c in CONTEXTS]),
                              _catalogue(), TEXTS, bar)


def test_a_leading_reply_without_a_stored_question_answers() -> None:
    assert _route("Did you have chores growing up?", [0.52, 0.30, 0.20, 0.60]) == [(0, 0.52)]


def test_a_reply_with_a_stored_question_never_answers_by_its_words() -> None:
    assert _route("Did you swim in the lake?", [0.20, 0.20, 0.10, 0.90]) == []


def test_the_route_declines_a_close_race_noise_and_the_wrong_kind_of_answer() -> None:
    assert _route("Did you have chores growing up?", [0.52, 0.50, 0.20, 0.0]) == []  # no clear best
    assert _route("Did you have chores growing up?", [0.35, 0.10, 0.10, 0.0]) == []  # under the floor
    assert _route("Where did you live as a boy?", [0.60, 0.40, 0.20, 0.0]) == []  # chores hold no place
    assert _route("Where did you live as a boy?", [0.40, 0.60, 0.20, 0.0]) == [(1, 0.60)]


def test_a_question_about_something_the_data_never_mentions_is_declined() -> None:
    assert _route("Have you ever been to Hawaii?", [0.10, 0.60, 0.20, 0.0]) == []
    assert _route("I've always wondered: did you have chores?", [0.55, 0.30, 0.20, 0.0]) == [(0, 0.55)]  # fillers aside


def test_a_relative_the_reply_never_names_is_not_answered() -> None:
    assert _route("What did your sister feed the chickens?", [0.60, 0.30, 0.20, 0.0]) == []


def test_answering_takes_the_route_only_when_nothing_else_answers() -> None:
    catalogue = _catalogue()
    heard = understand("Did you have chores growing up?")
    by_text = np.array([0.52, 0.30, 0.20, 0.45])
    by_context = np.array([-1.0, -1.0, -1.0, 0.40])
    scores = np.maximum(by_context, 0.9 * by_text)
    free = by_context < -0.5
    assert answering(heard, scores, catalogue, set(), TEXTS, by_text=by_text, by_context=by_context).index is None
    chosen = answering(heard, scores, catalogue, set(), TEXTS, by_text=by_text, by_context=by_context,
                       reply_bar=BAR, free=free)
    assert chosen.index == 0 and chosen.strategy == "answer"


def test_a_reply_found_by_its_words_replaces_a_neighbouring_stored_question_only_when_much_closer() -> None:
    by_text = np.array([0.30, 0.30 + SWITCH + 0.01, 0.30 + SWITCH - 0.01])
    assert prefer_reply([(0, 0.7)], [], by_text) == [(0, 0.7)]
    assert prefer_reply([], [(1, 0.36)], by_text) == [(1, 0.36)]
    assert prefer_reply([(0, 0.7)], [(1, 0.36)], by_text) == [(1, 0.36), (0, 0.7)]
    assert prefer_reply([(0, 0.7)], [(2, 0.34)], by_text) == [(0, 0.7)]
    assert prefer_reply([(1, 0.7)], [(1, 0.36)], by_text) == [(1, 0.7)]  # the same memory either way


def test_answering_prefers_the_reply_over_a_stored_question_that_is_only_near() -> None:
    catalogue = _catalogue()
    heard = understand("What was it like growing up on the lake?")
    by_text = np.array([0.10, 0.20, 0.10, 0.40])
    by_context = np.array([-1.0, -1.0, -1.0, 0.60])  # near, not a close paraphrase (high bar 0.8)
    scores = np.maximum(by_context, 0.9 * by_text)
    free = by_context < -0.5
    kept = answering(heard, scores, catalogue, set(), TEXTS, by_text=by_text, by_context=by_context,
                     reply_bar=BAR, free=free)
    assert kept.index == 3  # no reply without a stored question leads: the memory stays


def test_the_vocabulary_is_every_word_of_the_data_lower_case() -> None:
    assert list(vocabulary(["Did you SAIL?", None, "Heron Point, 1978."])) == ["did", "you", "sail", "heron", "point"]


def test_the_floor_is_measured_once_when_first_needed() -> None:
    calls: list[int] = []
    replies = np.eye(8, dtype=np.float32)

    def embed(texts: Sequence[str]) -> np.ndarray:
        calls.append(len(texts))
        return np.tile(replies[0] * 0.4, (len(texts), 1))

    lazy = LazyFloor(embed, replies, np.arange(8), lambda: ["words"])
    assert calls == []
    assert lazy.get() is lazy.get() and len(calls) == 1
    ahead = LazyFloor(embed, replies, np.arange(8), lambda: ["words"])
    ahead.warm().join()
    assert len(calls) == 2 and ahead.get() == lazy.get()
