"""The push button, through gpiozero with an injected pin factory (MockFactory in tests)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..config import ButtonSettings
from ..errors import CompanionError
from ..events import ButtonAction, ButtonEvent

logger = logging.getLogger(__name__)


class GpioButton:
    """Calls ``on_event`` (from gpiozero's thread) on every press and release."""

    def __init__(self, settings: ButtonSettings, *, pin_factory: Any = None) -> None:
        from gpiozero import Button
        from gpiozero.exc import GPIOZeroError

        try:
            self._button = Button(
                settings.pin, pull_up=settings.pull_up, bounce_time=settings.bounce_s or None, pin_factory=pin_factory
            )
        except (GPIOZeroError, OSError, RuntimeError) as exc:
            raise CompanionError(
                f"cannot use GPIO pin {settings.pin} for the button: {exc}",
                where="button.pin",
                hint="check the wiring and that the service user is in the gpio group, or set button.enabled = false",
            ) from None
        self._on_event: Callable[[ButtonEvent], None] | None = None

    def start(self, on_event: Callable[[ButtonEvent], None]) -> None:
        self._on_event = on_event
        self._button.when_pressed = lambda: self._emit(ButtonAction.PRESSED)
        self._button.when_released = lambda: self._emit(ButtonAction.RELEASED)

    def _emit(self, action: ButtonAction) -> None:
        logger.debug("button %s", action.value)
        if self._on_event is not None:
            self._on_event(ButtonEvent(action))

    def close(self) -> None:
        self._button.close()
