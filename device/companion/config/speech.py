"""Settings for speech recognition and synthesis."""

from __future__ import annotations

from dataclasses import dataclass

from .check import check


@dataclass(frozen=True)
class AsrSettings:
    """Speech recognition (faster-whisper)."""

    model: str = "asr-tiny-en"
    """Model name in the manifest: asr-tiny-en (default, Pi-class) or asr-base (multilingual)."""
    language: str = "en"
    beam_size: int = 1
    threads: int = 0
    """CPU threads for inference; 0 picks the number of cores."""

    def validate(self, where: str) -> None:
        check(1 <= self.beam_size <= 10, f"{where}.beam_size", "must be 1-10")
        check(0 <= self.threads <= 64, f"{where}.threads", "must be 0-64")


@dataclass(frozen=True)
class TtsSettings:
    """Speech synthesis (Piper)."""

    voice: str = "tts-joe-medium"
    """Voice model name in the manifest."""
    length_scale: float = 1.0
    """Speaking rate: above 1 is slower."""
    sentence_pause_s: float = 0.15
    """Silence between sentences."""
    neutral_voice: str = "tts-joe-medium"
    """The bundled, non-cloned voice that speaks disclosures and crisis answers (ETHICS C3, C9)."""

    def validate(self, where: str) -> None:
        check(bool(self.neutral_voice.strip()), f"{where}.neutral_voice", "must name a bundled voice model")
        check(0.5 <= self.length_scale <= 2.0, f"{where}.length_scale", "must be 0.5-2")
        check(0.0 <= self.sentence_pause_s <= 2.0, f"{where}.sentence_pause_s", "must be 0-2 s")
