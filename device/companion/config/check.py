"""The one validation helper every settings section uses."""

from __future__ import annotations

from typing import Protocol

from ..errors import ConfigError


class Section(Protocol):
    """One table of the settings file: it checks its own values, naming each key from ``where``."""

    def validate(self, where: str) -> None: ...


def check(ok: bool, key: str, requirement: str) -> None:
    """ConfigError "setting KEY REQUIREMENT" unless ``ok``."""
    if not ok:
        raise ConfigError(f"setting {key} {requirement}")

