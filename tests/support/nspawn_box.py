"""A throwaway machine that boots a real systemd, for testing the unit as it really runs.

CI machines (and the development VM) have no systemd as PID 1, so Type=notify, the watchdog and
the sandbox around real model loading and real audio can only be seen in a container. The box
boots this machine's own root file system in systemd-nspawn, seen through an overlay whose writes
land in a tmpfs: what the test installs, and what the container's boot-time clean-up removes,
vanish with the box. (Never boot systemd on the host's root instead: its tmpfiles clean-up
empties the host's /tmp.) The checkout is copied into the box, since the host's /tmp is empty
inside it.

Booting waits on events, never on a guessed time: nspawn runs with ``--notify-ready=yes`` and a
notification socket of ours, so its READY=1 arrives once the container's systemd has finished
starting up; then the manager's bus socket must exist before ``systemctl is-system-running
--wait`` is asked (asked too early, systemctl fails with "Failed to connect to bus"). The
deadline is generous (a loaded CI machine boots slowly) but a fast boot returns at once.

The box boots to its own target (basic.target and nothing else): the services this machine
enables (a database another test installed, say) have no business in the box, and one of them
hanging at start-up once kept the boot from ever finishing. Nothing the container writes may
block it: its console is drained into nspawn.log
(``--console=read-only``; with ``passive`` nobody reads the console's pty, so once 64 KB are
written there, the next writer blocks, systemd included, and the box hangs), and our
notification socket is closed right after READY=1.

Clean-up holds on every path: the container's PID 1 is held by a pidfd and killed if an orderly
poweroff does not finish (killing a PID namespace's init ends every process in it), nspawn dies
with the process that started it (``setpriv --pdeathsig``), and a box whose owner died without
cleaning up (SIGKILL, a CI timeout) is reaped by the next box (support/box_reaper.py).
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from support.box_reaper import (
    BOX_PARENT,
    BOX_PREFIX,
    Owner,
    ProcessRef,
    kill_and_wait,
    mounted_under,
    reap_stale_boxes,
)

SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SOURCE_IN_BOX = "/src/companion"
BOOT_TIMEOUT_S = float(os.environ.get("COMPANION_BOX_BOOT_TIMEOUT_S", "600"))
"""Generous on purpose: waiting is event-driven, so only a truly stuck boot waits this long."""
POWEROFF_TIMEOUT_S = 90.0
BUS_SOCKET = "run/systemd/private"  # what systemctl talks to as root, inside the container
BOOT_TARGET = "companion-box.target"
BOOTED_STATES = ("running", "degraded")  # degraded: some unit of the host's root failed in a container
# What a checkout copy leaves out: environments and build output, rebuilt inside the box.
_TOP_LEVEL_EXCLUDES = {".venv", ".git", "build", "dist"}  # device/companion/build is a package
_EVERYWHERE_EXCLUDES = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis",
                                              ".mypy_cache", ".ruff_cache")


class BoxError(RuntimeError):
    """The box could not be made or booted; the message says which step and shows its output."""


def _status_fields(pid: str) -> dict[str, str]:
    fields = {}
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
    except OSError:  # the process ended while we looked
        return {}
    return fields


class NspawnBox:
    """A booted container; `run` executes a shell command inside it (all its namespaces)."""

    def __init__(self, repo: Path | None, name: str = "companion-test", tmpfs_size: str = "8G",
                 poweroff_timeout_s: float = POWEROFF_TIMEOUT_S) -> None:
        self.repo = repo  # None: boot without a copy of the checkout (the boot check)
        self.name = name
        self.tmpfs_size = tmpfs_size
        self.poweroff_timeout_s = poweroff_timeout_s
        self.base: Path | None = None
        self.root: Path | None = None
        self.log_path: Path | None = None
        self.boot_s: float | None = None
        self.clean_poweroff: bool | None = None
        """After close: True if the container powered off by itself, False if it had to be killed."""
        self._nspawn: subprocess.Popen[bytes] | None = None
        self._init: ProcessRef | None = None
        self._notify: socket.socket | None = None
        self._mounts: list[Path] = []

    @property
    def init_pid(self) -> int | None:
        """The container's PID 1 as the host sees it (still known after close, for checks)."""
        return self._init.pid if self._init is not None else None

    def __enter__(self) -> NspawnBox:
        try:
            self.start()
        except BaseException:
            try:
                self.close()
            except BoxError:
                pass  # the boot failure is the error to report; close already did what it could
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- booting ---------------------------------------------------------------------------
    def start(self, boot_timeout_s: float = BOOT_TIMEOUT_S) -> None:
        if os.geteuid() != 0:
            raise BoxError("booting a container needs root")
        for tool, package in (("systemd-nspawn", "systemd-container"), ("setpriv", "util-linux"), ("nsenter", "util-linux")):
            if shutil.which(tool) is None:
                raise BoxError(f"{tool} is missing; ./install.sh --dev installs it (apt: {package})")
        began = time.monotonic()
        deadline = began + boot_timeout_s
        reap_stale_boxes()
        BOX_PARENT.mkdir(parents=True, exist_ok=True)
        self.base = Path(tempfile.mkdtemp(prefix=BOX_PREFIX, dir=BOX_PARENT))
        self._owner().save(self.base)
        layer, self.root = self.base / "layer", self.base / "root"
        layer.mkdir()
        self.root.mkdir()
        self._mount(["-t", "tmpfs", "-o", f"size={self.tmpfs_size},mode=0755", "tmpfs", str(layer)], layer)
        (layer / "upper").mkdir()
        (layer / "work").mkdir()
        options = f"lowerdir=/,upperdir={layer / 'upper'},workdir={layer / 'work'}"
        self._mount(["-t", "overlay", "overlay", "-o", options, str(self.root)], self.root)
        if self.repo is not None:
            self._copy_checkout()
        self._write_boot_target()
        self.log_path = self.base / "nspawn.log"
        notify_path = self.base / "notify"
        self._notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self._notify.bind(str(notify_path))
        with open(self.log_path, "wb") as log:
            self._nspawn = subprocess.Popen(
                # setpriv: if this process dies without closing the box, nspawn gets SIGTERM and
                # powers the container off (its --kill-signal) instead of living on.
                ["setpriv", "--pdeathsig", "SIGTERM", "--",
                 "systemd-nspawn", "-D", str(self.root), "--boot", "--register=no", "--keep-unit",
                 "--notify-ready=yes", "--console=read-only", "--link-journal=no", "-M", self.name,
                 f"systemd.unit={BOOT_TARGET}"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "NOTIFY_SOCKET": str(notify_path)},
            )
        self._owner().save(self.base)
        self._await_ready(deadline)
        self._await_bus(deadline)
        self._await_system_running(deadline)
        self.boot_s = time.monotonic() - began

    def _owner(self) -> Owner:
        return Owner(ProcessRef.of(os.getpid()),
                     ProcessRef.of(self._nspawn.pid) if self._nspawn is not None else None,
                     self._init, [str(m) for m in self._mounts])

    def _await_ready(self, deadline: float) -> None:
        """READY=1 from nspawn: with --notify-ready=yes it comes once the container's systemd is up."""
        assert self._nspawn is not None and self._notify is not None
        nspawn_fd = os.pidfd_open(self._nspawn.pid)
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BoxError(f"systemd in the container sent no READY=1 in time:\n{self.log_tail()}")
                readable, _, _ = select.select([self._notify, nspawn_fd], [], [], remaining)
                if nspawn_fd in readable and self._notify not in readable:
                    raise BoxError(f"systemd-nspawn exited with {self._nspawn.wait()} while booting:\n{self.log_tail()}")
                if self._notify in readable:
                    fields = dict(line.split("=", 1) for line in
                                  self._notify.recv(65536).decode(errors="replace").splitlines() if "=" in line)
                    if fields.get("X_NSPAWN_LEADER_PID", "").isdigit() and self._init is None:
                        self._adopt_init(int(fields["X_NSPAWN_LEADER_PID"]))
                    if fields.get("READY") == "1":
                        break
        finally:
            os.close(nspawn_fd)
            # Stop listening at once: nspawn keeps notifying, and a datagram socket nobody reads
            # fills after 10 messages, which blocks nspawn and then the container's systemd.
            self._close_notify()
        if self._init is None:
            found = self._find_init()
            if found is None:
                raise BoxError(f"the container reported READY=1 but its init was not found:\n{self.log_tail()}")
            self._adopt_init(found)

    def _adopt_init(self, pid: int) -> None:
        try:
            self._init = ProcessRef.of(pid, with_pidfd=True)
        except ProcessLookupError as exc:
            raise BoxError(f"the container's init ({pid}) ended while booting:\n{self.log_tail()}") from exc
        assert self.base is not None
        self._owner().save(self.base)

    def _await_bus(self, deadline: float) -> None:
        """The manager's private bus socket, seen through the init's root (/run is the container's own)."""
        assert self._init is not None and self._nspawn is not None
        bus = Path(f"/proc/{self._init.pid}/root") / BUS_SOCKET
        while not bus.is_socket():
            if self._nspawn.poll() is not None or not self._init.alive():
                raise BoxError(f"the container stopped before systemd's bus came up:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise BoxError(f"systemd's bus socket /{BUS_SOCKET} never appeared:\n{self.log_tail()}")
            time.sleep(0.05)  # a condition with a deadline, checked often; no event exists for it

    def _await_system_running(self, deadline: float) -> None:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BoxError(f"systemd in the container did not finish starting up:\n{self.log_tail()}")
            try:
                done = self.run("systemctl is-system-running --wait", timeout=remaining, check=False)
            except subprocess.TimeoutExpired as exc:
                raise BoxError(f"`systemctl is-system-running --wait` timed out:\n{self.log_tail()}") from exc
            state = done.stdout.strip()
            if state in BOOTED_STATES:
                return
            if state not in ("", "initializing", "starting") and "connect to bus" not in done.stderr:
                raise BoxError(f"systemd in the container is '{state}' {done.stderr.strip()}:\n{self.log_tail()}")
            time.sleep(0.2)  # the bus was not answering yet: ask again (bounded by the deadline)

    def _mount(self, args: list[str], target: Path) -> None:
        done = subprocess.run(["mount", *args], capture_output=True, text=True)
        if done.returncode:
            raise BoxError(f"mount {' '.join(args)} failed: {done.stderr.strip()}")
        self._mounts.append(target)
        assert self.base is not None
        self._owner().save(self.base)

    def _write_boot_target(self) -> None:
        """The box boots to basic.target, not to whatever the host enables (a database, a web server)."""
        assert self.root is not None
        unit = self.root / "etc/systemd/system" / BOOT_TARGET
        unit.parent.mkdir(parents=True, exist_ok=True)
        unit.write_text("[Unit]\nDescription=companion test box\nRequires=basic.target\nAfter=basic.target\n"
                        "AllowIsolate=yes\n")

    def _copy_checkout(self) -> None:
        assert self.root is not None and self.repo is not None
        target = self.root / SOURCE_IN_BOX.lstrip("/")
        top = str(self.repo)

        def ignore(folder: str, names: list[str]) -> set[str]:
            skipped = set(_EVERYWHERE_EXCLUDES(folder, names))
            return skipped | (_TOP_LEVEL_EXCLUDES & set(names) if folder == top else set())

        shutil.copytree(self.repo, target, ignore=ignore, symlinks=True)

    def _find_init(self) -> int | None:
        """The container's PID 1, seen from here: a descendant of nspawn whose last NSpid is 1."""
        assert self._nspawn is not None
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            fields = _status_fields(entry)
            nspids = fields.get("NSpid", "").split()
            if len(nspids) < 2 or nspids[-1] != "1":  # not the init of a nested PID namespace
                continue
            parent = fields.get("PPid", "0")
            for _ in range(4):  # nspawn forks once or twice before the container's init
                if parent == str(self._nspawn.pid):
                    return int(entry)
                parent = _status_fields(parent).get("PPid", "0")
        return None

    # -- using -----------------------------------------------------------------------------
    def run(self, command: str, timeout: float = 60.0, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``command`` with bash inside the box, with this process's pip settings but no venv."""
        assert self._init is not None, "the box is not booted"
        env = {k: v for k, v in os.environ.items()
               if k.startswith(("PIP_", "LANG", "LC_")) or k.lower().endswith("_proxy")}
        env.update(PATH=SYSTEM_PATH, HOME="/root")
        done = subprocess.run(["nsenter", "-t", str(self._init.pid), "-a", "bash", "-c", command],
                              capture_output=True, text=True, timeout=timeout, env=env)
        if check and done.returncode:
            raise BoxError(f"in the box, `{command}` exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def put(self, source: Path, path_in_box: str) -> None:
        """Copy a host file into the box (it lands in the overlay's tmpfs)."""
        assert self.root is not None
        target = self.root / path_in_box.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    def log_tail(self, chars: int = 3000) -> str:
        if self.log_path is None or not self.log_path.is_file():
            return ""
        return self.log_path.read_text(errors="replace")[-chars:]

    # -- closing ---------------------------------------------------------------------------
    def close(self) -> None:
        """Power the container off (kill its PID 1 if that hangs), then drop the overlay and its tmpfs.

        Every step runs whatever the previous one did; a BoxError at the end names what is left.
        """
        try:
            self._stop_container()
        finally:
            self._remove_overlay()

    def _stop_container(self) -> None:
        nspawn = self._nspawn
        if nspawn is not None and nspawn.poll() is None:
            nspawn.send_signal(signal.SIGTERM)  # nspawn sends SIGRTMIN+3 to the container: poweroff
            try:
                nspawn.wait(timeout=self.poweroff_timeout_s)
                self.clean_poweroff = nspawn.returncode == 0
            except subprocess.TimeoutExpired:
                self.clean_poweroff = False
        if self._init is None and nspawn is not None and nspawn.poll() is None:
            found = self._find_init()  # a boot that failed before READY=1
            if found is not None:
                try:
                    self._init = ProcessRef.of(found, with_pidfd=True)
                except ProcessLookupError:
                    pass
        if self._init is not None:
            if self._init.alive():
                self.clean_poweroff = False
            kill_and_wait(self._init, timeout_s=60)  # ends every process of the container
            self._init.release()
        if nspawn is not None and nspawn.poll() is None:
            try:
                os.killpg(nspawn.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            nspawn.wait(timeout=60)
        self._close_notify()

    def _close_notify(self) -> None:
        if self._notify is not None:
            self._notify.close()
            self._notify = None
        if self.base is not None:
            (self.base / "notify").unlink(missing_ok=True)  # nspawn's next send fails fast (ENOENT)

    def _remove_overlay(self) -> None:
        for target in reversed(self._mounts):
            if subprocess.run(["umount", str(target)], capture_output=True).returncode:
                subprocess.run(["umount", "--lazy", str(target)], capture_output=True)
        self._mounts.clear()
        if self.base is None:
            return
        left = mounted_under(self.base)
        if left:  # never delete through a mounted overlay of the host's root
            raise BoxError(f"could not unmount {', '.join(left)}; unmount them, then remove {self.base}")
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None
