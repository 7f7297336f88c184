"""The closest memory's relaxed word check (synonyms, when-words) and the dominance rule (choose.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from companion.persona.answerable import Bars, WordWeights
from companion.persona.choose import Catalogue, StemCache, answering
from companion.persona.synonyms import WordMatcher
from companion.persona.understand import understand


class TableEmbedder:
    """Word vectors from a table (the matcher's logic only; the real model is in the integration tests)."""

    def __init__(self, table: dict[str, list[float]]) -> None:
        self.table = {w: np.asarray(v, dtype=np.float32) / np.linalg.norm(v) for w, v in table.items()}
        self.calls: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.extend(texts)
        return np.stack([self.table.get(t, np.array([0.0, 0.0, 0.0, 1.0], dtype=np.float32)) for t in texts])


WORDS = {"injure": [1, 0.1, 0, 0], "hurt": [1, 0.2, 0, 0], "ireland": [0, 1, 0, 0], "abroad": [0.6, 1, 1, 0],
         "job": [0, 0, 1, 0], "work": [0, 0.1, 1, 0]}


def _catalogue(contexts: list[str], texts: list[str], synonyms: WordMatcher | None = None) -> Catalogue:
    n = len(texts)
    return Catalogue(kinds=np.full(n, -1, dtype=np.int8), typical=np.zeros(n, dtype=bool),
                     stems=StemCache(contexts, texts),
                     weights=WordWeights(f"{c} {t}" for c, t in zip(contexts, texts)),
                     bars=Bars(high=0.8, low=0.5), address="", kind_replies={}, synonyms=synonyms)


def test_a_word_is_matched_by_its_synonym_not_by_a_neighbour_and_embedded_once() -> None:
    table = TableEmbedder(WORDS)
    matcher = WordMatcher(table, threshold=0.68)
    assert matcher.speaks_to("injure", ["hurt", "ladder"])
    assert not matcher.speaks_to("Ireland", ["abroad"])
    assert not matcher.speaks_to("injure", [])
    matcher.speaks_to("injure", ["hurt"])
    assert table.calls.count("injure") == 1 and table.calls.count("hurt") == 1  # kept for the next question


CONTEXTS = ["Did you ever get hurt at work?", "What was your first car?"]
TEXTS = ["Hit my thumb more times than I can count and fell off a ladder once.", "A green sedan."]


def test_the_closest_memory_may_say_the_questions_words_in_other_words() -> None:
    heard = understand("Did you ever injure yourself on the job?")
    scores = np.array([0.72, 0.40])
    plain = answering(heard, scores, _catalogue(CONTEXTS, TEXTS), set(), TEXTS)
    assert plain.index is None  # no shared word: declined without synonyms
    matcher = WordMatcher(TableEmbedder(WORDS), threshold=0.68)
    assert answering(heard, scores, _catalogue(CONTEXTS, TEXTS, matcher), set(), TEXTS).index == 0
    # ... but not when it hardly leads the next memory: the question does not point at it alone
    crowded = answering(heard, np.array([0.72, 0.68]), _catalogue(CONTEXTS, TEXTS, matcher), set(), TEXTS)
    assert crowded.index is None


def test_a_memory_below_the_closest_never_passes_by_synonyms() -> None:
    contexts = ["What did you drive?", "Did you ever get hurt at work?"]
    texts = ["A green sedan, and later a blue pickup.", TEXTS[0]]
    matcher = WordMatcher(TableEmbedder(WORDS), threshold=0.68)
    heard = understand("Did you ever injure yourself on the job?")
    assert answering(heard, np.array([0.75, 0.60]), _catalogue(contexts, texts, matcher), set(), texts).index is None


def test_when_words_need_not_be_repeated_by_the_closest_memory() -> None:
    contexts = ["How old are you, grandpa?", "Where do you live now?"]
    texts = ["Old enough to know better. Seventy-seven this August.", "Same house on Lake Road."]
    heard = understand("How old are you now?")
    choice = answering(heard, np.array([0.66, 0.54]), _catalogue(contexts, texts), set(), texts)
    assert choice.index == 0  # "now" is not what the question is about; "Where do you live now?" does not answer


def test_a_much_less_close_memory_sharing_a_word_is_not_taken_when_the_closest_does_not_answer() -> None:
    # (a car, not a job: a job asked about must be named by the memory, persona/specific.py)
    contexts = ["What was your car?", "What was mom like as a teenager?", "Did you like your car?"]
    texts = ["A sedan for forty-eight years.", "Stubborn as a mule and smart as a whip.", "I loved my car."]
    heard = understand("What car did you have as a teenager?")
    scores = np.array([0.73, 0.62, 0.3])  # "car" is common in these messages, "teenager" rare
    assert answering(heard, scores, _catalogue(contexts, texts), set(), texts).index is None
    # found by its own words (what was asked of the person unknown): not held back by a closer stored question
    by_context = np.array([0.73, -1.0, 0.3])
    assert answering(heard, scores, _catalogue(contexts, texts), set(), texts, by_context=by_context).index == 1


def test_the_personas_words_are_embedded_ahead_and_the_answers_do_not_change() -> None:
    table = TableEmbedder(WORDS)
    matcher = WordMatcher(table, threshold=0.68)
    matcher.warm(["Did you ever get hurt at work?", "I was abroad once."]).join()
    assert {"hurt", "work", "abroad"} <= set(table.calls)
    before = len(table.calls)
    assert matcher.speaks_to("hurt", ["work", "hurt"]) and len(table.calls) == before  # nothing new to embed
    cold = WordMatcher(TableEmbedder(WORDS), threshold=0.68)
    assert cold.speaks_to("injure", ["hurt"]) == matcher.speaks_to("injure", ["hurt"])
