"""A throwaway machine that boots a real systemd, for testing the unit as it really runs.

CI machines (and the development VM) have no systemd as PID 1, so Type=notify, the watchdog and
the sandbox around real model loading and real audio can only be seen in a container. The box
boots this machine's own root file system in systemd-nspawn, seen through an overlay whose writes
land in a tmpfs: what the test installs, and what the container's boot-time clean-up removes,
vanish with the box. (Never boot systemd on the host's root instead: its tmpfiles clean-up
empties the host's /tmp.) The checkout is copied into the box, since the host's /tmp is empty
inside it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SOURCE_IN_BOX = "/src/companion"
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

    def __init__(self, repo: Path, name: str = "companion-test", tmpfs_size: str = "8G") -> None:
        self.repo = repo
        self.name = name
        self.tmpfs_size = tmpfs_size
        self.base: Path | None = None
        self.root: Path | None = None
        self.log_path: Path | None = None
        self._nspawn: subprocess.Popen[bytes] | None = None
        self._init_pid: int | None = None
        self._mounts: list[Path] = []

    def __enter__(self) -> NspawnBox:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, boot_timeout_s: float = 90.0) -> None:
        if os.geteuid() != 0:
            raise BoxError("booting a container needs root")
        if shutil.which("systemd-nspawn") is None:
            raise BoxError("systemd-nspawn is missing; ./install.sh --dev installs it (apt: systemd-container)")
        self.base = Path(tempfile.mkdtemp(prefix="companion-box-", dir="/var/tmp"))
        layer, self.root = self.base / "layer", self.base / "root"
        layer.mkdir()
        self.root.mkdir()
        self._mount(["-t", "tmpfs", "-o", f"size={self.tmpfs_size},mode=0755", "tmpfs", str(layer)], layer)
        (layer / "upper").mkdir()
        (layer / "work").mkdir()
        options = f"lowerdir=/,upperdir={layer / 'upper'},workdir={layer / 'work'}"
        self._mount(["-t", "overlay", "overlay", "-o", options, str(self.root)], self.root)
        self._copy_checkout()
        self.log_path = self.base / "nspawn.log"
        with open(self.log_path, "wb") as log:
            self._nspawn = subprocess.Popen(
                ["systemd-nspawn", "-D", str(self.root), "--boot", "--register=no", "--keep-unit",
                 "--console=passive", "--link-journal=no", "-M", self.name],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + boot_timeout_s
        while self._init_pid is None:
            if self._nspawn.poll() is not None or time.monotonic() > deadline:
                raise BoxError(f"the container did not boot:\n{self.log_tail()}")
            self._init_pid = self._find_init()
            time.sleep(0.2)
        state = self.run("systemctl is-system-running --wait", timeout=boot_timeout_s, check=False).stdout.strip()
        if state not in ("running", "degraded"):
            raise BoxError(f"systemd in the container is '{state}':\n{self.log_tail()}")

    def _mount(self, args: list[str], target: Path) -> None:
        done = subprocess.run(["mount", *args], capture_output=True, text=True)
        if done.returncode:
            raise BoxError(f"mount {' '.join(args)} failed: {done.stderr.strip()}")
        self._mounts.append(target)

    def _copy_checkout(self) -> None:
        assert self.root is not None
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

    def run(self, command: str, timeout: float = 60.0, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``command`` with bash inside the box, with this process's pip settings but no venv."""
        assert self._init_pid is not None, "the box is not booted"
        env = {k: v for k, v in os.environ.items()
               if k.startswith(("PIP_", "LANG", "LC_")) or k.lower().endswith("_proxy")}
        env.update(PATH=SYSTEM_PATH, HOME="/root")
        done = subprocess.run(["nsenter", "-t", str(self._init_pid), "-a", "bash", "-c", command],
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

    def close(self) -> None:
        """Power the container off (kill it if it hangs), then drop the overlay and its tmpfs."""
        if self._nspawn is not None and self._nspawn.poll() is None:
            if self._init_pid is not None:
                subprocess.run(["nsenter", "-t", str(self._init_pid), "-a", "systemctl", "poweroff"],
                               capture_output=True, timeout=30)
            try:
                self._nspawn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self._nspawn.pid, signal.SIGKILL)
                self._nspawn.wait(timeout=10)
        for target in reversed(self._mounts):
            subprocess.run(["umount", "--lazy", str(target)], capture_output=True)
        self._mounts.clear()
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None
