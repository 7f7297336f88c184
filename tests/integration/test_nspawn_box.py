"""The service test's container box: ready when systemd is, and nothing left behind on any path.

The service test must never fail by chance, and a failed run must not leave a container's
systemd running or an overlay of the host's root mounted. These boot the bare box (no checkout
copy, a few seconds each); support/boot_check.py repeats the boot under CPU load.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support.box_reaper import mounted_under, reap_stale_boxes
from support.nspawn_box import BUS_SOCKET, BoxError, NspawnBox

pytestmark = [pytest.mark.integration]

TESTS = Path(__file__).resolve().parents[1]


def gone(pid: int | None) -> bool:
    """True if the pid is no process any more, or only a zombie (already dead)."""
    if pid is None:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def assert_nothing_left(base: Path | None, init_pid: int | None) -> None:
    assert base is not None
    assert mounted_under(base) == [], "the overlay must be unmounted"
    assert not base.exists(), "the box folder must be removed"
    assert gone(init_pid), "the container's systemd must not outlive the box"


def test_booted_means_systemd_answers_on_its_bus() -> None:
    """Right after start, systemctl answers without --wait: no "Failed to connect to bus"."""
    box = NspawnBox(None, name="box-ready")
    with box:
        base, init_pid = box.base, box.init_pid
        assert (Path(f"/proc/{init_pid}/root") / BUS_SOCKET).is_socket()
        done = box.run("systemctl is-system-running", check=False)
        assert done.stdout.strip() in ("running", "degraded"), done.stderr
        assert box.run("readlink /proc/1/exe").stdout.strip().endswith("systemd")
        # Booted to the box's own target: nothing the host enables (multi-user.target's services).
        assert box.run("systemctl is-active multi-user.target", check=False).stdout.strip() == "inactive"
    assert box.clean_poweroff is True
    assert_nothing_left(base, init_pid)


def test_the_console_is_drained_so_nothing_blocks_on_it() -> None:
    """A chatty boot or service fills the console; with nobody reading it, systemd itself hung."""
    with NspawnBox(None, name="box-console") as box:
        done = box.run("head -c 300000 /dev/zero | tr '\\0' x > /dev/console && echo written", timeout=60)
        assert done.stdout.strip() == "written"
        assert box.run("systemctl is-system-running", timeout=30, check=False).stdout.strip() in ("running", "degraded")


def test_a_hung_container_is_killed_and_its_overlay_removed() -> None:
    """A frozen systemd cannot power off; close kills the container's PID 1 and still cleans up."""
    box = NspawnBox(None, name="box-hung", poweroff_timeout_s=3)
    box.start()
    base, init_pid = box.base, box.init_pid
    assert init_pid is not None
    os.kill(init_pid, signal.SIGSTOP)
    box.close()
    assert box.clean_poweroff is False
    assert_nothing_left(base, init_pid)


def test_a_failed_boot_cleans_up() -> None:
    """A boot that fails after systemd started (here: an injected failure) leaves nothing behind."""

    class FailingBox(NspawnBox):
        def _await_system_running(self, deadline: float) -> None:
            raise BoxError("injected")

    box = FailingBox(None, name="box-fails")
    with pytest.raises(BoxError, match="injected"):
        with box:
            pass
    assert box.init_pid is not None
    assert_nothing_left(Path(str(box.log_path)).parent, box.init_pid)


def test_a_box_whose_owner_was_killed_is_reaped() -> None:
    """SIGKILL of the test process: its container powers off (pdeathsig) and the next box reaps it."""
    script = ("import sys, time\n"
              "from support.nspawn_box import NspawnBox\n"
              "box = NspawnBox(None, name='box-orphan'); box.start()\n"
              "print(box.base, box.init_pid, flush=True)\n"
              "time.sleep(600)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = owner.stdout.readline().split() if owner.stdout else []
        assert len(line) == 2, "the owner process did not boot its box"
        base, init_pid = Path(line[0]), int(line[1])
        assert mounted_under(base)
    finally:
        owner.kill()
        owner.wait()
    assert base in reap_stale_boxes()
    assert_nothing_left(base, init_pid)
