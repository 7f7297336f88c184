"""The runtime needs no network and uses none: a full turn inside `unshare -n`, and one under strace.

A fresh network namespace has only a loopback interface (down), so any attempt to reach a
model hub, a DNS server or telemetry fails; the turn must still succeed.
"""

from __future__ import annotations

import json
import os
import re
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


# ONNX Runtime keeps its telemetry quiet by itself on machines that look like CI; the children
# below must look like a family's computer for the check to mean anything.
CI_MARKERS = ("CI", "CONTINUOUS_INTEGRATION", "GITHUB_ACTIONS", "GITLAB_CI", "TF_BUILD", "BUILD_BUILDID",
              "JENKINS_URL", "BUILDKITE", "CIRCLECI", "TRAVIS")
INET_SOCKET = re.compile(r"socket\((AF_INET|AF_INET6|AF_PACKET)\b")


def home_like(cli_env: dict[str, str], home: Path) -> dict[str, str]:
    env = {k: v for k, v in cli_env.items() if k not in CI_MARKERS and k != "ORT_DISABLE_TELEMETRY"}
    env.update(HOME=str(home / "home"), XDG_CACHE_HOME=str(home / "cache"))
    (home / "home").mkdir(parents=True)
    (home / "cache").mkdir()
    return env


def telemetry_files(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if "microsoft" in str(p).lower())


def test_a_turn_opens_no_internet_socket_and_records_no_telemetry(speak, cli_env: dict[str, str], tmp_path: Path) -> None:
    """With a network present, as at home: no AF_INET/AF_INET6 socket, no ONNX Runtime telemetry."""
    if shutil.which("strace") is None:
        pytest.fail("strace is missing; ./install.sh --dev installs it (apt: strace)")
    control = tmp_path / "control"
    model = Path(cli_env["COMPANION_MODELS_DIR"]) / "tts-joe-medium" / "en_US-joe-medium.onnx"
    plain = subprocess.run([sys.executable, "-c", f"import onnxruntime; onnxruntime.InferenceSession({str(model)!r})"],
                           env=home_like(cli_env, control), capture_output=True, text=True, timeout=120)
    assert plain.returncode == 0, plain.stderr
    assert telemetry_files(control), "control: plain onnxruntime no longer records telemetry; review this test"

    ours = tmp_path / "ours"
    trace = tmp_path / "sockets.trace"
    done = subprocess.run(
        ["strace", "-f", "--seccomp-bpf", "-e", "trace=socket", "-o", str(trace),
         sys.executable, "-m", "companion", "converse", "--input", str(speak("Tell me about your dog.")),
         "--output", str(tmp_path / "reply.wav"), "--json"],
        env=home_like(cli_env, ours), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "dog" in json.loads(done.stdout)["transcript"].lower()
    calls = trace.read_text().splitlines()
    assert calls, "strace recorded nothing"
    assert [line for line in calls if INET_SOCKET.search(line)] == []
    assert telemetry_files(ours) == []
