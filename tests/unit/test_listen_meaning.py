"""The decline decision for natural paraphrases: a strong match in other words answers by meaning;
a memory that never names the relative asked about never answers (pure functions, synthetic data)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from companion.persona.answerable import (
    APART,
    MEANING,
    STRONG_LIFT,
    Bars,
    WordWeights,
    answers_by_meaning,
    kin_stems,
    missing_relative,
    other_parent,
    relatives,
    stems_of,
)
from companion.persona.choose import Catalogue, StemCache, answering
from companion.persona.meaning import PhraseMeaning, unshared
from companion.persona.understand import understand

BARS = Bars(high=0.8, low=0.5)


def test_a_strong_match_in_other_words_answers_only_when_the_words_mean_the_same() -> None:
    strong = BARS.low + STRONG_LIFT
    assert answers_by_meaning(strong + 0.01, MEANING + 0.01, None, True, BARS)
    assert answers_by_meaning(strong + 0.01, MEANING + 0.01, APART + 0.01, True, BARS)
    assert not answers_by_meaning(strong - 0.01, 0.95, None, True, BARS)  # merely similar: the words must speak to it
    assert not answers_by_meaning(0.75, MEANING - 0.01, None, True, BARS)  # a shared template, other content
    assert not answers_by_meaning(0.75, 0.9, APART - 0.01, True, BARS)  # close only by a shared name
    assert not answers_by_meaning(0.75, 0.9, None, False, BARS)  # no name/time/number where one was asked for


@pytest.mark.parametrize("question, memory, missing", [
    ("What did Grandma's father do for a living?", "What did grandma do for work? She ran the library.", True),
    ("What were Grandma's brothers and sisters called?", "Did you have brothers and sisters? Eddie and June.", True),
    ("How did your parents meet?", "How did you meet grandma? At a dance.", True),
    ("What was the name of Uncle Danny's wife?", "Tell me about uncle Danny. The quiet one.", True),
    ("What was your dad's job?", "What was your first job? A telephonist.", True),
    ("Tell me about your mum.", "What was your mom like? Quiet and strong.", False),
    ("How did your parents meet?", "My dad met my mother at the fair.", False),
    ("How many siblings did you have?", "Did you have brothers and sisters? Eddie and June.", False),
    ("Grandma, where did you grow up?", "In a little terraced house on Mill Lane.", False),  # address, not asked about
    ("What did Grandma's garden look like?", "Did grandma like gardening? She loved her flowers.", False),
])
def test_a_memory_must_name_the_relative_the_question_asks_about(question: str, memory: str, missing: bool) -> None:
    heard = understand(question)
    asked = [*stems_of(heard.focus), *relatives(question)]
    assert missing_relative(asked, frozenset(stems_of(memory)) | kin_stems(memory)) is missing


def test_the_ways_of_address_count_as_relatives_only_when_possessive() -> None:
    assert relatives("What were Grandma's brothers called?") == ["grandma"]
    assert relatives("Grandma, what was your first job?") == []
    assert relatives("Nana's cat and Grandad's bus?") == ["nana", "grandad"]


def _catalogue(contexts: list[str], texts: list[str]) -> Catalogue:
    return Catalogue(kinds=np.full(len(texts), -1, dtype=np.int8), typical=np.zeros(len(texts), dtype=bool),
                     stems=StemCache(contexts, texts), weights=WordWeights(f"{c} {t}" for c, t in zip(contexts, texts)),
                     bars=BARS, address="kiddo", kind_replies={})


CONTEXTS = ["Did you ever serve in the army?", "Were you a good baseball player?", "Did grandma do work?"]
TEXTS = ["No, I was lucky. My number never came up.", "Nobody stole second on me.", "She ran the library."]


class Relate:
    """A stand-in for the engine's phrase embedder: fixed closeness per memory phrase, calls recorded."""

    def __init__(self, closeness: dict[str, float]) -> None:
        self.closeness, self.calls = closeness, []

    def __call__(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        self.calls.append(list(pairs))
        return np.array([self.closeness.get(theirs, 0.0) for _, theirs in pairs])


def test_a_paraphrase_sharing_no_word_is_answered_by_meaning_and_otherwise_declined() -> None:
    catalogue = _catalogue(CONTEXTS, TEXTS)
    heard = understand("Were you ever drafted?")
    scores = np.array([0.69, 0.61, 0.3])
    assert answering(heard, scores, catalogue, set(), TEXTS).index is None  # words alone: declined
    relate = Relate({"serve army": 0.7})
    chosen = answering(heard, scores, catalogue, set(), TEXTS, relate=relate)
    assert chosen.index == 0 and chosen.strategy == "answer"
    assert relate.calls == [[("drafted", "serve army")]]  # only the best strong match, nothing shared
    far = answering(heard, scores, catalogue, set(), TEXTS, relate=Relate({"serve army": 0.4, "good baseball player": 0.9}))
    assert far.index is None  # the runner-up is never taken by meaning
    weak = answering(heard, np.array([0.55, 0.5, 0.3]), catalogue, set(), TEXTS, relate=Relate({"serve army": 0.9}))
    assert weak.index is None  # not a strong match: the low bar plus STRONG_LIFT


def test_a_shared_name_does_not_make_two_questions_mean_the_same() -> None:
    assert unshared(["spooks", "biscuit"], ["biscuit", "scared"]) == (["spooks"], ["scared"])
    contexts = ["What's Biscuit's favorite treat?", "Is Biscuit scared of anything?"]
    texts = ["Cheese.", "Thunder and the vacuum cleaner."]
    relate = Relate({"biscuit treat": 0.7, "treat": 0.18, "biscuit scared": 0.78, "scared": 0.42})
    heard = understand("What is Biscuit afraid of?")
    # the answer's stored question hidden (its own words stand in): the treat must not answer by the shared name
    hidden = _catalogue([contexts[0], ""], texts)
    assert answering(heard, np.array([0.7, 0.2]), hidden, set(), texts, relate=relate).index is None
    assert relate.calls == [[("biscuit afraid", "biscuit treat"), ("afraid", "treat")]]
    assert answering(heard, np.array([0.6, 0.7]), _catalogue(contexts, texts), set(), texts, relate=relate).index == 1


def test_meaning_is_not_consulted_when_the_words_already_answer() -> None:
    catalogue = _catalogue(CONTEXTS, TEXTS)
    relate = Relate({})
    chosen = answering(understand("Did you serve in the army?"), np.array([0.7, 0.5, 0.3]), catalogue, set(), TEXTS,
                       relate=relate)
    assert chosen.index == 0 and relate.calls == []


def test_a_close_memory_about_another_relative_is_declined_even_by_meaning() -> None:
    catalogue = _catalogue(CONTEXTS, TEXTS)
    heard = understand("What did Grandma's father do for work?")
    relate = Relate({"grandma work": 0.9})
    assert answering(heard, np.array([0.3, 0.3, 0.82]), catalogue, set(), TEXTS, relate=relate).index is None
    assert relate.calls == []


@pytest.mark.parametrize("question, asked, answer, other", [
    ("Tell me about your mum.", "Tell me about mom when she was little.", "Your mom was a firecracker.", True),
    ("Tell me about your mum.", "What was your mom like?", "Quiet and strong.", False),
    ("What was your mother like?", None, "My mother baked bread every morning.", False),
    ("What was mom like as a teenager?", "What was mom like as a teenager?", "Stubborn as a mule.", False),
    ("What was mom like as a teenager?", "What was your mom like?", "Quiet and strong.", True),
    ("What did your dad teach you?", "Tell me about mom.", "A firecracker.", False),
])
def test_the_persons_own_parent_is_not_the_listeners(question: str, asked: str | None, answer: str, other: bool) -> None:
    assert other_parent(question, asked, answer) is other


def test_phrases_are_embedded_once_in_one_call_and_the_kept_vectors_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import companion.persona.meaning as meaning_module

    calls: list[list[str]] = []
    axes = {"drafted": [1.0, 0.0], "serve army": [0.6, 0.8], "spooks": [0.0, 1.0]}

    def embed(texts: Sequence[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.array([axes[t] for t in texts])

    meaning = PhraseMeaning(embed)
    assert np.allclose(meaning([("drafted", "serve army"), ("spooks", "serve army")]), [0.6, 0.8])
    assert calls == [["drafted", "serve army", "spooks"]]
    assert np.allclose(meaning([("drafted", "serve army")]), [0.6]) and len(calls) == 1  # kept
    monkeypatch.setattr(meaning_module, "PHRASE_CACHE", 2)
    fresh = PhraseMeaning(embed)
    fresh([("drafted", "serve army")])
    assert np.allclose(fresh([("spooks", "drafted")]), [0.0])  # a third phrase passes the bound:
    assert calls[-1] == ["spooks", "drafted"] and len(fresh._vectors) == 2  # the kept ones are let go
