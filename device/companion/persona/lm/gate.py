"""Before generating: can generation help this turn? (No seconds spent on text that will be dropped.)

The LM engine only ever speaks generated sentences that pass the fact check (facts.py); when none
does, the retrieval engine's answer is said instead, after seconds of decoding. So the engine
asks first, from signals it can measure, and speaks retrieval's reply at once when:

- ``direct``: retrieval's answerability-checked memory is a close paraphrase's answer (its score
  clears the persona's calibrated "close" bar): the person's own words already answer;
- ``detail``: the question wants a detail (a name, a number, a time, a place, a colour, how often)
  and retrieval's memory holds it: a rephrasing can only lose or garble the fact;
- ``pass-rate``: this model's measured pass rate on this persona (attempts whose generated text
  was at least partly spoken) is below ``min_pass_rate`` after ``probes`` attempts. The record
  starts from what `persona eval` measured for this model (recorded with its choice, loader.py)
  and is updated by every attempt of this run.

Otherwise the model generates. The record counts seconds too, so a benchmark can report the
seconds of generation that were dropped.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ..understand import Understanding

DETAIL_WANTS = frozenset({"name", "number", "time", "place", "colour", "often"})


@dataclass(frozen=True)
class GateOptions:
    min_pass_rate: float = 0.5
    """Below this measured share of attempts with a spoken generated sentence, the model steps aside."""
    probes: int = 3
    """Attempts (the recorded ones from `persona eval` count) before the measured rate decides."""


@dataclass
class PassRecord:
    """Generation attempts of one model on one persona: how many had a sentence spoken, and seconds."""

    attempts: int = 0
    passed: int = 0
    generated_s: float = 0.0
    dropped_s: float = 0.0
    """Seconds spent generating text of which nothing was spoken."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, spoken: bool, seconds: float) -> None:
        with self._lock:
            self.attempts += 1
            self.passed += bool(spoken)
            self.generated_s += seconds
            if not spoken:
                self.dropped_s += seconds

    def rate(self) -> float | None:
        """The measured pass rate, None before any attempt."""
        return self.passed / self.attempts if self.attempts else None

    def to_dict(self) -> dict[str, Any]:
        return {"attempts": self.attempts, "passed": self.passed, "generated_s": round(self.generated_s, 2),
                "dropped_s": round(self.dropped_s, 2)}

    @classmethod
    def from_dict(cls, data: object) -> PassRecord:
        """A record read back from `persona eval`'s report; an empty one for anything malformed."""
        if not isinstance(data, dict):
            return cls()
        try:
            attempts, passed = int(data.get("attempts", 0)), int(data.get("passed", 0))
        except (TypeError, ValueError):
            return cls()
        if attempts < 0 or not 0 <= passed <= attempts:
            return cls()
        return cls(attempts=attempts, passed=passed)


def step_aside(heard: Understanding, answer_score: float | None, answer_holds: bool, close_bar: float | None,
               record: PassRecord, options: GateOptions) -> str | None:
    """Why generation cannot help this turn ("direct", "detail", "pass-rate"), or None: generate.

    ``answer_score``: the score of retrieval's checked memory (None when it did not answer);
    ``answer_holds``: that memory holds the detail the question wants; ``close_bar``: the
    persona's calibrated score of a close paraphrase (None when unknown)."""
    if answer_score is not None:
        if close_bar is not None and answer_score >= close_bar:
            return "direct"
        if heard.wants in DETAIL_WANTS and answer_holds:
            return "detail"
    rate = record.rate()
    if record.attempts >= options.probes and rate is not None and rate < options.min_pass_rate:
        return "pass-rate"
    return None
