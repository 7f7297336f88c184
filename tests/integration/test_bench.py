"""`companion bench --quick --json`: the real pipeline and models at real-time pace (about 2 minutes).

Checks the report's structure and inner consistency, never the speed itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import run_companion, words

pytestmark = pytest.mark.integration


def test_quick_bench_reports_consistent_numbers_for_every_configuration(cli_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = run_companion(["bench", "--quick", "--json", "--out", str(out)], cli_env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)  # stdout is only the JSON: progress and logs go to stderr
    assert json.loads(out.read_text()) == report

    questions = report["bench"]["questions"]
    assert 2 <= len(questions) <= 3 and report["bench"]["engine"] == "retrieval"
    assert list(report["configurations"]) == ["baseline", "all"]
    assert report["machine"]["cores"] >= 1 and report["machine"]["packages"]["onnxruntime"]
    assert report["peak_rss_mb"] > 100
    assert all(t > 0 for times in report["load_times"].values() for t in times.values())

    idle = report["idle"]
    assert idle["turns"] == 0  # background noise never woke it
    assert idle["listen"]["audio_s"] == pytest.approx(idle["wall_s"], rel=0.2)
    assert 0 < idle["cpu_fraction"] < report["machine"]["cores"]
    assert idle["listen"]["wake_cpu_per_audio_s"] > 0

    baseline = report["configurations"]["baseline"]["summary"]
    for name, config in report["configurations"].items():
        assert config["missed_questions"] == 0 and config["split_turns"] == 0, name
        assert config["measured_turns"] == len(questions) - 1, name
        assert config["first_turn"]["turn_latency_s"] > 0, name
        for metric in ("turn_latency_s", "answer_latency_s", "endpoint_s", "asr_s", "persona_first_text_s"):
            summary = config["summary"][metric]
            assert summary["n"] == len(questions) - 1, (name, metric)
            assert 0 < summary["min"] <= summary["p50"] <= summary["p95"] <= summary["max"], (name, metric)
        for metric in ("turn_latency", "answer_latency"):
            expected = baseline[f"{metric}_s"]["p50"] / config["summary"][f"{metric}_s"]["p50"]
            assert report["ratios"][name][f"{metric}_p50"] == pytest.approx(expected, abs=1e-3)
        assert config["switches"]["pipelined"] is (name == "all")

    turns = report["turns"]
    assert len(turns) == 2 * len(questions)
    for turn in turns:
        assert turn["question"] == questions[turn["question_index"]]
        heard, asked = words(turn["transcript"]), words(turn["question"])
        assert len(heard & asked) >= len(asked) / 2, (turn["transcript"], turn["question"])
        assert turn["reply"] and turn["reply_source"] in ("memory", "fallback")  # in character (tiny.en may mishear)
        assert turn["disclosed"] is turn["first_turn"]  # each configuration opens a new session
        m = turn["metrics"]
        # The first sound of any reply audio never comes after the persona's own first words.
        assert 0 < m["turn_latency_s"] <= m["answer_latency_s"] + 1e-3, turn
        assert 0 < m["endpoint_s"] < m["answer_latency_s"], turn
        assert {"endpoint", "transcript", "first_text", "first_audio", "first_answer_audio"} <= set(turn["stamps"])


def test_bench_refuses_a_missing_output_folder_in_one_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    done = run_companion(["bench", "--quick", "--out", str(tmp_path / "nowhere" / "bench.json")], cli_env, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "output folder does not exist" in done.stderr
    assert "Traceback" not in done.stderr
