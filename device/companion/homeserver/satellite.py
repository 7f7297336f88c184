"""The device as a Home Assistant voice satellite (Wyoming), the way Home Assistant drives one.

Home Assistant connects to the satellite (it is the TCP client), asks ``describe`` (the answer's
``satellite`` part is what makes it a satellite), sends ``run-satellite`` when ready and pings
about every 2 s, dropping the connection after 5 s of silence. A turn: the device hears its
wake word (or, with a WAV file as microphone, starts at once), sends ``detection`` and
``run-pipeline`` (asr -> tts) and streams 16 kHz/16-bit/mono ``audio-chunk``s until its own
endpointer hears the end (``audio-stop``) or Home Assistant's transcript arrives. Home
Assistant answers with ``transcript``, ``synthesize`` (the text) and the spoken reply as
``audio-start/-chunk/-stop`` (22050 Hz); the device plays it and says ``played``.

What the device keeps, whatever Home Assistant sends: everything it plays is watermarked
(one utterance id per turn) and the turn goes into the content-free generation log. The
microphone is not streamed between turns. When Home Assistant's conversation agent is
`companion serve`, the disclosure is part of the answer text (serve.py).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from ..audio.base import CAPTURE_RATE, AudioSink, AudioSource
from ..audio.convert import resample, to_mono_int16
from ..ethics.genlog import GenerationLog, new_utterance_id
from ..ethics.watermark import UtteranceMarker
from ..events import SpeechEnded
from ..vad.endpointer import Endpointer, NoSpeech
from ..vad.webrtc import WebRtcVad
from ..wake.base import WakeWordDetector

logger = logging.getLogger(__name__)

MAX_REPLY_S = 120
"""Reply audio beyond this is refused: memory stays bounded whatever the server sends."""
REPLY_WAIT_S = 30.0
"""After the question, give up waiting for Home Assistant's reply after this long."""
PLAY_RATE = 22050
"""Home Assistant sends its speech at 22050 Hz; the speaker plays at this rate."""


class Phase(Enum):
    IDLE = "idle"
    STREAMING = "streaming"
    WAITING = "waiting"
    PLAYING = "playing"


@dataclass
class SatelliteTurn:
    """What one turn produced (for the caller and the tests; no content goes to the log)."""

    question: str = ""
    reply_text: str = ""
    reply_samples: int = 0
    utterance_id: int = 0
    streamed_s: float = 0.0
    stamps: dict[str, float] = field(default_factory=dict)


class SatelliteDevice:
    """The device's side of a satellite session: microphone, endpointer, speaker, marks, log."""

    def __init__(self, *, name: str, source: AudioSource, sink: AudioSink, vad: WebRtcVad, endpointer: Endpointer,
                 wake: WakeWordDetector | None, log: GenerationLog | None, persona_id: str, watermark_key: bytes,
                 models: dict[str, str] | None = None, max_turns: int | None = None) -> None:
        self.name = name
        self.watermark_key = watermark_key
        """This device's watermark secret (ethics/wmkey.py): what it plays is marked with it (C4)."""
        self.source = source
        self.sink = sink
        self.vad = vad
        self.endpointer = endpointer
        self.wake = wake
        self.log = log
        self.persona_id = persona_id
        self.models = dict(models or {})
        self.max_turns = max_turns
        self.turns: list[SatelliteTurn] = []
        self.finished = asyncio.Event()
        """Set when ``max_turns`` turns have been played (a file-driven session is over)."""

    def info(self) -> Any:
        from wyoming.audio import AudioFormat
        from wyoming.info import Attribution, Info, MicProgram, Satellite, SndProgram, WakeModel, WakeProgram

        from .. import __version__

        attribution = Attribution(name="companion", url="https://www.gnu.org/licenses/gpl-3.0.html")
        wake = []
        words: list[str] = []
        if self.wake is not None:
            words = ["okay_nabu"]
            wake = [WakeProgram(name="companion-wake", attribution=attribution, installed=True, version=__version__,
                                description="on-device wake word",
                                models=[WakeModel(name="okay_nabu", phrase="okay nabu", attribution=attribution,
                                                  installed=True, languages=["en"], version=__version__,
                                                  description="okay nabu")])]
        return Info(
            satellite=Satellite(name=self.name, attribution=attribution, installed=True, version=__version__,
                                description="offline voice companion", has_vad=True, active_wake_words=words,
                                max_active_wake_words=1, supports_trigger=False),
            wake=wake,
            mic=[MicProgram(name="companion-mic", attribution=attribution, installed=True, version=__version__,
                            description="device microphone", mic_format=AudioFormat(rate=CAPTURE_RATE, width=2, channels=1))],
            snd=[SndProgram(name="companion-speaker", attribution=attribution, installed=True, version=__version__,
                            description="device speaker (watermarked)", snd_format=AudioFormat(rate=PLAY_RATE, width=2, channels=1))],
        )

    def play(self, pcm: np.ndarray, turn: SatelliteTurn) -> None:
        """Watermark and play Home Assistant's reply (blocking; a worker thread), then log the turn."""
        uid = new_utterance_id()
        turn.utterance_id = uid
        if not len(pcm):
            return
        marked = UtteranceMarker(uid, PLAY_RATE, key=self.watermark_key).mark(pcm)
        self.sink.begin(PLAY_RATE)
        self.sink.write(marked)
        self.sink.finish()
        turn.reply_samples = len(marked)
        if self.log is not None:
            self.log.record(uid, persona_id=self.persona_id, kind="home-assistant", models=self.models,
                            disclosure=False, voice="home-assistant", conversation_s=round(len(pcm) / PLAY_RATE, 3))


class SatelliteSession:
    """One Home Assistant connection: its events in, the device's events out."""

    def __init__(self, device: SatelliteDevice, write: Any, *, start_without_wake: bool) -> None:
        self.device = device
        self.write = write
        self.start_without_wake = start_without_wake
        self.phase = Phase.IDLE
        self.running = False
        self.turn = SatelliteTurn()
        self._reply: list[np.ndarray] = []
        self._reply_rate = PLAY_RATE
        self._reply_samples = 0
        self._mic_task: asyncio.Task[None] | None = None
        self._play_task: asyncio.Task[None] | None = None
        self._waiting_since = 0.0

    async def handle(self, event: Any) -> bool:
        from wyoming.asr import Transcript
        from wyoming.audio import AudioChunk, AudioStart, AudioStop
        from wyoming.error import Error
        from wyoming.info import Describe
        from wyoming.ping import Ping, Pong
        from wyoming.satellite import PauseSatellite, RunSatellite
        from wyoming.tts import Synthesize
        from wyoming.vad import VoiceStopped

        if Describe.is_type(event.type):
            await self.write(self.device.info().event())
        elif Ping.is_type(event.type):
            await self.write(Pong(text=Ping.from_event(event).text).event())
        elif RunSatellite.is_type(event.type):
            self.running = True
            if self._mic_task is None or self._mic_task.done():
                self._mic_task = asyncio.create_task(self._mic_loop())
        elif PauseSatellite.is_type(event.type):
            self.running = False
            await self._stop_streaming()
        elif Transcript.is_type(event.type):
            self.turn.question = Transcript.from_event(event).text
            await self._stop_streaming()  # Home Assistant has heard the end
        elif VoiceStopped.is_type(event.type):
            await self._stop_streaming()
        elif Synthesize.is_type(event.type):
            self.turn.reply_text = Synthesize.from_event(event).text
        elif AudioStart.is_type(event.type):
            self._reply, self._reply_samples = [], 0
            self._reply_rate = AudioStart.from_event(event).rate
            self.phase = Phase.WAITING
        elif AudioChunk.is_type(event.type):
            self._collect(AudioChunk.from_event(event))
        elif AudioStop.is_type(event.type) and self.phase is not Phase.STREAMING:
            # Played in a task: pings must be answered while the device speaks (HA drops a
            # satellite after 5 s of silence). Also for an empty reply: HA waits for "played".
            self._play_task = asyncio.create_task(self._play_reply())
        elif Error.is_type(event.type):
            logger.warning("Home Assistant reported an error: %s", event.data.get("text"))
            await self._stop_streaming()
            self.phase = Phase.IDLE
        else:
            logger.debug("satellite: ignored %s", event.type)
        return True

    def _collect(self, chunk: Any) -> None:
        if chunk.width != 2:
            logger.warning("Home Assistant sent %d-bit audio; ignored", 8 * chunk.width)
            return
        pcm = to_mono_int16(np.frombuffer(chunk.audio, dtype="<i2"), chunk.channels)
        self._reply_samples += len(pcm)
        if self._reply_samples > MAX_REPLY_S * max(chunk.rate, 1):
            logger.warning("Home Assistant's reply is longer than %d s: the rest is dropped", MAX_REPLY_S)
            return
        self._reply_rate = chunk.rate
        self._reply.append(pcm)

    async def _play_reply(self) -> None:
        from wyoming.snd import Played

        pcm = np.concatenate(self._reply) if self._reply else np.zeros(0, dtype=np.int16)
        self._reply = []
        if self._reply_rate != PLAY_RATE:
            pcm = resample(pcm, self._reply_rate, PLAY_RATE)
        self.phase = Phase.PLAYING
        turn = self.turn
        turn.stamps["reply_audio"] = time.perf_counter()
        await asyncio.to_thread(self.device.play, pcm, turn)
        turn.stamps["played"] = time.perf_counter()
        try:
            await self.write(Played().event())
        except (ConnectionError, OSError) as exc:  # Home Assistant left meanwhile: the turn still counts
            logger.info("could not say 'played': %s", exc)
        self.device.turns.append(turn)
        self.turn = SatelliteTurn()
        self.phase = Phase.IDLE
        if self.device.max_turns is not None and len(self.device.turns) >= self.device.max_turns:
            self.device.finished.set()

    async def _start_turn(self, wake_name: str | None) -> None:
        from wyoming.audio import AudioStart
        from wyoming.pipeline import PipelineStage, RunPipeline
        from wyoming.wake import Detection

        if wake_name:
            await self.write(Detection(name=wake_name, timestamp=0).event())
        await self.write(RunPipeline(start_stage=PipelineStage.ASR, end_stage=PipelineStage.TTS,
                                     wake_word_name=wake_name).event())
        await self.write(AudioStart(rate=CAPTURE_RATE, width=2, channels=1, timestamp=0).event())
        self.device.endpointer.reset(keep_pre_roll=False)
        self.turn = SatelliteTurn(stamps={"start": time.perf_counter()})
        self.phase = Phase.STREAMING

    async def _stop_streaming(self) -> None:
        from wyoming.audio import AudioStop

        if self.phase is Phase.STREAMING:
            self.phase = Phase.WAITING
            self._waiting_since = time.monotonic()
            self.turn.stamps["question_end"] = time.perf_counter()
            await self.write(AudioStop(timestamp=int(self.turn.streamed_s * 1000)).event())

    async def _mic_loop(self) -> None:
        """Read the microphone for as long as the session runs; stream only during a turn."""
        from wyoming.audio import AudioChunk

        device = self.device
        started_once = False
        while self.running:
            chunk = await device.source.read()
            if chunk is None:
                await self._stop_streaming()
                return
            if self.phase is Phase.WAITING and time.monotonic() - self._waiting_since > REPLY_WAIT_S:
                logger.warning("no reply from Home Assistant after %.0f s", REPLY_WAIT_S)
                self.phase = Phase.IDLE
            if self.phase is Phase.IDLE:
                if self.start_without_wake or device.wake is None:
                    if started_once:
                        continue  # a recording is one question
                    started_once = True
                    await self._start_turn(None)  # and this chunk is already part of it
                else:
                    detected = device.wake.process(chunk)
                    if detected is not None:
                        await self._start_turn(detected.name)
                    continue  # the wake word itself is not sent
            if self.phase is not Phase.STREAMING:
                continue  # the mic is not sent while Home Assistant answers or the device speaks
            await self.write(AudioChunk(rate=chunk.rate, width=chunk.width, channels=chunk.channels, audio=chunk.data,
                                        timestamp=int(self.turn.streamed_s * 1000)).event())
            self.turn.streamed_s += chunk.duration
            pcm = chunk.as_int16()
            frame = device.vad.frame_samples
            for i in range(0, len(pcm) - frame + 1, frame):
                part = pcm[i:i + frame]
                ended = device.endpointer.feed(part, device.vad.is_speech(part), chunk.timestamp + (i + frame) / chunk.rate)
                if isinstance(ended, (SpeechEnded, NoSpeech)):
                    await self._stop_streaming()
                    break

    async def close(self) -> None:
        self.running = False
        if self._play_task is not None and not self._play_task.done():
            try:
                await self._play_task  # the reply being spoken is finished and logged
            except Exception as exc:  # the speaker failed; nothing left to tell Home Assistant
                logger.warning("playing Home Assistant's reply failed: %s", exc)
        if self._mic_task is not None:
            self._mic_task.cancel()
            try:
                await self._mic_task
            except asyncio.CancelledError:
                pass
            except Exception as exc:  # the session is over either way; say why the mic loop ended
                logger.warning("the satellite's microphone loop failed: %s", exc)


def handler_factory(device: SatelliteDevice, *, start_without_wake: bool) -> Any:
    from wyoming.server import AsyncEventHandler

    class Handler(AsyncEventHandler):
        def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            super().__init__(reader, writer)
            self.session = SatelliteSession(device, self.write_event, start_without_wake=start_without_wake)
            logger.info("Home Assistant connected")

        async def handle_event(self, event: Any) -> bool:
            return await self.session.handle(event)

        async def disconnect(self) -> None:
            logger.info("Home Assistant disconnected")
            await self.session.close()

    return Handler


async def run_satellite(device: SatelliteDevice, uri: str, *, start_without_wake: bool = False,
                        zeroconf: Any = None, ready: asyncio.Event | None = None, notifier: Any = None) -> None:
    """Serve Home Assistant until ``device.finished`` (a file-driven session) or cancelled.

    ``notifier``: service/notify.Notifier under systemd (READY=1, and the watchdog keep-alive
    from this event loop, so a stuck loop gets the service restarted)."""
    from wyoming.server import AsyncServer

    server = AsyncServer.from_uri(uri)
    await server.start(handler_factory(device, start_without_wake=start_without_wake))
    if zeroconf is not None:
        await zeroconf.register()
    logger.warning("Home Assistant satellite %r listening on %s (Wyoming: unencrypted, home network only)",
                   device.name, uri)
    if ready is not None:
        ready.set()
    watchdog = None
    if notifier is not None:
        notifier.ready("satellite: waiting for Home Assistant")
        if notifier.watchdog_interval:
            from ..service.notify import keep_alive

            watchdog = asyncio.create_task(keep_alive(notifier, lambda: True, notifier.watchdog_interval))
    try:
        await device.finished.wait()
    finally:
        if watchdog is not None:
            watchdog.cancel()
        if notifier is not None:
            notifier.stopping()
        if zeroconf is not None:
            await zeroconf.unregister()
        await server.stop()


def cmd_satellite(args: argparse.Namespace) -> int:
    from .setup import satellite_from_settings

    return satellite_from_settings(args)

