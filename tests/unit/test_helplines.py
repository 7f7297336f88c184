"""The crisis line follows where the device is (issue 14, item 3)."""

from __future__ import annotations

import re

import pytest

from companion.config.loader import settings_from_mapping
from companion.errors import ConfigError
from companion.ethics.helplines import HELPLINES, line_for
from companion.ethics.settings import check_ethics_settings, help_line


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
    check_ethics_settings(settings.ethics)
    assert help_line(settings.ethics) == expected


def test_an_unknown_country_without_a_number_is_refused() -> None:
    """By the ethics layer's check at start-up, and wherever the number is worked out: never a silent 988."""
    ethics = settings_from_mapping({"ethics": {"country": "XX"}}).ethics
    with pytest.raises(ConfigError, match="ethics.country: no crisis line is known"):
        check_ethics_settings(ethics)
    with pytest.raises(ConfigError, match="no crisis line is known"):
        help_line(ethics)
    assert line_for("xx") is None


@pytest.mark.parametrize("mapping, status, shown", [
    ({}, "warn", "988 (the US line)"),
    ({"country": "GB"}, "ok", "116 123"),
    ({"country": "XX"}, "fail", "no crisis line is known for 'XX'"),
    ({"disclosure_addition": "I never left you."}, "fail", "must not contradict the disclosure"),
])
def test_doctor_reports_the_line_in_use_and_what_the_ethics_layer_refuses(mapping: dict, status: str, shown: str) -> None:
    from companion.service.doctor import check_help_line

    settings = settings_from_mapping({"ethics": mapping})
    settings.validate()
    [check] = check_help_line(settings)
    assert check.status == status and shown in check.detail
