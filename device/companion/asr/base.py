"""The speech recognition interface."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..events import Transcript


class SpeechRecognizer(Protocol):
    def transcribe(self, pcm: np.ndarray, rate: int) -> Transcript:
        """Transcribe mono int16 audio; blocking, call from a worker thread."""
        ...
