"""Runs the bench: every configuration through the real pipeline, then the idle listening loop.

Models are loaded by service/app.py ``load_models`` and pipelines built by ``build_pipeline``,
exactly as `companion run` does; only the microphone and speaker are the paced stand-ins from
paced_io.py. Each configuration gets a new pipeline (so its first turn opens a session with the
earcon and disclosure); models are shared by every configuration with the same thread setting,
because thread counts are fixed when a model is loaded.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gc
import itertools
import logging
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..config import Settings
from ..events import ButtonAction, ButtonEvent
from ..service.app import LoadedModels, build_pipeline, load_models
from ..service.state import Phase
from ..service.threads import plan_threads
from ..service.turn import TurnResult
from ..vad.endpointer import EndpointState
from .configs import ALL, BenchConfig, bench_configs
from .paced_io import PacedNoise, PacedSink, PacedSource, PlayedWrite, QuestionTiming
from .questions import BENCH_VOICE, SpokenQuestion, question_texts, spoken_questions
from .report import turn_metrics

logger = logging.getLogger(__name__)

IDLE_S, QUICK_IDLE_S = 15.0, 5.0
PACKAGES = ("onnxruntime", "ctranslate2", "faster-whisper", "piper-tts", "onnxruntime-genai", "numpy")


def bench_settings(settings: Settings, *, engine: str, state_dir: Path) -> Settings:
    """The configured settings with the demo persona (the questions are asked of Grandpa Walt, and
    a family's persona is never opened for a benchmark), the bench's engine, and a private state
    folder, so bench turns neither use up the daily limit nor add lines to the real generation log."""
    return replace(
        settings,
        persona=replace(settings.persona, dir="", engine=engine),
        ethics=replace(settings.ethics, log_dir=str(state_dir)),
    )


def thread_plan(config: BenchConfig, engine: str) -> dict[str, int]:
    """The threads load_models gives each engine under this configuration (fixed at load time);
    the LM's only with the LM engine (the retrieval engine loads no LM)."""
    plan = dataclasses.asdict(plan_threads(config.latency.threads, engine=engine))
    return plan if engine == "lm" else {k: v for k, v in plan.items() if k != "lm"}


def load_key(config: BenchConfig, engine: str) -> str:
    """Configurations with the same thread plan (and LM prefix caching) share one set of loaded models."""
    key = " ".join(f"{k}={v}" for k, v in thread_plan(config, engine).items())
    if engine == "lm":
        key += f" prefix_cache={config.latency.lm_prefix_cache}"
    return key


def machine_info() -> dict[str, Any]:
    packages: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware")):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "packages": packages,
    }


def _lm_stats(models: LoadedModels) -> Any:
    """The LM engine's last generation stats (persona/lm TurnStats), or None for other engines."""
    return None if models.lm is None else models.lm.last_stats


def _lm_row(stats: Any) -> dict[str, float | int | None]:
    return {
        "first_token_s": None if stats.first_token_s is None else round(stats.first_token_s, 4),
        "tokens_per_s": round(stats.tokens_per_s, 2),
        "generated_tokens": stats.generated_tokens,
        "appended_tokens": stats.appended_tokens,
        "cached_tokens": stats.cached_tokens,
        "prefill_s": round(stats.prefill_s, 4),
    }


def turn_row(
    config: str, number: int, timing: QuestionTiming, question: str, result: TurnResult,
    writes: Sequence[PlayedWrite], lm: dict[str, Any] | None,
) -> dict[str, Any]:
    stamps = dict(result.stamps)
    lag = None if timing.speech_end is None or timing.delivered is None else timing.delivered - timing.speech_end
    return {
        "config": config,
        "question_index": timing.index,
        "question": question,
        "turn": number,
        "first_turn": number == 0,
        "split": False,
        "missed": False,
        "transcript": result.transcript,
        "reply": result.reply,
        "reply_source": None if result.source is None else result.source.kind.value,
        "disclosed": result.disclosed,
        "filler": "filler" in stamps,
        "interrupted": result.interrupted,
        "speculative": result.speculative,
        "mic_lag_s": None if lag is None else round(lag, 4),
        "metrics": turn_metrics(timing.speech_end, stamps, result.timings, writes, lm, had_prelude=result.disclosed),
        "lm": lm,
        "timings": {k: round(v, 4) for k, v in result.timings.items()},
        "stamps": sorted(stamps),
    }


def missed_row(config: str, timing: QuestionTiming, question: str) -> dict[str, Any]:
    return {
        "config": config, "question_index": timing.index, "question": question, "turn": None,
        "first_turn": False, "split": False, "missed": True, "transcript": None, "reply": None,
        "reply_source": None, "disclosed": False, "filler": False, "interrupted": False, "speculative": False,
        "mic_lag_s": None,
        "metrics": {}, "lm": None, "timings": {}, "stamps": [],
    }


async def run_configuration(
    config: BenchConfig, settings: Settings, models: LoadedModels, questions: Sequence[SpokenQuestion],
    *, on_question: Callable[[], None] = lambda: None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One new pipeline with this configuration; every question once, as one conversation.

    Returns a row per turn (and per missed question) and the pipeline's ListenStats.

    The first question starts like a button press (``start_listening``, as `converse` does), so
    the wake word is not in the measured path; later questions come in the follow-up window
    (or after a button press if follow-ups are off).
    """
    sink = PacedSink()
    rows: list[dict[str, Any]] = []
    previous_lm = [_lm_stats(models)]

    def ready() -> bool:  # the callbacks run only once ``pipeline`` (below) exists
        busy = pipeline.state.phase in (Phase.THINKING, Phase.SPEAKING)
        return not busy and pipeline.endpointer.state is not EndpointState.IN_SPEECH

    def before_question(index: int) -> None:
        if index:
            on_question()
        if pipeline.state.phase is Phase.IDLE:
            pipeline.button_event(ButtonEvent(ButtonAction.PRESSED))

    def on_turn(result: TurnResult) -> None:
        timing = source.current
        assert timing is not None
        writes = sink.take_writes()
        stats = _lm_stats(models)
        lm = None
        if stats is not None and stats is not previous_lm[0] and stats.generated_tokens > 0:
            lm = _lm_row(stats)
        previous_lm[0] = stats
        rows.append(turn_row(config.name, len(rows), timing, questions[timing.index].text, result, writes, lm))
        source.turn_over()

    block_ms = settings.audio.block_ms
    source = PacedSource(questions, block_ms=block_ms, ready=ready, before_question=before_question)
    pipeline = build_pipeline(settings, models, source=source, sink=sink, follow_up=True, use_wake=False, on_turn=on_turn)
    try:
        await pipeline.run(start_listening=True, fail_fast=True)
    finally:
        source.close()
        sink.close()
    on_question()
    for timing in source.timings:
        if timing.missed:
            rows.append(missed_row(config.name, timing, questions[timing.index].text))
        elif timing.turns > 1:
            for row in rows:
                if row["question_index"] == timing.index:
                    row["split"] = True
    return rows, pipeline.stats.to_dict()


async def measure_idle(settings: Settings, models: LoadedModels, seconds: float) -> dict[str, Any]:
    """CPU of the always-on loop: wake word + VAD on real-time background noise, nothing said."""
    source = PacedNoise(seconds, block_ms=settings.audio.block_ms)
    pipeline = build_pipeline(settings, models, source=source, sink=PacedSink(), follow_up=False, use_wake=True)
    cpu, wall = time.process_time(), time.perf_counter()
    await pipeline.run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "cpu_fraction": round(cpu / wall, 4) if wall > 0 else 0.0,
        "turns": len(pipeline.results),
        "listen": pipeline.stats.to_dict(),
    }


def run_bench(settings: Settings, *, quick: bool = False, engine: str = "retrieval",
              progress: bool = True, only: Sequence[str] = ()) -> dict[str, Any]:
    """Everything the report needs, measured in one process (see report.build_report)."""
    started, t0 = dt.datetime.now(dt.timezone.utc), time.perf_counter()
    texts = question_texts(quick)
    with tempfile.TemporaryDirectory(prefix="companion-bench-") as state:
        settings = bench_settings(settings, engine=engine, state_dir=Path(state))
        declared = bench_configs(settings.latency, quick=quick, only=only, engine=engine)
        # Run the configurations that share loaded models together; report them as declared.
        configs = sorted(declared, key=lambda c: load_key(c, engine))
        bar = tqdm(total=len(configs) * len(texts), desc="bench", unit="question", file=sys.stderr,
                   disable=None if progress else True)
        raw_configs: list[dict[str, Any]] = []
        load_times: dict[str, dict[str, float]] = {}
        questions: list[SpokenQuestion] | None = None
        idle: dict[str, Any] | None = None
        try:
            for key, grouped in itertools.groupby(configs, key=lambda c: load_key(c, engine)):
                group = list(grouped)
                bar.set_postfix_str(f"loading models ({key})")
                models = load_models(group[0].apply(settings), with_wake=True)
                if models.fillers is not None and any(c.latency.filler for c in group):
                    models.fillers.prepare()  # as load_models does when the filler is on
                load_times[key] = {k: round(v, 3) for k, v in models.load_times.items()}
                if questions is None:
                    questions = spoken_questions(texts, settings.paths.cache / "bench", _question_voice(settings, models))
                for config in group:
                    bar.set_postfix_str(config.name)
                    rows, listen = asyncio.run(run_configuration(config, config.apply(settings), models, questions,
                                                                 on_question=lambda: bar.update(1)))
                    raw_configs.append({"name": config.name, "switches": config.switches(),
                                        "thread_plan": thread_plan(config, engine), "listen": listen, "turns": rows})
                    if config.name == ALL:
                        bar.set_postfix_str("idle listening")
                        idle = asyncio.run(measure_idle(config.apply(settings), models, QUICK_IDLE_S if quick else IDLE_S))
                del models
                gc.collect()  # one set of models at a time: the peak RSS stays the device's
        finally:
            bar.close()
    assert idle is not None
    return {
        "engine": engine,
        "quick": quick,
        "questions": list(texts),
        "started": started.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - t0, 1),
        "machine": machine_info(),
        "load_times": load_times,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "idle": idle,
        "lm_prefix_cache": {"measured": True, "note": "baseline reads the whole prompt every turn; "
                            "+lm_prefix_cache keeps the persona prefix in the KV cache"} if engine == "lm" else None,
        "configs": sorted(raw_configs, key=lambda c: [d.name for d in declared].index(c["name"])),
    }


def _question_voice(settings: Settings, models: LoadedModels) -> Callable[[], Any]:
    """The bundled Piper voice for the questions: the loaded one if it is that voice, else load it."""

    def load() -> Any:
        if settings.tts.voice == BENCH_VOICE:
            return models.tts
        if settings.tts.neutral_voice == BENCH_VOICE and models.neutral_tts is not None:
            return models.neutral_tts
        from ..models.store import ModelStore
        from ..tts.piper_tts import PiperSynthesizer

        return PiperSynthesizer(ModelStore(settings.paths.models).path(BENCH_VOICE))

    return load
