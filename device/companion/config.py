"""Settings: one frozen dataclass tree, loaded from TOML and validated at start-up.

Every field has a default, so an empty file is a valid configuration. Unknown keys, wrong
types and out-of-range values are rejected with the key's full path, because a typo in a
settings file on a wall-mounted device must fail loudly at start, not silently later.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PACKAGE_DIR = Path(__file__).resolve().parent
DEMO_PERSONA_DIR = PACKAGE_DIR / "personas" / "walter"


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
        _check(self.block_ms in (10, 20, 30), f"{where}.block_ms", "must be 10, 20 or 30")
        _check(0.0 < self.output_gain <= 4.0, f"{where}.output_gain", "must be in (0, 4]")


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
        _check(0.0 < self.threshold < 1.0, f"{where}.threshold", "must be between 0 and 1")
        _check(0.0 <= self.refractory_s <= 30.0, f"{where}.refractory_s", "must be 0-30 s")


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
        _check(0 <= self.pin <= 53, f"{where}.pin", "must be a BCM pin number 0-53")
        _check(0.0 <= self.bounce_s <= 1.0, f"{where}.bounce_s", "must be 0-1 s")


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
        _check(0 <= self.aggressiveness <= 3, f"{where}.aggressiveness", "must be 0-3")
        _check(0.0 <= self.pre_roll_s <= 2.0, f"{where}.pre_roll_s", "must be 0-2 s")
        _check(0.0 < self.trigger_s <= 1.0, f"{where}.trigger_s", "must be in (0, 1] s")
        _check(0.1 <= self.hangover_s <= 3.0, f"{where}.hangover_s", "must be 0.1-3 s")
        _check(1.0 <= self.max_utterance_s <= 60.0, f"{where}.max_utterance_s", "must be 1-60 s")
        _check(0.5 <= self.no_speech_timeout_s <= 60.0, f"{where}.no_speech_timeout_s", "must be 0.5-60 s")


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
        _check(1 <= self.beam_size <= 10, f"{where}.beam_size", "must be 1-10")
        _check(0 <= self.threads <= 64, f"{where}.threads", "must be 0-64")


@dataclass(frozen=True)
class PersonaSettings:
    """Who the device speaks as."""

    dir: str = ""
    """Persona folder; "" is the bundled fictional demo persona."""
    engine: str = "retrieval"
    """The persona engine; "retrieval" answers with the person's own closest message."""
    embedding_model: str = "embed-minilm"
    min_score: float = 0.45
    """Below this similarity the persona says it does not remember instead of guessing."""

    def validate(self, where: str) -> None:
        _check(self.engine in ("retrieval",), f"{where}.engine", 'must be "retrieval"')
        _check(0.0 <= self.min_score < 1.0, f"{where}.min_score", "must be in [0, 1)")

    @property
    def path(self) -> Path:
        return Path(self.dir).expanduser() if self.dir else DEMO_PERSONA_DIR


@dataclass(frozen=True)
class TtsSettings:
    """Speech synthesis (Piper)."""

    voice: str = "tts-joe-medium"
    """Voice model name in the manifest."""
    length_scale: float = 1.0
    """Speaking rate: above 1 is slower."""
    sentence_pause_s: float = 0.15
    """Silence between sentences."""

    def validate(self, where: str) -> None:
        _check(0.5 <= self.length_scale <= 2.0, f"{where}.length_scale", "must be 0.5-2")
        _check(0.0 <= self.sentence_pause_s <= 2.0, f"{where}.sentence_pause_s", "must be 0-2 s")


@dataclass(frozen=True)
class ConversationSettings:
    """Turn-taking."""

    follow_up_s: float = 5.0
    """After a reply, listen this long for a follow-up question without the wake word; 0 = off."""
    history_turns: int = 4
    """Past exchanges the persona engine sees."""

    def validate(self, where: str) -> None:
        _check(0.0 <= self.follow_up_s <= 30.0, f"{where}.follow_up_s", "must be 0-30 s")
        _check(0 <= self.history_turns <= 20, f"{where}.history_turns", "must be 0-20")


@dataclass(frozen=True)
class PathSettings:
    """Where things live on disk."""

    models_dir: str = ""
    """Installed models; "" means $COMPANION_MODELS_DIR or ~/.local/share/companion/models."""
    cache_dir: str = ""
    """Derived data (embedding caches); "" means $XDG_CACHE_HOME/companion."""

    @property
    def models(self) -> Path:
        if self.models_dir:
            return Path(self.models_dir).expanduser()
        from .models.store import default_models_dir

        return default_models_dir()

    @property
    def cache(self) -> Path:
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "companion"


@dataclass(frozen=True)
class Settings:
    """The whole configuration of the device."""

    audio: AudioSettings = field(default_factory=AudioSettings)
    wake: WakeSettings = field(default_factory=WakeSettings)
    button: ButtonSettings = field(default_factory=ButtonSettings)
    vad: VadSettings = field(default_factory=VadSettings)
    asr: AsrSettings = field(default_factory=AsrSettings)
    persona: PersonaSettings = field(default_factory=PersonaSettings)
    tts: TtsSettings = field(default_factory=TtsSettings)
    conversation: ConversationSettings = field(default_factory=ConversationSettings)
    paths: PathSettings = field(default_factory=PathSettings)

    def validate(self) -> None:
        for f in dataclasses.fields(self):
            section = getattr(self, f.name)
            validate = getattr(section, "validate", None)
            if validate is not None:
                validate(f.name)


def _check(ok: bool, key: str, requirement: str) -> None:
    if not ok:
        raise ConfigError(f"setting {key} {requirement}")


def default_config_path() -> Path | None:
    """The settings file used when none is given: $COMPANION_CONFIG, the user's, then /etc."""
    env = os.environ.get("COMPANION_CONFIG")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    for candidate in (Path(xdg) / "companion" / "companion.toml", Path("/etc/companion/companion.toml")):
        if candidate.is_file():
            return candidate
    return None


def load_settings(path: Path | None = None) -> Settings:
    """Read and validate a settings file (or the defaults when there is none)."""
    if path is None:
        path = default_config_path()
    if path is None:
        settings = Settings()
    else:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("settings file not found", where=str(path)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read settings file: {exc}", where=str(path)) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"settings file is not valid TOML: {exc}", where=str(path)) from None
        settings = settings_from_mapping(data, where=str(path))
    try:
        settings.validate()
    except ConfigError as exc:
        if path is not None and exc.where is None:
            raise ConfigError(exc.what, where=str(path), hint=exc.hint) from None
        raise
    return settings


def settings_from_mapping(data: dict[str, Any], where: str = "settings") -> Settings:
    """Build the tree from parsed TOML, rejecting unknown keys and wrong types."""
    return _build(Settings, data, prefix="", where=where)


def _build(cls: type, data: Any, prefix: str, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"[{prefix or 'root'}] must be a table", where=where)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        key = f"{prefix}.{unknown[0]}" if prefix else unknown[0]
        raise ConfigError(
            f"unknown setting {key}", where=where, hint=f"known keys here: {', '.join(sorted(fields))}"
        )
    values: dict[str, Any] = {}
    for name, value in data.items():
        key = f"{prefix}.{name}" if prefix else name
        expected = hints[name]
        if dataclasses.is_dataclass(expected):
            values[name] = _build(expected, value, key, where)
        else:
            values[name] = _coerce(value, expected, key, where)
    return cls(**values)


def _coerce(value: Any, expected: Any, key: str, where: str) -> Any:
    if isinstance(expected, types.UnionType):  # pragma: no cover - no optional fields today
        expected = next(t for t in typing.get_args(expected) if t is not type(None))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is bool and not isinstance(value, bool):
        raise ConfigError(f"setting {key} must be true or false, not {value!r}", where=where)
    if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"setting {key} must be a whole number, not {value!r}", where=where)
    if not isinstance(value, expected):
        raise ConfigError(f"setting {key} must be a {expected.__name__}, not {value!r}", where=where)
    return value
