"""Grief-safety (C10): pause vs. retire, daily usage, adults-only answer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from companion.ethics.care import CareError, CareState, PersonaPaused
from companion.ethics.runtime import EthicsHooks
from companion.config import EthicsSettings


def test_pause_is_reversible_and_goodbye_is_not(tmp_path: Path) -> None:
    state = CareState(tmp_path)
    state.check_may_speak("walter")
    state.pause("walter")
    with pytest.raises(PersonaPaused, match="care resume"):
        state.check_may_speak("walter")
    assert state.resume("walter")
    state.check_may_speak("walter")
    state.retire("walter")
    with pytest.raises(CareError, match="retired"):
        state.check_may_speak("walter")
    state.resume("walter")
    with pytest.raises(CareError, match="retired"):
        state.check_may_speak("walter")


def test_usage_adds_up_per_day(tmp_path: Path) -> None:
    state = CareState(tmp_path)
    day = dt.date(2026, 11, 22)
    state.add_usage(30.0, day)
    assert state.add_usage(45.0, day) == 75.0
    assert state.usage_today(day + dt.timedelta(days=1)) == 0.0


WATERMARK_KEY = b"unit-test-watermark-key-care"


class SilentVoice:
    sample_rate = 16000

    def synthesize(self, sentence: str):  # type: ignore[no-untyped-def]
        import numpy as np

        return np.zeros(160, dtype=np.int16)


def test_daily_limit_and_long_session_reminder(tmp_path: Path) -> None:
    now = [dt.datetime(2026, 11, 22, 10).timestamp()]
    state = CareState(tmp_path)
    hooks = EthicsHooks(EthicsSettings(daily_limit_min=10, reminder_after_min=30), tts=SilentVoice(),
                        care=state, clock=lambda: now[0], watermark_key=WATERMARK_KEY)
    plan = hooks.start_turn()
    assert plan.disclosed and not plan.over_daily_limit and not plan.remind
    hooks.finish_turn(plan, source=None, audio_s=11 * 60)
    for _ in range(3):  # a turn every 10.5 minutes: one continuous session
        now[0] += 10.5 * 60
        plan = hooks.start_turn()
    assert plan.over_daily_limit and plan.remind and not plan.disclosed
    now[0] += 60
    assert not hooks.start_turn().remind  # once per session


def test_a_pause_during_a_running_session_silences_the_next_turn(tmp_path: Path) -> None:
    state = CareState(tmp_path)
    hooks = EthicsHooks(EthicsSettings(), tts=SilentVoice(), care=state, persona_id="walter",
                        watermark_key=WATERMARK_KEY)
    assert not hooks.start_turn().silent
    state.pause("walter")
    plan = hooks.start_turn()
    assert plan.silent and not plan.prelude
    state.resume("walter")
    assert not hooks.start_turn().silent


def test_goodbye_crypto_shreds_the_bundle_and_retires_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from companion.cli import main
    from companion.ethics.setup import check_can_start
    from companion.config import Settings
    from dataclasses import replace

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("COMPANION_CONFIG", raising=False)
    key = tmp_path / "key"
    key.write_text("correct horse battery staple\n")
    folder = str(tmp_path / "rose")
    assert main(["persona", "create", "Rose", "--dir", folder, "--status", "living", "--audience", "household",
                 "--adult", "--confirm", "--key-file", str(key)]) == 0
    assert main(["care", "goodbye", "--persona", folder]) == 1  # needs confirmation
    assert (Path(folder) / "keys.json").exists()
    assert main(["care", "goodbye", "--persona", folder, "--yes"]) == 0
    assert not (Path(folder) / "keys.json").exists()  # the wrapped data key is gone: crypto-shredded
    base = Settings()
    settings = replace(base, persona=replace(base.persona, dir=folder),
                       ethics=replace(base.ethics, log_dir=str(tmp_path / "state" / "companion")))
    with pytest.raises(CareError, match="retired"):
        check_can_start(settings)
    assert main(["care", "status", "--persona", folder]) == 0
