"""microWakeWord (pymicro-wakeword): a bundled TFLite model, ~1 ms of CPU per 80 ms of audio."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from ..errors import ModelError
from ..events import AudioChunk, WakeDetected
from .base import Refractory

logger = logging.getLogger(__name__)


class MicroWakeWordDetector:
    def __init__(self, model_dir: Path, *, threshold: float, refractory_s: float) -> None:
        from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures

        configs = sorted(model_dir.glob("*.json"))
        configs = [c for c in configs if c.name != "INSTALLED.json"]
        if not configs:
            raise ModelError("no wake-word model config (.json)", where=str(model_dir), hint="run `companion models install`")
        config = configs[0]
        try:
            self.name = json.loads(config.read_text(encoding="utf-8"))["wake_word"]
            self._model = MicroWakeWord.from_config(config)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"cannot load the wake-word model: {exc}", where=str(config)) from None
        self._model.probability_cutoff = threshold
        self._features_cls = MicroWakeWordFeatures
        self._features = MicroWakeWordFeatures()
        self._refractory = Refractory(refractory_s)
        self.max_probability = 0.0
        # One TFLite interpreter, shared by every pipeline built on the loaded models: reset()
        # rebuilds it, and two threads doing that at once crashed the process (SIGSEGV).
        self._lock = threading.Lock()

    def process(self, chunk: AudioChunk) -> WakeDetected | None:
        with self._lock:
            return self._process(chunk)

    def _process(self, chunk: AudioChunk) -> WakeDetected | None:
        detected = None
        for features in self._features.process_streaming(chunk.data):
            probability = self._model.process_streaming_prob(features)
            if probability is None:
                continue
            self.max_probability = max(self.max_probability, probability)
            if probability > self._model.probability_cutoff and detected is None:
                if self._refractory.allow(chunk.timestamp):
                    logger.info("wake word %r (p=%.2f)", self.name, probability)
                    detected = WakeDetected(name=self.name, timestamp=chunk.timestamp)
        return detected

    def reset(self) -> None:
        with self._lock:
            self._model.reset()
            self._features = self._features_cls()
            self._refractory.reset()
