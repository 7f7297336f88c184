"""The settings tree and its loader: TOML in, a validated frozen tree out.

Unknown keys, wrong types and out-of-range values are rejected with the key's full path, because a
typo in a settings file on a wall-mounted device must fail loudly at start, not silently later.
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

from ..errors import ConfigError
from ..remote.link import check_home, host_uri, parse_uri
from .check import Section
from .audio import AudioSettings, ButtonSettings, VadSettings, WakeSettings
from .bargein import BargeInSettings
from .care import EthicsSettings, PrivacySettings
from .frame import FrameSettings
from .latency import LatencySettings
from .network import NetworkSettings, SatelliteSettings
from .persona import ConversationSettings, PersonaSettings
from .speech import AsrSettings, TtsSettings
from .system import PathSettings, ServiceSettings
from .voice import VoiceSettings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


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
    latency: LatencySettings = field(default_factory=LatencySettings)
    barge_in: BargeInSettings = field(default_factory=BargeInSettings)
    ethics: EthicsSettings = field(default_factory=EthicsSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    service: ServiceSettings = field(default_factory=ServiceSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    satellite: SatelliteSettings = field(default_factory=SatelliteSettings)
    frame: FrameSettings = field(default_factory=FrameSettings)

    def validate(self) -> None:
        for f in dataclasses.fields(self):
            section: Section = getattr(self, f.name)  # every field is a section
            section.validate(f.name)
        for key, uri in (("asr.uri", self.asr.uri), ("tts.uri", self.tts.uri), ("persona.uri", self.persona.uri)):
            if uri:
                check_home(parse_uri(uri, key), key, allow_public=self.network.allow_public)
        if self.satellite.enabled:
            for host in self.satellite.allowed_hosts:
                check_home(host_uri(host, "satellite.allow"), "satellite.allow",
                           allow_public=self.network.allow_public)



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
        if isinstance(expected, type) and dataclasses.is_dataclass(expected):
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
