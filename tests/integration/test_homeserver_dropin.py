"""The unit with the generated network drop-in: still verifies, still scores <= 1.5 offline.

systemd-analyze reads the unit and its companion.service.d/ drop-ins from --root, the way the
installed service would be read.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support.cli import run_companion

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "systemd" / "companion.service"
MAX_EXPOSURE = 1.5

pytestmark = pytest.mark.integration

SETTINGS = """
[asr]
uri = "tcp://192.168.1.20:10300"
[tts]
uri = "tcp://192.168.1.20:10200"
[satellite]
enabled = true
uri = "tcp://0.0.0.0:10701"
allow = "192.168.1.5"
zeroconf = true
"""


def analyze(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing; ./install.sh --dev installs it (apt: systemd)")
    return subprocess.run(["systemd-analyze", *args], capture_output=True, text=True, timeout=120)


def installed_root(tmp_path: Path, settings: str, cli_env: dict[str, str]) -> Path:
    root = tmp_path / "root"
    unit_dir = root / "etc" / "systemd" / "system"
    unit_dir.mkdir(parents=True)
    program = root / "opt" / "companion" / "venv" / "bin" / "companion"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    shutil.copy(UNIT, unit_dir / "companion.service")
    config = tmp_path / "companion.toml"
    config.write_text(settings)
    result = run_companion(["--config", str(config), "network-dropin", "--write", str(unit_dir / "companion.service.d")],
                           cli_env)
    assert result.returncode == 0, result.stderr
    return root


def exposure(root: Path) -> tuple[float, str]:
    result = analyze("security", "--offline=true", f"--root={root}", "companion.service", "--no-pager")
    match = re.search(r"Overall exposure level for companion.service: (\d+\.\d+)", result.stdout)
    assert match, result.stdout + result.stderr
    return float(match.group(1)), result.stdout


def test_the_unit_with_the_network_dropin_stays_hardened(tmp_path: Path, cli_env: dict[str, str]) -> None:
    root = installed_root(tmp_path, SETTINGS, cli_env)
    dropin = root / "etc/systemd/system/companion.service.d/network.conf"
    text = dropin.read_text()
    assert "IPAddressAllow=192.168.1.5 192.168.1.20 224.0.0.251" in text
    # With the satellite enabled the service runs `companion satellite` with the same settings file.
    assert "\nExecStart=\n" in text and f"--config {tmp_path / 'companion.toml'} -v satellite" in text
    score, report = exposure(root)
    assert score <= MAX_EXPOSURE, report
    # The drop-in really took effect (the exposure check is not reading the offline unit alone).
    assert re.search(r"✗ PrivateNetwork=", report) and re.search(r"✗ RestrictAddressFamilies=~AF_\(INET\|INET6\)", report)
    assert re.search(r"✓ RestrictAddressFamilies=~AF_NETLINK", report)
    offline, _ = exposure(installed_root(tmp_path / "offline", "", cli_env))
    assert offline < score


def test_no_remote_settings_no_dropin(tmp_path: Path, cli_env: dict[str, str]) -> None:
    root = installed_root(tmp_path, "[privacy]\nlog_transcripts = false\n", cli_env)
    assert not (root / "etc/systemd/system/companion.service.d/network.conf").exists()
    score, report = exposure(root)
    assert "✓ PrivateNetwork=" in report and score <= MAX_EXPOSURE


def test_a_public_home_server_is_refused(tmp_path: Path, cli_env: dict[str, str]) -> None:
    config = tmp_path / "companion.toml"
    config.write_text('[persona]\nuri = "tcp://8.8.8.8:10700"\n')
    result = run_companion(["--config", str(config), "network-dropin"], cli_env)
    assert result.returncode == 1 and "not on the home network" in result.stderr
