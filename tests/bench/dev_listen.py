"""Tuning loop for the answer-side scorer, on the DEV questions only (listen_dev.py, and the dev
split of tests/data/retrieval). Prints JSON rates per persona, with stored questions visible and
with the expected exchange's stored question (and near-copies) hidden, as `persona eval` does.

    PYTHONPATH=device:tests python tests/bench/dev_listen.py [--details]
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

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import listen_dev  # noqa: E402  (after the sys.path line)
import listen_sets  # noqa: E402  (after the sys.path line)
from companion.models.store import default_models_dir  # noqa: E402  (after the sys.path line)
from companion.persona.base import Exchange  # noqa: E402  (after the sys.path line)
from companion.persona.retrieval import load_retrieval_persona  # noqa: E402  (after the sys.path line)

DEMO = HERE.parents[1] / "device" / "companion" / "personas" / "walter"
NEAR = 0.85


def june_folder(root: Path) -> Path:
    folder = root / "june"
    folder.mkdir()
    (folder / "persona.toml").write_text('name = "june"\ndisplay_name = "Nana June"\ndescription = "dev"\nlanguage = "en"\n'
                                         'fallback_replies = ["Ooh, I can\'t remember that, love."]\n')
    chat = listen_sets.JUNE_CHAT
    with (folder / "messages.jsonl").open("w") as handle:
        for i in range(0, len(chat) - 1, 2):
            handle.write(json.dumps({"id": f"j{i // 2:03d}", "context": chat[i][1], "text": chat[i + 1][1]}) + "\n")
    return folder


def retrieval_folder(root: Path, lang: str) -> Path:
    from support.retrieval_sets import write_persona

    return write_persona(lang, root / f"r{lang}")


def key_of(engine, piece) -> str:
    return f"{piece.source.message_id or ''} {piece.text}"


def hit(pattern: str, ident: str | None, text: str) -> bool:
    return re.search(pattern, ident or "") is not None or re.search(pattern, text) is not None


def hidden_view(engine, pattern: str):
    messages = engine.folder.messages
    rows = [i for i, m in enumerate(messages) if hit(pattern, m.id, m.text)]
    contexts, _ = engine.message_vectors()
    has = np.array([m.context is not None for m in messages])
    hide = set()
    for row in rows:
        if has[row]:
            near = np.flatnonzero(has & (contexts @ contexts[row] >= NEAR))
            hide.update(messages[i].id for i in near)
        hide.add(messages[row].id)
    return engine.subset(hide_contexts=frozenset(hide))


def run(engine, sets: dict, details: dict, name: str, times: list) -> dict:
    out = {}
    for mode in ("visible", "hidden"):
        hits = wrong = 0
        for question, expected in sets["answerable"].items():
            view = engine if mode == "visible" else hidden_view(engine, expected)
            t = time.perf_counter()
            (piece,) = list(view.respond(question, ()))
            times.append(time.perf_counter() - t)
            ok = piece.kind.value == "memory" and hit(expected, piece.source.message_id, piece.text)
            hits += ok
            wrong += piece.kind.value == "memory" and not ok
            if not ok:
                details.setdefault(f"{name}/{mode}", []).append([question, piece.kind.value, key_of(view, piece)[:70]])
        out[f"right_{mode}"] = round(hits / len(sets["answerable"]), 3)
        out[f"wrong_{mode}"] = round(wrong / len(sets["answerable"]), 3)
    hits = 0
    for question in sets["absent"]:
        (piece,) = list(engine.respond(question, ()))
        hits += piece.kind.value == "fallback"
        if piece.kind.value != "fallback":
            details.setdefault(f"{name}/absent", []).append([question, key_of(engine, piece)[:70]])
    out["declined"] = round(hits / len(sets["absent"]), 3)
    if "feelings" in sets:
        hits = 0
        ok_rx = sets.get("feelings_ok")
        for question in sets["feelings"]:
            (piece,) = list(engine.respond(question, ()))
            ok = piece.kind.value == "memory" and hit(ok_rx, piece.source.message_id, piece.text)
            hits += ok
            if not ok:
                details.setdefault(f"{name}/feelings", []).append([question, piece.kind.value, key_of(engine, piece)[:70]])
        out["feelings"] = round(hits / len(sets["feelings"]), 3)
    if "followups" in sets:
        hits = 0
        for first, follow, expected in sets["followups"]:
            (p1,) = list(engine.respond(first, ()))
            (p2,) = list(engine.respond(follow, [Exchange(first, p1.text, p1.source)]))
            if expected.startswith("say:"):
                ok = expected[4:].lower() in p2.text.lower()
            else:
                ok = p2.kind.value == "memory" and hit(expected, p2.source.message_id, p2.text)
            hits += ok
            if not ok:
                details.setdefault(f"{name}/followups", []).append([follow, p2.kind.value, key_of(engine, p2)[:70]])
        out["followups"] = round(hits / len(sets["followups"]), 3)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--details", action="store_true")
    parser.add_argument("--only", default="")
    parser.add_argument("--split", default="dev", help="'test' measures tests/data/retrieval's test split (report only)")
    args = parser.parse_args()
    from support.retrieval_sets import questions

    models = default_models_dir()
    details: dict = {}
    result = {}
    times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        personas = {} if args.split != "dev" else {
            "walter": (DEMO, dict(listen_dev.WALTER_DEV, feelings_ok=listen_sets.WALTER["feelings_ok"])),
            "june": (june_folder(root), dict(listen_dev.JUNE_DEV, feelings_ok=listen_sets.JUNE["feelings_ok"])),
        }
        for lang in ("en", "zh"):
            dev = questions(lang, args.split)
            personas[f"data-{lang}"] = (retrieval_folder(root, lang), {
                "answerable": {q.text: rf"^{q.expected}$" for q in dev if q.expected != "absent"},
                "absent": [q.text for q in dev if q.expected == "absent"]})
        for name, (folder, sets) in personas.items():
            if args.only and name not in args.only.split(","):
                continue
            engine = load_retrieval_persona(folder, models, root / "cache")
            result[name] = run(engine, sets, details, name, times)
    result["ms_p50"] = round(1000 * statistics.median(times), 2)
    print(json.dumps(result))
    if args.details:
        print(json.dumps(details, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
