"""Settings for speech recognition and synthesis."""

from __future__ import annotations

from dataclasses import dataclass

from ..remote.link import parse_uri
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
    uri: str = ""
    """A Wyoming speech-recognition server on the home network, e.g. "tcp://192.168.1.20:10300";
    "" = recognise on the device. The local model stays loaded as the fall-back."""
    remote_timeout_s: float = 4.0
    """Time budget for the server's transcript (from connecting); after it the local model transcribes."""

    def validate(self, where: str) -> None:
        check(1 <= self.beam_size <= 10, f"{where}.beam_size", "must be 1-10")
        check(0.1 <= self.remote_timeout_s <= 60.0, f"{where}.remote_timeout_s", "must be 0.1-60 s")
        if self.uri:
            parse_uri(self.uri, f"{where}.uri")
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
    uri: str = ""
    """A Wyoming speech-synthesis server for the persona's replies, e.g. "tcp://192.168.1.20:10200";
    "" = synthesize on the device. Disclosures and crisis answers always use the local neutral voice."""
    remote_voice: str = ""
    """The voice to ask the server for (e.g. the clone's name there); "" = the server's default."""
    remote_timeout_s: float = 3.0
    """Time budget per sentence; after it the local voice speaks that sentence."""

    def validate(self, where: str) -> None:
        check(0.1 <= self.remote_timeout_s <= 60.0, f"{where}.remote_timeout_s", "must be 0.1-60 s")
        if self.uri:
            parse_uri(self.uri, f"{where}.uri")
        check(bool(self.neutral_voice.strip()), f"{where}.neutral_voice", "must name a bundled voice model")
        check(0.5 <= self.length_scale <= 2.0, f"{where}.length_scale", "must be 0.5-2")
        check(0.0 <= self.sentence_pause_s <= 2.0, f"{where}.sentence_pause_s", "must be 0-2 s")
