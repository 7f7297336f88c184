"""Settings for the microphone, speaker, wake word, button and endpointing."""

from __future__ import annotations

from dataclasses import dataclass

from .check import check


@dataclass(frozen=True)
class AudioSettings:
    """Microphone and speaker."""

    input_device: str = ""
    """sounddevice input device: "" for the system default, a name substring, or an index."""
    output_device: str = ""
    """sounddevice output device, as for input_device."""
    block_ms: int = 30
    """Capture block length; 10, 20 or 30 ms (the VAD works on such frames)."""
    output_gain: float = 1.0
    """Linear gain applied to everything the device says."""

    def validate(self, where: str) -> None:
        check(self.block_ms in (10, 20, 30), f"{where}.block_ms", "must be 10, 20 or 30")
        check(0.0 < self.output_gain <= 4.0, f"{where}.output_gain", "must be in (0, 4]")


@dataclass(frozen=True)
class WakeSettings:
    """Wake word detection (microWakeWord)."""

    enabled: bool = True
    model: str = "wake-okay-nabu"
    """Name of the wake-word model in the model manifest."""
    threshold: float = 0.85
    """Probability (averaged over the model's sliding window) above which the word counts."""
    refractory_s: float = 2.0
    """After a detection, ignore further detections for this long."""

    def validate(self, where: str) -> None:
        check(0.0 < self.threshold < 1.0, f"{where}.threshold", "must be between 0 and 1")
        check(0.0 <= self.refractory_s <= 30.0, f"{where}.refractory_s", "must be 0-30 s")


@dataclass(frozen=True)
class ButtonSettings:
    """Push button on a GPIO pin (gpiozero)."""

    enabled: bool = False
    pin: int = 17
    """BCM pin number of the button."""
    pull_up: bool = True
    """True when the button connects the pin to ground."""
    bounce_s: float = 0.05

    def validate(self, where: str) -> None:
        check(0 <= self.pin <= 53, f"{where}.pin", "must be a BCM pin number 0-53")
        check(0.0 <= self.bounce_s <= 1.0, f"{where}.bounce_s", "must be 0-1 s")


@dataclass(frozen=True)
class VadSettings:
    """Voice activity detection and endpointing."""

    aggressiveness: int = 2
    """WebRTC VAD mode, 0 (least) to 3 (most aggressive about calling audio non-speech)."""
    pre_roll_s: float = 0.5
    """Audio kept from before the speech started, so the first syllable is not cut."""
    trigger_s: float = 0.12
    """Voiced audio needed (within a short window) before an utterance counts as started."""
    hangover_s: float = 0.6
    """Silence after speech that ends the utterance."""
    max_utterance_s: float = 15.0
    """An utterance is cut here even if the speaker goes on."""
    no_speech_timeout_s: float = 6.0
    """After a wake word or button press, give up if nobody starts speaking within this."""

    def validate(self, where: str) -> None:
        check(0 <= self.aggressiveness <= 3, f"{where}.aggressiveness", "must be 0-3")
        check(0.0 <= self.pre_roll_s <= 2.0, f"{where}.pre_roll_s", "must be 0-2 s")
        check(0.0 < self.trigger_s <= 1.0, f"{where}.trigger_s", "must be in (0, 1] s")
        check(0.1 <= self.hangover_s <= 3.0, f"{where}.hangover_s", "must be 0.1-3 s")
        check(1.0 <= self.max_utterance_s <= 60.0, f"{where}.max_utterance_s", "must be 1-60 s")
        check(0.5 <= self.no_speech_timeout_s <= 60.0, f"{where}.no_speech_timeout_s", "must be 0.5-60 s")
