"""The voice activity interface: is this frame speech?"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class VoiceActivityDetector(Protocol):
    frame_samples: int
    """Samples per frame the detector takes (at 16 kHz)."""

    def is_speech(self, frame: np.ndarray) -> bool:
        """Whether this mono int16 frame of ``frame_samples`` holds speech."""
        ...
