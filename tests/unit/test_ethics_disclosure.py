"""Disclosure policy (C3): every session start and every <= 2 h; cannot be turned off."""

from __future__ import annotations

import numpy as np
import pytest

from companion.config import settings_from_mapping
from companion.errors import ConfigError
from companion.ethics.disclosure import DisclosurePolicy, earcon


def test_first_turn_discloses_then_not_again_until_two_hours() -> None:
    policy = DisclosurePolicy(interval_s=7200, session_gap_s=1800)
    assert policy.turn(0.0)
    t = 0.0
    while t < 7200 - 600:  # a turn every 10 minutes: continuous use
        t += 600
        assert not policy.turn(t), t
    assert policy.turn(t + 600)  # two hours after the last disclosure


def test_a_long_gap_starts_a_new_session_with_a_new_disclosure() -> None:
    policy = DisclosurePolicy(interval_s=7200, session_gap_s=1800)
    assert policy.turn(0.0)
    assert not policy.turn(60.0)
    assert policy.turn(60.0 + 1800)
    assert policy.session_length(60.0 + 1900) == pytest.approx(100.0)


def test_the_interval_cannot_exceed_two_hours() -> None:
    with pytest.raises(ValueError):
        DisclosurePolicy(interval_s=7201)


def test_earcon_spells_AI_in_morse() -> None:
    rate = 16000
    tone = np.abs(earcon(rate)) > 500
    edges = np.flatnonzero(np.diff(tone.astype(np.int8)))
    # Merge the zero crossings inside each tone: bursts are separated by >= one dot of silence.
    bursts, start, last = [], None, None
    for i in np.flatnonzero(tone):
        if start is None:
            start = last = i
        elif i - last > 0.03 * rate:
            bursts.append(last - start)
            start = i
        last = i
    bursts.append(last - start)
    kinds = "".join("-" if b > 0.14 * rate else "." for b in bursts)
    assert kinds == ".-.." and len(edges) > 0


@pytest.mark.parametrize("mapping, key", [
    ({"disclosure": ""}, "disclosure"),
    ({"disclosure": "   "}, "disclosure"),
    ({"disclosure": "Hello there."}, "disclosure"),
    ({"disclosure_interval_min": 0.0}, "disclosure_interval_min"),
    ({"disclosure_interval_min": 121.0}, "disclosure_interval_min"),
    ({"help_number": ""}, "help_number"),
    ({"crisis_message": "Call someone."}, "crisis_message"),
])
def test_settings_refuse_switching_the_disclosure_off(mapping: dict, key: str) -> None:
    settings = settings_from_mapping({"ethics": mapping})
    with pytest.raises(ConfigError, match=f"ethics.{key}"):
        settings.validate()


def test_no_setting_can_disable_it() -> None:
    with pytest.raises(ConfigError, match="unknown setting"):
        settings_from_mapping({"ethics": {"disclosure_enabled": False}})
