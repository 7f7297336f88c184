"""Benchmark: peak memory (RSS) of importing and indexing a persona's data. Prints one JSON object.

    .venv/bin/python tests/bench/bench_memory.py [--messages 100000] [--letter-mb 10] [--index-seconds 300]

Two cases, each into a fresh encrypted bundle, as a user runs them: a WhatsApp export of
``--messages`` messages (tests/bench/make_export.py) and one letter of ``--letter-mb`` MB
(``--format text``). For each, `companion persona import --no-index` and then `companion persona
index` run as child processes, and each child's own peak RSS is read from the kernel (wait4),
with medians over ``--repeat`` runs. Indexing runs at the CPU's pace (sentence embeddings); with
``--index-seconds`` it is stopped after that long (the index is resumable), which is enough to
see its peak: memory no longer grows with the bundle (index.WINDOW_TEXTS texts at a time), while
before it read every text first. Limit: 1 GB (issue 19). Run it with another checkout's
``PYTHONPATH`` to compare before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

LIMIT_MB = 1024
WORDS = ("garden", "letter", "morning", "kitchen", "remember", "summer", "brother", "harbour", "window", "bread",
         "river", "station", "promise", "winter", "music", "school", "wedding", "orchard", "journey", "evening")


def write_letter(path: Path, megabytes: float, seed: int = 7) -> Path:
    """A long letter in paragraphs of varied sentences (no two passages alike)."""
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("My dearest Tom,\n\n")
        number = 0
        while written < target:
            sentences = []
            for _ in range(rng.randint(3, 8)):
                number += 1
                words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16)))
                sentences.append(f"{words.capitalize()} ({number}).")
            paragraph = " ".join(sentences) + "\n\n"
            out.write(paragraph)
            written += len(paragraph.encode("utf-8"))
        out.write("With all my love,\nGrandma Rose\n")
    return path


def run_child(args: list[str], env: dict[str, str], limit_s: float | None = None) -> dict[str, object]:
    """Run `companion ARGS`; its own peak RSS (MB), wall time, and whether it finished."""
    started = time.perf_counter()
    # Output goes to files (a pipe nobody reads would stall a chatty child); the child is reaped by
    # a blocking wait4, which also returns its own peak RSS; a timer stops it at the limit.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen([sys.executable, "-m", "companion", *args], env=env, stdout=out, stderr=err)
        stopped = threading.Event()

        def stop() -> None:
            stopped.set()
            child.kill()

        timer = None if limit_s is None else threading.Timer(limit_s, stop)
        if timer is not None:
            timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            if timer is not None:
                timer.cancel()
        finished = not stopped.is_set()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if finished and child.returncode != 0:
        raise SystemExit(f"companion {' '.join(args[:2])} failed: {stderr.strip()[-600:]}")
    return {"peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "wall_s": round(time.perf_counter() - started, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "finished": finished, "stdout": stdout}


def one_case(work: Path, source: Path, fmt: str, index_seconds: float | None) -> dict[str, object]:
    from companion.consent import new_record
    from companion.persona.bundle.store import Bundle, PersonaCard, new_bundle_id

    key = work / "persona.key"
    key.write_text("benchmark passphrase\n")
    bundle_dir = work / f"bundle-{fmt}-{time.monotonic_ns()}"
    consent = new_record(persona_name="Grandma Rose", authorised_by="Tom", relationship="grandchild",
                         status="deceased", audience=["household"], valid_until=None, owner_is_adult=True,
                         bundle_id=new_bundle_id())
    Bundle.create(bundle_dir, b"benchmark passphrase", PersonaCard("Grandma Rose", "Grandma Rose", "en", ("?",)),
                  consent).close()
    env = dict(os.environ, COMPANION_PERSONA_KEY_FILE=str(key))
    imported = run_child(["persona", "import", str(bundle_dir), "--format", fmt, "--speaker", "Grandma Rose",
                          "--no-index", "--json", str(source)], env)
    totals = json.loads(str(imported.pop("stdout")))["totals"]
    indexed = run_child(["persona", "index", str(bundle_dir)], env, index_seconds)
    indexed.pop("stdout")
    return {"import": imported, "index": indexed, "pairs": totals.get("pairs"), "kept": totals.get("kept")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--letter-mb", type=float, default=10.0)
    parser.add_argument("--index-seconds", type=float, default=300.0,
                        help="stop each indexing run after this long (0: run to the end)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case (medians are reported)")
    parser.add_argument("--only", choices=("whatsapp", "letter"), help="run one case")
    args = parser.parse_args(argv)

    from make_export import write_export

    import companion

    limit = args.index_seconds or None
    result: dict[str, object] = {"companion": str(Path(companion.__file__).parent), "limit_mb": LIMIT_MB,
                                 "index_seconds_limit": limit, "cpu_count": os.cpu_count(),
                                 "load_average_at_start": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        work = Path(tmp)
        cases = {}
        if args.only != "letter":
            cases[f"whatsapp_{args.messages}_messages"] = (
                write_export(work / "WhatsApp Chat with Grandma Rose.txt", args.messages), "whatsapp")
        if args.only != "whatsapp":
            cases[f"letter_{args.letter_mb:g}_mb"] = (write_letter(work / "letter.txt", args.letter_mb), "text")
        for name, (source, fmt) in cases.items():
            if args.only and not name.startswith(args.only):
                continue
            runs = [one_case(work, source, fmt, limit) for _ in range(args.repeat)]
            summary: dict[str, object] = {"file_mb": round(source.stat().st_size / 1e6, 2),
                                          "pairs": runs[0]["pairs"], "kept": runs[0]["kept"]}
            for step in ("import", "index"):
                steps = [run[step] for run in runs]  # type: ignore[index]
                summary[step] = {
                    "peak_rss_mb_median": statistics.median(s["peak_rss_mb"] for s in steps),
                    "wall_s_median": statistics.median(s["wall_s"] for s in steps),
                    "cpu_s_median": statistics.median(s["cpu_s"] for s in steps),
                    "finished": all(s["finished"] for s in steps),
                }
            peak = max(summary["import"]["peak_rss_mb_median"], summary["index"]["peak_rss_mb_median"])  # type: ignore[index]
            summary["peak_rss_mb"] = peak
            summary["under_limit"] = peak < LIMIT_MB
            result[name] = summary
            print(f"{name}: peak {peak} MB", file=sys.stderr)
    result["load_average_at_end"] = os.getloadavg()[0]
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
