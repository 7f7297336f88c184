"""The device's hash-pinned lock (device/requirements.lock, what install.sh installs on a device)
pins every runtime dependency pyproject.toml declares: a dependency added without renewing the
lock would be missing on every device."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")


def test_every_runtime_dependency_is_pinned_with_hashes_in_the_device_lock() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lock = (REPO / "device/requirements.lock").read_text(encoding="utf-8")
    pinned = {_name(m.group(1)): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+)", lock, re.M)}
    from packaging.requirements import Requirement

    def on_a_device(dep: str) -> bool:  # the lock is for Python 3.11 and newer
        marker = Requirement(dep).marker
        return marker is None or any(marker.evaluate({"python_version": v}) for v in ("3.11", "3.12", "3.13"))

    missing = [dep for dep in project["dependencies"] if on_a_device(dep) and _name(dep) not in pinned]
    assert not missing, f"renew device/requirements.lock (see its header): {missing}"
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 1)[1])
    assert all("--hash=sha256:" in entry for entry in entries if re.match(r"[A-Za-z0-9]", entry))
