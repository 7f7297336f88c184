"""The runtime needs no network: a full `companion converse` turn inside `unshare -n`.

A fresh network namespace has only a loopback interface (down), so any attempt to reach a
model hub, a DNS server or telemetry fails; the turn must still succeed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def unshare_net(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is missing")
    if os.geteuid() != 0:
        args = ["--map-root-user", *args]  # an unprivileged user namespace allows a network one
    return subprocess.run(["unshare", "--net", *args], env=env, capture_output=True, text=True, timeout=300)


def test_a_full_turn_without_any_network(speak, cli_env: dict[str, str], tmp_path: Path) -> None:
    interfaces = unshare_net(["cat", "/proc/net/dev"], cli_env)  # per network namespace, unlike /sys
    assert interfaces.returncode == 0, interfaces.stderr
    names = [line.split(":")[0].strip() for line in interfaces.stdout.splitlines()[2:]]
    assert names == ["lo"], "the namespace must have no network but loopback"

    reply = tmp_path / "reply.wav"
    env = {k: v for k, v in cli_env.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    done = unshare_net([sys.executable, "-m", "companion", "converse", "--input", str(speak("Tell me about your dog.")),
                        "--output", str(reply), "--json"], env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert "dog" in result["transcript"].lower()
    assert result["reply"]
    assert reply.stat().st_size > 10_000
