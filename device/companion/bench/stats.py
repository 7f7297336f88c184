"""Percentiles and summaries: the few numbers the bench reports per configuration."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between ranks (numpy's).

    With the handful of turns a bench runs, p95 lies between the two slowest turns, so it
    says how bad the bad turns are without pretending to a precision the sample lacks.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"percentile must be 0-100, got {q}")
    return float(np.percentile(values, q))


def summarize(values: Iterable[float | None]) -> dict[str, float | int] | None:
    """p50 / p95 / min / max / n of the measured values (None entries are skipped); None if empty."""
    present = [float(v) for v in values if v is not None]
    if not present:
        return None
    return {
        "p50": round(percentile(present, 50), 4),
        "p95": round(percentile(present, 95), 4),
        "min": round(min(present), 4),
        "max": round(max(present), 4),
        "n": len(present),
    }


def ratio(baseline: float | None, value: float | None) -> float | None:
    """How many times faster than the baseline (baseline / value); None when undefined."""
    if baseline is None or value is None or value <= 0:
        return None
    return round(baseline / value, 3)
