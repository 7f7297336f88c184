"""faster-whisper on a local CTranslate2 model directory; never touches the network."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np

from ..audio.base import CAPTURE_RATE
from ..audio.convert import int16_to_float, resample
from ..errors import ModelError
from ..events import Transcript

logger = logging.getLogger(__name__)


class FasterWhisperRecognizer:
    def __init__(self, model_dir: Path, *, language: str = "en", beam_size: int = 1, threads: int = 0) -> None:
        from faster_whisper import WhisperModel

        if not (model_dir / "tokenizer.json").is_file():
            # Without tokenizer.json faster-whisper silently reaches for the hub.
            raise ModelError("Whisper model has no tokenizer.json", where=str(model_dir), hint="run `companion models install`")
        try:
            self._model = WhisperModel(
                str(model_dir),
                device="cpu",
                compute_type="int8",
                cpu_threads=threads or (os.cpu_count() or 2),
                local_files_only=True,
            )
        except Exception as exc:  # CTranslate2 raises RuntimeError on a corrupt model.bin
            raise ModelError(f"cannot load the Whisper model: {exc}", where=str(model_dir), hint="run `companion models install`") from None
        self._language = language
        self._beam_size = beam_size
        self._lock = threading.Lock()  # one CTranslate2 model, one call at a time

    def transcribe(self, pcm: np.ndarray, rate: int) -> Transcript:
        if rate != CAPTURE_RATE:
            pcm = resample(pcm, rate, CAPTURE_RATE)
        audio = int16_to_float(pcm)
        with self._lock:
            segments, info = self._model.transcribe(
                audio,
                language=self._language,
                beam_size=self._beam_size,
                # One decoding pass: the temperature fall-back re-decodes hard audio up to five more
                # times by sampling, which makes a turn's latency unbounded and its words random.
                temperature=0.0,
                condition_on_previous_text=False,
                without_timestamps=True,
                vad_filter=False,
            )
            text = " ".join(segment.text.strip() for segment in segments).strip()
        return Transcript(text=text, language=info.language)

    def warm_up(self) -> None:
        """Run once on silence so the first real question does not pay for lazy initialisation."""
        self.transcribe(np.zeros(CAPTURE_RATE // 2, dtype=np.int16), CAPTURE_RATE)
