"""The arm64 proof: `install.sh` in device mode inside a Debian bookworm arm64 root, then one turn.

The root is made by debootstrap and run through qemu-user-static (both Debian packages, binfmt_misc
registered by the test), so the installer resolves and installs the aarch64 wheels a Raspberry Pi
OS (64-bit) board gets, assembles the models, and `companion converse` answers a spoken question
with them, all under emulation. It takes tens of minutes, so it runs only when asked:

    COMPANION_ARM64=1 nice -n 19 .venv/bin/python -m pytest -m arm64 tests/integration/test_arm64_install.py -s

The root is kept in $COMPANION_ARM64_ROOT (default /var/tmp/companion-arm64/root) and reused: a
second run only re-runs install.sh (an upgrade) and the turn. The measured times are printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ROOT = Path(os.environ.get("COMPANION_ARM64_ROOT", "/var/tmp/companion-arm64/root"))
MIRROR = "http://deb.debian.org/debian"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.arm64,
    pytest.mark.skipif(os.environ.get("COMPANION_ARM64") != "1",
                       reason="slow arm64 emulation: COMPANION_ARM64=1 runs it (see the module docstring)"),
    pytest.mark.skipif(os.geteuid() != 0, reason="debootstrap and chroot need root"),
]


def need(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install {package}", pytrace=False)


def enable_binfmt() -> None:
    """Register qemu-aarch64 with the kernel (a no-op when it already is)."""
    misc = Path("/proc/sys/fs/binfmt_misc")
    if not (misc / "register").exists():
        subprocess.run(["mount", "-t", "binfmt_misc", "binfmt_misc", str(misc)], check=True)
    if not (misc / "qemu-aarch64").exists():
        subprocess.run(["update-binfmts", "--enable", "qemu-aarch64"], check=True)
    assert (misc / "qemu-aarch64").read_text().startswith("enabled"), "qemu-aarch64 binfmt is disabled"


def make_root() -> float:
    """Debootstrap the arm64 root unless a finished one is there; returns the seconds it took."""
    if (ROOT / "usr/bin/python3").exists() and not (ROOT / "debootstrap").exists():  # debootstrap finished
        return 0.0
    shutil.rmtree(ROOT, ignore_errors=True)
    ROOT.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    subprocess.run(["debootstrap", "--arch=arm64", "--variant=minbase",
                    "--include=python3,python3-venv,ca-certificates", "bookworm", str(ROOT), MIRROR],
                   check=True, capture_output=True, timeout=7200)
    return time.monotonic() - start


def in_root(script: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """``script`` run by bash in the arm64 root, with /proc and /dev in a private mount namespace."""
    shutil.copyfile("/etc/resolv.conf", ROOT / "etc/resolv.conf")  # the installer's apt-get and pip
    # This machine's CA bundle (it may trust a TLS-inspecting proxy's CA that Debian's does not).
    shutil.copyfile("/etc/ssl/certs/ca-certificates.crt", ROOT / "etc/ssl/host-ca-certificates.crt")
    mounts = (f'set -e; mount -t proc proc "{ROOT}/proc"; mount --rbind /dev "{ROOT}/dev"; '
              f'mount -t tmpfs tmpfs "{ROOT}/tmp"; exec chroot "{ROOT}" /bin/bash -c "$1"')
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", mounts, "sh", script],
                          check=False, capture_output=True, text=True, timeout=timeout,
                          env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root",
                               "PIP_CERT": "/etc/ssl/host-ca-certificates.crt"})


def test_install_and_one_turn_on_arm64(speak: Callable[[str], Path]) -> None:
    for tool, package in (("debootstrap", "debootstrap"), ("qemu-aarch64-static", "qemu-user-static"),
                          ("update-binfmts", "binfmt-support"), ("unshare", "util-linux")):
        need(tool, package)
    enable_binfmt()
    times = {"debootstrap_s": make_root()}
    assert in_root("uname -m; dpkg --print-architecture", 300).stdout.split() == ["aarch64", "arm64"]

    source = ROOT / "src/companion"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache",
                                                                ".mypy_cache", ".ruff_cache"))
    shutil.copyfile(speak("Tell me about your dog."), ROOT / "src/question.wav")

    start = time.monotonic()
    install = in_root("cd /src/companion && COMPANION_COUNTRY=GB ./install.sh --no-systemd", 10800)
    times["install_s"] = time.monotonic() - start
    assert install.returncode == 0, install.stdout[-4000:] + install.stderr[-4000:]
    assert "architecture: arm64" in install.stdout and "Python: /usr/bin/python3 (3.11)" in install.stdout

    start = time.monotonic()
    turn = in_root("/opt/companion/venv/bin/companion converse --input /src/question.wav "
                   "--output /src/reply.wav --json", 3600)
    times["converse_s"] = time.monotonic() - start
    assert turn.returncode == 0, turn.stdout[-4000:] + turn.stderr[-4000:]
    result = json.loads(turn.stdout)
    assert "dog" in result["transcript"].lower(), result
    assert result["reply"].strip(), result
    assert (ROOT / "src/reply.wav").stat().st_size > 16000
    sizes = in_root("du -sm /opt/companion", 600).stdout.split()[0]
    print(json.dumps({"arm64": {**{k: round(v, 1) for k, v in times.items()}, "opt_companion_mb": int(sizes),
                                "transcript": result["transcript"], "reply": result["reply"]}}))
