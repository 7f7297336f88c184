"""Settings loading and validation: clear errors naming the key and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.config import DEMO_PERSONA_DIR, Settings, load_settings, settings_from_mapping
from companion.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "companion.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""))
    assert settings == Settings()
    assert settings.asr.model == "asr-tiny-en"
    assert settings.persona.path == DEMO_PERSONA_DIR


def test_values_are_read_and_ints_widen_to_floats(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "[vad]\nhangover_s = 1\n[wake]\nthreshold = 0.7\n[asr]\nmodel = 'asr-base'\n"))
    assert settings.vad.hangover_s == 1.0 and isinstance(settings.vad.hangover_s, float)
    assert settings.wake.threshold == 0.7
    assert settings.asr.model == "asr-base"


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().vad.hangover_s = 2.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[vad]\nhangvoer_s = 1\n", "unknown setting vad.hangvoer_s"),
        ("[sound]\nx = 1\n", "unknown setting sound"),
        ("[vad]\nhangover_s = 'long'\n", "setting vad.hangover_s must be a float"),
        ("[button]\nenabled = 1\n", "setting button.enabled must be true or false"),
        ("[button]\npin = 1.5\n", "setting button.pin must be a whole number"),
        ("[vad]\nhangover_s = 9.0\n", "setting vad.hangover_s must be 0.1-3 s"),
        ("[audio]\nblock_ms = 25\n", "setting audio.block_ms must be 10, 20 or 30"),
        ("vad = 3\n", "[vad] must be a table"),
        ("[vad\n", "not valid TOML"),
    ],
)
def test_bad_settings_name_the_key_and_the_file(tmp_path: Path, text: str, fragment: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert fragment in info.value.message
    assert str(path) in info.value.message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


def test_mapping_builder_rejects_unknown_nested_keys() -> None:
    with pytest.raises(ConfigError, match="known keys here"):
        settings_from_mapping({"tts": {"voice": "x", "speed": 2}})
