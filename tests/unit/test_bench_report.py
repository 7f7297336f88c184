"""Building the bench report: per-turn metrics, per-configuration summaries, ratios, the table."""

from __future__ import annotations

from typing import Any

import pytest

from companion.bench.configs import ALL, BASELINE, all_on, baseline, bench_configs, techniques, with_technique
from companion.bench.paced_io import PlayedWrite
from companion.bench.report import METRICS, build_report, render_table, summarize_configuration, turn_metrics
from companion.config import LatencySettings

STAMPS = {"endpoint": 10.5, "transcript": 10.9, "first_text": 11.0, "first_audio": 10.6, "first_answer_audio": 11.3}
WRITES = [
    PlayedWrite(start=10.6, samples=100, first_sound=10.61),  # the earcon, handed over during ASR
    PlayedWrite(start=10.9, samples=100, first_sound=None),
    PlayedWrite(start=11.3, samples=100, first_sound=11.35),  # the answer
]


def test_turn_metrics_split_the_answer_latency_into_stages() -> None:
    m = turn_metrics(10.0, STAMPS, {"asr_s": 0.4, "persona_first_text_s": 9.0}, WRITES, had_prelude=True)
    assert m["turn_latency_s"] == pytest.approx(0.61)
    assert m["answer_latency_s"] == pytest.approx(1.35)
    assert m["endpoint_s"] == pytest.approx(0.5)
    assert m["transcribe_s"] == pytest.approx(0.4)
    assert m["persona_first_text_s"] == pytest.approx(0.1)  # stamps win over timings
    assert m["synthesis_s"] == pytest.approx(0.3)
    assert m["playout_s"] == pytest.approx(0.05)
    stages = ("endpoint_s", "transcribe_s", "persona_first_text_s", "synthesis_s", "playout_s")
    assert sum(m[s] for s in stages) == pytest.approx(m["answer_latency_s"])  # type: ignore[misc]
    assert m["asr_s"] == 0.4 and m["first_audio_s"] == pytest.approx(0.1)
    assert m["lm_first_token_s"] is None and m["lm_tokens_per_s"] is None
    assert set(m) == set(METRICS)


def test_turn_metrics_without_stamps_fall_back_to_timings_and_never_take_a_prelude_for_the_answer() -> None:
    writes = [PlayedWrite(start=11.0, samples=10, first_sound=11.02)]
    m = turn_metrics(10.0, {}, {"asr_s": 0.4, "first_audio_s": 0.9, "persona_first_text_s": 0.05}, writes)
    assert m["turn_latency_s"] == pytest.approx(1.02)
    assert m["answer_latency_s"] == pytest.approx(1.02)  # nothing before the answer: the first sound is it
    assert m["first_audio_s"] == 0.9 and m["persona_first_text_s"] == 0.05 and m["endpoint_s"] is None
    disclosed = turn_metrics(10.0, {}, {}, writes, had_prelude=True)
    assert disclosed["turn_latency_s"] == pytest.approx(1.02) and disclosed["answer_latency_s"] is None
    with_filler = turn_metrics(10.0, {"filler": 10.8}, {}, writes)
    assert with_filler["answer_latency_s"] is None
    silent = turn_metrics(None, STAMPS, {}, [])
    assert silent["turn_latency_s"] is None and silent["endpoint_s"] is None


def test_lm_numbers_come_from_the_engine_stats() -> None:
    m = turn_metrics(10.0, STAMPS, {}, WRITES, {"first_token_s": 0.42, "tokens_per_s": 38.5})
    assert m["lm_first_token_s"] == 0.42 and m["lm_tokens_per_s"] == 38.5


def row(config: str, turn: int, latency: float | None, **flags: Any) -> dict[str, Any]:
    metrics = dict.fromkeys(METRICS)
    metrics.update(turn_latency_s=latency, answer_latency_s=None if latency is None else latency + 1)
    base = {"config": config, "question_index": turn, "question": "q", "turn": turn, "first_turn": turn == 0,
            "split": False, "missed": False, "filler": False, "metrics": metrics}
    base.update(flags)
    return base


def raw(configs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "engine": "retrieval", "quick": True, "questions": ["q1", "q2"], "started": "2026-01-01T00:00:00+00:00",
        "duration_s": 12.0, "machine": {"cores": 2, "cpu": "test", "python": "3.11", "packages": {"numpy": "2"}},
        "load_times": {"asr=2": {"asr_load_s": 1.0}}, "peak_rss_mb": 500.0,
        "idle": {"wall_s": 5.0, "cpu_s": 0.2, "cpu_fraction": 0.04, "turns": 0,
                 "listen": {"audio_s": 5.0, "wake_cpu_per_audio_s": 0.01, "vad_cpu_per_audio_s": 0.001}},
        "configs": [{"name": n, "switches": {}, "thread_plan": {"asr": 2}, "turns": rows} for n, rows in configs.items()],
    }


def test_the_first_turn_is_reported_apart_and_cut_or_missed_questions_are_not_counted() -> None:
    rows = [row("c", 0, 9.0), row("c", 1, 1.0), row("c", 2, 3.0), row("c", 3, 0.2, split=True),
            row("c", 4, None, missed=True, first_turn=False), row("c", 5, 2.0, filler=True, speculative=True)]
    summary = summarize_configuration(rows)
    assert summary["first_turn"] == {"turn_latency_s": 9.0, "answer_latency_s": 10.0}
    assert summary["measured_turns"] == 3 and summary["split_turns"] == 1 and summary["missed_questions"] == 1
    assert summary["fillers"] == 1 and summary["speculative_transcripts"] == 1
    assert summary["summary"]["turn_latency_s"] == {"p50": 2.0, "p95": 2.9, "min": 1.0, "max": 3.0, "n": 3}
    assert summary["summary"]["lm_tokens_per_s"] is None


def test_ratios_divide_the_baseline_p50_by_each_configuration_p50() -> None:
    report = build_report(raw({
        BASELINE: [row(BASELINE, 0, 9.0), row(BASELINE, 1, 4.0), row(BASELINE, 2, 6.0)],
        ALL: [row(ALL, 0, 3.0), row(ALL, 1, 1.0), row(ALL, 2, 1.5)],
    }))
    assert report["ratios"][BASELINE] == {"turn_latency_p50": 1.0, "answer_latency_p50": 1.0}
    assert report["ratios"][ALL]["turn_latency_p50"] == pytest.approx(5.0 / 1.25, abs=1e-3)
    assert report["ratios"][ALL]["answer_latency_p50"] == pytest.approx(6.0 / 2.25, abs=1e-3)
    assert report["configurations"][ALL]["ratio_to_baseline"] == report["ratios"][ALL]
    assert len(report["turns"]) == 6 and "first turn" in report["bench"]["note"]

    table = render_table(report)
    assert table.splitlines()[0].startswith("config")
    assert any(line.startswith("baseline") and "1.00x" in line for line in table.splitlines())
    assert any(line.startswith("all") and "4.00x" in line for line in table.splitlines())
    assert "idle listening" in table and "peak RSS 500 MB" in table and "baseline 0/0" in table


def test_a_configuration_without_measured_turns_reports_dashes_not_a_crash() -> None:
    report = build_report(raw({BASELINE: [row(BASELINE, 0, 9.0)], ALL: [row(ALL, 0, None, missed=True, first_turn=False)]}))
    assert report["ratios"][ALL]["turn_latency_p50"] is None
    assert "all" in render_table(report)


def test_baseline_turns_every_technique_off_and_all_turns_them_on() -> None:
    switches = [t for t in techniques() if t != "threads"]
    assert {"pipelined", "short_turn_endpointing", "speculative_asr", "early_first_clause", "filler",
            "prelude_during_asr"} <= set(switches)
    tuned = LatencySettings(short_turn_hangover_s=0.4)
    base, everything = baseline(tuned), all_on(tuned)
    assert not any(getattr(base, s) for s in switches) and base.threads == "all"
    assert all(getattr(everything, s) for s in switches) and everything.threads == "auto"
    assert base.short_turn_hangover_s == everything.short_turn_hangover_s == 0.4  # tuning is kept
    assert with_technique(base, "threads").threads == "auto"
    with pytest.raises(ValueError):
        with_technique(base, "warp_drive")


def test_each_single_technique_configuration_differs_from_the_baseline_in_one_switch() -> None:
    configs = bench_configs(LatencySettings(), engine="lm")
    assert configs[0].name == BASELINE and configs[-1].name == ALL
    assert len(configs) == len(techniques()) + 2
    retrieval = [c.name for c in bench_configs(LatencySettings())]
    assert "+lm_prefix_cache" not in retrieval and len(retrieval) == len(configs) - 1
    base = configs[0].switches()
    for config in configs[1:-1]:
        changed = [k for k, v in config.switches().items() if v != base[k]]
        assert changed == [config.name.removeprefix("+")]
    assert [c.name for c in bench_configs(LatencySettings(), quick=True)] == [BASELINE, ALL]
