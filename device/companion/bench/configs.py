"""The configurations one bench run compares: baseline, baseline + each technique, all.

Every boolean switch of ``[latency]`` is a technique, plus ``threads`` ("all" untuned, "auto"
sized for the board); new switches in config/latency.py join the bench without a change here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..config import LatencySettings, Settings

BASELINE = "baseline"
ALL = "all"
THREADS = "threads"
TUNED_THREADS, UNTUNED_THREADS = "auto", "all"


@dataclass(frozen=True)
class BenchConfig:
    name: str
    latency: LatencySettings

    def apply(self, settings: Settings) -> Settings:
        return replace(settings, latency=self.latency)

    def switches(self) -> dict[str, bool | str]:
        """The technique switches of this configuration (for the report)."""
        return {name: getattr(self.latency, name) for name in techniques()}


def techniques() -> tuple[str, ...]:
    """The boolean switches of LatencySettings, in declaration order, then ``threads``."""
    switches = [f.name for f in dataclasses.fields(LatencySettings) if f.type in (bool, "bool")]
    return (*switches, THREADS)


def baseline(latency: LatencySettings) -> LatencySettings:
    """Every technique off: endpoint, full transcription, full reply, full synthesis, then playback."""
    off: dict[str, bool | str] = {name: False for name in techniques() if name != THREADS}
    return replace(latency, **off, threads=UNTUNED_THREADS)  # type: ignore[arg-type]


def all_on(latency: LatencySettings) -> LatencySettings:
    """Every technique on (the defaults); the numeric tuning (hangovers, delays) is kept as configured."""
    on: dict[str, bool | str] = {name: True for name in techniques() if name != THREADS}
    return replace(latency, **on, threads=TUNED_THREADS)  # type: ignore[arg-type]


def with_technique(latency: LatencySettings, technique: str) -> LatencySettings:
    if technique == THREADS:
        return replace(latency, threads=TUNED_THREADS)
    if technique not in techniques():
        raise ValueError(f"unknown technique {technique!r}")
    return replace(latency, **{technique: True})  # type: ignore[arg-type]


LM_ONLY = ("lm_prefix_cache",)
"""Techniques that exist only with the LM engine (measured only with ``--engine lm``)."""


def without_technique(latency: LatencySettings, technique: str) -> LatencySettings:
    if technique == THREADS:
        return replace(latency, threads=UNTUNED_THREADS)
    if technique not in techniques():
        raise ValueError(f"unknown technique {technique!r}")
    return replace(latency, **{technique: False})  # type: ignore[arg-type]


def bench_configs(
    latency: LatencySettings, *, quick: bool = False, only: Sequence[str] = (), engine: str = "retrieval"
) -> list[BenchConfig]:
    """Baseline first (every ratio divides by it), then each single technique, then all.

    ``quick``: only baseline and all; ``only``: just these configurations (baseline is always kept,
    the ratios need it). The order also keeps configurations that share thread settings together,
    so models loaded for one thread setting are loaded once.
    """
    base = baseline(latency)
    configs = [BenchConfig(BASELINE, base)]
    if not quick:
        configs += [BenchConfig(f"+{name}", with_technique(base, name)) for name in techniques()
                    if engine == "lm" or name not in LM_ONLY]
    configs.append(BenchConfig(ALL, all_on(latency)))
    if only:  # ablations ("all without one technique") are there to be asked for by name
        configs += [BenchConfig(f"-{name}", without_technique(all_on(latency), name)) for name in techniques()
                    if engine == "lm" or name not in LM_ONLY]
        known = [c.name for c in configs]
        unknown = sorted(set(only) - set(known))
        if unknown:
            raise ValueError(f"unknown configuration {unknown[0]!r}; known: {', '.join(known)}")
        configs = [c for c in configs if c.name == BASELINE or c.name in only]
    return configs
