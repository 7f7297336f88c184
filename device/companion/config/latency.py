"""Settings for answering fast (under a second from the end of a question to the first word back).

Every technique has a switch because `companion bench` measures each one on and off in the same
run, and because an owner may trade a little speed for fewer wasted computations on a slow board.
"""

from __future__ import annotations

from dataclasses import dataclass

from .check import check


@dataclass(frozen=True)
class LatencySettings:
    """The speed techniques; all on by default."""

    pipelined: bool = True
    """Persona, synthesis and playback overlap (reply text streamed into the sentence splitter,
    Piper synthesizing the next sentence while one plays); off is the plain sequential baseline."""
    short_turn_endpointing: bool = True
    """Short questions end after ``short_turn_hangover_s`` of silence instead of vad.hangover_s."""
    short_turn_s: float = 2.5
    """An utterance with less speech than this counts as a short turn."""
    short_turn_hangover_s: float = 0.45
    """The hangover used for short turns."""
    speculative_asr: bool = True
    """Start transcribing once ``speculative_after_s`` of silence follows speech; the endpoint then
    confirms the transcript (or it is redone if the speaker went on)."""
    speculative_after_s: float = 0.18
    """Silence after which the speculative transcription starts."""
    early_first_clause: bool = True
    """Speak the reply's first clause (up to a comma or dash) as soon as it is complete."""
    first_clause_min_words: int = 2
    """A first clause shorter than this waits for the rest of the sentence."""
    filler: bool = True
    """Play a short filler ("Hmm.") in the persona's voice when the answer would start late."""
    filler_after_s: float = 1.1
    """Seconds after the end of the question with no reply audio yet before the filler plays. A
    filler delays the answer by its own length when the answer was nearly ready, so it is kept for
    answers that are really late (the LM engine on a slow board), not the usual turn."""
    lm_prefix_cache: bool = True
    """With the LM engine: the persona prefix (card, style, examples) is read once and kept in the
    KV cache, so a turn reads only its own tokens; off re-reads the whole prompt every turn."""
    prelude_during_asr: bool = True
    """Start the session's earcon while the question is still being transcribed."""
    threads: str = "auto"
    """Thread counts for ASR, TTS and LM: "auto" sizes them for the board's cores (see
    service/threads.py); "all" gives every engine every core (the untuned baseline)."""

    def validate(self, where: str) -> None:
        check(0.5 <= self.short_turn_s <= 10.0, f"{where}.short_turn_s", "must be 0.5-10 s")
        check(0.1 <= self.short_turn_hangover_s <= 3.0, f"{where}.short_turn_hangover_s", "must be 0.1-3 s")
        check(0.05 <= self.speculative_after_s <= 2.0, f"{where}.speculative_after_s", "must be 0.05-2 s")
        check(1 <= self.first_clause_min_words <= 20, f"{where}.first_clause_min_words", "must be 1-20")
        check(0.1 <= self.filler_after_s <= 5.0, f"{where}.filler_after_s", "must be 0.1-5 s")
        check(self.threads in ("auto", "all"), f"{where}.threads", 'must be "auto" or "all"')
