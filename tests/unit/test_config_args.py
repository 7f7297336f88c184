"""settings_from_args: the one way every command turns its options into settings."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from companion.config import settings_from_args
from companion.errors import ConfigError


def test_a_config_file_then_the_options_that_override_it(tmp_path: Path) -> None:
    config = tmp_path / "companion.toml"
    config.write_text("[persona]\ndir = '/srv/walter'\nkey_file = '/etc/walter.key'\n[vad]\nhangover_s = 0.9\n")
    plain = settings_from_args(argparse.Namespace(config=str(config)))
    assert (plain.persona.dir, plain.persona.key_file, plain.vad.hangover_s) == ("/srv/walter", "/etc/walter.key", 0.9)

    given = settings_from_args(argparse.Namespace(config=str(config), persona=str(tmp_path / "ruth"),
                                                  models_dir=str(tmp_path / "models"), key_file=str(tmp_path / "k")))
    assert given.persona.dir == str(tmp_path / "ruth")
    assert given.paths.models_dir == str(tmp_path / "models")
    assert given.persona.key_file == str(tmp_path / "k")
    assert given.vad.hangover_s == 0.9  # the rest of the file still applies


def test_options_left_empty_change_nothing(tmp_path: Path) -> None:
    config = tmp_path / "companion.toml"
    config.write_text("[persona]\ndir = '/srv/walter'\n")
    settings = settings_from_args(argparse.Namespace(config=str(config), persona=None, models_dir="", key_file=None))
    assert settings.persona.dir == "/srv/walter"
    assert settings == settings_from_args(argparse.Namespace(config=str(config)))


def test_a_missing_config_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        settings_from_args(argparse.Namespace(config=str(tmp_path / "absent.toml")))
