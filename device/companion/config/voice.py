"""Settings for voice cloning (`companion voice ...`)."""

from __future__ import annotations

from dataclasses import dataclass

from .check import check


@dataclass(frozen=True)
class VoiceSettings:
    """Voice cloning (`companion voice ...`): what recordings are good enough to train on, and
    whether the device speaks with the clone."""

    speak_with_clone: bool = True
    """Speak the persona's replies with its installed cloned voice (`companion voice verify` puts it
    in the persona); false forces the bundled [tts] voice. Disclosures and crisis answers always
    use [tts] neutral_voice."""

    min_clip_s: float = 1.0
    """Speech segments shorter than this are dropped (too little to learn from)."""
    max_clip_s: float = 15.0
    """Longer segments are split at pauses; what still exceeds this is dropped (Piper trains on short clips)."""
    min_snr_db: float = 15.0
    """Estimated signal-to-noise ratio below which a clip is too noisy to train on."""
    max_clipped_fraction: float = 0.001
    """Fraction of samples at full scale above which a clip counts as clipped (distorted)."""
    min_speaker_similarity: float = 0.75
    """Speaker-embedding cosine to the enrolment clip below which a clip is someone else."""
    target_dbfs: float = -23.0
    """RMS loudness every kept clip is normalised to."""
    enough_minutes: float = 30.0
    """Minutes of kept speech the QC verdict calls enough for fine-tuning from a base checkpoint."""
    verify_threshold: float = 0.80
    """Speaker similarity clone-vs-real needed before `voice verify` installs the voice."""
    asr_model: str = "asr-base"
    """ASR model that transcribes the training clips (asr-base is more accurate than tiny.en)."""

    def validate(self, where: str) -> None:
        check(0.2 <= self.min_clip_s < self.max_clip_s <= 60.0, f"{where}.min_clip_s/max_clip_s",
               "need 0.2 <= min_clip_s < max_clip_s <= 60")
        check(-10.0 <= self.min_snr_db <= 60.0, f"{where}.min_snr_db", "must be in [-10, 60]")
        check(0.0 <= self.max_clipped_fraction <= 0.1, f"{where}.max_clipped_fraction", "must be in [0, 0.1]")
        check(0.0 <= self.min_speaker_similarity <= 1.0, f"{where}.min_speaker_similarity", "must be in [0, 1]")
        check(-40.0 <= self.target_dbfs <= -6.0, f"{where}.target_dbfs", "must be in [-40, -6]")
        check(self.enough_minutes > 0, f"{where}.enough_minutes", "must be > 0")
        check(0.0 <= self.verify_threshold <= 1.0, f"{where}.verify_threshold", "must be in [0, 1]")
        check(bool(self.asr_model.strip()), f"{where}.asr_model", "must name an ASR model")
