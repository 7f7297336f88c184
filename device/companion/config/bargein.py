"""Settings for barge-in: speaking over the device's reply stops it and becomes the next question."""

from __future__ import annotations

from dataclasses import dataclass

from .check import check

CANCELLERS = ("webrtc", "nlms", "none")


@dataclass(frozen=True)
class BargeInSettings:
    """Listening while the device speaks (``[barge_in]``)."""

    enabled: bool = True
    """Listen for the user's voice over the reply. Takes effect only with an echo canceller (or
    ``headset``): without one the microphone hears the speaker and the device would interrupt itself."""
    canceller: str = "nlms"
    """"nlms": the built-in echo canceller (delay search + adaptive filter on what the device
    plays); "webrtc": WebRTC's AEC3 (the ``pywebrtc-audio`` package; the built-in one, with a log
    line, when it is not installed): far more echo removed (``tests/bench/bench_aec.py``) but it
    interrupted itself on the live PulseAudio rig, so not the default yet (see the README);
    "none": no cancellation, so the microphone is gated while the device speaks (button only)."""
    headset: bool = False
    """The microphone cannot hear the speaker (headphones): listen over the reply without a canceller."""
    min_speech_s: float = 0.3
    """Speech over the reply needed before it counts as an interruption."""
    echo_margin_db: float = 8.0
    """How far above the leftover echo the residual must be to count as the user's voice."""
    max_echo_delay_s: float = 0.5
    """Longest delay from writing a sample to hearing it in the microphone that is searched for."""
    filter_s: float = 0.128
    """Length of the echo path the adaptive filter models after that delay (room reverberation)."""

    @property
    def active(self) -> bool:
        """Whether speech over the reply is listened for at all."""
        return self.enabled and (self.canceller != "none" or self.headset)

    def validate(self, where: str) -> None:
        check(self.canceller in CANCELLERS, f"{where}.canceller", 'must be "webrtc", "nlms" or "none"')
        check(0.1 <= self.min_speech_s <= 2.0, f"{where}.min_speech_s", "must be 0.1-2 s")
        check(0.0 <= self.echo_margin_db <= 30.0, f"{where}.echo_margin_db", "must be 0-30 dB")
        check(0.05 <= self.max_echo_delay_s <= 1.0, f"{where}.max_echo_delay_s", "must be 0.05-1 s")
        check(0.02 <= self.filter_s <= 0.5, f"{where}.filter_s", "must be 0.02-0.5 s")
