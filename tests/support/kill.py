"""Kill -9 at a random moment of a child's work: the atomicity tests' one loop (a forget, an
import) that must leave the data wholly before or wholly after, whenever it is cut."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections.abc import Callable, Sequence


def kill_until_done(argv: Sequence[str], rng: random.Random, latest_s: float, done: Callable[[], bool],
                    *, runs: int = 3) -> None:
    """Run ``argv`` (a child that prints "open" once it starts its work) until ``done()``: every run
    but the last is killed with SIGKILL a random 0..``latest_s`` seconds after "open" (a moment during
    or after the work); ``done()`` checks the data after each run and says whether the work is done."""
    for attempt in range(runs):
        process = subprocess.Popen(list(argv), stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None and process.stdout.readline().strip() == "open"
        if attempt < runs - 1:
            time.sleep(rng.uniform(0.0, latest_s))  # the random moment of the kill, not a wait for an event
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=120)
        if done():
            return
    raise AssertionError(f"the work was not done after {runs} runs, the last one not killed")
