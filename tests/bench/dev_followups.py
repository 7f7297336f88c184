"""Tuning loop for follow-ups on the DEV dialogues only (followup_dev.py): prints JSON rates.

    PYTHONPATH=device:tests python tests/bench/dev_followups.py [--details]

Each dialogue goes through the guarded retrieval engine with the history the pipeline keeps
(every earlier exchange of the dialogue, with its reply record).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import followup_dev  # noqa: E402  (after the sys.path line)
from bench_listen import exchange  # noqa: E402  (after the sys.path line)
from companion.ethics.guardrails import guard  # noqa: E402  (after the sys.path line)
from companion.models.store import default_models_dir  # noqa: E402  (after the sys.path line)
from companion.persona.reply import main_source, reply_text  # noqa: E402  (after the sys.path line)
from companion.persona.retrieval import load_retrieval_persona  # noqa: E402  (after the sys.path line)
from dev_listen import june_folder, retrieval_folder  # noqa: E402  (after the sys.path line)

DEMO = HERE.parents[1] / "device" / "companion" / "personas" / "walter"


def run(engine, dialogues: list, by_text: bool) -> dict:
    hits = total = 0
    misses = []
    for dialogue in dialogues:
        history = []
        for turn, (line, expected) in enumerate(dialogue):
            pieces = list(engine.respond(line, list(history)))
            history.append(exchange(line, pieces))
            source = main_source(pieces)
            key = reply_text(pieces) if by_text else (source.message_id or "") if source else ""
            if turn and expected:
                total += 1
                ok = re.search(expected, key) is not None
                hits += ok
                if not ok:
                    misses.append([dialogue[0][0], line, source.kind.value if source else "none", key[:60]])
    return {"followups_resolved": round(hits / total, 3) if total else 0.0, "followups": total, "misses": misses}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true")
    args = parser.parse_args()
    models = default_models_dir()
    out = {}
    with tempfile.TemporaryDirectory(prefix="dev-followups-") as tmp:
        root = Path(tmp)
        personas = {"walter": (DEMO, followup_dev.WALTER, False), "june": (june_folder(root), followup_dev.JUNE, True),
                    "zh": (retrieval_folder(root, "zh"), followup_dev.ZH, False)}
        for name, (folder, dialogues, by_text) in personas.items():
            engine = load_retrieval_persona(folder, models, root / "cache")
            guarded = guard(engine, crisis_template="Please call {help_number}.", help_number="999")
            result = run(guarded, dialogues, by_text)
            if not args.details:
                result.pop("misses")
            out[name] = result
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
