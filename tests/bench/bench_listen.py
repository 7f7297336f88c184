"""How well the persona listens: prints the issue-13 rates as JSON (one object).

    PYTHONPATH=device python tests/bench/bench_listen.py [--models-dir DIR] [--out FILE] [--set holdout|dev2]

Two personas: the demo persona (Walter, a folder) and June, a bundle built here from a WhatsApp
export written in the real Android layout (`persona create` + `persona import`, the real path).
The questions (listen_sets.py) were written before tuning and are never put into an index.
Each question goes through the guarded engine the device speaks through (guardrails + the
configured retrieval engine); follow-ups carry the history the pipeline would keep.

Rates: answered with the right memory (paraphrases) and with a wrong one, declined (absent life questions), a
message of the same kind (news, feelings), follow-ups resolved, character breaks on harmless
family/health/name questions; and the persona stage's time per question (p50, p90, ms).
``--set holdout`` asks the held-out questions of listen_holdout.py instead (paraphrases and absent
life questions only, so only those two rates), measured the same way; never tune on them.
``--set dev2`` / ``--set dev3`` ask listen_dev2.py's / listen_dev3.py's natural paraphrases (same shape), the sets to tune on;
``--set dev4`` listen_dev4.py's near-topic traps, how-to memories and questions about the person themself
(with its own harmless set). The held-out module is imported only when it is asked for.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import listen_dev2  # noqa: E402
import listen_dev3  # noqa: E402
import listen_dev4  # noqa: E402
import listen_sets  # noqa: E402
from companion.ethics.guardrails import guard  # noqa: E402
from companion.ethics.semantic import SemanticCues  # noqa: E402
from companion.models.store import default_models_dir  # noqa: E402
from companion.persona.base import Exchange  # noqa: E402
from companion.persona.reply import main_source, reply_text  # noqa: E402
from companion.persona.retrieval import load_retrieval_persona  # noqa: E402

DEMO = HERE.parents[1] / "device" / "companion" / "personas" / "walter"
BREAKS = {"honesty", "crisis", "refusal"}
DECLINES = {"fallback", "withheld"}


def whatsapp_export(chat: list[tuple[str, str]]) -> str:
    """The chat as an Android WhatsApp export: "dd/mm/yyyy, hh:mm - Name: text", a day per exchange."""
    lines = ["03/01/2019, 09:00 - Messages and calls are end-to-end encrypted. No one outside of this chat, "
             "not even WhatsApp, can read or listen to them. Tap to learn more."]
    for i, (who, text) in enumerate(chat):
        day, minute = 4 + i // 2, 10 + (i % 2) * 7
        month, day = 1 + (day - 1) // 28, 1 + (day - 1) % 28
        lines.append(f"{day:02d}/{month:02d}/2019, 18:{minute:02d} - {who}: {text}")
    return "\n".join(lines) + "\n"


def build_june(root: Path, env: dict[str, str]) -> tuple[Path, Path]:
    """A consented, encrypted bundle imported from the export, through the `companion` command."""
    bundle, key = root / "june", root / "june.key"
    key.write_text("a long family passphrase for june\n")
    export = root / "WhatsApp Chat with Nana June.txt"
    export.write_text(whatsapp_export(listen_sets.JUNE_CHAT), encoding="utf-8")
    env = dict(env, COMPANION_PERSONA_KEY_FILE=str(key))

    def run(*args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "companion", *args], env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=600)
        if done.returncode:
            raise SystemExit(f"companion {' '.join(args[:2])} failed: {done.stderr.strip()}")

    run("persona", "create", "June Harlow", "--dir", str(bundle), "--status", "deceased", "--authorised-by", "Sam",
        "--relationship", "grandchild", "--audience", "household", "--adult", "--confirm",
        "--fallback", "Ooh, I can't remember that, love.", "--fallback", "You've got me there, love. It's gone.")
    run("persona", "import", str(bundle), "--speaker", "Nana June", str(export))
    return bundle, key


def exchange(question: str, pieces: list) -> Exchange:
    """What the pipeline keeps of a turn (with its record when this version's Exchange has one)."""
    fields = {f.name for f in dataclasses.fields(Exchange)}
    if "source" in fields:
        return Exchange(question, reply_text(pieces), main_source(pieces))
    return Exchange(question, reply_text(pieces))


class Asker:
    def __init__(self, engine, is_bundle: bool) -> None:
        self.engine, self.is_bundle, self.times = engine, is_bundle, []

    def ask(self, question: str, history: list[Exchange] | tuple = ()) -> tuple[list, str, str]:
        t = time.perf_counter()
        pieces = list(self.engine.respond(question, list(history)))
        self.times.append(time.perf_counter() - t)
        source = main_source(pieces)
        kind = source.kind.value if source else "none"
        # Walter's ids name their topic; a bundle's ids are opaque, so its sets match the words.
        key = (source.message_id or "") if not self.is_bundle else reply_text(pieces)
        return pieces, kind, key


def rate(hits: int, total: int) -> float:
    return round(hits / total, 3) if total else 0.0


def measure(asker: Asker, sets: dict, harmless: list[str] | None) -> dict:
    """The rates of the kinds of input ``sets`` has (a held-out set may hold only some kinds)."""
    out: dict[str, object] = {}
    wrong: dict[str, list] = {}
    hits = misses = 0
    for question, expected in sets["answerable"].items():
        _, kind, key = asker.ask(question)
        ok = kind in ("memory", "generated") and re.search(expected, key) is not None
        hits += ok
        misses += kind in ("memory", "generated") and not ok
        if not ok:
            wrong.setdefault("answerable", []).append([question, kind, key[:60]])
    out["answered_right_memory"] = rate(hits, len(sets["answerable"]))
    out["answered_wrong_memory"] = rate(misses, len(sets["answerable"]))
    hits = 0
    for question in sets["absent"]:
        _, kind, key = asker.ask(question)
        hits += kind in DECLINES
        if kind not in DECLINES:
            wrong.setdefault("absent", []).append([question, kind, key[:60]])
    out["absent_declined"] = rate(hits, len(sets["absent"]))
    for name in ("news", "feelings"):
        if name not in sets:
            continue
        hits = 0
        for question in sets[name]:
            _, kind, key = asker.ask(question)
            ok = kind == "memory" and re.search(sets[name + "_ok"], key) is not None
            hits += ok
            if not ok:
                wrong.setdefault(name, []).append([question, kind, key[:60]])
        out[f"{name}_same_kind"] = rate(hits, len(sets[name]))
    hits = 0
    for first, follow, expected in sets.get("followups", ()):
        pieces, _, _ = asker.ask(first)
        second, kind, key = asker.ask(follow, [exchange(first, pieces)])
        if expected.startswith("say:"):
            ok = expected[4:].lower() in reply_text(second).lower()
        else:
            ok = kind in ("memory", "generated") and re.search(expected, key) is not None
        hits += ok
        if not ok:
            wrong.setdefault("followups", []).append([follow, kind, (key or reply_text(second))[:60]])
    if "followups" in sets:
        out["followups_resolved"] = rate(hits, len(sets["followups"]))
    breaks = []
    for question in harmless or ():
        _, kind, _ = asker.ask(question)
        if kind in BREAKS:
            breaks.append([question, kind])
    if harmless is not None:
        out["harmless_breaks"] = len(breaks)
        out["harmless_total"] = len(harmless)
    out["wrong"] = wrong | ({"harmless": breaks} if breaks else {})
    return out


def question_source(name: str):
    """The module of the asked set (the held-out one imported only when asked for: never by a tuning run)."""
    if name == "holdout":
        import listen_holdout

        return listen_holdout
    return {"dev2": listen_dev2, "dev3": listen_dev3, "dev4": listen_dev4}.get(name, listen_sets)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", default=os.environ.get("COMPANION_MODELS_DIR") or str(default_models_dir()))
    parser.add_argument("--out", help="also write the JSON here")
    parser.add_argument("--details", action="store_true", help="list every miss")
    parser.add_argument("--set", choices=("main", "holdout", "dev2", "dev3", "dev4"), default="main", dest="question_set",
                        help="holdout: the held-out questions of listen_holdout.py (measure only, never tune); "
                             "dev2/dev3: the natural-paraphrase tuning questions of listen_dev2.py / listen_dev3.py")
    args = parser.parse_args()
    models = Path(args.models_dir)
    result: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="bench-listen-") as tmp:
        root = Path(tmp)
        env = dict(os.environ, COMPANION_MODELS_DIR=str(models), XDG_CACHE_HOME=str(root / "cache"),
                   XDG_STATE_HOME=str(root / "state"))
        env.pop("COMPANION_CONFIG", None)
        # The bundle is signed by the consent key under this state directory; this process must
        # check it with the same key.
        os.environ["COMPANION_CONSENT_DIR"] = env["COMPANION_CONSENT_DIR"] = str(root / "state" / "consent")
        bundle, key = build_june(root, env)
        personas = {
            "walter": (load_retrieval_persona(DEMO, models, root / "cache"), False),
            "june": (load_retrieval_persona(bundle, models, None, key_file=key), True),
        }
        for name, (engine, is_bundle) in personas.items():
            guarded = guard(engine, crisis_template="Please call {help_number}.", help_number="999",
                            semantic=SemanticCues(engine.embedder))
            asker = Asker(guarded, is_bundle)
            source = question_source(args.question_set)
            sets = source.WALTER if name == "walter" else source.JUNE
            scores = measure(asker, sets, getattr(source, "HARMLESS", None))
            times = sorted(asker.times)
            scores["persona_ms_p50"] = round(1000 * statistics.median(times), 2)
            scores["persona_ms_p90"] = round(1000 * times[int(0.9 * (len(times) - 1))], 2)
            scores["questions"] = len(times)
            if not args.details:
                scores.pop("wrong")
            result[name] = scores
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
