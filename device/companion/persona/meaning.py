"""Answering a question asked in other words than the stored one, by meaning (natural paraphrases).

"What's the largest thing you ever pulled out of that lake?" shares no rare word with "What's the
biggest fish you ever caught?", so the word check of choose.py declines it although its stored
question is the closest match. When no memory speaks to the question's own words, the best strong
match answers if its content words mean the same as the question's (``answers_by_meaning``), the
words the two do not share are close too (a shared name cannot carry the match), it names every
relative asked about, and it holds the kind of answer wanted (a name, a time, a number).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .answerable import STRONG_LIFT, answers_by_meaning, holds_wanted, missing_relative, other_parent, unseen_names
from .synonyms import meets_unseen
from .understand import Understanding, stem

if TYPE_CHECKING:
    from .choose import Catalogue

logger = logging.getLogger(__name__)

Relate = Callable[[Sequence[tuple[str, str]]], np.ndarray]
"""Pairs of phrases (the question's words, a memory's) -> how close in meaning each pair is (the
engine's embedder: one call for all, its vectors cached)."""


PHRASE_CACHE = 4096
"""Phrases whose vectors are kept for the meaning check (a few MB)."""


class PhraseMeaning:
    """A ``Relate`` over an embedder: how close in meaning each pair of phrases is (a question's
    words, a memory's). The phrases are embedded in one call and their vectors kept (bounded)."""

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray]) -> None:
        self._embed = embed
        self._vectors: dict[str, np.ndarray] = {}

    def __call__(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        vectors = self._vectors
        phrases = list(dict.fromkeys(t for pair in pairs for t in pair))
        missing = [t for t in phrases if t not in vectors]
        if missing:
            if len(vectors) + len(missing) > PHRASE_CACHE:
                vectors.clear()  # let the kept ones go, and embed all of this call's phrases
                missing = phrases
            vectors.update(zip(missing, self._embed(missing)))
        return np.array([float(vectors[a] @ vectors[b]) for a, b in pairs])


MEANING_CANDIDATES = 1
"""How many strong matches are checked for meaning: only the best (a runner-up that means the
question's words better is more often a neighbouring topic than the answer)."""


def answering_by_meaning(heard: Understanding, phrase: list[str], order: np.ndarray, scores: np.ndarray,
                          catalogue: Catalogue, texts: Sequence[str], kin: list[str], topic: list[str],
                          near_last: np.ndarray | None, relate: Relate) -> list[tuple[int, float]]:
    strong: list[int] = []
    for index in order:
        score = float(scores[index])
        if score < catalogue.bars.low + STRONG_LIFT or len(strong) == MEANING_CANDIDATES:
            break
        stems = catalogue.stems[index]
        if topic and not any(s in stems for s in topic) and not (near_last is not None and near_last[index]):
            continue
        if missing_relative(kin, catalogue.stems.kin(int(index))) or not holds_wanted(heard.wants, texts[index], catalogue.names):
            continue
        strong.append(int(index))
    fits = []
    unseen = unseen_names(heard.text, phrase, catalogue.weights) if catalogue.synonyms is not None else []
    for index in strong:
        # The words the two do not share are compared too: a shared name ("Biscuit") or topic
        # word makes any two phrases close, and the question's other words are what must be met.
        theirs = catalogue.stems.phrase(index)
        if not theirs or other_parent(heard.text, *catalogue.stems.said(index)):
            continue
        mine, other = unshared(phrase, theirs, catalogue.stems.kin(index))
        shares = mine and other and (mine, other) != (phrase, theirs)  # else the one pair says it all
        pairs = [(" ".join(phrase), " ".join(theirs))] + ([(" ".join(mine), " ".join(other))] if shares else [])
        close = relate(pairs)
        apart = float(close[1]) if len(close) > 1 else None
        logger.debug("by meaning: %s %.3f %r ~ %r %.3f apart %s", index, scores[index], phrase, theirs, close[0], apart)
        if answers_by_meaning(float(scores[index]), float(close[0]), apart, True, catalogue.bars) and meets_unseen(
                unseen, catalogue.stems.words(index), catalogue.synonyms):
            fits.append((index, float(scores[index])))
    return fits


def unshared(question: Sequence[str], memory: Sequence[str], said: frozenset[str] = frozenset()) -> tuple[list[str], list[str]]:
    """Each side's words whose stem the other side lacks ("spooks", "scared" of "spooks Biscuit" and
    "Biscuit scared"); ``said``: more stems of the memory (its reply's) that count as shared."""
    ours, theirs = {stem(w) for w in question}, {stem(w) for w in memory} | said
    return [w for w in question if stem(w) not in theirs], [w for w in memory if stem(w) not in ours]
