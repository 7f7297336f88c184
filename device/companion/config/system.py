"""Settings for running as a service and for where files live."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .check import check


@dataclass(frozen=True)
class ServiceSettings:
    """Running as a service: how audio faults are survived (see service/supervisor.py)."""

    mic_silence_s: float = 10.0
    """A microphone that delivers nothing, or only exact zeros, this long is reopened."""
    reconnect_min_s: float = 0.5
    """First wait before reopening a failed audio device; doubles on every failure."""
    reconnect_max_s: float = 10.0
    """Cap on that wait, so a missing mic is retried regularly without a restart storm."""

    def validate(self, where: str) -> None:
        check(1.0 <= self.mic_silence_s <= 600.0, f"{where}.mic_silence_s", "must be 1-600 s")
        check(0.05 <= self.reconnect_min_s <= 60.0, f"{where}.reconnect_min_s", "must be 0.05-60 s")
        check(
            self.reconnect_min_s <= self.reconnect_max_s <= 600.0,
            f"{where}.reconnect_max_s",
            "must be between reconnect_min_s and 600 s",
        )


@dataclass(frozen=True)
class PathSettings:
    """Where things live on disk."""

    models_dir: str = ""
    """Installed models; "" means $COMPANION_MODELS_DIR or ~/.local/share/companion/models."""
    cache_dir: str = ""
    """Derived data (embedding caches); "" means $XDG_CACHE_HOME/companion."""

    def validate(self, where: str) -> None:
        """Any folder may be named; one that is missing is reported where it is used, naming it."""

    @property
    def models(self) -> Path:
        if self.models_dir:
            return Path(self.models_dir).expanduser()
        from ..models.store import default_models_dir

        return default_models_dir()

    @property
    def cache(self) -> Path:
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "companion"
