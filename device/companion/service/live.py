"""Live mode: microphone, speaker, wake word and button, until told to stop."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from typing import Any

from ..audio.sounddevice_io import SoundDeviceSink, SoundDeviceSource
from ..config import Settings
from .app import LoadedModels, build_pipeline, create_button
from .turn import TurnResult

logger = logging.getLogger(__name__)


class LiveSession:
    """Owns the devices of one live run; `run` returns when stopped (signal or `stop()`)."""

    def __init__(self, settings: Settings, models: LoadedModels, *, pin_factory: Any = None) -> None:
        self.settings = settings
        self.source = SoundDeviceSource(settings.audio.input_device, block_ms=settings.audio.block_ms)
        self.sink = SoundDeviceSink(settings.audio.output_device)
        self.pipeline = build_pipeline(
            settings, models, source=self.source, sink=self.sink, use_wake=settings.wake.enabled and models.wake is not None
        )
        self.button = create_button(settings, pin_factory)
        self.started = threading.Event()
        """Set once the microphone is open and triggers are armed (waitable from any thread)."""
        self._loop: asyncio.AbstractEventLoop | None = None

    async def run(self, *, max_turns: int | None = None, handle_signals: bool = True) -> list[TurnResult]:
        self._loop = asyncio.get_running_loop()
        if handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._loop.add_signal_handler(sig, self.stop)
        try:
            self.source.start()
            if self.button is not None:
                self.button.start(self.pipeline.button_event)
            triggers = [t for t, on in (("wake word", self.pipeline.wake is not None), ("button", self.button is not None)) if on]
            logger.info("ready; start a turn with the %s", " or the ".join(triggers) or "(no trigger configured)")
            self.started.set()
            return await self.pipeline.run(max_turns=max_turns)
        finally:
            if self.button is not None:
                self.button.close()
            self.source.close()
            self.sink.close()
            if handle_signals:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    self._loop.remove_signal_handler(sig)

    def stop(self) -> None:
        """Thread-safe."""
        logger.info("stopping")
        self.pipeline.stop()
        if self._loop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self.source.close)
            except RuntimeError:  # the loop closed in between: nothing left to wake
                pass
