"""Start-up under systemd: what heals is waited for, what needs a person exits 78 once.

Before, every start-time error exited 1 and systemd restarted it until StartLimitBurst left the
unit dead (and `systemctl restart` refused until `reset-failed`): a paused persona, a USB
speaker switched off at boot, a persona under /home hidden by ProtectHome.
"""

from __future__ import annotations

import logging
import re
import socket
from dataclasses import replace
from pathlib import Path

import pytest
from companion.cli import main
from companion.config import DEMO_PERSONA_DIR, Settings
from companion.errors import EXIT_CONFIG, AudioError, ConfigError, NeedsFixing
from companion.service.live import prepare
from companion.service.notify import Notifier
from companion.service.startup import (
    check_persona_visible,
    needs_fixing,
    report_absent_devices,
    wait_while_paused,
)

UNIT = Path(__file__).resolve().parents[2] / "systemd" / "companion.service"


@pytest.fixture()
def systemd(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A notify socket standing in for systemd: returns (Notifier, list-of-messages reader)."""
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.setblocking(False)

    def messages() -> list[str]:
        out = []
        while True:
            try:
                out.append(sock.recv(4096).decode())
            except BlockingIOError:
                return out

    yield Notifier({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "30000000"}), messages
    sock.close()


def test_the_unit_does_not_restart_a_config_error_and_has_no_start_limit() -> None:
    text = UNIT.read_text()
    assert re.search(rf"^RestartPreventExitStatus={EXIT_CONFIG}$", text, re.MULTILINE)
    assert re.search(r"^StartLimitIntervalSec=0$", text, re.MULTILINE), "a hit limit needs reset-failed even after a fix"
    assert re.search(r"^Restart=on-failure$", text, re.MULTILINE)


def test_a_broken_settings_file_makes_run_exit_78_with_what_to_do(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "companion.toml"
    config.write_text("[audio\n")
    assert main(["--config", str(config), "run"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(config) in err and "sudo systemctl restart companion" in err
    assert main(["--config", str(config), "doctor", "--no-audio-test"]) == 1, "other commands keep exit status 1"


def test_needs_fixing_keeps_the_cause_and_adds_how_to_restart() -> None:
    error = needs_fixing(ConfigError("bad value", where="audio.block_ms", hint="use 10, 20 or 30"))
    assert isinstance(error, NeedsFixing) and error.exit_status == EXIT_CONFIG
    assert error.where == "audio.block_ms" and error.hint.startswith("use 10, 20 or 30; then restart")


def test_a_persona_under_home_says_protecthome_and_how_to_move_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    persona = home / "pi" / "grandpa"
    home.mkdir()
    with pytest.raises(NeedsFixing) as caught:
        check_persona_visible(persona, hidden=(home,), environ={"INVOCATION_ID": "1"})
    error = caught.value
    assert "ProtectHome" in error.what and str(persona) in error.what
    assert "/var/lib/companion/persona" in error.hint and "sudo systemctl restart companion" in error.hint
    # From a terminal, a missing folder is just missing (the persona loader says so) ...
    check_persona_visible(persona, hidden=(home,), environ={})
    # ... and a visible one is fine anywhere.
    persona.mkdir(parents=True)
    check_persona_visible(persona, hidden=(home,), environ={"INVOCATION_ID": "1"})
    check_persona_visible(tmp_path / "elsewhere", hidden=(home,), environ={"INVOCATION_ID": "1"})


def test_an_absent_or_misnamed_device_is_waited_for_with_how_to_fix_the_name(caplog) -> None:  # type: ignore[no-untyped-def]
    devices = {"input": [(1, "USB mic")], "output": [(0, "HDMI")]}

    def resolve(spec: str, kind: str) -> int:
        for index, name in devices[kind]:
            if spec.lower() in name.lower():
                return index
        raise AudioError(f"no audio {kind} device matches {spec!r}")

    with caplog.at_level(logging.WARNING):
        missing = report_absent_devices("usb", "USB speaker", resolve, lambda kind: devices[kind])
    assert missing == ["output"]
    (line,) = [r.getMessage() for r in caplog.records]
    assert "'USB speaker' is not there (found: 0: HDMI); waiting for it" in line
    assert "[audio] output_device" in line and "sudo systemctl restart companion" in line


def test_missing_portaudio_needs_fixing() -> None:
    def broken(*args: object) -> list[tuple[int, str]]:
        raise AudioError("the audio library PortAudio is not available (libportaudio.so)",
                         hint="install it: `sudo apt-get install libportaudio2`")

    with pytest.raises(NeedsFixing, match="apt-get install libportaudio2"):
        report_absent_devices("", "", broken, broken)


def test_a_paused_persona_is_waited_for_with_ready_sent_and_the_watchdog_fed(systemd, caplog) -> None:  # type: ignore[no-untyped-def]
    notifier, messages = systemd
    now = [100.0]
    paused_checks = iter([True, True, True, False])
    waited: list[float] = []

    def stopped(seconds: float) -> bool:
        waited.append(seconds)
        now[0] += seconds
        return False

    with caplog.at_level(logging.INFO):
        assert wait_while_paused(lambda: next(paused_checks), notifier, persona="grandpa", poll_s=5.0,
                                 stopped=stopped, clock=lambda: now[0])
    sent = messages()
    assert sent[0] == "READY=1\nSTATUS=paused: run `companion care resume` to talk again"
    assert sent.count("WATCHDOG=1") == 3 and sent[-1] == "STATUS=loading models"
    assert waited == [5.0, 5.0, 5.0]
    assert any("resumed after 15 s paused" in r.getMessage() for r in caplog.records)


def test_not_paused_means_no_wait_at_all(systemd) -> None:  # type: ignore[no-untyped-def]
    notifier, messages = systemd
    assert wait_while_paused(lambda: False, notifier, persona="p", stopped=lambda s: pytest.fail("waited"))
    assert messages() == []


def _settings(tmp_path: Path, persona: Path) -> Settings:
    base = Settings()
    return replace(base, persona=replace(base.persona, dir=str(persona)),
                   ethics=replace(base.ethics, log_dir=str(tmp_path / "state")))


def test_run_waits_for_a_paused_persona_instead_of_exiting(tmp_path: Path, systemd) -> None:  # type: ignore[no-untyped-def]
    from companion.ethics.care import CareState
    from companion.ethics.setup import persona_id

    notifier, messages = systemd
    settings = _settings(tmp_path, DEMO_PERSONA_DIR)
    CareState(settings.ethics.log_path).pause(persona_id(settings))
    assert prepare(settings, notifier, stopped=lambda s: True) is None  # stopped while paused: no models
    assert messages()[0].startswith("READY=1\nSTATUS=paused")


def test_a_missing_persona_stops_run_once_with_exit_78(tmp_path: Path, systemd) -> None:  # type: ignore[no-untyped-def]
    notifier, messages = systemd
    with pytest.raises(NeedsFixing) as caught:
        prepare(_settings(tmp_path, tmp_path / "no-such-persona"), notifier, stopped=lambda s: True)
    assert caught.value.exit_status == EXIT_CONFIG and "sudo systemctl restart companion" in caught.value.message
    assert any(m.startswith("STATUS=stopped: cannot start:") for m in messages())
