"""`companion doctor`: real devices on the PulseAudio rig, real models, and failures with fixes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from companion.service.doctor import check_audio, check_models, check_unit, run_checks
from support.cli import run_companion

pytestmark = pytest.mark.integration


@pytest.mark.live
def test_doctor_records_and_plays_on_the_rig(pulse_rig, test_settings, tmp_path: Path) -> None:
    pulse_rig.apply_env()
    speaker = pulse_rig.record_speaker(tmp_path / "beep.wav")
    play = pulse_rig.play_into_mic(pulse_rig_tone(tmp_path))
    settings = replace(test_settings, audio=replace(test_settings.audio, input_device="pulse", output_device="pulse"))
    checks = {c.name: c for c in check_audio(settings)}
    play.stop()
    beep = speaker.samples()
    speaker.stop()
    assert checks["audio input"].status == "ok" and "pulse" in checks["audio input"].detail
    assert checks["audio capture"].status == "ok", checks["audio capture"].line()
    assert checks["audio playback"].status == "ok", checks["audio playback"].line()
    assert abs(beep).max() > 500, "the beep reached the speaker"


def pulse_rig_tone(folder: Path) -> Path:
    from support.pulse_rig import write_tone_wav

    path = folder / "tone.wav"
    write_tone_wav(path, seconds=3.0)
    return path


def test_models_are_verified_and_missing_ones_fail_with_a_fix(test_settings, tmp_path: Path) -> None:
    good = list(check_models(test_settings))
    assert good and all(c.status == "ok" for c in good), [c.line() for c in good]
    empty = replace(test_settings, paths=replace(test_settings.paths, models_dir=str(tmp_path)))
    bad = list(check_models(empty))
    assert bad and all(c.status == "fail" for c in bad)
    assert "companion models install" in bad[0].line()


def test_the_unit_state_is_read_from_systemctl(tmp_path: Path) -> None:
    answers = {"is-enabled": "enabled", "is-active": "failed", "show": "reconnecting mic: gone"}

    class Done:
        def __init__(self, out: str) -> None:
            self.stdout = out

    def fake_run(cmd: list[str], **kw: object) -> Done:
        return Done(answers[cmd[1]])

    def which(name: str) -> str | None:
        return "/bin/systemctl" if name == "systemctl" else None

    # A machine booted with systemd has /run/systemd/system; this tree has it too.
    (tmp_path / "run" / "systemd" / "system").mkdir(parents=True)
    (check,) = check_unit(run=fake_run, root=tmp_path, which=which)
    assert check.status == "fail" and "reconnecting mic" in check.detail and "journalctl" in check.fix
    answers["is-active"] = "active"
    (check,) = check_unit(run=fake_run, root=tmp_path, which=which)
    assert check.status == "ok" and check.detail == "active, enabled, status: reconnecting mic: gone"
    # Without systemd running (no /run/systemd/system) systemctl is never asked.
    (check,) = check_unit(run=lambda *a, **k: pytest.fail("systemctl was run"), root=tmp_path / "elsewhere",
                          which=which)
    assert check.status == "skip"


def test_doctor_command_exits_non_zero_with_one_line_per_problem(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = {**cli_env, "COMPANION_MODELS_DIR": str(tmp_path / "no-models")}
    for key in [k for k in env if k.startswith("PULSE_")]:
        env.pop(key)
    done = run_companion(["doctor", "--no-audio-test"], env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("FAIL model asr-tiny-en") for line in lines), done.stdout
    assert any(line.strip().startswith("-> ") for line in lines)
    assert lines[-1].endswith("problem(s) found")
    assert any(line.startswith("OK   privacy") for line in lines)


def test_run_checks_never_crashes_on_a_broken_setting(test_settings) -> None:
    broken = replace(test_settings, audio=replace(test_settings.audio, input_device="no-such-mic-xyz"))
    checks = run_checks(broken, test_audio=False)
    assert any(c.status == "fail" and c.name == "audio input" for c in checks)
