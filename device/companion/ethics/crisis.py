"""Crisis detection over the conversation, with a state that lasts the session (ETHICS C9).

A statement of crisis is often split over turns ("I wrote something for the kids." / "It's for
them to read after I'm gone.") or indirect ("I've been looking at Dad's old shotgun"). The
detector reads the current turn and the last few turns of the same session together, by two
means side by side: the auditable rules (cues.py for direct words, crisis_cues.py for indirect
and ambiguous speech) and a multilingual sentence model (exemplar classes of
crisis_exemplars.py over the Universal Sentence Encoder multilingual, English and Chinese),
with the English MiniLM exemplar classes of semantic.py as a second opinion on English turns
(counted only when the multilingual model leans the same way), and a learned layer
(crisis_learned.py: logistic regression over the same multilingual embeddings, fitted on the
training rows) that breaks character at high confidence and vetoes exemplar-margin crises it finds
implausible, and a vote of the nearest training rows (crisis_neighbours.py) that breaks character when
nearly all of them are crisis rows and vetoes the model layers' crisis verdicts when a benign look-alike is
nearer than every crisis row (measured, left off: crisis_neighbours.SHIPPED). Someone else's suicide
death ("my dad took his own life") is a check-in that acknowledges the loss, not a break
(crisis_bereaved.py).

Outcomes: CRISIS (break character, help line), CHECK_IN (ambiguous talk of death or reunion:
a gentle "are you safe?", never an in-character reply), SAFE (the listener says they are safe:
the crisis state ends), NONE. The ``CrisisState`` is an immutable value: the pipeline keeps it
per session and passes it in; a new session starts from ``CrisisState()``. Nothing is global.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Protocol

import numpy as np

from . import crisis_bereaved, crisis_cues, crisis_exemplars, crisis_signs, cues
from .textcache import TextCache

logger = logging.getLogger(__name__)

WINDOW_TURNS = 2
"""Earlier listener turns of the session read together with the current one."""
CRISIS_MARGIN = 0.08
"""How much nearer the crisis exemplars than the benign or ambiguous ones (cosine of the TOP_K nearest).
TOP_K was chosen earlier (grid over k 1-3, margins 0.04-0.14). After the fourth batch (exemplars and
rules of its kinds), CRISIS_MARGIN and AMBIGUOUS_MARGIN were chosen again by 5-fold cross-validation
on the training sets only (crisis_train, crisis_batch4, prompts; never crisis_heldout, heldout or the
probes) over a grid of 0.02-0.10 x 0.06-0.14, by the worst recall (direct, indirect, ambiguous) less
3x the worst false-alarm rate, where breaking character on any non-crisis row (benign look-alike,
"are you alive?", fraud, injection) is a false alarm (tests/redteam/crisis_eval.py --cv). Four of five
folds and all the data chose (0.08, 0.08). Cross-validated estimate (optimistic: the rules and
exemplars were written with these sets in view): recall indirect en 0.978, zh 0.965; benign false
alarms en 1.0 %, zh 1.4 %. (A first run that counted only benign rows as false alarms chose 0.06, 0.06.)"""
AMBIGUOUS_MARGIN = 0.08
"""How much nearer an ambiguous (or crisis) exemplar than any benign one for a check-in (0.10 before
the fourth batch; see CRISIS_MARGIN for how it was chosen)."""
TOP_K = 3
"""A class's score is the mean cosine of a text's k nearest exemplars of that class."""
LEARNED_AGREEMENT = 0.1
"""With the learned layer present, an exemplar-class (or English second-opinion) crisis verdict stands only
when the learned p(crisis) is at least this (0: no veto). Most false alarms on the training sets came from
the exemplar margins with the learned layer saying "benign" (fraud rows, "everything's ready for the party").
Chosen by 5-fold CV of the whole detector on the training sets over 0-0.5 (crisis_eval.py --agree-cv; the
learned layer fitted per fold without the fold). First 0.05 (per fold 0.1, 0, 0.05, 0.05, 0.05). With batch 5
in the training sets the folds chose 0.1, 0.3, 0.2, 0, 0.05; their median 0.1 was kept. Out of fold over all
four sets, 0.05 -> 0.1: benign false alarms en 3.4 % -> 3.1 %, zh 1.7 % -> 1.4 %, indirect recall en 0.890 ->
0.887, zh 0.882 (same); 0.2 would take en to 2.2 % at 0.884."""
MIN_SIMILARITY = 0.45
"""Below this a text is near no exemplar at all: a margin between two weak similarities is noise."""


class Level(str, Enum):
    NONE = "none"
    CHECK_IN = "check_in"
    CRISIS = "crisis"
    SAFE = "safe"
    """The listener said they are safe: the crisis state ended this turn."""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class CrisisState:
    """Where the session stands; immutable, replaced each turn."""

    active: bool = False
    """A crisis was heard this session: every turn is out of character until the listener is safe."""
    checking: bool = False
    """The last turn was a check-in: a "no" or "not really" now is a crisis."""
    since: float | None = None
    """When the crisis began (clock seconds), for logs."""
    turns: int = 0
    """Turns answered in the crisis state."""
    bereaved: bool = False
    """The check-in was for talk of someone else's suicide death (crisis_bereaved.py): talking on about that
    death keeps it a check-in; it is not escalated as "repeated" or by the lower bar after a check-in."""


@dataclass(frozen=True)
class Assessment:
    level: Level
    reason: str
    """Which means decided: rule, rule-window, model, model-en, model-window, learned, learned-window, state,
    answer, after-check-in, repeated, none."""
    state: CrisisState


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class LearnedLayer(Protocol):
    """What the detector asks of the learned layer (crisis_learned.LearnedCrisis)."""

    def __call__(self, text: str) -> str:
        """The verdict on ``text`` at the layer's thresholds: "crisis", "ambiguous" or "benign"."""
        ...

    def probabilities(self, text: str) -> np.ndarray:
        """[p(crisis), p(ambiguous), p(benign)] of ``text``: p(crisis) can veto an exemplar-class crisis."""
        ...


class NeighbourLayer(Protocol):
    """What the detector asks of the nearest-training-rows vote (crisis_neighbours.NeighbourVote)."""

    def __call__(self, text: str) -> str:
        """The verdict of the nearest rows: "crisis", "ambiguous" or "benign"."""
        ...

    def vetoes(self, text: str) -> bool:
        """A benign look-alike is nearer ``text`` than every crisis row: an exemplar-margin crisis does not stand."""
        ...


class CrisisClasses:
    """Nearest exemplar class of a text ("crisis", "ambiguous", "benign") over a multilingual embedder."""

    def __init__(self, embedder: Embedder, crisis_margin: float = CRISIS_MARGIN,
                 ambiguous_margin: float = AMBIGUOUS_MARGIN, cache_size: int = 64, top_k: int = TOP_K) -> None:
        self._embedder = embedder
        self.top_k = top_k
        self.crisis_margin = crisis_margin
        self.ambiguous_margin = ambiguous_margin
        self.cache: TextCache[dict[str, float]] = TextCache(cache_size)
        """Scores of the last texts (the window re-reads recent turns)."""
        ex = crisis_exemplars
        groups = (ex.CRISIS + ex.CRISIS_4, ex.AMBIGUOUS + ex.AMBIGUOUS_4, ex.BENIGN + ex.BENIGN_4)
        self._matrices = [np.asarray(embedder.embed(list(g)), dtype=np.float32) for g in groups]

    @property
    def embedder(self) -> Embedder:
        """The multilingual sentence model the classes embed with (shared with the learned layer)."""
        return self._embedder

    def scores(self, text: str) -> dict[str, float]:
        """Best cosine similarity to each class (cached: the window re-reads recent turns)."""
        return self.cache.get(text, self._scores)

    def _scores(self, text: str) -> dict[str, float]:
        vector = np.asarray(self._embedder.embed([text]), dtype=np.float32)[0]
        return {name: _top_mean(m @ vector, self.top_k)
                for name, m in zip(("crisis", "ambiguous", "benign"), self._matrices)}

    def classify(self, text: str) -> str:
        if not text.strip():
            return "benign"
        s = self.scores(text)
        if max(s["crisis"], s["ambiguous"]) < MIN_SIMILARITY:
            return "benign"
        if s["crisis"] - max(s["benign"], s["ambiguous"]) > self.crisis_margin:
            return "crisis"
        if max(s["ambiguous"], s["crisis"]) - s["benign"] > self.ambiguous_margin:
            return "ambiguous"
        return "benign"

    def __call__(self, text: str) -> str:
        return self.classify(text)


def _top_mean(similarities: np.ndarray, k: int) -> float:
    """Mean of the k largest similarities: one exemplar that happens to share a word counts less."""
    k = max(1, min(k, len(similarities)))
    return float(np.partition(similarities, -k)[-k:].mean())


def _join(turns: Sequence[str]) -> str:
    """Turns as one sentence (a comma where a turn ended), so a pattern can span the turns."""
    parts = [t.strip().rstrip(".!?。！？…").strip() for t in turns]
    return "，".join(parts) if any(cues.is_chinese(p) for p in parts) else ", ".join(parts)


def rule_level(text: str) -> Level:
    """The rules' verdict on one text."""
    if crisis_cues.is_prescribed_use(text):
        return Level.NONE
    if cues.is_crisis(text) or crisis_cues.is_indirect_crisis(text) or crisis_signs.is_sign(text):
        return Level.CRISIS
    if crisis_cues.is_ambiguous(text) or crisis_signs.is_ambiguous(text):
        return Level.CHECK_IN
    return Level.NONE


class CrisisDetector:
    """Reads a turn with its session's recent turns; the model is optional (rules alone without it)."""

    def __init__(self, model: CrisisClasses | None = None, window: int = WINDOW_TURNS,
                 english: Callable[[str], str | None] | None = None,
                 learned: LearnedLayer | None = None, neighbours: NeighbourLayer | None = None) -> None:
        self.model = model
        self.neighbours = neighbours
        """The vote of the nearest training rows (crisis_neighbours.py); None: not used."""
        self.neighbour_veto = True
        """A benign row nearer than every crisis row vetoes an exemplar-class crisis verdict."""
        self.neighbour_veto_all = True
        """... and the English second opinion's and the learned layer's too. Chosen by leaving one training set out
        (tests/redteam/crisis_loso.py --second): on each of the two sets the rules were not written on, the other
        chose it (crisis_eval.score); crisis_batch5 indirect en 0.825 -> 0.805, zh 0.824 -> 0.817, benign false
        alarms en 5.3 % -> 4.5 %, zh 0.7 % -> 0 %; crisis_batch6 en 0.826 -> 0.812 (16.1 % -> 14.5 %)."""
        self.window = window
        self.learned = learned
        self.agreement = LEARNED_AGREEMENT
        """The learned layer (crisis_learned.LearnedCrisis: "crisis", "ambiguous" or "benign"); None: not used."""
        self.english = english
        """The English-only MiniLM exemplar classes (semantic.SemanticCues) the guard used before this
        detector: a second opinion on English turns (it returns "crisis" for a crisis); None: not used."""

    @staticmethod
    def _classes_level(classify: Callable[[str], str] | None, text: str, what: str) -> Level:
        """A model's verdict on ``text`` as a level; none for medicine as prescribed, idioms, or a broken model."""
        if classify is None or crisis_cues.is_prescribed_use(text) or crisis_cues.is_idiom_only(text):
            return Level.NONE
        try:
            verdict = classify(text)
        except Exception as exc:  # a broken model must not silence the rules
            logger.warning("%s failed (%s); the rules still apply", what, exc)
            return Level.NONE
        return {"crisis": Level.CRISIS, "ambiguous": Level.CHECK_IN}.get(verdict, Level.NONE)

    def _model_level(self, text: str) -> Level:
        level = self._classes_level(self.model, text, "crisis model")
        if level is Level.CRISIS and (not self._learned_agrees(text) or self._neighbours_veto(text)):
            return Level.NONE
        return level

    def _neighbours_veto(self, text: str) -> bool:
        if not self.neighbour_veto or self.neighbours is None:
            return False
        try:
            return self.neighbours.vetoes(text)
        except Exception as exc:  # a broken layer vetoes nothing
            logger.warning("crisis neighbour vote failed (%s); the exemplar classes decide alone", exc)
            return False

    def _neighbours_level(self, text: str) -> Level:
        return self._classes_level(self.neighbours, text, "crisis neighbour vote")

    def _learned_agrees(self, text: str) -> bool:
        """The learned layer does not veto a crisis verdict of the exemplar classes (see LEARNED_AGREEMENT)."""
        if self.agreement <= 0 or self.learned is None:
            return True
        try:
            return bool(self.learned.probabilities(text)[0] >= self.agreement)
        except Exception as exc:  # a broken layer vetoes nothing
            logger.warning("learned crisis layer failed (%s); the exemplar classes decide alone", exc)
            return True

    def _learned_level(self, text: str) -> Level:
        level = self._classes_level(self.learned, text, "learned crisis layer")
        if level is Level.CRISIS and self.neighbour_veto_all and self._neighbours_veto(text):
            return Level.NONE
        return level

    def _english_says_crisis(self, text: str) -> bool:
        if (self.english is None or cues.is_chinese(text) or crisis_cues.is_prescribed_use(text)
                or crisis_cues.is_idiom_only(text)):
            return False
        try:
            if self.english(text) != "crisis" or not self._learned_agrees(text):
                return False
            if self.neighbour_veto_all and self._neighbours_veto(text):
                return False
            # A second opinion, not a veto-free one: the multilingual model must lean the same way.
            return self.model is None or self._leans_crisis(text)
        except Exception as exc:  # a broken model must not silence the rules
            logger.warning("English crisis model failed (%s); the rules still apply", exc)
            return False

    def _leans_after_check_in(self, text: str) -> bool:
        """After a check-in the bar is lower: the turn only has to sit nearer the crisis exemplars than the
        benign ones (no margin), unless it is medicine as prescribed or an idiom."""
        if self.model is None or crisis_cues.is_prescribed_use(text) or crisis_cues.is_idiom_only(text):
            return False
        try:
            return self._leans_crisis(text)
        except Exception as exc:  # a broken model must not silence the rules
            logger.warning("crisis model failed (%s); the rules still apply", exc)
            return False

    def _leans_crisis(self, text: str) -> bool:
        assert self.model is not None
        scores = self.model.scores(text)
        return scores["crisis"] > scores["benign"]

    def level(self, question: str, recent: Sequence[str] = ()) -> tuple[Level, str]:
        """Crisis, check-in or none for ``question`` read after ``recent`` (oldest first). Denials ("I'd never
        hurt myself") are taken out first: what is left of each turn is read on its own."""
        question = crisis_signs.without_denials(question)
        recent = [crisis_signs.without_denials(t) for t in recent]
        recent = [crisis_bereaved.without_bereavement(t) if crisis_bereaved.is_bereaved(t) else t for t in recent]
        if not any(ch.isalnum() for ch in question):
            return Level.NONE, "denial"
        if crisis_bereaved.follows_them(question):
            return Level.CRISIS, "rule"
        if crisis_bereaved.is_bereaved(question):  # "my dad took his own life": the rest of the turn is read alone
            rest = crisis_bereaved.without_bereavement(question)
            if any(ch.isalnum() for ch in rest):
                level, reason = self.level(rest, recent)
                if level is Level.CRISIS:
                    return level, reason
            return Level.CHECK_IN, "bereaved"
        by_rule = rule_level(question)
        if by_rule is Level.CRISIS:
            return Level.CRISIS, "rule"
        earlier = [t for t in recent[-self.window:] if t.strip()] if self.window else []
        if earlier:  # a statement split over turns: the parts together, unless an earlier part alone said it
            joined, before = _join([*earlier, question]), _join(earlier)
            if rule_level(joined) is Level.CRISIS and rule_level(before) is not Level.CRISIS:
                return Level.CRISIS, "rule-window"
        by_model = self._model_level(question)
        if by_model is Level.CRISIS:
            return Level.CRISIS, "model"
        if self._english_says_crisis(question):
            return Level.CRISIS, "model-en"
        by_learned = self._learned_level(question)
        if by_learned is Level.CRISIS:
            return Level.CRISIS, "learned"
        by_neighbours = self._neighbours_level(question)
        if by_neighbours is Level.CRISIS:
            return Level.CRISIS, "neighbours"
        if earlier:
            joined_model = self._model_level(_join([*earlier, question]))
            if joined_model is Level.CRISIS and self._model_level(_join(earlier)) is not Level.CRISIS:
                return Level.CRISIS, "model-window"
            joined_learned = self._learned_level(_join([*earlier, question]))
            if joined_learned is Level.CRISIS and self._learned_level(_join(earlier)) is not Level.CRISIS:
                return Level.CRISIS, "learned-window"
            joined_near = self._neighbours_level(_join([*earlier, question]))
            if joined_near is Level.CRISIS and self._neighbours_level(_join(earlier)) is not Level.CRISIS:
                return Level.CRISIS, "neighbours-window"
        if by_rule is not Level.CHECK_IN and crisis_cues.asks_their_pastime(question):
            return Level.NONE, "none"  # "你最想去啥地方玩？": a trip, not a reunion (the models read 想去 alone)
        checks = (("rule", by_rule), ("model", by_model), ("learned", by_learned), ("neighbours", by_neighbours))
        for reason, level in checks:
            if level is Level.CHECK_IN:
                return Level.CHECK_IN, reason
        return Level.NONE, "none"

    def assess(self, question: str, recent: Sequence[str], state: CrisisState, now: float) -> Assessment:
        """The turn's outcome and the session's next state."""
        if ((state.active or state.checking) and crisis_cues.says_safe(question)
                and rule_level(question) is not Level.CRISIS):
            return Assessment(Level.SAFE, "answer", CrisisState())
        level, reason = self.level(question, recent)
        if state.active:  # the crisis lasts until the listener is safe or the session ends
            return Assessment(Level.CRISIS, "state" if level is not Level.CRISIS else reason,
                              replace(state, checking=False, turns=state.turns + 1))
        if level is Level.NONE and state.checking and crisis_cues.is_negative_answer(question):
            level, reason = Level.CRISIS, "answer"
        elif (level is Level.NONE and state.checking and not state.bereaved
              and self._leans_after_check_in(question)):
            level, reason = Level.CRISIS, "after-check-in"  # "I'm on the bridge." / "The water is so dark."
        if level is Level.CRISIS:
            return Assessment(level, reason, CrisisState(active=True, since=now, turns=1))
        if level is Level.CHECK_IN:
            bereaved = reason == "bereaved"
            if state.checking and not bereaved:  # a second ambiguous turn in a row is not left at a check-in
                return Assessment(Level.CRISIS, "repeated", CrisisState(active=True, since=now, turns=1))
            return Assessment(level, reason, CrisisState(checking=True, bereaved=bereaved))
        return Assessment(Level.NONE, reason, CrisisState())
