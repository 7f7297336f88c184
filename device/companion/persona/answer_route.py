"""Answering from the reply's own words, when what was asked of the person is not known.

Most memories are found by their stored question ("What was your first car?" -> the exchange
that answered it). A message with no stored question (a chat line the person started, an
import that lost the question, or `persona eval` hiding it) can only be found by its own words:
question-to-reply similarity. MiniLM was trained on question -> answer pairs, so that cosine
means something, but on a lower scale than question-to-question, and a neighbouring story
scores as high as the answer. So a reply found this way answers only when

- it has no stored question of its own: a reply whose stored question is known answers *that*
  question, and the stored-question route has already judged it ("Are you going fishing this
  weekend?" is not answered by the reply to "I caught my first fish!", however close its words);
- it is the clear best of those (``LEAD`` over the next), above the persona's own noise floor
  (``ReplyBar``: how close the best reply comes to questions the data cannot answer, generated
  from topics absent from the persona's words, never from evaluation questions);
- it holds the kind of answer asked for (answer_type.py: a name, a number or date, a place);
- it speaks to every word of the question that occurs nowhere in the persona's data, in the same
  or other words (synonyms.py): "Have you ever been to Hawaii?" is declined whatever scores best;
- it names every relative asked about and is the person's own parent when theirs was asked.

The same reply also replaces a memory found by a stored question that is only near the question
(not a close paraphrase) when the reply's words are much closer to the question than that memory's
own words (``prefer_reply``, ``SWITCH``): "What was Christmas like at your house?" is not answered
by the reply to "What was Christmas like when you were little?" when the answer itself is there.

English personas only (the word checks are English); the rest keep the stored-question routes.
Measured (tests/bench/eval_retrieval.py, the demo persona, `persona eval`'s hidden questions):
0 right / 3 wrong / 21 declined of 24 -> 4 / 2 / 18; absent and harmless questions unchanged.

A second view checks the choice: the questions each such reply answers, generated from its words
(question_gen.py, generated_index.py). When that view puts the same reply first by AGREE_MARGIN,
a lead of AGREE_LEAD is enough. Tuned on tests/bench/bench_loose.py only (the tuning sets' Walter
questions with every stored question hidden; a letters folder): 16 -> 21 right, 8 -> 8 wrong of 116;
14 -> 18 right, 0 wrong of 35. ``persona eval`` (hidden questions, guarded): 4/2/18 -> 5/3/16 right/wrong/declined.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .answer_type import holds_kind
from .answerable import missing_relative, other_parent
from .lazy import Lazy
from .understand import Understanding, stem

if TYPE_CHECKING:
    from .choose import Catalogue

logger = logging.getLogger(__name__)

LEAD = 0.08
"""How much closer than the next reply without a stored question the chosen one must be."""
AGREE_LEAD = 0.03
"""The lead that is enough when the generated questions (question_gen.py) agree on the reply."""
AGREE_MARGIN = 0.06
"""How much closer the generated questions must put that reply than the next."""
CANDIDATES = 3
"""How many of the closest replies are looked at (the best, and the ones it must lead)."""
FLOOR_QUANTILE = 0.25
"""The noise floor: the share of generated unanswerable questions whose best reply scores below it."""
FLOOR_BOUNDS = (0.30, 0.55)
DEFAULT_FLOOR = 0.45
"""Without enough generated questions (a persona whose words cover every topic below)."""
MIN_GENERATED = 8
SWITCH = 0.05
"""A reply found by its own words replaces a memory found by a neighbouring stored question when its
words are this much closer to the question than that memory's own words (``prefer_reply``)."""
SAMPLE = 20_000
"""At most this many replies (an even spread) are searched when the floor is measured (a big bundle)."""

FILLER = frozenset("""wonder wondered wondering wonders remind reminds again keep keeps thinking curious
i've i'd i'm ive ok okay yeah oh well hey""".split())
"""Words of how a question is put, not what it is about ("I've always wondered: ...", "Remind me, ...")."""

_TOPICS = (
    ("Did you ever go {0}?", "sailing bowling fencing hang-gliding snorkelling skydiving rowing surfing archery"),
    ("Have you ever been to {0}?", "Egypt Brazil Iceland Moscow Peru Vienna Morocco Sydney Bangkok Greece"),
    ("Did you ever play the {0}?", "violin trumpet cello harp saxophone accordion drums flute"),
    ("What was your favourite {0}?", "cartoon sitcom cocktail perfume-brand comic-strip racehorse magazine"),
    ("Did you ever own a {0}?", "parrot tortoise hamster canoe sports-car typewriter telescope"),
    ("Did you ever learn {0}?", "karate Latin Spanish calligraphy ballet origami"),
    ("Did you ever see a {0}?", "volcano tornado glacier whale rhinoceros"),
    ("Did you ever work as a {0}?", "lifeguard waiter postman plumber journalist"),
)
"""(template, topics): questions about a life, generated per persona from the topics its words
never mention, as the decline examples the noise floor is measured on. None of them is an
evaluation question (evalsets.py asks about other topics)."""


def generated_questions(vocabulary: Iterable[str]) -> list[str]:
    """The template questions whose topic word the persona's data never uses (lower-case words)."""
    words = {stem(w) for w in vocabulary}
    found = []
    for template, topics in _TOPICS:
        for topic in topics.split():
            if any(stem(part) in words for part in topic.lower().split("-")):
                continue
            found.append(template.format(topic.replace("-", " ")))
    return found


@dataclass(frozen=True)
class ReplyBar:
    """A persona's noise floor for question-to-reply similarity, from its own data."""

    floor: float
    samples: int = 0

    def to_dict(self) -> dict[str, float]:
        return {"floor": round(self.floor, 4), "samples": self.samples}


def calibrate_floor(best_scores: Sequence[float]) -> ReplyBar:
    """The floor from the best reply's score for each generated unanswerable question."""
    if len(best_scores) < MIN_GENERATED:
        return ReplyBar(DEFAULT_FLOOR, len(best_scores))
    floor = float(np.clip(np.quantile(np.asarray(best_scores, dtype=float), FLOOR_QUANTILE), *FLOOR_BOUNDS))
    return ReplyBar(floor, len(best_scores))


def vocabulary(texts: Iterable[str | None]) -> Iterator[str]:
    """Every word of ``texts`` (None skipped), lower case."""
    for text in texts:
        if text:
            yield from re.findall(r"[A-Za-z][A-Za-z'-]*", text.lower())


def reply_bar(embed: Callable[[Sequence[str]], np.ndarray], matrix: np.ndarray, text_rows: np.ndarray,
              *words: Iterable[str]) -> ReplyBar:
    """Embed the generated questions (one call) and measure how close the best reply comes
    (``matrix[text_rows]``: the replies' unit vectors, an even spread of a big bundle's; ``words``:
    the persona's vocabulary, what was said to them too)."""
    questions = generated_questions(itertools.chain(*words))
    if len(questions) < MIN_GENERATED or not len(text_rows):
        return ReplyBar(DEFAULT_FLOOR, len(questions))
    rows = text_rows if len(text_rows) <= SAMPLE else text_rows[:: -(-len(text_rows) // SAMPLE)]
    vectors = np.asarray(embed(questions), dtype=np.float32)
    best = np.einsum("ij,kj->ik", vectors, matrix[rows]).max(axis=1)
    return calibrate_floor(best.tolist())


class LazyFloor(Lazy[ReplyBar]):
    """A persona's ``ReplyBar``, measured when a question first needs it (a restart embeds nothing
    new; views of the persona share it). Thread-safe; the inputs are read only then."""

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray], matrix: np.ndarray, text_rows: np.ndarray,
                 words: Callable[[], Iterable[str]]) -> None:
        def measure() -> ReplyBar:
            bar = reply_bar(embed, matrix, text_rows, words())
            logger.info("answer route floor %s", bar.to_dict())
            return bar

        super().__init__(measure, "answer route floor")


def unseen_words(words: Sequence[str], seen: Callable[[str], bool]) -> list[str]:
    """The question's content words that occur nowhere in the persona's data (fillers aside)."""
    return [w for w in words if w.isascii() and w.lower() not in FILLER and not seen(stem(w))]


def leads(scores: np.ndarray, candidates: np.ndarray, lead: float = LEAD) -> bool:
    """The first candidate is at least ``lead`` closer than the second (always, when alone)."""
    return len(candidates) < 2 or float(scores[candidates[0]] - scores[candidates[1]]) >= lead


def closest_free(by_text: np.ndarray, free: np.ndarray, most: int = CANDIDATES) -> np.ndarray:
    """The indices of the ``most`` closest replies among those without a stored question, closest first."""
    rows = np.flatnonzero(free)
    if not len(rows):
        return rows
    if len(rows) > most:
        rows = rows[np.argpartition(-by_text[rows], most - 1)[:most]]
    return rows[np.argsort(-by_text[rows], kind="stable")]


def lead_for(best: int, by_questions: np.ndarray | None, free: np.ndarray) -> float:
    """The lead the reply closest by its own words needs: AGREE_LEAD when the generated questions'
    view (``by_questions``) puts the same reply first, by at least AGREE_MARGIN; else LEAD."""
    if by_questions is None:
        return LEAD
    order = closest_free(by_questions, free, 2)
    if len(order) and int(order[0]) == best and by_questions[best] > -1 and leads(by_questions, order, AGREE_MARGIN):
        return AGREE_LEAD
    return LEAD


def clear_reply(by_text: np.ndarray, free: np.ndarray, bar: ReplyBar | None,
                by_questions: np.ndarray | None = None) -> int | None:
    """The reply without a stored question that is the clear best by its own words (above the floor,
    leading the next by ``lead_for``), or None: the only one such a reply may answer through the
    stored-question routes' checks (choose.answering), whose default bars know nothing of it."""
    order = closest_free(by_text, free)
    if bar is None or not len(order):
        return None
    best = int(order[0])
    if float(by_text[best]) < bar.floor or not leads(by_text, order, lead_for(best, by_questions, free)):
        return None
    return best


def answering_by_reply(heard: Understanding, words: Sequence[str], by_text: np.ndarray, free: np.ndarray,
                       catalogue: Catalogue, texts: Sequence[str], bar: ReplyBar, *, kin: Sequence[str] = (),
                       topic: Sequence[str] = (), near_last: np.ndarray | None = None,
                       by_questions: np.ndarray | None = None) -> list[tuple[int, float]]:
    """The reply without a stored question that answers the question by its own words, or none.

    ``words``: the question's content words (what it wants, such as "name", left out); ``free``:
    per message, whether its stored question is unknown; ``kin``: the relatives asked about;
    ``topic``: a follow-up's topic stems, one of which the reply must name (or ``near_last``);
    ``by_questions``: per message, the question's closeness to the questions its words answer
    (generated_index.py): when that view's closest reply is the same, a smaller lead (AGREE_LEAD) is enough."""
    order = closest_free(by_text, free)
    if not len(order):
        return []
    best = int(order[0])
    score = float(by_text[best])
    if score < bar.floor or not leads(by_text, order, lead_for(best, by_questions, free)):
        return []
    text = texts[best]
    stems = catalogue.stems.own(best)
    if topic and not any(s in stems for s in topic) and not (near_last is not None and near_last[best]):
        return []
    if not holds_kind(heard.wants, text, catalogue.names):
        return []
    if missing_relative(kin, catalogue.stems.kin(best)) or other_parent(heard.text, None, text):
        return []
    weights = catalogue.weights
    unseen = unseen_words(words, lambda s: weights.weight(s) < weights.unseen)
    if unseen:
        said = catalogue.stems.words(best, own=True)
        matcher = catalogue.synonyms
        for word in unseen:
            if stem(word) in stems:
                continue
            if matcher is None or not matcher.speaks_to(word, said):
                logger.debug("by reply: %s declined, %r unsaid", best, word)
                return []
    logger.debug("by reply: %s %.3f (floor %.3f)", best, score, bar.floor)
    return [(best, score)]


def prefer_reply(fits: list[tuple[int, float]], found: list[tuple[int, float]], by_text: np.ndarray,
                 switch: float = SWITCH) -> list[tuple[int, float]]:
    """The memories to answer with: ``fits`` (found by stored questions), unless the reply found by
    its own words (``found``) is much closer by words than the first of them. A stored question
    that is merely near the question ("What was Christmas like when you were little?" for "What was
    Christmas like at your house?") brings its own answer, and that answer's words are further
    from the question than the words of the reply that answers it."""
    if not found:
        return fits
    if not fits or float(by_text[found[0][0]]) >= float(by_text[fits[0][0]]) + switch:
        return found + [f for f in fits if f[0] != found[0][0]]
    return fits
