"""The bench's percentiles, summaries and ratios."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.bench.stats import percentile, ratio, summarize

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(st.lists(finite, min_size=2, max_size=50), st.data())
def test_at_a_rank_the_percentile_is_that_value_and_between_ranks_it_interpolates(values: list[float], data) -> None:
    ordered = sorted(values)
    i = data.draw(st.integers(0, len(values) - 2))
    step = 100.0 / (len(values) - 1)
    assert percentile(values, i * step) == pytest.approx(ordered[i], rel=1e-9, abs=1e-6)
    assert percentile(values, (i + 0.5) * step) == pytest.approx((ordered[i] + ordered[i + 1]) / 2, rel=1e-9, abs=1e-6)


@given(st.lists(finite, min_size=1, max_size=50))
def test_p50_is_the_median_and_never_above_p95(values: list[float]) -> None:
    assert percentile(values, 50) == pytest.approx(float(np.median(values)), rel=1e-9, abs=1e-6)
    assert percentile(values, 50) <= percentile(values, 95) + 1e-9
    assert min(values) <= percentile(values, 95) <= max(values)


def test_small_samples() -> None:
    assert percentile([3.0], 95) == 3.0
    assert percentile([1.0, 2.0], 50) == 1.5
    assert percentile([1.0, 2.0, 3.0, 4.0, 10.0], 95) == pytest.approx(8.8)


@pytest.mark.parametrize("bad", [-1.0, 100.5])
def test_percentile_refuses_nonsense(bad: float) -> None:
    with pytest.raises(ValueError):
        percentile([1.0], bad)
    with pytest.raises(ValueError):
        percentile([], 50)


def test_summarize_skips_missing_values_and_rounds() -> None:
    summary = summarize([1.0, None, 3.0, 2.0])
    assert summary == {"p50": 2.0, "p95": 2.9, "min": 1.0, "max": 3.0, "n": 3}
    assert summarize([None, None]) is None
    assert summarize([]) is None


def test_ratio_is_baseline_over_value() -> None:
    assert ratio(3.0, 1.5) == 2.0
    assert ratio(1.0, 3.0) == pytest.approx(0.333)
    assert ratio(None, 1.0) is None
    assert ratio(1.0, None) is None
    assert ratio(1.0, 0.0) is None
