"""`companion bench-remote`: what a remote stage costs over the same model on the device, and how
fast a dead server hands over to the local model. JSON out, medians.

Per stage, ``loopback``: the device's own model served over Wyoming on 127.0.0.1 in this process
(the same model object), so remote_s - local_s is exactly what the protocol, sockets and event
handling add. ``server``: a real Wyoming server (--asr-uri etc., or the configured uri); its
overhead also contains its own decoding choices (wyoming-faster-whisper decodes with
timestamps from a WAV file, for one), so it compares programs, not just the wire.
Fall-back: a server that refuses (nothing listens on the port) is measured; an unreachable
host costs at most [network] connect_timeout_s, once, after which the local model answers at
once for [network] retry_after_s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

from ..config import Settings

QUESTION = "What was your favourite fishing spot when you were young?"
SENTENCE = "We used to sit by the river until the sun went down."
GOALS = {"overhead_s": 0.050, "fallback_s": 1.0}


def _paired(remote: Callable[[], object], local: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Medians of remote, local, and of remote - local run by run (alternating, so a busy
    machine slows both sides of each pair alike)."""
    pairs = []
    for i in range(runs):
        order = (remote, local) if i % 2 == 0 else (local, remote)
        times = {}
        for fn in order:
            t0 = time.perf_counter()
            fn()
            times[fn] = time.perf_counter() - t0
        pairs.append((times[remote], times[local]))
    return (statistics.median(r for r, _ in pairs), statistics.median(lo for _, lo in pairs),
            statistics.median(r - lo for r, lo in pairs))


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stage(remote: Callable[[], object], local: Callable[[], object], uri: str, runs: int,
           compute: list[float] | None = None) -> dict[str, Any]:
    """``compute``: the loopback server's own time per request; remote - compute is the wire alone."""
    remote()  # warm the server
    wire: list[float] = []

    def timed_remote() -> None:
        t0 = time.perf_counter()
        remote()
        if compute:
            wire.append(time.perf_counter() - t0 - compute[-1])

    remote_s, local_s, overhead_s = _paired(timed_remote, local, runs)
    out: dict[str, Any] = {"uri": uri, "runs": runs, "remote_s": round(remote_s, 4), "local_s": round(local_s, 4),
           "overhead_s": round(overhead_s, 4)}
    if wire:  # exact: the same process timed the model inside the server
        out["wire_s"] = round(statistics.median(wire), 4)
    out["goal_met"] = out.get("wire_s", overhead_s) <= GOALS["overhead_s"]
    return out


def bench_asr(settings: Settings, local: Any, pcm: Any, rate: int, uri: str | None, runs: int) -> dict[str, Any]:
    from ..asr.wyoming_client import WyomingRecognizer
    from ..remote.link import parse_uri

    net = settings.network
    def through(server_uri: str, compute: list[float] | None = None) -> dict[str, Any]:
        remote = WyomingRecognizer(parse_uri(server_uri, "--asr-uri"), local, language=settings.asr.language,
                                   timeout_s=60, connect_timeout_s=net.connect_timeout_s, retry_after_s=0)
        return _stage(lambda: remote.transcribe_remote(pcm, rate), lambda: local.transcribe(pcm, rate), server_uri, runs,
                      compute)

    compute: list[float] = []
    with LoopbackServer(_asr_handler(local, compute)) as loopback:
        out: dict[str, Any] = {"loopback": through(loopback.uri, compute)}
    if uri:
        out["server"] = through(uri)
    dead = WyomingRecognizer(parse_uri(f"tcp://127.0.0.1:{_dead_port()}", "dead"), local,
                             language=settings.asr.language, timeout_s=settings.asr.remote_timeout_s,
                             connect_timeout_s=net.connect_timeout_s, retry_after_s=net.retry_after_s)
    dead.transcribe(pcm, rate)
    out["fallback_refused_s"] = round(dead.remote.stats.fallback_s[0], 4)
    return out


def bench_tts(settings: Settings, local: Any, uri: str | None, runs: int) -> dict[str, Any]:
    from ..tts.wyoming_client import WyomingSynthesizer
    from ..remote.link import parse_uri

    net = settings.network
    def through(server_uri: str, voice: str, compute: list[float] | None = None) -> dict[str, Any]:
        remote = WyomingSynthesizer(parse_uri(server_uri, "--tts-uri"), local, voice=voice, timeout_s=60,
                                    connect_timeout_s=net.connect_timeout_s, retry_after_s=0)
        return _stage(lambda: remote.synthesize_remote(SENTENCE), lambda: local.synthesize(SENTENCE), server_uri, runs,
                      compute)

    compute: list[float] = []
    with LoopbackServer(_tts_handler(local, compute)) as loopback:
        out: dict[str, Any] = {"loopback": through(loopback.uri, "", compute)}
    if uri:
        out["server"] = through(uri, settings.tts.remote_voice)
    dead = WyomingSynthesizer(parse_uri(f"tcp://127.0.0.1:{_dead_port()}", "dead"), local, voice="",
                              timeout_s=settings.tts.remote_timeout_s, connect_timeout_s=net.connect_timeout_s,
                              retry_after_s=net.retry_after_s)
    dead.synthesize(SENTENCE)
    out["fallback_refused_s"] = round(dead.remote.stats.fallback_s[0], 4)
    return out


class LoopbackServer:
    """A Wyoming server on 127.0.0.1 in a thread of its own (for the duration of a ``with``)."""

    def __init__(self, factory: Any) -> None:
        self.factory = factory
        self.uri = f"tcp://127.0.0.1:{_dead_port()}"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        from wyoming.server import AsyncServer

        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        server = AsyncServer.from_uri(self.uri)
        await server.start(self.factory)
        self._ready.set()
        await self._stop.wait()
        await server.stop()

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the loopback server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


def _asr_handler(local: Any, compute: list[float]) -> Any:
    """The local recogniser behind the Wyoming ASR events (what a home server would run)."""
    import numpy as np
    from wyoming.asr import Transcript
    from wyoming.audio import AudioChunk, AudioStop
    from wyoming.server import AsyncEventHandler

    class Handler(AsyncEventHandler):
        audio = b""

        async def handle_event(self, event: Any) -> bool:
            if AudioChunk.is_type(event.type):
                self.audio += AudioChunk.from_event(event).audio
            elif AudioStop.is_type(event.type):
                pcm = np.frombuffer(self.audio, dtype="<i2")
                t0 = time.perf_counter()
                heard = await asyncio.to_thread(local.transcribe, pcm, 16000)
                compute.append(time.perf_counter() - t0)
                await self.write_event(Transcript(text=heard.text).event())
            return True

    return Handler


def _tts_handler(local: Any, compute: list[float]) -> Any:
    from wyoming.audio import AudioChunk, AudioStart, AudioStop
    from wyoming.server import AsyncEventHandler
    from wyoming.tts import Synthesize

    class Handler(AsyncEventHandler):
        async def handle_event(self, event: Any) -> bool:
            if Synthesize.is_type(event.type):
                t0 = time.perf_counter()
                pcm = await asyncio.to_thread(local.synthesize, Synthesize.from_event(event).text)
                compute.append(time.perf_counter() - t0)
                rate = local.sample_rate
                await self.write_event(AudioStart(rate=rate, width=2, channels=1).event())
                data = pcm.astype("<i2").tobytes()
                for i in range(0, len(data), 2048):
                    await self.write_event(AudioChunk(rate=rate, width=2, channels=1, audio=data[i:i + 2048]).event())
                await self.write_event(AudioStop().event())
            return True

    return Handler


def _ask(uri: str, question: str) -> str:
    """One transcript through a handle service with the wyoming library's client."""
    from wyoming.asr import Transcript
    from wyoming.client import AsyncClient

    async def go() -> str:
        async with AsyncClient.from_uri(uri, connect_timeout=5, read_timeout=120) as client:
            await client.write_event(Transcript(text=question, context={"companion_discloses": True}).event())
            while (event := await client.read_event()) is not None:
                if event.type == "handled":
                    return str(event.data.get("text", ""))
        raise RuntimeError("the persona server hung up")

    return asyncio.run(go())


def bench_persona(settings: Settings, persona: Any, uri: str | None, runs: int) -> dict[str, Any]:
    from ..ethics.disclosure import disclosure_text
    from .serve import PersonaService, handler_factory

    service = PersonaService(persona, disclosure=disclosure_text(persona.name or persona.display_name, "en",
                                                                 settings.ethics.disclosure_addition), history_turns=0)
    local = lambda: service.answer(QUESTION, {"companion_discloses": True})  # noqa: E731
    if uri:
        return _stage(lambda: _ask(uri, QUESTION), local, uri, runs)
    compute: list[float] = []

    class Timed:  # the service as the handler sees it, with the engine's own time recorded
        def info(self) -> Any:
            return service.info()

        def answer(self, question: str, context: Any) -> list[Any]:
            t0 = time.perf_counter()
            try:
                return service.answer(question, context)
            finally:
                compute.append(time.perf_counter() - t0)

    with LoopbackServer(handler_factory(cast("PersonaService", Timed()))) as server:  # the configured persona, served on loopback
        return _stage(lambda: _ask(server.uri, QUESTION), local, server.uri, runs, compute)


def run_bench(settings: Settings, *, asr_uri: str | None, tts_uri: str | None, persona_uri: str | None,
              runs: int) -> dict[str, Any]:
    from ..service.app import load_models

    local_settings = replace(settings, asr=replace(settings.asr, uri=""), tts=replace(settings.tts, uri=""),
                             persona=replace(settings.persona, uri=""))
    models = load_models(local_settings, with_wake=False)
    from ..audio.convert import resample

    pcm = resample(models.tts.synthesize(QUESTION), models.tts.sample_rate, 16000)  # as the microphone gives it
    rate = 16000
    report: dict[str, Any] = {
        "asr": bench_asr(settings, models.asr, pcm, rate, asr_uri, runs),
        "tts": bench_tts(settings, models.tts, tts_uri, runs),
        "persona": {"loopback" if not persona_uri else "server": bench_persona(settings, models.persona, persona_uri, runs)},
        "connect_timeout_s": settings.network.connect_timeout_s,
        "retry_after_s": settings.network.retry_after_s,
        "goals": GOALS,
    }
    worst = max(report[s]["fallback_refused_s"] for s in ("asr", "tts"))
    report["fallback_worst_s"] = max(worst, settings.network.connect_timeout_s)
    report["fallback_goal_met"] = report["fallback_worst_s"] <= GOALS["fallback_s"]
    return report


def cmd_bench_remote(args: argparse.Namespace) -> int:
    from ..config import settings_from_args

    settings = settings_from_args(args)
    report = run_bench(settings, asr_uri=args.asr_uri or settings.asr.uri or None,
                       tts_uri=args.tts_uri or settings.tts.uri or None,
                       persona_uri=args.persona_uri or settings.persona.uri or None, runs=max(1, args.runs))
    print(json.dumps(report, indent=2))
    return 0
