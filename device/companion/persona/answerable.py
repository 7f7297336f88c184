"""Does this message answer this question? Answerability, not similarity.

Sentence similarity says two lines are about the same kind of thing; it cannot tell "What was
your first car?" (answered) from "Did you ever own a motorcycle?" (not answered) when both land
on the same memory, and questions about the person's own life all look alike to it (0.5-0.8).
What separates them is whether the memory speaks to the question's *own* words, the rare ones
that make it this question ("motorcycle", "Japan", "teacher's name"), and whether it holds the
kind of answer asked for (a name, a time, a number).

So a memory answers a question when
- its similarity to the question is very high (a close paraphrase of what was asked of the person), or
- its similarity clears the persona's lower bar *and* it covers most of the question's weight of
  rare words (stems, weighted by how rare each is in the persona's own messages: an unseen word
  weighs most), and it holds the kind of answer the question wants.

Both bars are calibrated per persona from its own data, never from evaluation questions
(``calibrate``): each stored question is asked with its own answer (and near-copies) taken out;
the best remaining memory is then, by construction, a memory that does *not* answer it, and the
bars are set where few of those would pass. Everything here is numpy and string work over
vectors the index already holds: no model call beyond the one embedding of the question.

Why no cross-encoder: the registry packages that name one (flashrank, the reranker wrappers) fetch
their weights from a model hub at run time or ship code only; none with its weights inside the
wheel and a clear licence was found, so this scorer is built from what is installed. A
cross-encoder would slot in as one more input to ``answers``. The word-level MiniLM variant
(embedding the persona's vocabulary) was measured at ~5 ms a word here, 13 s for 2,000 words at
load; the rare-word coverage below costs microseconds. Its limit, measured by
tests/bench/bench_listen.py: a paraphrase that shares no word with the stored question (synonyms:
"raised" for "grew up") is declined unless it is a close paraphrase by sentence similarity.

Natural paraphrases (``answers_by_meaning``, bench_listen.py ``--set dev2``): when no memory speaks
to the question's words, the best stored question, if a strong match, answers when the two
questions' content words mean the same as phrases (one extra embedding of two or four short
phrases, only for such questions), and the words they do not share are related. A memory that
never names the relative asked about ("Grandma's father", "your parents") never answers
(``missing_relative``), nor one about the listener's parent when the person's own was asked
(``other_parent``). Idioms ("tie the knot", "pop the question") are rewritten to their plain words
before the line is understood (idioms.py). A name the persona never wrote ("America") must be said
by the memory in other words (``unseen_names``), whatever the sentence similarity.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .leave_one_out import held_out, sample
from .specific import THINGS, class_table
from .understand import focus_words, stem
from .words import KIN_WORD

HIGH_QUANTILE = 0.90
"""The "close paraphrase" bar: above this share of the scores of memories that do not answer."""
LOW_QUANTILE = 0.25
"""The lower bar (with word coverage): above this share of them."""
HIGH_BOUNDS = (0.72, 0.92)
LOW_BOUNDS = (0.45, 0.65)
ANSWER_HIGH_QUANTILE = 0.97
ANSWER_LOW_QUANTILE = 0.90
ANSWER_HIGH_BOUNDS = (0.55, 0.85)
ANSWER_LOW_BOUNDS = (0.35, 0.80)
COVERAGE_WEIGHT = 0.2
"""How much speaking to all of the question's rare words adds to the answer side's similarity."""
COVERAGE = 0.5
"""Share of a question's rare-word weight a memory must speak to (by design: most of what was asked)."""
CALIBRATION_QUESTIONS = 300


@dataclass(frozen=True)
class Bars:
    """A persona's answerability bars (sentence-similarity scores)."""

    high: float
    low: float
    samples: int = 0
    answer_high: float = 0.70
    """The answer-side bars: question-to-reply similarity (the message's own words, with what was
    asked of the person unknown or hidden), on their own scale, calibrated like the others."""
    answer_low: float = 0.45

    def to_dict(self) -> dict[str, float]:
        return {"high": round(self.high, 4), "low": round(self.low, 4), "samples": self.samples,
                "answer_high": round(self.answer_high, 4), "answer_low": round(self.answer_low, 4)}


DEFAULT_BARS = Bars(high=0.80, low=0.50)


class WordWeights:
    """How rare each word stem is in the persona's messages (inverse document frequency)."""

    def __init__(self, documents: Iterable[str]) -> None:
        counts: Counter[str] = Counter()
        n = 0
        for doc in documents:
            n += 1
            counts.update(stems_of(doc))
        self.documents = n
        self._df = counts
        self.unseen = math.log(n + 1) + 1.0

    def weight(self, word_stem: str) -> float:
        df = self._df.get(word_stem, 0)
        return math.log((self.documents + 1) / (df + 1)) + 1.0

    def seen(self, word_stem: str) -> bool:
        """Whether any of the persona's (counted) messages uses this stem."""
        return self._df.get(word_stem, 0) > 0

    def coverage(self, question_stems: Sequence[str], memory_stems: set[str] | frozenset[str],
                 also: Callable[[str], bool] | None = None) -> float:
        """Share of the question's rare-word weight the memory speaks to (1.0 for no content words);
        ``also``: whether the memory speaks to a stem it does not share in other words (synonyms.py)."""
        if not question_stems:
            return 1.0
        total = sum(self.weight(s) for s in question_stems)
        hit = sum(self.weight(s) for s in question_stems if s in memory_stems or (also is not None and also(s)))
        return hit / total if total else 1.0


def unseen_names(question: str, words: Iterable[str], weights: WordWeights) -> list[str]:
    """The names a question says (``named_words``: "America", "London", "the Queen") that the
    persona never uses: a memory answers such a question only if it says that name in other
    words (``synonyms.meets_unseen``). Sentence similarity carries "Did you ever go to America?"
    to "Did you ever go abroad?" (0.79: a shared frame), while the place asked about is nowhere in
    the data. What is unseen is decided by the persona's own messages (its word counts). Common
    words are not held to this: an unseen "crispy" or "fondly" is a detail of a paraphrase, and
    measured on the dev questions, holding every unseen word to a synonym declined more right
    answers than wrong ones it stopped (tests/bench/listen_dev2.py, listen_dev3.py)."""
    named = named_words(question)
    return list(dict.fromkeys(w for w in words if w in named and w.isascii() and w.isalpha()
                              and not weights.seen(stem(w))))


_NAMED = re.compile(r"(?<=[a-z,;:'] )([A-Z][a-z]+)")


def named_words(question: str) -> frozenset[str]:
    """The words a question writes capitalised in mid-sentence, lower-cased: the names of places,
    people and things ("America", "London", "the Queen"), as a transcript or a typed line spells them."""
    return frozenset(m.group(1).lower() for m in _NAMED.finditer(question))


def stems_of(text: str) -> set[str]:
    return {stem(w) for w in focus_words(text).split()}


_NUMBER_WORDS = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen"
    r"|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|dozen|half|once|twice"
    r"|first|second|third)\b|[一二三四五六七八九十百千万两几]", re.IGNORECASE)
_TIME_WORDS = re.compile(r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december"
                         r"|spring|summer|autumn|fall|winter|christmas|easter|ago|when i was|years? old|back in|in the \w+ties"
                         r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekends?|night|morning|evening"
                         r"|every \w+|birthday|holidays?)\b"
                         r"|年|月|岁", re.IGNORECASE)
_NAME_LIKE = re.compile(r"(?<=[\w,;:] )[A-Z][a-z]+|\"[^\"]+\"|“[^”]+”|\bcalled\b|\bnamed\b|叫")


def proper_nouns(texts: Iterable[str]) -> frozenset[str]:
    """Words the persona writes capitalised in mid-sentence (names: "Biscuit", "Quillan"), so a name
    at the start of a sentence is still known as one."""
    found: Counter[str] = Counter()
    lower: set[str] = set()
    for text in texts:
        for match in re.finditer(r"(?<=[a-z,;:] )([A-Z][a-z]+)", text):
            found[match.group(1)] += 1
        lower.update(re.findall(r"\b[a-z]+\b", text))
    return frozenset(w for w in found if w.lower() not in lower)


def holds_wanted(wants: str | None, text: str, names: frozenset[str] = frozenset()) -> bool:
    """The memory holds the kind of answer asked for (a name, a time, a number); True if nothing particular."""
    if wants == "name":
        return bool(_NAME_LIKE.search(text)) or any(w in names for w in re.findall(r"\b[A-Z][a-z]+\b", text))
    if wants == "number":
        return bool(_NUMBER_WORDS.search(text))
    if wants == "time":
        return bool(_NUMBER_WORDS.search(text) or _TIME_WORDS.search(text))
    return True


STRONG_LIFT = 0.08
"""A stored question this far above the persona's low bar is a strong match (see ``answers_by_meaning``)."""
MEANING = 0.55
"""How close the question's own content words must be, as a phrase, to the stored question's
(MiniLM cosine of the two focus phrases: "tie knot" to "marry grandma"). Sentence similarity
is inflated by a shared question template ("Did you ever go to Scotland?" and "Did you ever go
abroad?" score 0.71); the content phrases alone are not ("scotland" to "abroad": 0.50)."""

_KIN_CLASSES = (  # "asked-about words | other words that name the same relative"
    "mom mother mum mam mama mommy mummy |", "dad father daddy papa |", "brother | sibling", "sister | sibling",
    "sibling siblings | brother sister", "parent parents | mom mother mum mam dad father",
    "wife husband spouse | marry married wed wedding", "son daughter | child children kid kids mom mum",
    "uncle |", "aunt auntie |", "cousin |", "niece |", "nephew |",
    "grandfather grandad granddad grandpa gramps |", "grandmother grandma granny gran nana nan |",
)
_ADDRESSED_KIN = re.compile(r"\b(grandma|grandmother|granny|gran|nana|nan|grandpa|grandfather|grandad|granddad|gramps)'s\b",
                            re.IGNORECASE)


KIN_CLASSES = class_table(_KIN_CLASSES)
"""A family word the question asks about -> the words that name the same relative."""
ASKED_CLASSES = {**THINGS, **KIN_CLASSES}
"""Relatives and specific things (specific.py: a dog, the army, a piano) a memory must name to answer."""


def relatives(question: str) -> list[str]:
    """The relatives a question asks about that are not among its content words: the ways of
    address ("grandma"), when possessive ("What were Grandma's brothers called?")."""
    return [stem(m.group(1)) for m in _ADDRESSED_KIN.finditer(question)]


def kin_stems(text: str) -> frozenset[str]:
    """The family words a text names, ways of address included ("grandma", which content words leave out)."""
    return frozenset(stem(m.group(0)) for m in KIN_WORD.finditer(text))


GRANDPARENTS = frozenset(stem(w) for w in "grandfather grandad granddad grandpa gramps grandmother grandma granny gran nana nan".split())


def asked_relatives(question_stems: Sequence[str], question: str) -> list[str]:
    """The relatives (and specific things) a question asks about: its family words, but a grandparent
    only when possessive ("Grandma's brothers"): "you and Grandad" is the person and their spouse, named
    or not. A thing the question also calls by its name ("the dog Biscuit") is held to the name instead."""
    named = any(not KIN_WORD.fullmatch(w) for w in named_words(question))  # "Grandad" is a way of address
    return [s for s in question_stems if s not in GRANDPARENTS and not (named and s in THINGS and s not in KIN_CLASSES)
            ] + relatives(question)


def missing_relative(question_stems: Iterable[str], memory_stems: set[str] | frozenset[str]) -> bool:
    """The question asks about a relative the memory never names ("Grandma's father" -> a memory
    about Grandma's work; "your parents" -> how he met Grandma), or a specific thing it never names
    ("a dog" -> a memory about a cat; "the army" -> a memory about a job; specific.py): it does not
    answer, however close."""
    return any(s in ASKED_CLASSES and not (ASKED_CLASSES[s] & memory_stems) for s in question_stems)


_SIDED_KIN = re.compile(r"\b(?:(your|my|our)\s+)?(mom|mother|mum|mam|mama|mommy|mummy|dad|father|daddy|papa)\b",
                        re.IGNORECASE)


def whose_parents(question: str) -> dict[str, str]:
    """Whose mother or father a line asked by the family means: "your mum" is the person's own,
    "mom" or "my dad" the listener's (the person's child or in-law): {"mom": "person"}."""
    found: dict[str, str] = {}
    for match in _SIDED_KIN.finditer(question):
        side = "person" if (match.group(1) or "").lower() == "your" else "listener"
        found.setdefault(stem(match.group(2)), side)
    return {("dad" if k in KIN_CLASSES["dad"] else "mom"): v for k, v in found.items()}


def other_parent(question: str, asked: str | None, answer: str) -> bool:
    """The question asks about the person's own mother and the memory about the listener's (or the
    reverse): "Tell me about your mum." is not answered by "Tell me about mom when she was little"
    (``asked``: what the family asked of the person; ``answer``: the person's words, "my" = their own)."""
    wanted = whose_parents(question)
    if not wanted:
        return False
    named = whose_parents(asked or "")
    for match in _SIDED_KIN.finditer(answer):  # in the person's own words "my mother" is theirs
        if match.group(1):
            key = "dad" if stem(match.group(2)) in KIN_CLASSES["dad"] else "mom"
            named.setdefault(key, "listener" if match.group(1).lower() == "your" else "person")
    return any(key in named and named[key] != side for key, side in wanted.items())


APART = 0.30
"""The words the two phrases do not share must not be unrelated ("afraid" to "treat": 0.18), or a
shared name carries the phrases together ("Biscuit afraid" to "Biscuit's treat": 0.70)."""


def answers_by_meaning(score: float, meaning: float, apart: float | None, holds: bool, bars: Bars) -> bool:
    """A natural paraphrase in other words: the stored question is a strong match (well above the
    low bar), the question's content words mean what the stored question's do, and the words they
    do not share (``apart``; None when one side has none left) are related, so no shared word is
    needed ("What's the largest thing you ever reeled in?" -> "What's the biggest fish you ever caught?")."""
    return score >= bars.low + STRONG_LIFT and meaning >= MEANING and (apart is None or apart >= APART) and holds


def answers(score: float, coverage: float, holds: bool, bars: Bars) -> bool:
    """The decision: a close paraphrase, or similar enough and speaking to the question's own words."""
    if score >= bars.high:
        return True
    return score >= bars.low and coverage >= COVERAGE and holds


def answer_side(score: float, coverage: float) -> float:
    """The answer-side score: question-to-reply similarity plus a share of the question's rare
    words the reply speaks to (calibrated per persona on the same scale, see ``calibrate``)."""
    return score + COVERAGE_WEIGHT * coverage


def answers_itself(score: float, coverage: float, holds: bool, bars: Bars) -> bool:
    """The same decision from the reply's own words (question-to-answer similarity)."""
    return answer_side(score, coverage) >= bars.answer_low and holds


def calibrate(matrix: np.ndarray, context_rows: np.ndarray, text_rows: np.ndarray, text_weight: float,
              *, limit: int = CALIBRATION_QUESTIONS, seed: int = 0,
              coverage: Callable[[int, int], float] | None = None) -> Bars:
    """The persona's bars from its own stored questions, each asked with its answer taken out.

    For up to ``limit`` messages that have a context (what was asked of the person), the context
    vector is the question; the message and every message whose text is a near-copy of it are
    removed; the best score among the rest is what a memory that does not answer scores
    (leave_one_out.py, the loop shared with zh_calibrate.lexical_bars)."""
    drawn = sample(context_rows, text_rows, limit, np.random.default_rng(seed))
    if drawn is None:
        return DEFAULT_BARS
    best: list[float] = []
    best_answer: list[float] = []
    for held in held_out(matrix, drawn):
        score = np.maximum(held.by_context, held.by_text * text_weight)
        best.append(float(np.where(held.removed, -1.0, score).max()))
        by_text = np.where(held.removed, -1.0, held.by_text)
        if coverage is None or drawn.pooled:
            best_answer.append(float(by_text.max()))
        else:  # the answer side's own score over the closest few replies
            top = np.argpartition(-by_text, 4)[:5] if len(by_text) > 5 else np.arange(len(by_text))
            best_answer.append(max(answer_side(float(by_text[j]), coverage(held.index, int(j))) for j in top))
    values = np.array(best)
    high = float(np.clip(np.quantile(values, HIGH_QUANTILE), *HIGH_BOUNDS))
    low = float(np.clip(np.quantile(values, LOW_QUANTILE), *LOW_BOUNDS))
    answer = np.array(best_answer)
    answer_high = float(np.clip(np.quantile(answer, ANSWER_HIGH_QUANTILE), *ANSWER_HIGH_BOUNDS))
    answer_low = float(np.clip(np.quantile(answer, ANSWER_LOW_QUANTILE), *ANSWER_LOW_BOUNDS))
    return Bars(high=high, low=min(low, high), samples=len(values), answer_high=answer_high,
                answer_low=min(answer_low, answer_high))
