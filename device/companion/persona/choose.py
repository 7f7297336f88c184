"""Choosing a reply: understand what was said -> pick a strategy -> find -> check -> reply or decline.

- News, feelings, greetings, goodbyes, thanks: the person's own messages *of that kind* (their
  congratulations, their comfort, their goodnights), ranked by closeness among those only, so
  "I'm pregnant" gets a congratulation and not a story that shares a word with it.
- Questions about their life (and remarks): the memories that *answer* (answerable.py), else an
  honest in-character "I don't remember".
- Follow-ups: the question with its reference resolved ("How old is it?" -> "How old is your
  truck?"); the answer must speak to that topic.
- Questions about the listener or the conversation: what the listener said, said back
  (conversation.py), never a memory of the person's.
- Nothing of the kind in the data: an in-character line for that kind (card ``kind_replies``,
  else the defaults below, which say nothing about the person's life).

``Catalogue`` is built once per persona (at load, from the index): each message's kind, its word
stems, the persona's word weights, its calibrated bars and its way of addressing the family.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .answerable import (
    COVERAGE,
    COVERAGE_WEIGHT,
    Bars,
    WordWeights,
    answers,
    asked_relatives,
    answers_itself,
    calibrate,
    holds_wanted,
    kin_stems,
    missing_relative,
    proper_nouns,
    stems_of,
    unseen_names,
)
from .answer_route import ReplyBar, answering_by_reply, clear_reply, prefer_reply
from .conversation import address_of
from .synonyms import WordMatcher, meets_unseen
from .meaning import Relate, answering_by_meaning
from .understand import ADVICE_WORDS, Intent, Understanding, clashes, focus_words, stem, time_of_day

logger = logging.getLogger(__name__)

CANDIDATES = 12
"""How many of the closest memories are checked for answerability."""
KIND_TOP = 6
TYPICAL_BONUS = 0.1
"""A message that says its kind outright ("Congratulations!") is preferred over one tied to its occasion."""
REPEAT_WINDOW = 3
REPEAT_MARGIN = 0.08

DEFAULT_KIND_REPLIES: Mapping[str, tuple[str, ...]] = {
    "news": ("Oh, that's wonderful news{tail}! Tell me all about it.",),
    "feeling": ("Oh{tail}, I'm sorry. I'm right here. Tell me about it.",),
    "greeting": ("Hello{tail}! It's good to hear from you.",),
    "farewell": ("Goodbye for now{tail}. Take care of yourself.",),
    "thanks": ("You're very welcome{tail}.",),
    "listener": ("You'll have to remind me{tail}.",),
    "advice": ("I'd have to think about that one{tail}. What does your heart tell you?",),
}
"""Said when the data holds nothing of the kind: pleasantries only, no facts about the person."""
KIND_OF_INTENT = {Intent.NEWS: "news", Intent.FEELING: "feeling", Intent.GREETING: "greeting",
                  Intent.INTRODUCTION: "greeting", Intent.FAREWELL: "farewell", Intent.THANKS: "thanks",
                  Intent.LISTENER_QUESTION: "listener", Intent.ADVICE: "advice"}
KINDS = tuple(DEFAULT_KIND_REPLIES)


KIND_SAMPLE = 8000
"""Messages classified by kind at load (all of a folder; an even spread of a big bundle: ~0.5 ms each)."""
WEIGHT_SAMPLE = 5000
"""Messages the word weights are counted over (rarity is well estimated from a sample)."""


def _spread(n: int, most: int) -> range:
    """Indices 0..n-1, or an even spread of ``most`` of them."""
    return range(n) if n <= most else range(0, n, -(-n // most))


class StemCache:
    """Each message's word stems, worked out when a question first reaches it (not all at load)."""

    def __init__(self, contexts: Sequence[str | None], texts: Sequence[str]) -> None:
        self._contexts, self._texts = contexts, texts
        self._stems: dict[int, frozenset[str]] = {}
        self._own: dict[int, frozenset[str]] = {}
        self._words: dict[int, tuple[str, ...]] = {}
        self._kin: dict[int, frozenset[str]] = {}

    def words(self, index: int, own: bool = False) -> tuple[str, ...]:
        """The message's content words as written (of its own words only with ``own``), for synonyms."""
        key = -1 - index if own else index
        found = self._words.get(key)
        if found is None:
            said = self._texts[index] if own else f"{self._contexts[index] or ''} {self._texts[index]}"
            found = self._words[key] = tuple(dict.fromkeys(w for w in focus_words(said).split() if w.isascii()))
        return found

    def own(self, index: int) -> frozenset[str]:
        """The stems of the message's own words only (not of what was asked of the person)."""
        found = self._own.get(index)
        if found is None:
            found = self._own[index] = frozenset(stems_of(self._texts[index]))
        return found

    def kin(self, index: int) -> frozenset[str]:
        """The stems plus the family words the message names (ways of address too: "grandma")."""
        found = self._kin.get(index)
        if found is None:
            found = self._kin[index] = self[index] | kin_stems(f"{self._contexts[index] or ''} {self._texts[index]}")
        return found

    def said(self, index: int) -> tuple[str | None, str]:
        """(what was asked of the person, their words)."""
        return self._contexts[index], self._texts[index]

    def phrase(self, index: int) -> list[str]:
        """The content words of what was asked of the person (of the message's own words where unknown)."""
        return focus_words(self._contexts[index] or self._texts[index]).split()

    def __getitem__(self, index: int) -> frozenset[str]:
        found = self._stems.get(index)
        if found is None:
            found = self._stems[index] = frozenset(stems_of(f"{self._contexts[index] or ''} {self._texts[index]}"))
        return found


@dataclass(frozen=True)
class Catalogue:
    """What is known about a persona's messages before anything is asked."""

    kinds: np.ndarray
    """Per message: the index into KINDS of the kind of line it answered, -1 for an ordinary answer."""
    typical: np.ndarray
    """Per message: it says its kind outright in its first sentence (understand.is_typical)."""
    stems: StemCache
    weights: WordWeights
    bars: Bars
    address: str
    kind_replies: Mapping[str, tuple[str, ...]]
    names: frozenset[str] = frozenset()
    """Names the persona uses (capitalised mid-sentence), for "what was its name?" questions."""
    occasion: np.ndarray | None = None
    """Per message: how closely its words follow what it answered (0 where that is unknown). A
    reply tied to its occasion ("was it a kick or a header?") fits only that occasion."""
    synonyms: WordMatcher | None = None
    """Single-word meaning (an English persona): a memory may speak to a question's word in other words."""

    def kind_line(self, kind: str, turn: int) -> str:
        lines = self.kind_replies.get(kind) or DEFAULT_KIND_REPLIES[kind]
        tail = f", {self.address}" if self.address else ""
        return lines[turn % len(lines)].replace("{tail}", tail)


def build_catalogue(contexts: Sequence[str | None], texts: Sequence[str], matrix: np.ndarray,
                    context_rows: np.ndarray, text_rows: np.ndarray, text_weight: float, *,
                    address: str | None = None, kind_replies: Mapping[str, tuple[str, ...]] | None = None,
                    greeting: str | None = None, min_score: float = 0.0) -> Catalogue:
    from .understand import is_typical, reply_kind

    kinds = np.full(len(texts), -1, dtype=np.int8)
    typical = np.zeros(len(texts), dtype=bool)
    for i in _spread(len(texts), KIND_SAMPLE):  # a big bundle: its kinds from an even spread of messages
        kind = reply_kind(contexts[i], texts[i])
        if kind is not None:
            kinds[i] = KINDS.index(KIND_OF_INTENT[kind])
            typical[i] = is_typical(kind, texts[i])
    weights = WordWeights(f"{contexts[i] or ''} {texts[i]}" for i in _spread(len(texts), WEIGHT_SAMPLE))
    stems = StemCache(contexts, texts)
    # The answer side is calibrated with the words too: each stored question's share of rare words
    # in a reply that does not answer it (messages outside the even spread have no stems here).
    def coverage(question: int, reply: int) -> float:
        asked = [s for s in dict.fromkeys(stem(w) for w in focus_words(contexts[question] or "").split()) if s.isascii()]
        return weights.coverage(asked, set(stems.own(reply))) if asked else 1.0

    bars = calibrate(matrix, context_rows, text_rows, text_weight, coverage=coverage)
    if min_score > bars.low:  # the configured floor still holds
        bars = replace(bars, high=max(bars.high, min_score), low=min_score)
    replies = dict(kind_replies or {})
    if greeting and "greeting" not in replies:
        replies["greeting"] = (greeting,)
    found = address if address is not None else address_of(texts)
    logger.info("persona catalogue: %s; bars %s; address %r",
                {k: int((kinds == i).sum()) for i, k in enumerate(KINDS)}, bars.to_dict(), found)
    occasion = np.where(context_rows >= 0, np.einsum(
        "ij,ij->i", matrix[text_rows], matrix[np.maximum(context_rows, 0)]), 0.0).astype(np.float32)
    return Catalogue(kinds=kinds, typical=typical, stems=stems, weights=weights, bars=bars, address=found, kind_replies=replies,
                     names=proper_nouns(texts), occasion=occasion)


@dataclass(frozen=True)
class Choice:
    """The chosen message index (None: say ``line`` instead), its score, and why."""

    index: int | None
    score: float
    strategy: str
    line: str | None = None


def by_kind(heard: Understanding, scores: np.ndarray, catalogue: Catalogue, recent: set[str],
            texts: Sequence[str], turn: int, channels: tuple[np.ndarray, np.ndarray] | None = None) -> Choice:
    """The person's own message of the same kind, closest first; else the kind's line.

    ``channels`` (similarity to what each message answered, to its own words): when no message of
    the kind answered a line like this one (news of twins, and they only ever congratulated a
    goal, a licence and a birthday), the message least tied to its own occasion is taken, so the
    twins do not get "was it a kick or a header?"."""
    kind = KIND_OF_INTENT[heard.intent]
    mask = catalogue.kinds == KINDS.index(kind)
    if not mask.any():
        return Choice(None, 0.0, f"{kind}-line", catalogue.kind_line(kind, turn))
    rows = np.flatnonzero(mask)
    if (when := time_of_day(heard.text)) is not None:  # never "Good morning!" to a goodnight (understand.py)
        rows = rows[[not clashes(when, texts[int(i)]) for i in rows]] if len(rows) else rows
    if not len(rows):
        return Choice(None, 0.0, f"{kind}-line", catalogue.kind_line(kind, turn))
    ranked = scores[rows] + TYPICAL_BONUS * catalogue.typical[rows]
    if channels is not None and catalogue.occasion is not None and channels[0][rows].max() < catalogue.bars.low:
        ranked = channels[1][rows] - catalogue.occasion[rows] + TYPICAL_BONUS * catalogue.typical[rows]
    order = rows[np.argsort(-ranked, kind="stable")][:KIND_TOP]
    rank = dict(zip(rows.tolist(), ranked.tolist()))
    best = rank[int(order[0])]
    for index in order:
        if rank[int(index)] < best - REPEAT_MARGIN:
            break
        if _norm(texts[index]) not in recent:
            return Choice(int(index), float(scores[index]), f"{kind}-message")
    return Choice(int(order[0]), float(scores[order[0]]), f"{kind}-message")


WANTED_WORDS = frozenset("name names named called old many much long far big tall year years date age time when".split())


def wants_any_advice(heard: Understanding) -> bool:
    """An advice request with no topic of its own ("Any words of wisdom?"): any of their advice fits."""
    return heard.intent is Intent.ADVICE and not (set(heard.focus.split()) - ADVICE_WORDS)


def answering(heard: Understanding, scores: np.ndarray, catalogue: Catalogue, recent: set[str],
              texts: Sequence[str], near_last: np.ndarray | None = None,
              by_text: np.ndarray | None = None, by_context: np.ndarray | None = None,
              relate: Relate | None = None, reply_bar: ReplyBar | None = None,
              free: np.ndarray | None = None, by_questions: np.ndarray | None = None) -> Choice:
    """The closest memory that answers the question, or a decline (index None).

    ``near_last``: per message, whether it is about the same thing as the memory spoken last
    (a follow-up's answer may name its topic differently: "your dog" and "Biscuit").
    ``by_text``: the question's similarity to each message's own words; when no memory answers
    by what was asked of the person (or that is unknown), the reply that answers by its own
    words is taken (``answers_itself``, on the answer side's own calibrated bars).
    ``by_context``: its similarity to what was asked of the person (-1 where unknown); a memory
    found by its own words instead is not held back by a closer stored question (DOMINANCE).
    ``relate``: when no memory speaks to the question's own words, a strong match whose stored
    question means the same in other words answers (``answers_by_meaning``: natural paraphrases).
    A memory that never names a relative the question asks about never answers (``missing_relative``).
    ``reply_bar`` and ``free`` (per message, its stored question unknown): a reply without a stored
    question may answer by its own words (answer_route.py) when nothing else does, or in place of a
    memory that is not a close paraphrase and whose own words are much further from the question;
    ``by_questions``: per message, the question's closeness to the questions its words answer
    (generated_index.py), the second view that route checks its choice with."""
    top = np.argpartition(-scores, CANDIDATES - 1)[:CANDIDATES] if len(scores) > CANDIDATES else np.arange(len(scores))
    order = top[np.argsort(-scores[top], kind="stable")]
    # A follow-up's topic is checked on its own (below); its coverage is of the words it said itself.
    own = focus_words(heard.text) if heard.follow_up else heard.focus
    asked_for = WANTED_WORDS if heard.wants else frozenset()  # "name", "old": checked by holds_wanted instead
    question = [s for s in dict.fromkeys(stem(w) for w in own.split() if w not in asked_for) if s.isascii()]
    closest = _Closest(catalogue, own.split(), asked_for | TIMELESS)
    topic = [stem(w) for w in (heard.topic or "").split()] if heard.follow_up else []
    topic = [s for s in topic if s in {stem(w) for w in heard.focus.split()}]
    lead = float(scores[order[0]] - scores[order[1]]) if len(order) > 1 else 1.0
    kin = asked_relatives(question, heard.text)
    unseen = unseen_names(heard.text, own.split(), catalogue.weights) if catalogue.synonyms is not None else []
    fits: list[tuple[int, float]] = []
    # A reply without a stored question is judged by the answer route alone (its own calibrated floor).
    alone = free if reply_bar is not None and free is not None and by_text is not None else None
    sure = clear_reply(by_text, alone, reply_bar, by_questions) if alone is not None and by_text is not None else None
    for index in order:
        score = float(scores[index])
        if score < catalogue.bars.low:
            break
        if alone is not None and alone[index] and index != sure:
            continue
        stems = catalogue.stems[index]
        if topic and not any(s in stems for s in topic) and not (near_last is not None and near_last[index]):
            continue  # a follow-up's answer is about what was being talked about
        if missing_relative(kin, catalogue.stems.kin(int(index))):
            continue
        coverage = catalogue.weights.coverage(question, set(stems)) if question else 1.0
        holds = holds_wanted(heard.wants, texts[index], catalogue.names)
        if holds and coverage < COVERAGE and score < catalogue.bars.high and index == order[0] and lead >= RELAX_LEAD:
            coverage = closest.coverage(int(index), stems)  # relaxed for the closest memory only, never past a closer one
        if (not fits and score < catalogue.bars.high and score < float(scores[order[0]]) - DOMINANCE
                and (by_context is None or by_context[index] >= score)):
            continue  # a much closer memory did not answer: this one shares words, not the question
        if answers(score, coverage, holds, catalogue.bars) and meets_unseen(
                unseen, catalogue.stems.words(int(index)), catalogue.synonyms):
            fits.append((int(index), score))
    if not fits and relate is not None and question:
        phrase = [w for w in own.split() if w not in asked_for]
        fits = answering_by_meaning(heard, phrase, order, scores, catalogue, texts, kin, topic, near_last, relate)
    if not fits and by_text is not None and len(by_text):
        fits = _answering_itself(heard, by_text if alone is None else np.where(alone, -1.0, by_text), catalogue, texts,
                                 question, topic, near_last, kin, unseen)
    if reply_bar is not None and free is not None and by_text is not None and (not fits or fits[0][1] < catalogue.bars.high):
        words = [w for w in own.split() if w not in asked_for and w not in TIMELESS]
        fits = prefer_reply(fits, answering_by_reply(heard, words, by_text, free, catalogue, texts, reply_bar, kin=kin,
                                                     topic=topic, near_last=near_last, by_questions=by_questions),
                             by_text)
    if not fits:
        best = float(scores[order[0]]) if len(order) else 0.0
        return Choice(None, best, "decline")
    best_index, best_score = fits[0]
    for index, score in fits:
        if score < best_score - REPEAT_MARGIN:
            break
        if _norm(texts[index]) not in recent:
            return Choice(index, score, "answer")
    return Choice(best_index, best_score, "answer")


DOMINANCE = 0.05
"""When the closest memory does not answer, one this much less close is not taken for sharing a
word with the question ("What job did you have as a teenager?" is not answered by "What was mom
like as a teenager?"). Set on the dev questions (tests/bench/listen_dev.py): 0.05 and 0.10 took
out the same wrong memories there and lost no right one."""
RELAX_LEAD = 0.10
"""The closest memory's word check is relaxed (``_Closest``) only when it is this much closer than
the next: the question points at one memory. On the dev questions every relaxed answer led by
0.12 or more; a memory that merely tops a crowd of neighbours is checked by its shared words."""
TIMELESS = frozenset("now nowadays currently moment today tonight lately recently back then days anymore".split())
"""When-words of a question that no memory has to repeat to answer it ("How old are you now?",
"What was your job back then?"): they are not what the question is about."""


ANSWER_CANDIDATES = 3
"""How many of the replies closest by their own words are checked on the answer side."""


def _answering_itself(heard: Understanding, by_text: np.ndarray, catalogue: Catalogue, texts: Sequence[str],
                      question: list[str], topic: list[str], near_last: np.ndarray | None,
                      kin: Sequence[str] = (), unseen: Sequence[str] = ()) -> list[tuple[int, float]]:
    top = (np.argpartition(-by_text, ANSWER_CANDIDATES - 1)[:ANSWER_CANDIDATES] if len(by_text) > ANSWER_CANDIDATES
           else np.arange(len(by_text)))
    fits: list[tuple[int, float]] = []
    for index in top[np.argsort(-by_text[top], kind="stable")]:
        score = float(by_text[index])
        if score + COVERAGE_WEIGHT < catalogue.bars.answer_low:
            break
        stems = catalogue.stems.own(int(index))
        if topic and not any(s in stems for s in topic) and not (near_last is not None and near_last[index]):
            continue
        if missing_relative(kin, catalogue.stems.kin(int(index))):
            continue
        coverage = catalogue.weights.coverage(question, set(stems)) if question else 1.0
        holds = holds_wanted(heard.wants, texts[index], catalogue.names)
        logger.debug("answer side: %s %.3f coverage %.2f", index, score, coverage)
        if answers_itself(score, coverage, holds, catalogue.bars) and meets_unseen(
                unseen, catalogue.stems.words(int(index), own=True), catalogue.synonyms):
            fits.append((int(index), score))
    return fits


class _Closest:
    """The closest memory's coverage of a question, relaxed two ways: the question's when-words
    (TIMELESS) need not be repeated, and a word the memory says in other words counts (synonyms.py,
    an English persona). Only the closest memory gets this, so a relaxed check never takes a memory
    past a closer one (on the dev questions every answer it gained was the closest memory)."""

    def __init__(self, catalogue: Catalogue, words: list[str], left_out: frozenset[str]) -> None:
        kept = [w for w in words if w not in left_out and w.isascii()]
        self._catalogue = catalogue
        self._spelled = {stem(w): w for w in reversed(kept)}
        self._question = list(dict.fromkeys(stem(w) for w in kept))

    def coverage(self, index: int, stems: frozenset[str]) -> float:
        if not self._question:
            return 1.0
        matcher = self._catalogue.synonyms
        if matcher is None:
            return self._catalogue.weights.coverage(self._question, stems)
        words = self._catalogue.stems.words(index)

        def says(question_stem: str) -> bool:
            return matcher.speaks_to(self._spelled[question_stem], words)

        return self._catalogue.weights.coverage(self._question, stems, says)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()
