"""The bench's spoken questions: fixed texts, synthesized once with the bundled voice, cached.

The texts are natural questions to the demo persona "Grandpa Walt" (personas/walter), short
and long, each one he has a real memory for, so every turn is a full answer, not a fallback.
The audio is cached by a hash of voice and text, so runs compare the same sound; the true end
of speech is read from the clean synthesized audio, before any noise is added.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..atomicfile import atomic_path
from ..audio.base import CAPTURE_RATE
from ..audio.convert import resample
from ..audio.wavfile import read_wav, write_wav
from ..errors import AudioError
from ..tts.base import SpeechSynthesizer

logger = logging.getLogger(__name__)

QUESTIONS: tuple[str, ...] = (
    "Do you do the crossword?",
    "What did you cook on Sundays?",
    "When you worked as a carpenter, what was the hardest thing you ever had to build?",
    "Do you like winter?",
    "How did you meet grandma?",
    "What kind of wood do you like best?",
    "I'm starting at a new school next week and I'm a little nervous. What advice do you have for me?",
    "What was Christmas like at your house when mom was little?",
)
"""Short and long questions. The first three (--quick) have short answers; with the LM engine the
2nd and 7th match no memory closely enough to be answered verbatim, so the model generates."""

QUICK_COUNT = 3
BENCH_VOICE = "tts-joe-medium"
"""The bundled Piper voice speaks the questions (never a cloned voice: it plays the user)."""

SPEECH_THRESHOLD = 164
"""|sample| above this (-46 dBFS) counts as speech when finding where a question ends; Piper
normalises to full scale, and the bench's background noise stays far below it."""


def speech_end_index(pcm: np.ndarray, threshold: int = SPEECH_THRESHOLD) -> int | None:
    """Index of the last sample louder than ``threshold``: the true end of speech; None if silent."""
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > threshold)
    return int(loud[-1]) if len(loud) else None


@dataclass(frozen=True)
class SpokenQuestion:
    text: str
    pcm: np.ndarray = field(repr=False)
    """Mono int16 at CAPTURE_RATE (16 kHz), as the microphone delivers it."""
    speech_end: int
    """Index in ``pcm`` of the last sample of speech."""

    @property
    def duration(self) -> float:
        return len(self.pcm) / CAPTURE_RATE


def question_texts(quick: bool) -> tuple[str, ...]:
    return QUESTIONS[:QUICK_COUNT] if quick else QUESTIONS


def cache_path(cache_dir: Path, text: str, voice: str = BENCH_VOICE) -> Path:
    key = hashlib.sha256(f"{voice}\n{text}".encode()).hexdigest()[:20]
    return Path(cache_dir) / f"question-{key}.wav"


def spoken_questions(
    texts: Sequence[str], cache_dir: Path, synthesizer: Callable[[], SpeechSynthesizer]
) -> list[SpokenQuestion]:
    """The questions as 16 kHz audio; ``synthesizer`` is called (to load Piper) only on a cache miss."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tts: SpeechSynthesizer | None = None
    spoken = []
    for text in texts:
        path = cache_path(cache_dir, text)
        if not path.is_file():
            tts = tts or synthesizer()
            with atomic_path(path) as tmp:  # a killed run never leaves half a question in the cache
                write_wav(tmp, tts.synthesize(text), tts.sample_rate)
            logger.info("synthesized bench question %s", path.name)
        pcm, rate = read_wav(path)
        pcm = resample(pcm, rate, CAPTURE_RATE)
        end = speech_end_index(pcm)
        if end is None:
            raise AudioError("a bench question is silent", where=str(path),
                             hint="delete the file; the next run synthesizes it again")
        spoken.append(SpokenQuestion(text=text, pcm=pcm, speech_end=end))
    return spoken
