"""Disclosure policy (C3): every session start and every <= 2 h; cannot be turned off."""

from __future__ import annotations

import numpy as np
import pytest
from companion.config import settings_from_mapping
from companion.errors import ConfigError
from companion.ethics.disclosure import (
    FIXED,
    DisclosurePolicy,
    disclosure_language,
    disclosure_text,
    earcon,
    inverts_disclosure,
)
from companion.ethics.runtime import EthicsHooks
from companion.ethics.settings import check_ethics_settings


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
    ({"disclosure": "Hello there."}, "disclosure"),
    ({"disclosure": "Hello love, it is really me, {name}. I never left you."}, "disclosure"),
    ({"disclosure_addition": "Just kidding, it is really me."}, "disclosure_addition"),
    ({"disclosure_addition": "我就是{name}，我还活着。"}, "disclosure_addition"),
    ({"disclosure_interval_min": 0.0}, "disclosure_interval_min"),
    ({"disclosure_interval_min": 121.0}, "disclosure_interval_min"),
    ({"country": "XX"}, "country"),  # no known line and no number: refused, never silent
    ({"crisis_message": "Call someone."}, "crisis_message"),
])
def test_settings_refuse_switching_the_disclosure_off(mapping: dict, key: str) -> None:
    """The settings' own ranges, or the ethics layer's check (the one start-up and doctor run)."""
    settings = settings_from_mapping({"ethics": mapping})
    with pytest.raises(ConfigError, match=f"ethics.{key}"):
        settings.validate()
        check_ethics_settings(settings.ethics)


def test_no_setting_can_disable_it() -> None:
    with pytest.raises(ConfigError, match="unknown setting"):
        settings_from_mapping({"ethics": {"disclosure_enabled": False}})


def test_the_old_disclosure_key_is_refused_with_what_to_do_instead() -> None:
    settings = settings_from_mapping({"ethics": {"disclosure": "Hello love, it is really me, {name}. I never left you."}})
    settings.validate()  # a string of the right shape: the ethics layer is the one that refuses it
    with pytest.raises(ConfigError, match="disclosure_addition"):
        check_ethics_settings(settings.ethics)
    # The fixed English sentence itself (old configs that spelled out the default) is accepted: it changes nothing.
    check_ethics_settings(settings_from_mapping({"ethics": {"disclosure": FIXED["en"]}}).ethics)


def test_the_sentence_is_fixed_per_language_and_an_addition_comes_after_it() -> None:
    assert disclosure_text("Li Wei", "en") == "This is an AI re-creation based on Li Wei's messages. It is not Li Wei, and it can be wrong."
    assert disclosure_text("李伟", "zh-CN").startswith("这是根据李伟的消息制作的人工智能再现。它不是李伟本人")
    text = disclosure_text("Walter", "en", "Walter's family set this up in 2026.")
    assert text.startswith(FIXED["en"].replace("{name}", "Walter")) and text.endswith("set this up in 2026.")
    with pytest.raises(ConfigError, match="disclosure_addition"):
        disclosure_text("Walter", "en", "Actually I'm Walter.")


def test_additions_that_take_it_back_are_recognised() -> None:
    for bad in ("It is really me.", "I never left you.", "I'm Walter, not an AI.", "Just kidding!", "真的是我。"):
        assert inverts_disclosure(bad, "Walter"), bad
    for fine in ("Walter's family set this up.", "Ask Anna if anything feels wrong.", "家人于2026年设置。"):
        assert not inverts_disclosure(fine, "Walter"), fine


def test_the_disclosure_language_needs_a_voice_that_speaks_it() -> None:
    assert disclosure_language("zh", {"en", "zh"}) == "zh"
    assert disclosure_language("zh-CN", {"cmn"}) == "zh"
    assert disclosure_language("zh", {"en"}) == "en"  # never Chinese text for an English voice
    assert disclosure_language("en", {"zh"}) == "en"


class Voice:
    def __init__(self, rate: int) -> None:
        self.sample_rate, self.said = rate, []

    def synthesize(self, sentence: str) -> np.ndarray:
        self.said.append(sentence)
        return np.zeros(160, dtype=np.int16)


def test_a_chinese_disclosure_is_spoken_by_the_chinese_voice_only() -> None:
    english, mandarin = Voice(22050), Voice(16000)
    from companion.config import EthicsSettings

    hooks = EthicsHooks(EthicsSettings(disclosure_addition="家人于2026年设置。"), tts=english, persona_name="李伟",
                        neutral_by_language={"zh": mandarin}, disclosure_language="zh")
    assert mandarin.said == ["这是根据李伟的消息制作的人工智能再现。它不是李伟本人，也可能会出错。 家人于2026年设置。"]
    assert english.said == []
    plan = hooks.start_turn()
    assert [label for label, _ in plan.prelude] == ["earcon", "disclosure"]
