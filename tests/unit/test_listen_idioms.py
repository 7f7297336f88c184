"""Idioms and speech slips in plain words (idioms.py), and the unseen-word check (answerable.unseen_words,
synonyms.meets_unseen): pure functions and the decision in choose.answering, on synthetic data."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from companion.persona.answerable import Bars, WordWeights, named_words, unseen_names
from companion.persona.choose import Catalogue, StemCache, answering
from companion.persona.idioms import plain_words
from companion.persona.synonyms import WordMatcher, meets_unseen
from companion.persona.understand import Intent, understand
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize("said, plain", [
    ("How did you pop the question to Grandma?", "How did you propose to Grandma?"),
    ("When did you two tie the knot?", "When did you two get married?"),
    ("We tied the knot in June.", "We got married in June."),
    ("When did you and Grandad walk down the aisle?", "When did you and Grandad get married?"),
    ("Where did you first lay eyes on her?", "Where did you first meet her?"),
    ("Who showed you the ropes?", "Who taught you?"),
    ("When did you call it quits?", "When did you retire?"),
    ("What was Grandad's line of work?", "What was Grandad's job?"),
    ("Where were you raised?", "Where did you grow up?"),
    ("Which town were you brought up in?", "Which town did you grow up in?"),
    ("Did you have any furry friends?", "Did you have any pets?"),
    ("whats ur dogs name", "what's your dogs name"),
    ("Where did you meat grandma?", "Where did you meet grandma?"),
    ("What was your fist car?", "What was your first car?"),
    ("Were you ever drafted?", "Were you ever drafted into the army?"),
])
def test_idioms_and_slips_become_plain_words(said: str, plain: str) -> None:
    assert plain_words(said) == plain


@pytest.mark.parametrize("said", [
    "What did you have for dinner?", "I ate meat for dinner.", "Tell me about the U-boat.", "Did you ever play golf?",
    "奶奶，你结婚是哪一年？", "We were raised by wolves, said nobody.", "He made a fist.",
])
def test_a_line_without_an_idiom_or_a_chinese_line_is_unchanged(said: str) -> None:
    assert plain_words(said) is said


def test_plain_words_keep_what_kind_of_line_it_is() -> None:
    assert understand(plain_words("I've got a bun in the oven!")).intent is Intent.NEWS
    assert understand(plain_words("How did you pop the question?")).intent is Intent.LIFE_QUESTION


@given(st.text(max_size=200))
def test_plain_words_never_fail_and_are_idempotent_on_plain_text(text: str) -> None:
    once = plain_words(text)
    assert isinstance(once, str)
    assert plain_words(plain_words(once)) == plain_words(once)


class TableEmbedder:
    """Word vectors from a table (the matcher's logic only; the real model runs in the benchmarks)."""

    def __init__(self, table: dict[str, list[float]]) -> None:
        self.table = {w: np.asarray(v, dtype=np.float32) / np.linalg.norm(v) for w, v in table.items()}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.table.get(t, np.array([0.0, 0.0, 0.0, 0.0, 1.0], dtype=np.float32)) for t in texts])


WORDS = {"america": [1, 0, 0, 0, 0], "abroad": [0.5, 1, 0, 0, 0], "overseas": [0.4, 1, 0.1, 0, 0],
         "majorca": [0.2, 0.6, 0, 1, 0]}
CONTEXTS = ["Did you ever go abroad?", "What was your first job?"]
TEXTS = ["Just the once, to Majorca in 1979.", "I was a telephonist at the exchange."]


def _catalogue(matcher: WordMatcher | None) -> Catalogue:
    return Catalogue(kinds=np.full(2, -1, dtype=np.int8), typical=np.zeros(2, dtype=bool), stems=StemCache(CONTEXTS, TEXTS),
                     weights=WordWeights(f"{c} {t}" for c, t in zip(CONTEXTS, TEXTS)), bars=Bars(high=0.72, low=0.45),
                     address="love", kind_replies={}, synonyms=matcher)


def test_names_are_capitalised_mid_sentence() -> None:
    assert named_words("Did you ever meet the Queen in London?") == {"queen", "london"}
    assert named_words("London was fun. did you go?") == frozenset()  # sentence-initial: could be any word
    assert named_words("did you ever go to america") == frozenset()


def test_unseen_names_are_the_names_the_persona_never_uses() -> None:
    weights = WordWeights(f"{c} {t}" for c, t in zip(CONTEXTS, TEXTS))
    question = "Did you ever go to America or Majorca by Plane?"
    assert unseen_names(question, ["america", "majorca", "plane", "abroad"], weights) == ["america", "plane"]
    assert unseen_names("did you ever go to america?", ["america"], weights) == []


def test_an_unseen_word_must_be_said_in_other_words_by_the_memory() -> None:
    matcher = WordMatcher(TableEmbedder(WORDS), threshold=0.68)
    assert meets_unseen([], ["abroad"], matcher)
    assert meets_unseen(["america"], ["abroad"], None)  # no word meaning loaded (a Chinese persona): unchanged
    assert meets_unseen(["overseas"], ["abroad", "majorca"], matcher)
    assert not meets_unseen(["america"], ["abroad", "majorca"], matcher)


def test_a_close_frame_does_not_answer_a_question_about_something_the_data_never_names() -> None:
    scores = np.array([0.79, 0.3])  # above the close-paraphrase bar: a shared frame ("Did you ever go ...?")
    matcher = WordMatcher(TableEmbedder(WORDS), threshold=0.68)
    assert answering(understand("Did you ever go to America?"), scores, _catalogue(matcher), set(), TEXTS).index is None
    assert answering(understand("Did you ever go overseas?"), scores, _catalogue(matcher), set(), TEXTS).index == 0
    assert answering(understand("Did you ever go to America?"), scores, _catalogue(None), set(), TEXTS).index == 0
