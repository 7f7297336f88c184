"""Soak run: hundreds of turns through the live service on the PulseAudio rig.

One LiveSession (real mic and speaker through a private PulseAudio server, real models, the
supervisor, a mocked GPIO button) answers question after question; the script records the
process RSS after every turn and every failed turn (no answer in time, a wrong transcript or an
empty reply). Targets (issue 6): RSS growth < 5 % after warm-up, 0 failed turns.

    .venv/bin/python tests/soak/soak.py --turns 300 --json soak.json

Prints one JSON document (medians and the RSS series); the exit status is 1 on a failed turn.
CI runs a few turns of it (tests/soak/test_soak.py); performance is reported, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ (support.pulse_rig, soak)

QUESTIONS = (
    ("How did you meet grandma?", "grandma"),
    ("Tell me about your dog.", "dog"),
    ("What was your favourite fishing spot?", "fishing"),
    ("What advice do you have for me?", "advice"),
)


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def rss_summary(series: list[float], warmup: int, window: int = 10) -> dict[str, float]:
    """Growth of the RSS series (one sample per turn, turn 0 first) after ``warmup`` turns.

    Single samples move by tens of MiB with whatever a turn happens to hold when it is taken, so
    besides first-vs-last sample the report compares the median of the first ``window`` turns
    after warm-up with the median of the last ``window``, and gives the least-squares slope
    (MiB per 100 turns): a plateau has a slope near zero, a leak does not.
    """
    after = series[min(warmup, len(series) - 1):]
    size = max(1, min(window, len(after) // 2))
    head, tail = statistics.median(after[:size]), statistics.median(after[-size:])
    slope = 0.0
    if len(after) > 1:
        xs = range(len(after))
        mean_x, mean_y = statistics.fmean(xs), statistics.fmean(after)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, after)) / sum((x - mean_x) ** 2 for x in xs)
    return {
        "rss_after_warmup_mib": after[0],
        "rss_final_mib": series[-1],
        "rss_max_mib": max(after),
        "rss_growth_after_warmup_pct": round(100 * (series[-1] - after[0]) / after[0], 2),
        "rss_window_mib": size,
        "rss_median_first_window_mib": round(head, 1),
        "rss_median_last_window_mib": round(tail, 1),
        "rss_window_growth_pct": round(100 * (tail - head) / head, 2),
        "rss_slope_mib_per_100_turns": round(100 * slope, 2),
    }


def run_soak(turns: int, **options: Any) -> dict[str, Any]:
    """Run ``turns`` live turns in a temporary folder that is removed afterwards; see _run."""
    work = Path(tempfile.mkdtemp(prefix="companion-soak-"))
    try:
        return _run(turns, work, **options)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(
    turns: int,
    work: Path,
    *,
    warmup: int = 10,
    turn_timeout_s: float = 90.0,
    progress: bool = True,
    models: Any = None,
    log: Path | None = None,
) -> dict[str, Any]:
    """Run ``turns`` live turns; returns the report (see the module docstring).

    ``models`` (LoadedModels without the wake word needed) saves loading them again in tests;
    ``log`` gets one JSON line per turn as it happens (a long run can be read while it goes).
    """
    from gpiozero.pins.mock import MockFactory
    from tqdm import tqdm

    from companion.audio.wavfile import write_wav
    from companion.config import Settings
    from companion.models.store import default_models_dir
    from companion.service.app import load_models
    from companion.service.live import LiveSession
    from soak.rig_helpers import NoiseFloor
    from support.pulse_rig import PulseRig

    base = Settings()
    settings = replace(
        base,
        paths=replace(base.paths, models_dir=str(default_models_dir()), cache_dir=str(work / "cache")),
        button=replace(base.button, enabled=True, pin=17),
        wake=replace(base.wake, enabled=False),
        conversation=replace(base.conversation, follow_up_s=0.0),  # each turn starts with the button
    )
    if models is None:
        models = load_models(settings, with_wake=False)
    questions = []
    for i, (text, keyword) in enumerate(QUESTIONS):
        path = work / f"q{i}.wav"
        write_wav(path, models.tts.synthesize(text), models.tts.sample_rate)
        questions.append((path, keyword))

    report: dict[str, Any] = {"turns": turns, "warmup_turns": warmup, "failed_turns": [], "rss_mib": []}
    latencies: list[float] = []
    with PulseRig() as rig:
        rig.apply_env()
        settings = replace(settings, audio=replace(settings.audio, input_device=rig.device_name,
                                                   output_device=rig.device_name))
        noise = NoiseFloor(rig, work)
        noise.start()
        factory = MockFactory()
        session = LiveSession(settings, models, pin_factory=factory)
        done: list[Any] = []

        def serve() -> None:
            done.extend(asyncio.run(session.run(handle_signals=False)))

        thread = threading.Thread(target=serve, name="soak-session", daemon=True)
        thread.start()
        if not session.started.wait(60):
            raise RuntimeError("the live session did not start")
        button = factory.pin(17)
        report["rss_mib"].append({"turn": 0, "rss_mib": round(rss_mib(), 1)})
        t_start = time.monotonic()
        try:
            for turn in tqdm(range(1, turns + 1), desc="soak", file=sys.stderr, disable=not progress):
                path, keyword = questions[(turn - 1) % len(questions)]
                before = session.pipeline.turns_done
                deadline = time.monotonic() + 10
                while session.pipeline.state.phase.value != "idle" and time.monotonic() < deadline:
                    time.sleep(0.05)
                button.drive_low()
                button.drive_high()
                rig.play_into_mic(path, wait=True)
                deadline = time.monotonic() + turn_timeout_s
                while session.pipeline.turns_done == before and time.monotonic() < deadline:
                    time.sleep(0.05)
                new = session.pipeline.turns_done - before
                results = session.pipeline.results[len(session.pipeline.results) - new:] if new else []
                failure = None
                if not results:
                    failure = "no answer in time"
                elif keyword not in results[0].transcript.lower():
                    failure = f"misheard: {results[0].transcript!r}"
                elif not results[0].reply:
                    failure = "empty reply"
                if failure:
                    report["failed_turns"].append({"turn": turn, "why": failure})
                elif "turn_latency_s" in results[0].timings:
                    latencies.append(results[0].timings["turn_latency_s"])
                point = {"turn": turn, "rss_mib": round(rss_mib(), 1), "t_s": round(time.monotonic() - t_start, 1),
                         "failed": failure}
                report["rss_mib"].append({"turn": turn, "rss_mib": point["rss_mib"]})
                if log is not None:
                    with log.open("a", encoding="utf-8") as fh:
                        fh.write(json.dumps(point) + "\n")
        finally:
            session.stop()
            thread.join(timeout=15)
            noise.stop()
        report["elapsed_s"] = round(time.monotonic() - t_start, 1)
        report["mic_faults"] = session.source.faults
    report.update(rss_summary([p["rss_mib"] for p in report["rss_mib"]], warmup))
    report["turn_latency_median_s"] = round(statistics.median(latencies), 3) if latencies else None
    report["failed"] = len(report["failed_turns"])
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=10, help="turns before the RSS baseline is taken")
    parser.add_argument("--json", help="also write the report here")
    parser.add_argument("--log", help="append one JSON line per turn here while running")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    report = run_soak(args.turns, warmup=args.warmup, log=Path(args.log) if args.log else None)
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
