"""What a test box leaves behind when its owner dies without cleaning up, and how to remove it.

A box (support/nspawn_box.py) writes ``owner.json`` in its folder: the test process, nspawn, the
container's init (each a pid with its start time, so a recycled pid is never mistaken for it) and
its mounts. When a later box starts and finds a folder whose owner is gone (SIGKILL, a CI
timeout), it kills that container's init (which ends every process of the container), unmounts
the overlay and its tmpfs and removes the folder, so one bad run cannot leave a systemd running
or 8 GB of tmpfs mounted for the next.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

BOX_PARENT = Path("/var/tmp")
BOX_PREFIX = "companion-box-"
OWNER_FILE = "owner.json"
UNOWNED_GRACE_S = 3600.0
"""A box folder without an owner file is being created right now, unless it is this old."""


def _start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])


@dataclass
class ProcessRef:
    """A process that cannot be confused with a later one reusing its pid."""

    pid: int
    start: int
    pidfd: int | None = field(default=None, compare=False)

    @classmethod
    def of(cls, pid: int, *, with_pidfd: bool = False) -> ProcessRef:
        pidfd = os.pidfd_open(pid) if with_pidfd else None  # raises ProcessLookupError if gone
        start = _start_time(pid)
        if start is None:
            if pidfd is not None:
                os.close(pidfd)
            raise ProcessLookupError(pid)
        return cls(pid, start, pidfd)

    def alive(self) -> bool:
        if self.pidfd is not None:
            return not select.select([self.pidfd], [], [], 0)[0]  # a pidfd turns readable at exit
        return _start_time(self.pid) == self.start and not _is_zombie(self.pid)

    def release(self) -> None:
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def kill_and_wait(process: ProcessRef, timeout_s: float) -> bool:
    """SIGKILL the process (never another one that took its pid); True once it is gone."""
    try:
        if process.pidfd is not None:
            signal.pidfd_send_signal(process.pidfd, signal.SIGKILL)
        elif process.alive():
            os.kill(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    if process.pidfd is not None:
        return bool(select.select([process.pidfd], [], [], timeout_s)[0])
    deadline = time.monotonic() + timeout_s
    while process.alive():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@dataclass
class Owner:
    """Who made a box, and what it started and mounted (``owner.json``)."""

    test: ProcessRef
    nspawn: ProcessRef | None
    init: ProcessRef | None
    mounts: list[str]

    def save(self, base: Path) -> None:
        refs = {k: None if r is None else [r.pid, r.start] for k, r in
                (("test", self.test), ("nspawn", self.nspawn), ("init", self.init))}
        tmp = base / (OWNER_FILE + ".tmp")
        tmp.write_text(json.dumps({**refs, "mounts": self.mounts}))
        tmp.replace(base / OWNER_FILE)

    @classmethod
    def load(cls, base: Path) -> Owner | None:
        try:
            data = json.loads((base / OWNER_FILE).read_text())
        except (OSError, ValueError):
            return None

        def ref(key: str) -> ProcessRef | None:
            return ProcessRef(*data[key]) if data.get(key) else None

        test = ref("test")
        return None if test is None else cls(test, ref("nspawn"), ref("init"), list(data.get("mounts", [])))


def mounted_under(path: Path) -> list[str]:
    """Mount points at or below ``path``, deepest first (from /proc/self/mountinfo)."""
    prefix = str(path).rstrip("/")
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        for line in fh:
            point = line.split()[4].encode().decode("unicode_escape")  # \040 for a space, etc.
            if point == prefix or point.startswith(prefix + "/"):
                points.append(point)
    return sorted(points, key=len, reverse=True)


def reap(base: Path) -> None:
    """Kill a dead owner's container and remove its overlay; raises OSError if a mount stays."""
    owner = Owner.load(base)
    if owner is not None:
        for process in (owner.init, owner.nspawn):
            if process is not None:
                kill_and_wait(process, timeout_s=30)
    for point in mounted_under(base):
        if subprocess.run(["umount", point], capture_output=True).returncode:
            subprocess.run(["umount", "--lazy", point], capture_output=True)
    left = mounted_under(base)
    if left:
        raise OSError(f"cannot unmount {', '.join(left)}")
    shutil.rmtree(base, ignore_errors=True)


def reap_stale_boxes(parent: Path = BOX_PARENT) -> list[Path]:
    """Reap every box folder whose owner process has ended; returns the folders removed."""
    reaped = []
    for base in sorted(parent.glob(BOX_PREFIX + "*")):
        owner = Owner.load(base)
        if owner is None:
            try:
                if time.time() - base.stat().st_mtime < UNOWNED_GRACE_S:
                    continue
            except OSError:
                continue
        elif owner.test.alive():
            continue
        try:
            reap(base)
        except OSError:
            continue  # left for a later box; never delete through a mounted overlay
        reaped.append(base)
    return reaped
