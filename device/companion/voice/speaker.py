"""Speaker embeddings (resemblyzer's GE2E encoder, weights shipped in its wheel) and similarity.

Used three times: to keep only the target speaker's clips (similarity to the enrolment clip),
to bind a living person's consent to the data (ETHICS C2), and to verify that a cloned voice
sounds like the person (clone vs held-out real clips, against real-vs-real and impostor
baselines).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np

from ..errors import CompanionError

logger = logging.getLogger(__name__)

ENCODER_RATE = 16000
MIN_SPEECH_S = 0.5
"""Less voiced audio than this gives an unreliable embedding."""


class SpeakerEncoder:
    """One loaded encoder (loading torch costs seconds); thread-safe ``embed``."""

    def __init__(self) -> None:
        try:
            from resemblyzer import VoiceEncoder
        except ImportError as exc:
            raise CompanionError(f"the speaker encoder is not installed ({exc.name})", where="resemblyzer",
                                 hint="install the training extra: pip install -e '.[train]' (see README)") from None
        self._encoder = VoiceEncoder("cpu", verbose=False)
        self._lock = threading.Lock()

    def embed(self, audio: np.ndarray, rate: int) -> np.ndarray | None:
        """L2-normalised embedding of mono float audio, or None when it holds too little speech."""
        from resemblyzer import preprocess_wav

        with self._lock:
            wav = preprocess_wav(np.asarray(audio, dtype=np.float32), source_sr=rate)
            if len(wav) < MIN_SPEECH_S * ENCODER_RATE:
                return None
            emb = self._encoder.embed_utterance(wav)
        norm = float(np.linalg.norm(emb))
        return emb / norm if norm > 0 else None

    def embed_many(self, clips: Sequence[tuple[np.ndarray, int]]) -> np.ndarray | None:
        """The normalised mean embedding of several clips (a speaker profile), or None."""
        embs = [e for e in (self.embed(a, r) for a, r in clips) if e is not None]
        if not embs:
            return None
        mean = np.mean(embs, axis=0)
        return mean / float(np.linalg.norm(mean))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two embeddings (1 = same direction)."""
    denom = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / denom) if denom > 0 else 0.0


def mean_pairwise(a: Sequence[np.ndarray], b: Sequence[np.ndarray], *, same_set: bool = False) -> float | None:
    """Mean cosine over all pairs (skipping i == j when ``same_set``); None without pairs."""
    values = [cosine(x, y) for i, x in enumerate(a) for j, y in enumerate(b) if not (same_set and i == j)]
    return float(np.mean(values)) if values else None
