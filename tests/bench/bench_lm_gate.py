"""How often the LM engine generates, and how many seconds of generated text are dropped, per turn.

    PYTHONPATH=device python tests/bench/bench_lm_gate.py [--persona DIR] [--engine lm] [--out FILE]

Runs `companion chat --json` (the device's own turn logic) with `[persona] engine = "lm"` on a
fixed conversation of mixed lines, ``--runs`` times (each a device start sharing the cache, where the
engine keeps its measured pass rate) (greetings, open and detail questions about the person's life,
follow-ups, news, feelings, a question the data does not cover, thanks, goodbye) and reads the
engine's one log line per turn ("lm turn: ..."). Prints JSON: turns, turns that ran the model,
fraction generating, generated seconds, seconds of generation dropped by the fact check (per
turn: mean; and total), replies that were generated text, and per-turn latency median / max.
The lines were written for this benchmark; none is a stored question of the demo persona.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO = HERE.parents[1] / "device" / "companion" / "personas" / "walter"
LINES = [
    "Hello grandpa!",
    "What kind of work did you do when you were young?",
    "Why did you like it so much?",
    "Tell me about the lake where you fish.",
    "What did you catch there last summer?",
    "I just got my first job at the bakery!",
    "What was grandma like when she was young?",
    "Did she have any hobbies?",
    "Have you ever been to Japan?",
    "I'm feeling a bit lonely tonight.",
    "What should I plant in my first garden?",
    "Thanks, grandpa. Goodnight!",
]
TURN_LOG = re.compile(r"lm turn: generated=(?P<gen>\d) tokens=(?P<tok>\d+) seconds=(?P<s>[\d.]+) "
                      r"spoken=(?P<spoken>\d)(?: gate=(?P<gate>\S+))?")


def measure(done: subprocess.CompletedProcess, engine: str) -> dict:
    replies = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    turns = [m.groupdict() for m in TURN_LOG.finditer(done.stderr)]
    generating = [t for t in turns if t["gen"] == "1"]
    dropped = [float(t["s"]) for t in generating if t["spoken"] == "0"]
    latencies = [r["latency_ms"] for r in replies]
    return {
        "engine": engine,
        "turns": len(replies),
        "lm_turns_logged": len(turns),
        "turns_generating": len(generating),
        "fraction_generating": round(len(generating) / len(replies), 3) if replies else None,
        "generated_s_total": round(sum(float(t["s"]) for t in generating), 2),
        "dropped_generation_s_total": round(sum(dropped), 2),
        "dropped_generation_s_per_turn": round(sum(dropped) / len(replies), 3) if replies else None,
        "replies_generated": sum(r["kind"] == "generated" for r in replies),
        "gate": {g: sum((t["gate"] or "-") == g for t in turns) for g in sorted({t["gate"] or "-" for t in turns})},
        "latency_ms_median": round(statistics.median(latencies), 1) if latencies else None,
        "latency_ms_max": round(max(latencies), 1) if latencies else None,
        "per_turn": [f'{r["kind"]} {t["gate"] or "-"} {t["s"]}s' for r, t in zip(replies, turns)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persona", default=str(DEMO))
    parser.add_argument("--engine", default="lm")
    parser.add_argument("--runs", type=int, default=2, help="conversations, one device start each, sharing the cache")
    parser.add_argument("--out")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-lm-gate-") as tmp:
        config = Path(tmp) / "companion.toml"
        config.write_text(f'[persona]\nengine = "{args.engine}"\ndir = "{args.persona}"\n')
        env = dict(os.environ, COMPANION_CONFIG=str(config), XDG_CACHE_HOME=str(Path(tmp) / "cache"),
                   XDG_STATE_HOME=str(Path(tmp) / "state"))
        for _ in range(args.runs):
            done = subprocess.run([sys.executable, "-m", "companion", "-v", "chat", "--json"],
                                  input="\n".join(LINES) + "\n", env=env, capture_output=True, text=True, timeout=3600)
            if done.returncode:
                raise SystemExit(f"companion chat failed ({done.returncode}): {done.stderr[-2000:]}")
            runs.append(measure(done, args.engine))
    text = json.dumps({"runs": runs}, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
