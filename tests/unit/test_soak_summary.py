"""The soak report's RSS statistics (tests/soak/soak.py): plateau, leak and noise."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ (soak)

from soak.soak import rss_summary  # noqa: E402


def test_a_plateau_has_no_growth_and_no_slope() -> None:
    series = [600.0] + [700.0 + (5 if i % 2 else -5) for i in range(60)]
    summary = rss_summary(series, warmup=10)
    assert summary["rss_window_growth_pct"] == 0
    assert abs(summary["rss_slope_mib_per_100_turns"]) < 1


def test_a_steady_leak_shows_in_the_slope_and_the_windows() -> None:
    series = [600.0] + [700.0 + 0.5 * i for i in range(100)]  # 0.5 MiB per turn
    summary = rss_summary(series, warmup=10)
    assert summary["rss_slope_mib_per_100_turns"] == pytest.approx(50, abs=0.01)
    assert summary["rss_window_growth_pct"] > 5


def test_one_noisy_last_sample_moves_the_endpoint_figure_not_the_window() -> None:
    series = [600.0] + [700.0] * 60 + [760.0]
    summary = rss_summary(series, warmup=10)
    assert summary["rss_growth_after_warmup_pct"] > 8
    assert summary["rss_window_growth_pct"] == 0


def test_short_runs_still_summarise() -> None:
    summary = rss_summary([600.0, 650.0, 640.0, 655.0], warmup=1)
    assert summary["rss_after_warmup_mib"] == 650.0 and summary["rss_final_mib"] == 655.0
    assert summary["rss_window_mib"] == 1
