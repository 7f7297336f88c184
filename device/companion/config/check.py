"""The one validation helper every settings section uses."""

from __future__ import annotations

from ..errors import ConfigError


def check(ok: bool, key: str, requirement: str) -> None:
    if not ok:
        raise ConfigError(f"setting {key} {requirement}")

