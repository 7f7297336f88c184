"""How many threads each engine gets, sized for the board's cores.

Each library alone would take every core (ONNX Runtime and CTranslate2 default to the core
count). Alone that is right; but with the pipeline overlapping stages, the language model and
Piper run at the same time, and two engines each spinning every core on a 2- or 4-core board
slow each other down. So the ASR (which runs alone, between the question and the answer) gets
up to four cores, and the LM and Piper share the cores when both run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ThreadPlan:
    asr: int
    tts: int
    lm: int


def plan_threads(mode: str, *, engine: str = "retrieval", cores: int | None = None) -> ThreadPlan:
    """``mode`` "all": every engine every core (the libraries' defaults); "auto": sized per engine."""
    cores = max(1, cores or os.cpu_count() or 2)
    if mode == "all":
        return ThreadPlan(asr=cores, tts=cores, lm=cores)
    asr = min(cores, 4)
    if engine == "retrieval":  # Piper is the only thing working while a reply is spoken
        return ThreadPlan(asr=asr, tts=min(cores, 2), lm=1)
    lm = cores if cores <= 2 else min(4, cores - 1)
    tts = max(1, min(2, cores - lm))
    return ThreadPlan(asr=asr, tts=tts, lm=lm)
