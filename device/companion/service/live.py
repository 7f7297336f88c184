"""Live mode: microphone, speaker, wake word and button, until told to stop.

Also the systemd face of the device: READY=1 once the models are loaded and the triggers are
armed, STATUS= with the phase (idle / listening / thinking / speaking / reconnecting mic), and
WATCHDOG=1 from the event loop while the main loop makes progress. The audio devices are
supervised (service/supervisor.py): an unplugged microphone is a log line and a status, not a
crash and not a restart.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from ..audio.devices import list_devices, rescan_devices, resolve_device
from ..audio.sounddevice_io import SoundDeviceSink, SoundDeviceSource
from ..config import Settings
from ..errors import AudioError, CompanionError
from ..events import ButtonAction, ButtonEvent
from .app import LoadedModels, build_pipeline, create_button, load_models
from .coredump import forbid_core_dumps
from .feed_hooks import build_feed
from .notify import Heartbeat, Notifier, keep_alive
from .startup import check_persona_visible, needs_fixing, report_absent_devices, wait_while_paused
from .state import Phase
from .supervisor import BEAT_SLICE_S, STALL_TIMEOUT_S, Backoff, SupervisedSink, SupervisedSource
from .turn import TurnResult

logger = logging.getLogger(__name__)

HEARTBEAT_MARGIN_S = 5.0
REVERBERATION_S = 0.3
"""How long a living room keeps the device's last word audible after it reached the mic."""


class LiveSession:
    """Owns the devices of one live run; `run` returns when stopped (signal or `stop()`)."""

    def __init__(
        self,
        settings: Settings,
        models: LoadedModels,
        *,
        pin_factory: Any = None,
        notifier: Notifier | None = None,
    ) -> None:
        self.settings = settings
        self.notifier = notifier if notifier is not None else Notifier()
        service = settings.service
        # The main loop reads a block every 30 ms; a read waits at most the stall timeout, a
        # reconnect wait beats every second. Anything older means the loop itself is stuck.
        self.heartbeat = Heartbeat(min(STALL_TIMEOUT_S, service.mic_silence_s) + BEAT_SLICE_S + HEARTBEAT_MARGIN_S)
        self._mic_problem: str | None = None
        self.mic_recovered = threading.Event()
        """Set each time the microphone delivers real audio again after a fault (for tests)."""
        self.sink = SupervisedSink(lambda: SoundDeviceSink(settings.audio.output_device), on_fault=self._speaker_fault)
        self.source = SupervisedSource(
            self._open_microphone,
            silence_s=service.mic_silence_s,
            backoff=Backoff(service.reconnect_min_s, service.reconnect_max_s),
            on_fault=self._mic_fault,
            on_recovered=self._mic_back,
            on_interrupted=lambda: self.pipeline.source_interrupted(),
            heartbeat=self.heartbeat.beat,
            rescan=self._rescan,
        )
        self.feed = build_feed(settings, models.persona, on_press=self._frame_press)  # the frame's event socket
        self.pipeline = build_pipeline(
            settings,
            models,
            source=self.source,
            sink=self.sink,
            use_wake=settings.wake.enabled and models.wake is not None,
            on_turn=self._log_turn,
            on_phase=self._phase_changed,
            on_text=self.feed.on_text if self.feed is not None else None,
            # The device's own voice reaches its mic up to barge_in.max_echo_delay_s after it was
            # played (the sound path and buffers; the rig's loopback under load: 0.3-0.4 s), then
            # the room rings on: a follow-up question does not start on that. One begun meanwhile
            # keeps its start (the endpointer's pre-roll).
            echo_tail_s=settings.barge_in.max_echo_delay_s + REVERBERATION_S,
        )
        self.button = create_button(settings, pin_factory)
        self.started = threading.Event()
        """Set once the microphone is open and triggers are armed (waitable from any thread)."""
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- devices ---------------------------------------------------------------------------
    def _open_microphone(self) -> SoundDeviceSource:
        source = SoundDeviceSource(self.settings.audio.input_device, block_ms=self.settings.audio.block_ms)
        source.start()
        return source

    def _rescan(self) -> bool:
        """Re-enumerate sound cards for a re-plugged USB mic, but never under a playing reply."""
        if self.sink.active:
            return False
        rescan_devices()
        return True

    def _mic_fault(self, reason: str) -> None:
        self.mic_recovered.clear()
        self._mic_problem = reason
        self.notifier.status(f"reconnecting mic: {reason}")
        if self.feed is not None:
            self.feed.mic_fault()

    def _mic_back(self, outage_s: float) -> None:
        self._mic_problem = None
        self.mic_recovered.set()
        self.notifier.status(self.pipeline.state.phase.value)
        if self.feed is not None:
            self.feed.mic_back()

    def _speaker_fault(self, reason: str) -> None:
        logger.warning("speaker: %s", reason)

    # -- status and privacy ----------------------------------------------------------------
    def _phase_changed(self, phase: Phase) -> None:
        logger.debug("phase: %s", phase.value)
        if self.feed is not None:
            self.feed.on_phase(phase)
        if self._mic_problem is None:
            self.notifier.status(phase.value)

    def _frame_press(self) -> None:
        """The frame's touch-to-talk area: exactly a GPIO button press."""
        self.pipeline.button_event(ButtonEvent(ButtonAction.PRESSED))

    def _log_turn(self, result: TurnResult) -> None:
        if self.feed is not None:
            self.feed.on_turn(result)
        timings = result.timings
        logger.info(
            "turn done (%s): %d words heard, %d words said, %.2f s to first audio%s",
            result.trigger.value,
            len(result.transcript.split()),
            len(result.reply.split()),
            timings.get("first_audio_s", 0.0),
            ", interrupted" if result.interrupted else "",
        )
        if self.settings.privacy.log_transcripts:  # the owner opted in ([privacy] log_transcripts)
            logger.info("heard: %r; replied: %r", result.transcript, result.reply)

    # -- running ---------------------------------------------------------------------------
    async def run(self, *, max_turns: int | None = None, handle_signals: bool = True) -> list[TurnResult]:
        self._loop = asyncio.get_running_loop()
        if handle_signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._loop.add_signal_handler(sig, self.stop)
        watchdog: asyncio.Task[None] | None = None
        try:
            if self.feed is not None:
                await self.feed.publisher.start()
            self.source.start()
            if self.button is not None:
                self.button.start(self.pipeline.button_event)
            self.heartbeat.beat()
            if self.notifier.watchdog_interval:
                watchdog = self._loop.create_task(
                    keep_alive(self.notifier, self.heartbeat.healthy, self.notifier.watchdog_interval)
                )
            triggers = [t for t, on in (("wake word", self.pipeline.wake is not None), ("button", self.button is not None)) if on]
            logger.info("ready; start a turn with the %s", " or the ".join(triggers) or "(no trigger configured)")
            self.notifier.ready(self._mic_problem and f"reconnecting mic: {self._mic_problem}" or "idle")
            self.started.set()
            return await self.pipeline.run(max_turns=max_turns)
        finally:
            self.notifier.stopping()
            if self.feed is not None:
                await self.feed.publisher.close()
            if watchdog is not None:
                watchdog.cancel()
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


def check_devices(settings: Settings, *, as_service: bool = True) -> list[str]:
    """Log a configured device that is not there; the service waits for it (service/startup.py).

    Run by hand in a terminal (not under systemd), a device name that matches none of the devices
    that are there is a typo until shown otherwise: one clear error at once, not a silent wait."""
    if not as_service:
        for kind, spec in (("input", settings.audio.input_device), ("output", settings.audio.output_device)):
            try:
                resolve_device(spec, kind)
            except AudioError:
                if spec and list_devices(kind):
                    raise
    return report_absent_devices(settings.audio.input_device, settings.audio.output_device, resolve_device, list_devices)


def _load_feeding_watchdog(settings: Settings, notifier: Notifier) -> LoadedModels:
    """Load the models, keeping the watchdog fed meanwhile (seconds to minutes on a Pi; no loop runs yet)."""
    notifier.status("loading models")
    loaded = threading.Event()
    feeder = None
    if notifier.watchdog_interval:
        interval = notifier.watchdog_interval

        def feed() -> None:
            while not loaded.wait(interval):
                notifier.watchdog()

        feeder = threading.Thread(target=feed, name="watchdog-while-loading", daemon=True)
        feeder.start()
    try:
        return load_models(settings, with_wake=settings.wake.enabled)
    finally:
        loaded.set()
        if feeder is not None:
            feeder.join()


def prepare(settings: Settings, notifier: Notifier, *, stopped: Callable[[float], bool] | None = None) -> LoadedModels | None:
    """Everything before the live loop; see service/startup.py for what is waited for and what stops.

    Returns None when stopped while waiting; raises NeedsFixing for what only a person can fix.
    """
    from ..ethics.care import CareState, PersonaPaused
    from ..ethics.setup import persona_id

    try:
        check_persona_visible(settings.persona.path)
        check_devices(settings, as_service=notifier.enabled)
        care, pid = CareState(settings.ethics.log_path), persona_id(settings)
        while True:
            if not wait_while_paused(lambda: care.is_paused(pid), notifier, persona=pid, stopped=stopped):
                return None
            try:
                return _load_feeding_watchdog(settings, notifier)
            except PersonaPaused:
                continue  # paused again between the check and the load: wait again
    except AudioError:
        raise  # the sound system itself failed to come up: worth a restart
    except CompanionError as exc:
        error = needs_fixing(exc)
        notifier.status(f"stopped: {error.what}")
        raise error from None


def run_live(settings: Settings, *, notifier: Notifier | None = None) -> None:
    """`companion run`: wait out what heals, load the models, then serve."""
    forbid_core_dumps()  # before the persona is decrypted into this process's memory
    notifier = notifier if notifier is not None else Notifier()
    models = prepare(settings, notifier)
    if models is None:
        return

    async def main() -> None:
        await LiveSession(settings, models, notifier=notifier).run()

    asyncio.run(main())
