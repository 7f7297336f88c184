"""The speech synthesis interface."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class SpeechSynthesizer(Protocol):
    sample_rate: int

    def synthesize(self, sentence: str) -> np.ndarray:
        """Mono int16 audio for one sentence; blocking, call from a worker thread."""
        ...
