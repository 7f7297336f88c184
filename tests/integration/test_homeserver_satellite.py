"""A satellite session driven the way Home Assistant's Wyoming integration drives one.

The test plays Home Assistant (homeassistant/components/wyoming/assist_satellite.py): it
connects to the satellite, asks ``describe``, sends ``run-satellite`` and pings every 2 s
(a pong must come within 5 s), and when the satellite asks to ``run-pipeline`` it runs that
pipeline with real Wyoming services: the satellite's audio goes to wyoming-faster-whisper,
the transcript to `companion serve` (the persona as Home Assistant's conversation agent), the
answer to wyoming-piper, and the speech back to the satellite, which must say ``played``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.audio.wavfile import WavFileSink, WavFileSource, read_wav
from companion.ethics.watermark import detect, presence_threshold
from companion.ethics.wmkey import device_key
from companion.homeserver.satellite import run_satellite
from companion.homeserver.serve import PersonaService, serve
from companion.homeserver.setup import build_device
from support.wyoming_servers import WyomingServer, free_port

pytestmark = pytest.mark.integration

PING_SEND_DELAY = 2.0
PING_TIMEOUT = 5.0
CHUNK_BYTES = 2048


@pytest.fixture()
def servers(models_dir: Path, tmp_path: Path) -> Iterator[tuple[WyomingServer, WyomingServer]]:
    with WyomingServer.faster_whisper(models_dir, tmp_path / "w") as stt, WyomingServer.piper(models_dir, tmp_path / "p") as tts:
        yield stt, tts


async def answer(satellite, stt, agent_uri: str, tts_uri: str, seen: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    """STT end -> conversation agent -> TTS -> the reply's audio to the satellite (HA's pipeline)."""
    from wyoming.asr import Transcript
    from wyoming.audio import AudioChunk, AudioStart, AudioStop
    from wyoming.client import AsyncClient
    from wyoming.tts import Synthesize

    await stt.write_event(AudioStop().event())
    while not Transcript.is_type((heard := await stt.read_event()).type):
        pass
    await stt.disconnect()
    question = Transcript.from_event(heard).text
    seen["question"] = question
    await satellite.write_event(Transcript(text=question).event())  # STT_END
    async with AsyncClient.from_uri(agent_uri, connect_timeout=5, read_timeout=60) as agent:
        await agent.write_event(Transcript(question, context={"conversation_id": "ha-1"}, language="en").event())
        while (reply := await agent.read_event()) is not None and reply.type != "handled":
            pass
    assert reply is not None
    seen["reply"] = text = reply.data["text"]
    await satellite.write_event(Synthesize(text=text).event())  # TTS_START
    audio, rate = b"", 22050
    async with AsyncClient.from_uri(tts_uri, connect_timeout=5, read_timeout=60) as tts:
        await tts.write_event(Synthesize(text=text).event())
        while not AudioStop.is_type((part := await tts.read_event()).type):
            if AudioChunk.is_type(part.type):
                spoken = AudioChunk.from_event(part)
                rate = spoken.rate
                audio += spoken.audio
    seen["reply_samples"] = len(audio) // 2
    seen["rate"] = rate
    await satellite.write_event(AudioStart(rate=rate, width=2, channels=1, timestamp=0).event())
    for i in range(0, len(audio), CHUNK_BYTES):
        await satellite.write_event(AudioChunk(rate=rate, width=2, channels=1, audio=audio[i:i + CHUNK_BYTES]).event())
    await satellite.write_event(AudioStop().event())


async def home_assistant(satellite_uri: str, stt_uri: str, agent_uri: str, tts_uri: str) -> dict[str, object]:
    """One Home Assistant pipeline run against the satellite; what it saw."""
    from wyoming.asr import Transcribe
    from wyoming.audio import AudioChunk, AudioStart, AudioStop
    from wyoming.client import AsyncClient
    from wyoming.info import Describe, Info
    from wyoming.ping import Ping, Pong
    from wyoming.pipeline import PipelineStage, RunPipeline
    from wyoming.satellite import RunSatellite
    from wyoming.snd import Played

    seen: dict[str, object] = {"pongs": 0}
    satellite = AsyncClient.from_uri(satellite_uri, connect_timeout=5)
    await satellite.connect()
    try:
        await satellite.write_event(Describe().event())  # the config flow: is it a satellite?
        info = Info.from_event(await asyncio.wait_for(satellite.read_event(), 5))  # type: ignore[arg-type]
        assert info.satellite is not None and info.mic[0].mic_format.rate == 16000
        seen["name"] = info.satellite.name
        await satellite.write_event(RunSatellite().event())
        await satellite.write_event(Describe().event())
        last_ping = time.monotonic()
        ping_pending = False
        stt = None
        pipeline: asyncio.Task[None] | None = None
        while True:
            if pipeline is not None and pipeline.done() and pipeline.exception() is not None:
                raise pipeline.exception()  # type: ignore[misc]
            if not ping_pending and time.monotonic() - last_ping >= PING_SEND_DELAY:
                await satellite.write_event(Ping().event())
                ping_pending, last_ping = True, time.monotonic()
            try:
                event = await asyncio.wait_for(satellite.read_event(), 0.5)
            except asyncio.TimeoutError:
                assert not ping_pending or time.monotonic() - last_ping < PING_TIMEOUT, "no pong: HA would drop it"
                continue
            assert event is not None, "the satellite hung up"
            if Pong.is_type(event.type):
                ping_pending = False
                seen["pongs"] = int(seen["pongs"]) + 1  # type: ignore[call-overload]
            elif RunPipeline.is_type(event.type):
                run = RunPipeline.from_event(event)
                assert (run.start_stage, run.end_stage) == (PipelineStage.ASR, PipelineStage.TTS)
                stt = AsyncClient.from_uri(stt_uri, connect_timeout=5, read_timeout=60)
                await stt.connect()
                await stt.write_event(Transcribe(language="en").event())
                await stt.write_event(AudioStart(rate=16000, width=2, channels=1).event())
                await satellite.write_event(Transcribe(language="en").event())  # STT_START
            elif AudioChunk.is_type(event.type) and stt is not None:
                chunk = AudioChunk.from_event(event)
                assert (chunk.rate, chunk.width, chunk.channels) == (16000, 2, 1)
                await stt.write_event(chunk.event())
            elif AudioStop.is_type(event.type) and stt is not None:
                # Like Home Assistant, the rest of the pipeline runs as a task: the satellite's
                # events (pongs) keep being read meanwhile.
                pipeline = asyncio.create_task(answer(satellite, stt, agent_uri, tts_uri, seen))
                stt = None
            elif Played.is_type(event.type):
                assert pipeline is not None
                await pipeline
                return seen
    finally:
        await satellite.disconnect()


def test_home_assistant_runs_a_turn_through_the_satellite(speak, loaded_models, test_settings, servers,  # type: ignore[no-untyped-def]
                                                          tmp_path: Path) -> None:
    stt_server, tts_server = servers
    question = speak("How did you meet grandma?")
    source = WavFileSource(question, block_ms=test_settings.audio.block_ms,
                           trailing_silence_s=test_settings.vad.hangover_s + 1.0, realtime=True)
    sink = WavFileSink(tmp_path / "speaker.wav")
    device = build_device(test_settings, source=source, sink=sink, with_wake=False, max_turns=1)
    agent = PersonaService(loaded_models.persona, disclosure=test_settings.ethics.disclosure)
    sat_uri, agent_uri = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"

    async def session() -> dict[str, object]:
        sat_ready, agent_ready = asyncio.Event(), asyncio.Event()
        tasks = [asyncio.create_task(run_satellite(device, sat_uri, start_without_wake=True, ready=sat_ready)),
                 asyncio.create_task(serve(agent, agent_uri, ready=agent_ready))]
        try:
            await asyncio.wait_for(asyncio.gather(sat_ready.wait(), agent_ready.wait()), 30)
            seen = await asyncio.wait_for(home_assistant(sat_uri, stt_server.uri, agent_uri, tts_server.uri), 180)
            await asyncio.wait_for(device.finished.wait(), 10)
            return seen
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    seen = asyncio.run(session())
    source.close()
    sink.close()
    assert "grandma" in str(seen["question"]).lower()
    assert "dance" in str(seen["reply"]).lower() and "AI re-creation" in str(seen["reply"])
    assert int(seen["pongs"]) >= 1  # type: ignore[call-overload]
    [turn] = device.turns
    played, rate = read_wav(tmp_path / "speaker.wav")
    assert rate == 22050 and abs(len(played) - int(seen["reply_samples"])) < 0.01 * len(played)  # type: ignore[call-overload]
    # The device marked Home Assistant's speech with its own key and utterance id (read from the
    # mark, or matched against the id the generation log holds, as `watermark detect --log` does).
    mark = detect(played, rate, key=device_key(test_settings.ethics.log_path).secret)
    assert mark.present
    assert mark.payload == turn.utterance_id or mark.match_score(turn.utterance_id) > presence_threshold(1)
    records = [json.loads(line) for line in test_settings.ethics.log_path.joinpath("generation.jsonl").read_text().splitlines()]
    assert any(r["kind"] == "home-assistant" and r["utterance_id"] == f"{turn.utterance_id:08x}" for r in records)
