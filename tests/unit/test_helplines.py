"""The crisis line follows where the device is (issue 14, item 3)."""

from __future__ import annotations

import re

import pytest

from companion.config.loader import settings_from_mapping
from companion.errors import ConfigError
from companion.ethics.helplines import HELPLINES, line_for


def test_every_line_has_a_number_a_service_and_a_public_source() -> None:
    for country, line in HELPLINES.items():
        assert re.fullmatch(r"[A-Z]{2}", country)
        assert re.fullmatch(r"[0-9][0-9 -]{1,14}", line.number), line
        assert line.service.strip() and line.source.startswith(("https://", "http://")), line


@pytest.mark.parametrize("mapping, expected", [
    ({}, "988"),  # nothing configured: the US line, and doctor warns
    ({"country": "gb"}, "116 123"),
    ({"country": "CN"}, "12356"),
    ({"country": "DE", "help_number": "0800 111 0 222"}, "0800 111 0 222"),  # a configured number wins
    ({"country": "XX", "help_number": "555 0100"}, "555 0100"),  # unknown country with a number: fine
])
def test_the_spoken_number_is_the_configured_one_or_the_national_line(mapping: dict, expected: str) -> None:
    settings = settings_from_mapping({"ethics": mapping})
    settings.validate()
    assert settings.ethics.help_line == expected


def test_an_unknown_country_without_a_number_is_refused() -> None:
    with pytest.raises(ConfigError, match="no crisis line is known"):
        settings_from_mapping({"ethics": {"country": "XX"}}).validate()
    assert line_for("xx") is None
