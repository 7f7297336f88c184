"""From measured turns to the bench report: per-turn metrics, per-configuration p50/p95, ratios, table.

Pure functions over plain data (perf_counter stamps, TurnResult timings, what the paced speaker
played), so every rule is unit-tested without models.

Where a turn's time goes (the answer latency is the sum of the stages):
  true end of speech -> endpoint -> transcript -> persona's first text -> first answer audio
  handed to the speaker -> its first audible sample.
The turn latency counts any reply audio (earcon, disclosure, filler) as the first sound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .configs import BASELINE
from .paced_io import PlayedWrite, first_sound
from .stats import ratio, summarize

METRICS: dict[str, str] = {
    "turn_latency_s": "true end of speech -> first reply sample (any reply audio: earcon, filler, words)",
    "answer_latency_s": "true end of speech -> first sample of the persona's own words",
    "endpoint_s": "true end of speech -> endpoint (the hangover, i.e. silence waited)",
    "transcribe_s": "endpoint -> transcript available",
    "persona_first_text_s": "transcript -> persona's first text",
    "synthesis_s": "persona's first text -> first answer audio handed to the speaker",
    "playout_s": "answer audio handed to the speaker -> its first audible sample",
    "asr_s": "transcription time (TurnResult.timings asr_s)",
    "first_audio_s": "endpoint -> first reply audio (any) handed to the speaker",
    "lm_first_token_s": "LM: prefill + first token (only turns the model generated)",
    "lm_tokens_per_s": "LM: generated tokens per second of decoding (only turns the model generated)",
}
RATIO_METRICS = ("turn_latency_s", "answer_latency_s")
FIRST_TURN_NOTE = (
    "p50/p95 are over each configuration's turns after the first; the first turn of every "
    "configuration opens a new session (earcon + spoken AI disclosure) and is reported separately"
)


def _between(stamps: Mapping[str, float], start: str, end: str) -> float | None:
    if start in stamps and end in stamps:
        return stamps[end] - stamps[start]
    return None


def turn_metrics(
    speech_end: float | None,
    stamps: Mapping[str, float],
    timings: Mapping[str, float],
    writes: Sequence[PlayedWrite],
    lm: Mapping[str, float | int | None] | None = None,
    *,
    had_prelude: bool = False,
) -> dict[str, float | None]:
    """Seconds per stage for one turn; None where the turn did not produce the stamp.

    ``speech_end``: when the paced mic delivered the question's last speech sample;
    ``stamps``: TurnResult.stamps (perf_counter); ``writes``: what the paced speaker played in
    the turn; ``had_prelude``: earcon/disclosure or a filler came before the answer (used only
    when the turn has no "first_answer_audio" stamp, to avoid counting those as the answer).
    """
    sound = first_sound(writes)
    if "first_answer_audio" in stamps:
        answer_sound = first_sound(writes, not_before=stamps["first_answer_audio"])
    else:
        answer_sound = None if had_prelude or "filler" in stamps else sound

    def since_speech(moment: float | None) -> float | None:
        return None if moment is None or speech_end is None else moment - speech_end

    persona = _between(stamps, "transcript", "first_text")
    first_audio = _between(stamps, "endpoint", "first_audio")
    metrics: dict[str, float | None] = {
        "turn_latency_s": since_speech(sound),
        "answer_latency_s": since_speech(answer_sound),
        "endpoint_s": since_speech(stamps.get("endpoint")),
        "transcribe_s": _between(stamps, "endpoint", "transcript"),
        "persona_first_text_s": persona if persona is not None else timings.get("persona_first_text_s"),
        "synthesis_s": _between(stamps, "first_text", "first_answer_audio"),
        "playout_s": None if answer_sound is None or "first_answer_audio" not in stamps
        else answer_sound - stamps["first_answer_audio"],
        "asr_s": timings.get("asr_s"),
        "first_audio_s": first_audio if first_audio is not None else timings.get("first_audio_s"),
        "lm_first_token_s": None,
        "lm_tokens_per_s": None,
    }
    if lm:
        metrics["lm_first_token_s"] = lm.get("first_token_s")  # type: ignore[assignment]
        metrics["lm_tokens_per_s"] = lm.get("tokens_per_s")  # type: ignore[assignment]
    return {k: None if v is None else round(float(v), 4) for k, v in metrics.items()}


def measured(row: Mapping[str, Any]) -> bool:
    """A turn that counts towards p50/p95: not the session's first, not cut, not missed."""
    return not row["first_turn"] and not row["split"] and not row["missed"]


def summarize_configuration(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    counted = [r for r in rows if measured(r)]
    first = next((r for r in rows if r["first_turn"] and not r["missed"]), None)
    return {
        "turns": len(rows),
        "measured_turns": len(counted),
        "split_turns": sum(1 for r in rows if r["split"]),
        "missed_questions": sum(1 for r in rows if r["missed"]),
        "fillers": sum(1 for r in counted if r["filler"]),
        "speculative_transcripts": sum(1 for r in counted if r.get("speculative")),
        "first_turn": None if first is None else {k: first["metrics"][k] for k in RATIO_METRICS},
        "summary": {name: summarize(r["metrics"][name] for r in counted) for name in METRICS},
    }


def build_report(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON report: run facts, per-configuration summaries, ratios to the baseline, every turn."""
    configurations: dict[str, Any] = {}
    for config in raw["configs"]:
        configurations[config["name"]] = {"switches": config["switches"], "thread_plan": config.get("thread_plan"),
                                          "listen": config.get("listen"), **summarize_configuration(config["turns"])}

    def p50(name: str, metric: str) -> float | None:
        summary = configurations.get(name, {}).get("summary", {}).get(metric)
        return None if summary is None else summary["p50"]

    ratios = {
        name: {f"{metric.removesuffix('_s')}_p50": ratio(p50(BASELINE, metric), p50(name, metric)) for metric in RATIO_METRICS}
        for name in configurations
    }
    for name, value in ratios.items():
        configurations[name]["ratio_to_baseline"] = value
    return {
        "bench": {
            "engine": raw["engine"],
            "quick": raw["quick"],
            "questions": list(raw["questions"]),
            "started": raw["started"],
            "duration_s": raw["duration_s"],
            "note": FIRST_TURN_NOTE,
        },
        "metrics": METRICS,
        "machine": raw["machine"],
        "load_times": raw["load_times"],
        "peak_rss_mb": raw["peak_rss_mb"],
        "idle": raw["idle"],
        "lm_prefix_cache": raw.get("lm_prefix_cache"),
        "configurations": configurations,
        "ratios": ratios,
        "turns": [row for config in raw["configs"] for row in config["turns"]],
    }


def _fmt(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:.2f}{unit}"


def _p(config: Mapping[str, Any], metric: str, key: str = "p50") -> float | None:
    summary = config["summary"].get(metric)
    return None if summary is None else summary[key]


def render_table(report: Mapping[str, Any]) -> str:
    """The report as a readable table (seconds)."""
    columns = ("config", "n", "1st turn", "turn p50", "turn p95", "x base", "answer p50", "answer p95", "x base",
               "endpoint", "transcr.", "persona", "synth")
    widths = (24, 3, 9, 9, 9, 7, 11, 11, 7, 9, 9, 8, 7)
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(columns, widths)))]
    for name, config in report["configurations"].items():
        first = config["first_turn"] or {}
        cells = (
            name, str(config["measured_turns"]), _fmt(first.get("turn_latency_s")),
            _fmt(_p(config, "turn_latency_s")), _fmt(_p(config, "turn_latency_s", "p95")),
            _fmt(config["ratio_to_baseline"]["turn_latency_p50"], "x"),
            _fmt(_p(config, "answer_latency_s")), _fmt(_p(config, "answer_latency_s", "p95")),
            _fmt(config["ratio_to_baseline"]["answer_latency_p50"], "x"),
            _fmt(_p(config, "endpoint_s")), _fmt(_p(config, "transcribe_s")), _fmt(_p(config, "persona_first_text_s")),
            _fmt(_p(config, "synthesis_s")),
        )
        lines.append("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))))
    bench = report["bench"]
    lines += [
        "",
        "seconds; turn = true end of speech -> first reply sample; answer = -> first of the persona's own words;",
        "x base = baseline p50 / this p50; endpoint, transcr., persona, synth = p50 of the answer's stages "
        "(speech end -> endpoint -> transcript -> first text -> answer audio handed to the speaker).",
        f"{bench['note']}.",
        "fillers played / speculative transcripts used, of the measured turns: " + ", ".join(
            f"{name} {c['fillers']}/{c['speculative_transcripts']}" for name, c in report["configurations"].items()),
        "",
    ]
    for name, config in report["configurations"].items():
        if _p(config, "lm_tokens_per_s") is not None:
            lines.append(f"LM ({name}): first token p50 {_fmt(_p(config, 'lm_first_token_s'))} s, "
                         f"{_p(config, 'lm_tokens_per_s'):.1f} tokens/s p50")
        problems = [f"{config[k]} {label}" for k, label in (("split_turns", "question(s) cut by the endpointer"),
                                                           ("missed_questions", "question(s) not heard")) if config[k]]
        if problems:
            lines.append(f"{name}: " + ", ".join(problems))
    cache = report.get("lm_prefix_cache")
    if cache:
        lines.append(f"LM prefix KV cache: {cache['note']}")
    idle = report["idle"]
    lines.append(f"idle listening (wake word on, {idle['wall_s']:.0f} s of background noise): "
                 f"{100 * idle['cpu_fraction']:.1f} % of one core "
                 f"(wake {1000 * idle['listen']['wake_cpu_per_audio_s']:.1f} ms, "
                 f"VAD {1000 * idle['listen']['vad_cpu_per_audio_s']:.2f} ms CPU per second of audio)")
    lines.append(f"peak RSS {report['peak_rss_mb']:.0f} MB; model load: " + "; ".join(
        f"{key}: " + ", ".join(f"{k.removesuffix('_s')} {v:.2f} s" for k, v in times.items())
        for key, times in report["load_times"].items()))
    machine = report["machine"]
    lines.append(f"machine: {machine['cores']} cores, {machine['cpu']}, Python {machine['python']}, "
                 + ", ".join(f"{k} {v}" for k, v in machine["packages"].items()))
    lines.append(f"{len(bench['questions'])} questions, engine {bench['engine']}, {bench['duration_s']:.0f} s")
    return "\n".join(lines)
