"""The answer bars of a persona searched with the lexical signal (Chinese), from its own data.

answerable.calibrate sets a persona's bars from the sentence embedder's scores alone: each stored
question is asked with its own answer taken out, and the best remaining memory (by construction
one that does not answer it) says how high a non-answer scores. A Chinese persona's search adds
the word overlap (lexical.py) to those scores, so its non-answers score higher than the bars
assume and its answers clear them for the wrong reason; and the rare-word coverage that backs
the low bar for English (answerable.answers) reads Latin words only, so for Chinese the low bar
decides alone. So here the same leave-one-out runs on the score search really uses (embedder +
lexical), and the low bar sits higher in that distribution, where most non-answers fall below it.
The loop itself (which questions, what is taken out) is leave_one_out.py, shared with
answerable.calibrate. Nothing here reads evaluation questions: the quantiles are design constants (chosen on the dev
split of tests/data/retrieval, see calibrate.py there), the bars come from each persona's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .answerable import COVERAGE_WEIGHT, Bars, answer_side
from .leave_one_out import MIN_QUESTIONS as MIN_QUESTIONS  # re-exported: fewer stored questions get the SMALL_ bars
from .leave_one_out import held_out, sample
from .lexical import LexicalSignal, uses_lexical

if TYPE_CHECKING:
    from .choose import Catalogue
    from .folder import PersonaFolder

LOW_QUANTILE = 0.85
"""The low bar: above this share of the best non-answers' scores (the coverage check does not
help in Chinese, so it must do the declining on its own). Smoothed (SMOOTHING), 0.85 keeps the
dev split's answers and declines of 0.80 with fewer wrong memories when the stored question is
hidden (0.20 against 0.24 of 25; 0.90 loses answers: tests/bench/dev_listen.py)."""
HIGH_QUANTILE = 0.95
ANSWER_QUANTILE = 0.90
"""The answer side's bar (a reply found by its own words, what was asked of the person unknown)."""
LOW_BOUNDS = (0.45, 0.80)
HIGH_BOUNDS = (0.60, 1.00)
ANSWER_BOUNDS = (0.45, 0.95)
QUESTIONS = 300
SMALL_LOW = 0.62
SMALL_ANSWER_LOW = 0.66
"""The bars of a persona with too few stored questions to calibrate on (a few exchanges): a little
under those calibrated for the dev persona of tests/data/retrieval (0.66, 0.70), because the
defaults (answerable.DEFAULT_BARS) are for the embedder's score alone and let a garbled question
reach a memory on a word or two."""
SMOOTHING = 0.1
"""The low bar is the mean of the quantiles within this of LOW_QUANTILE: with a few dozen stored
questions a single quantile jumps across the gap between unrelated questions and ones on a
neighbouring topic (0.60 or 0.70 for the dev persona, as one question more or less is hidden)."""


def smooth_quantile(values: np.ndarray, quantile: float, width: float = SMOOTHING) -> float:
    """The mean of ``values``' quantiles from ``quantile`` - ``width`` to ``quantile`` + ``width``."""
    levels = np.clip(np.linspace(quantile - width, quantile + width, 21), 0.0, 1.0)
    return float(np.mean(np.quantile(values, levels)))


def with_lexical(folder: PersonaFolder, catalogue: Catalogue, index: tuple[np.ndarray, np.ndarray, np.ndarray],
                 lexical_weight: float, text_weight: float, floor: float) -> tuple[LexicalSignal | None, Catalogue]:
    """The lexical signal of a persona whose language gets one (Chinese; else None), and its
    catalogue with the bars calibrated on the scores it will be searched with (its Chinese kind
    lines come from conversation.kind_lines)."""
    if not uses_lexical(folder.language):
        return None, catalogue
    contexts = [m.context for m in folder.messages]
    signal = LexicalSignal(contexts, [m.text for m in folder.messages])
    bars = lexical_bars(catalogue.bars, *index, contexts, signal, lexical_weight, text_weight, floor)
    return signal, replace(catalogue, bars=bars)


def lexical_bars(bars: Bars, matrix: np.ndarray, context_rows: np.ndarray, text_rows: np.ndarray,
                 contexts: Sequence[str | None], lexical: LexicalSignal, lexical_weight: float,
                 text_weight: float, floor: float = 0.0, *, seed: int = 0) -> Bars:
    """``bars`` recalibrated on embedder + ``lexical_weight`` x lexical scores (raised to the SMALL_
    bars when the persona has fewer than MIN_QUESTIONS stored questions). ``floor``: the configured
    minimum score, which the low bar never goes under."""
    drawn = sample(context_rows, text_rows, QUESTIONS, np.random.default_rng(seed))
    if drawn is None:
        low = max(bars.low, SMALL_LOW, floor)
        answer_low = max(bars.answer_low, SMALL_ANSWER_LOW)
        return replace(bars, low=low, high=max(bars.high, low), answer_low=answer_low,
                       answer_high=max(bars.answer_high, answer_low))
    has_context = drawn.context_rows >= 0
    best: list[float] = []
    best_answer: list[float] = []
    for held in held_out(matrix, drawn):
        row = int(drawn.rows[held.index])
        lexical_context, lexical_text = (s[drawn.rows] for s in lexical.scores(contexts[row] or ""))
        by_context = np.where(has_context, held.by_context + lexical_weight * lexical_context, -1.0)
        by_text = held.by_text + lexical_weight * lexical_text
        best.append(float(np.where(held.removed, -1.0, np.maximum(by_context, text_weight * by_text)).max()))
        # Chinese questions have no Latin rare words: the answer side's coverage is 1 (choose.py).
        best_answer.append(answer_side(float(np.where(held.removed, -1.0, by_text).max()), 1.0))
    values = np.array(best)
    low = float(np.clip(smooth_quantile(values, LOW_QUANTILE), *LOW_BOUNDS))
    low = max(low, floor)
    high = max(low, float(np.clip(np.quantile(values, HIGH_QUANTILE), *HIGH_BOUNDS)))
    answer_low = float(np.clip(np.quantile(best_answer, ANSWER_QUANTILE), *ANSWER_BOUNDS))
    answer_high = max(answer_low, answer_low + COVERAGE_WEIGHT)
    return replace(bars, high=high, low=low, samples=len(values), answer_high=answer_high, answer_low=answer_low)
