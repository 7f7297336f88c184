"""Memories with no stored question: how often the right one is spoken, a wrong one, or none.

    PYTHONPATH=device python tests/bench/bench_loose.py [--models-dir DIR] [--no-generated] [--walter-hidden]

Builds a throw-away persona folder from loose_dev.py (every message without a stored question, as
from a box of letters), loads it the way the device does, and asks loose_dev's questions: prints
JSON with right / wrong / declined for the questions whose answer is in her words, declined /
wrong for the absent ones, and the persona stage's p50 time per question (ms). ``--no-generated``
leaves the generated-question channel out (question_gen.py), for the before/after comparison.
``--walter-hidden``: the demo persona with every stored question hidden (400 loose replies) asked the
Walter paraphrases and absent questions of the tuning sets (listen_sets, listen_dev2, listen_dev3).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import listen_dev2  # noqa: E402
import listen_dev3  # noqa: E402
import listen_sets  # noqa: E402
import loose_dev  # noqa: E402
from companion.models.store import default_models_dir  # noqa: E402
from companion.persona.retrieval import load_retrieval_persona  # noqa: E402

DEMO = HERE.parents[1] / "device" / "companion" / "personas" / "walter"
CARD = '''name = "Rosa"
display_name = "Grandma Rosa"
description = "A fictional grandmother for a tuning set."
language = "en"
fallback_replies = ["Oh, honey, I don't remember that.", "That one's slipped away from me, dear."]
'''


def write_folder(root: Path) -> Path:
    folder = root / "rosa"
    folder.mkdir()
    (folder / "persona.toml").write_text(CARD, encoding="utf-8")
    lines = [json.dumps({"id": key, "text": text, "source": "letter"}) for key, text in loose_dev.MEMORIES]
    (folder / "messages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models-dir", type=Path, default=default_models_dir())
    parser.add_argument("--no-generated", action="store_true")
    parser.add_argument("--details", action="store_true")
    parser.add_argument("--walter-hidden", action="store_true")
    args = parser.parse_args()
    asked: list[tuple[str, str | None]] = [*loose_dev.QUESTIONS, *((q, None) for q in loose_dev.ABSENT)]
    if args.walter_hidden:
        sets = (listen_sets.WALTER, listen_dev2.WALTER, listen_dev3.WALTER)
        asked = [*((q, r) for s in sets for q, r in s["answerable"].items()), *((q, None) for s in sets for q in s["absent"])]
    with tempfile.TemporaryDirectory() as tmp:
        source = DEMO if args.walter_hidden else write_folder(Path(tmp))
        persona = load_retrieval_persona(source, args.models_dir, Path(tmp) / "cache")
        if args.walter_hidden:
            persona = persona.subset(hide_contexts=frozenset(m.id for m in persona.folder.messages))
        if args.no_generated:
            persona.use_generated(None)
        counts = {"right": 0, "wrong": 0, "declined": 0, "absent_declined": 0, "absent_wrong": 0}
        times: list[float] = []
        for question, expected in asked:
            started = time.perf_counter()
            (reply,) = list(persona.respond(question, ()))
            times.append(time.perf_counter() - started)
            spoken = reply.source.message_id if reply.kind.value == "memory" else None
            if expected is None:
                outcome = "absent_wrong" if spoken else "absent_declined"
            else:
                outcome = "declined" if spoken is None else ("right" if re.match(expected, spoken) else "wrong")
            counts[outcome] += 1
            if args.details:
                print(f"{outcome:16} {question} -> {spoken}", file=sys.stderr)
    print(json.dumps({"questions": sum(e is not None for _, e in asked), "absent": sum(e is None for _, e in asked), **counts,
                      "p50_ms": round(1000 * statistics.median(times), 1)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
