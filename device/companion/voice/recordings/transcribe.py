"""Transcripts with timestamps: what was said, and when in the recording, so a passage can be
played on its own. The project's own faster-whisper model, from the model store (never a hub)."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np

from ...errors import ModelError
from ...persona.bundle.recordings import Segment

logger = logging.getLogger(__name__)

RATE = 16000


class SegmentTranscriber:
    """faster-whisper returning segments (start, end, text) instead of one string."""

    def __init__(self, model_dir: Path, language: str = "en") -> None:
        from faster_whisper import WhisperModel

        if not (model_dir / "tokenizer.json").is_file():
            raise ModelError("Whisper model has no tokenizer.json", where=str(model_dir),
                             hint="run `companion models install`")
        self._model = WhisperModel(str(model_dir), device="cpu", compute_type="int8",
                                   cpu_threads=os.cpu_count() or 2, local_files_only=True)
        self.language = language
        self._lock = threading.Lock()

    def segments(self, audio: np.ndarray) -> list[Segment]:
        """Segments of float32 mono audio at 16 kHz."""
        with self._lock:
            found, _ = self._model.transcribe(np.asarray(audio, dtype=np.float32), language=self.language,
                                              beam_size=1, condition_on_previous_text=False, vad_filter=False)
            return [Segment(float(s.start), float(s.end), " ".join(s.text.split())) for s in found if s.text.strip()]


def load_transcriber(models_dir: Path, name: str, language: str) -> tuple[SegmentTranscriber, str]:
    """The configured Whisper (voice.asr_model), or tiny.en when it is not installed."""
    from ..prepare import asr_model_path

    path, name = asr_model_path(models_dir, name)
    if name.endswith("-en"):
        language = "en"
    return SegmentTranscriber(path, language), name


def passages(segments: list[Segment], *, max_words: int = 40, max_s: float = 25.0) -> list[Segment]:
    """Consecutive segments joined into passages short enough to answer one question each."""
    out: list[Segment] = []
    current: list[Segment] = []
    for segment in segments:
        if current and (sum(len(s.text.split()) for s in current) + len(segment.text.split()) > max_words
                        or segment.end_s - current[0].start_s > max_s):
            out.append(_join(current))
            current = []
        current.append(segment)
    if current:
        out.append(_join(current))
    return out


def _join(parts: list[Segment]) -> Segment:
    return Segment(parts[0].start_s, parts[-1].end_s, " ".join(p.text for p in parts))
