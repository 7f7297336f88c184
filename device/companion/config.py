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
    """Persona folder or encrypted persona bundle (`companion persona create`); "" is the bundled fictional demo persona."""
    key_file: str = ""
    """File holding a persona bundle's passphrase; used when $CREDENTIALS_DIRECTORY/persona-key
    (systemd LoadCredential) is absent; "" = prompt for the passphrase on a terminal."""
    engine: str = "retrieval"
    """The persona engine; "retrieval" answers with the person's own closest message, "lm" lets the
    on-device language model phrase answers from the retrieved messages, "auto" uses the engine
    that won `companion persona eval` on this persona's data (retrieval when never evaluated)."""
    embedding_model: str = "embed-minilm"
    min_score: float = 0.45
    """Below this similarity the persona says it does not remember instead of guessing."""
    lm_model: str = "lm-smollm2-135m-int8"
    """The built persona language model (a folder in the models folder, see `companion models build-lm`);
    a persona's own fine-tuned model (lm/ in its folder) takes precedence."""
    lm_threads: int = 0
    """Threads for the language model; 0 = all of a 2-core board, cores - 1 (at most 4) on bigger ones."""

    def validate(self, where: str) -> None:
        _check(self.engine in ("retrieval", "lm", "auto"), f"{where}.engine", 'must be "retrieval", "lm" or "auto"')
        _check(0.0 <= self.min_score < 1.0, f"{where}.min_score", "must be in [0, 1)")
        _check(bool(self.lm_model.strip()) and "/" not in self.lm_model, f"{where}.lm_model", "must be a model name")
        _check(0 <= self.lm_threads <= 64, f"{where}.lm_threads", "must be 0-64")

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
    neutral_voice: str = "tts-joe-medium"
    """The bundled, non-cloned voice that speaks disclosures and crisis answers (ETHICS C3, C9)."""

    def validate(self, where: str) -> None:
        _check(bool(self.neutral_voice.strip()), f"{where}.neutral_voice", "must name a bundled voice model")
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
class ServiceSettings:
    """Running as a service: how audio faults are survived (see service/supervisor.py)."""

    mic_silence_s: float = 10.0
    """A microphone that delivers nothing, or only exact zeros, this long is reopened."""
    reconnect_min_s: float = 0.5
    """First wait before reopening a failed audio device; doubles on every failure."""
    reconnect_max_s: float = 10.0
    """Cap on that wait, so a missing mic is retried regularly without a restart storm."""

    def validate(self, where: str) -> None:
        _check(1.0 <= self.mic_silence_s <= 600.0, f"{where}.mic_silence_s", "must be 1-600 s")
        _check(0.05 <= self.reconnect_min_s <= 60.0, f"{where}.reconnect_min_s", "must be 0.05-60 s")
        _check(
            self.reconnect_min_s <= self.reconnect_max_s <= 600.0,
            f"{where}.reconnect_max_s",
            "must be between reconnect_min_s and 600 s",
        )


@dataclass(frozen=True)
class PrivacySettings:
    """What may end up in logs."""

    log_transcripts: bool = False
    """Log what was heard and answered (the journal keeps it); off unless the owner opts in."""


@dataclass(frozen=True)
class EthicsSettings:
    """Disclosure, crisis help, grief-safety and the generation log (ETHICS.md C3, C9-C11).

    There is deliberately no switch to turn the disclosure off: validation refuses an empty one.
    """

    disclosure: str = "This is an AI re-creation based on {name}'s messages. It is not {name}, and it can be wrong."
    """Spoken in the neutral voice after an earcon at the start of every session; {name} is the persona."""
    disclosure_interval_min: float = 120.0
    """Repeat the disclosure after this much continuous use; at most 120 minutes."""
    session_gap_min: float = 30.0
    """A turn after this long without one starts a new session (and a new disclosure)."""
    help_number: str = "988"
    """The local crisis help line spoken when crisis cues are heard; set it for your country."""
    emergency_contact: str = ""
    """A trusted person to call, e.g. "your sister Anna, 555 0100"; "" to leave it out."""
    crisis_message: str = (
        "I am an AI, not {name}, and I am stepping out of the role because what you said worries me. "
        "Please call {help_number} now{contact}. You deserve help, and you do not have to face this alone."
    )
    """Spoken in the neutral voice; {name}, {help_number} and {contact} (", or <contact>") are filled in."""
    daily_limit_min: float = 0.0
    """Optional daily limit of conversation time; 0 means no limit."""
    reminder_after_min: float = 60.0
    """After this long in one session, a gentle reminder to take a break; 0 turns the reminder off."""
    keep_transcripts: bool = False
    """Keep transcripts of conversations in the log folder (off unless the owner opts in)."""
    transcript_retention_days: int = 30
    """Transcripts older than this are deleted at start-up."""
    log_dir: str = ""
    """Generation log and care state; "" means $XDG_STATE_HOME/companion."""

    def validate(self, where: str) -> None:
        _check(bool(self.disclosure.strip()), f"{where}.disclosure", "cannot be empty: the disclosure cannot be turned off")
        _check("{name}" in self.disclosure, f"{where}.disclosure", "must mention the persona ({name}) so listeners know who is re-created")
        _check(0.0 < self.disclosure_interval_min <= 120.0, f"{where}.disclosure_interval_min", "must be in (0, 120] minutes")
        _check(1.0 <= self.session_gap_min <= 1440.0, f"{where}.session_gap_min", "must be 1-1440 minutes")
        _check(bool(self.help_number.strip()), f"{where}.help_number", "cannot be empty")
        _check("{help_number}" in self.crisis_message, f"{where}.crisis_message", "must include {help_number}")
        _check(0.0 <= self.daily_limit_min <= 1440.0, f"{where}.daily_limit_min", "must be 0-1440 minutes")
        _check(0.0 <= self.reminder_after_min <= 1440.0, f"{where}.reminder_after_min", "must be 0-1440 minutes")
        _check(1 <= self.transcript_retention_days <= 3650, f"{where}.transcript_retention_days", "must be 1-3650 days")

    @property
    def log_path(self) -> Path:
        if self.log_dir:
            return Path(self.log_dir).expanduser()
        base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        return Path(base) / "companion"


@dataclass(frozen=True)
class VoiceSettings:
    """Voice cloning (`companion voice ...`): what recordings are good enough to train on."""

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
        _check(0.2 <= self.min_clip_s < self.max_clip_s <= 60.0, f"{where}.min_clip_s/max_clip_s",
               "need 0.2 <= min_clip_s < max_clip_s <= 60")
        _check(-10.0 <= self.min_snr_db <= 60.0, f"{where}.min_snr_db", "must be in [-10, 60]")
        _check(0.0 <= self.max_clipped_fraction <= 0.1, f"{where}.max_clipped_fraction", "must be in [0, 0.1]")
        _check(0.0 <= self.min_speaker_similarity <= 1.0, f"{where}.min_speaker_similarity", "must be in [0, 1]")
        _check(-40.0 <= self.target_dbfs <= -6.0, f"{where}.target_dbfs", "must be in [-40, -6]")
        _check(self.enough_minutes > 0, f"{where}.enough_minutes", "must be > 0")
        _check(0.0 <= self.verify_threshold <= 1.0, f"{where}.verify_threshold", "must be in [0, 1]")
        _check(bool(self.asr_model.strip()), f"{where}.asr_model", "must name an ASR model")


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
    ethics: EthicsSettings = field(default_factory=EthicsSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    service: ServiceSettings = field(default_factory=ServiceSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    voice: VoiceSettings = field(default_factory=VoiceSettings)

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
