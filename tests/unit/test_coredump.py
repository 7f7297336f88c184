"""`companion run` cannot dump core: its memory holds the decrypted persona.

The watchdog's SIGABRT used to be able to write a ~600 MB core of the service to disk. Checked in
a child process (marking pytest itself non-dumpable would outlive the test).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DEVICE = Path(__file__).resolve().parents[2] / "device"

CHILD = """
import resource
soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))  # as permissive as this machine allows
from companion.config import Settings
from companion.service import live
from companion.service.coredump import core_dumps_possible
print("before", core_dumps_possible(), hard != 0)
live.prepare = lambda settings, notifier, **kw: print("at start-up", core_dumps_possible()) or None
live.run_live(Settings())
print("limit", resource.getrlimit(resource.RLIMIT_CORE))
"""


def test_run_forbids_core_dumps_before_loading_anything() -> None:
    env = {**os.environ, "PYTHONPATH": str(DEVICE)}
    env.pop("NOTIFY_SOCKET", None)
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    before, possible_here = lines[0].split()[1:]
    if possible_here == "True":
        assert before == "True", "the check can fail: a plain process may dump core"
    assert lines[1] == "at start-up False"
    assert lines[2] == "limit (0, 0)"
