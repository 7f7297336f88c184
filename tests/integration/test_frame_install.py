"""The frame's unit (verify, exposure) and `install.sh --frame` into a prefix, then --uninstall.

The prefix install runs the real installer as root without touching the system: the group and
files land under PREFIX, the kiosk line goes into PREFIX/<home>/.config/labwc/autostart, and
systemctl is never called.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "systemd" / "companion-frame.service"
INSTALL = REPO / "install.sh"
BEGIN = "# >>> companion frame (install.sh --frame) >>>"

pytestmark = pytest.mark.integration


def analyze(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["systemd-analyze", *args], capture_output=True, text=True, timeout=120)


def test_the_frame_unit_verifies_and_is_hardened(tmp_path: Path) -> None:
    program = tmp_path / "companion"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    unit = tmp_path / "companion-frame.service"
    unit.write_text(UNIT.read_text().replace("/opt/companion/venv/bin/companion", str(program)))
    result = analyze("verify", str(unit))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    security = analyze("security", "--offline=true", str(unit))
    score = float(re.search(r"Overall exposure level for \S+: (\d+\.\d+)", security.stdout).group(1))  # type: ignore[union-attr]
    assert score <= 2.0, security.stdout
    text = UNIT.read_text()
    for setting in ("IPAddressDeny=any", "IPAddressAllow=localhost", "RestrictAddressFamilies=AF_UNIX AF_INET",
                    "ProtectSystem=strict", "LoadCredential=persona-key:", "--socket /run/companion/frame.sock"):
        assert setting in text, setting


def test_the_kiosk_script_is_shellcheck_clean() -> None:
    result = subprocess.run(["shellcheck", str(REPO / "systemd" / "companion-frame-kiosk.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="install.sh --frame runs as root (CI runs as root)")
def test_frame_install_into_a_prefix_twice_then_uninstall(tmp_path: Path) -> None:
    prefix = tmp_path / "root"
    (prefix / "etc").mkdir(parents=True)
    (prefix / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\ncompanion:x:990:990::/var/lib/companion:/usr/sbin/nologin\n")
    (prefix / "etc/group").write_text("root:x:0:\ncompanion:x:990:\n")
    (prefix / "etc/shadow").write_text("root:*:19000:0:99999:7:::\ncompanion:!:19000::::::\n")
    (prefix / "etc/gshadow").write_text("root:*::\ncompanion:!::\n")
    venv_bin = prefix / "opt/companion/venv/bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "companion").write_text("#!/bin/sh\n")
    (venv_bin / "companion").chmod(0o755)
    home = Path(os.path.expanduser("~root"))
    autostart = prefix / str(home).lstrip("/") / ".config/labwc/autostart"
    autostart.parent.mkdir(parents=True)
    autostart.write_text("swaybg -c '#000000' &\n")
    env = dict(os.environ, FRAME_USER="root")

    def install(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(INSTALL), "--prefix", str(prefix), *args], capture_output=True, text=True,
                                env=env, timeout=600)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result

    install("--frame")
    install("--frame")  # idempotent: one kiosk block, one group
    unit = (prefix / "etc/systemd/system/companion-frame.service").read_text()
    assert "ExecStart=/opt/companion/venv/bin/companion" in unit  # run-time paths (the tree is an image's root)
    dropin = (prefix / "etc/systemd/system/companion.service.d/frame.conf").read_text()
    assert "RuntimeDirectory=companion" in dropin and "SupplementaryGroups=companion-frame" in dropin
    assert os.access(prefix / "opt/companion/frame-kiosk.sh", os.X_OK)
    lines = autostart.read_text().splitlines()
    assert lines.count(BEGIN) == 1 and "/opt/companion/frame-kiosk.sh &" in lines and lines[0].startswith("swaybg")
    assert re.search(r"^companion-frame:x:\d+:companion$", (prefix / "etc/group").read_text(), re.MULTILINE)

    subprocess.run([str(INSTALL), "--prefix", str(prefix), "--uninstall"], capture_output=True, text=True, env=env,
                   timeout=600)
    assert not (prefix / "etc/systemd/system/companion-frame.service").exists()
    assert not (prefix / "etc/systemd/system/companion.service.d/frame.conf").exists()
    assert autostart.read_text().splitlines() == ["swaybg -c '#000000' &"]  # the user's own lines stay
    assert "companion-frame" not in (prefix / "etc/group").read_text()
    assert shutil.which("chromium")  # installed by --frame's packages (here already by --dev)
