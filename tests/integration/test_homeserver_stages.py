"""Remote stages against the real Wyoming servers a home server runs, and `companion serve`.

wyoming-faster-whisper and wyoming-piper come from PyPI in a venv of their own (cached, see
support/wyoming_servers.py), fed from our verified model store, on 127.0.0.1. Clients are the
device's adapters and, for `companion serve`, the ``wyoming`` library's own TCP client.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from companion.asr.wyoming_client import WyomingRecognizer
from companion.audio.wavfile import WavFileSink, WavFileSource, read_wav
from companion.config import DEMO_PERSONA_DIR
from companion.remote.link import parse_uri
from companion.service.app import build_pipeline, remote_asr, remote_tts
from companion.tts.wyoming_client import WyomingSynthesizer
from support.cli import words
from support.wyoming_servers import WyomingServer, free_port

pytestmark = pytest.mark.integration

QUESTIONS = ("How did you meet grandma?", "What was your favourite fishing spot?", "What advice do you have for me?")


@pytest.fixture(scope="module")
def whisper_server(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WyomingServer]:
    with WyomingServer.faster_whisper(models_dir, tmp_path_factory.mktemp("whisper")) as server:
        yield server


@pytest.fixture()
def piper_server(models_dir: Path, tmp_path: Path) -> Iterator[WyomingServer]:
    with WyomingServer.piper(models_dir, tmp_path) as server:
        yield server


def remote_settings(test_settings, asr_uri: str = "", tts_uri: str = "", timeout_s: float = 30.0):  # type: ignore[no-untyped-def]
    return replace(test_settings, asr=replace(test_settings.asr, uri=asr_uri, remote_timeout_s=timeout_s),
                   tts=replace(test_settings.tts, uri=tts_uri, remote_timeout_s=timeout_s))


def test_the_remote_recogniser_hears_what_the_local_one_hears(speak, loaded_models, test_settings,  # type: ignore[no-untyped-def]
                                                              whisper_server: WyomingServer) -> None:
    recogniser = remote_asr(remote_settings(test_settings, asr_uri=whisper_server.uri), loaded_models.asr)
    assert isinstance(recogniser, WyomingRecognizer)
    for question in QUESTIONS:
        pcm, rate = read_wav(speak(question))
        remote = recogniser.transcribe(pcm, rate)
        local = loaded_models.asr.transcribe(pcm, rate)
        assert remote.text == local.text, question
        assert remote.text  # a transcript, not silence
    assert recogniser.remote.stats.remote == len(QUESTIONS) and recogniser.remote.stats.local == 0


def test_a_dead_server_falls_back_at_once(speak, loaded_models, test_settings) -> None:  # type: ignore[no-untyped-def]
    dead = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    recogniser = remote_asr(remote_settings(test_settings, asr_uri=dead), loaded_models.asr)
    pcm, rate = read_wav(speak(QUESTIONS[0]))
    assert recogniser.transcribe(pcm, rate).text == loaded_models.asr.transcribe(pcm, rate).text
    stats = recogniser.remote.stats  # type: ignore[attr-defined]
    assert stats.local == 1 and stats.remote == 0 and len(stats.fallback_s) == 1
    recogniser.transcribe(pcm, rate)  # within retry_after_s: straight to the local model, no second try
    assert len(stats.fallback_s) == 1 and stats.local == 2


def test_the_remote_voice_speaks_at_the_local_rate(loaded_models, test_settings, piper_server: WyomingServer) -> None:  # type: ignore[no-untyped-def]
    voice = remote_tts(remote_settings(test_settings, tts_uri=piper_server.uri), loaded_models.tts)
    assert isinstance(voice, WyomingSynthesizer) and voice.sample_rate == loaded_models.tts.sample_rate
    remote = voice.synthesize("I took lessons all winter.")
    local = loaded_models.tts.synthesize("I took lessons all winter.")
    assert voice.remote.stats.remote == 1
    assert abs(len(remote) - len(local)) < 0.35 * len(local)  # the same voice, its own noise draw
    assert np.abs(remote.astype(np.int32)).max() > 1000


class KillOnFirstWrite(WavFileSink):
    """Records the reply; kills a server when the first audio reaches the speaker (mid-turn)."""

    def __init__(self, path: Path, server: WyomingServer) -> None:
        super().__init__(path)
        self.server = server

    def write(self, pcm: np.ndarray) -> None:
        self.server.kill()
        super().write(pcm)


def test_servers_that_freeze_or_die_mid_turn_fall_back_and_the_turn_completes(  # type: ignore[no-untyped-def]
        speak, loaded_models, test_settings, whisper_server: WyomingServer, piper_server: WyomingServer,
        tmp_path: Path) -> None:
    settings = remote_settings(test_settings, asr_uri=whisper_server.uri, tts_uri=piper_server.uri, timeout_s=2.0)
    models = replace(loaded_models, asr=remote_asr(settings, loaded_models.asr),
                     tts=remote_tts(settings, loaded_models.tts),
                     neutral_tts=loaded_models.neutral_tts or loaded_models.tts)
    question = speak(QUESTIONS[0])
    source = WavFileSource(question, block_ms=settings.audio.block_ms, trailing_silence_s=settings.vad.hangover_s + 1.0)
    sink = KillOnFirstWrite(tmp_path / "reply.wav", piper_server)
    pipeline = build_pipeline(settings, models, source=source, sink=sink, follow_up=False, use_wake=False)
    assert whisper_server.proc is not None
    os.kill(whisper_server.proc.pid, signal.SIGSTOP)  # alive but answering nothing: too slow
    try:
        results = asyncio.run(pipeline.run(start_listening=True, max_turns=1, fail_fast=True))
    finally:
        os.kill(whisper_server.proc.pid, signal.SIGCONT)
        source.close()
    sink.close()
    assert piper_server.proc is not None and piper_server.proc.returncode is not None  # it really died mid-turn
    [result] = results
    assert {"meet", "grandma"} <= words(result.transcript)  # heard by the local model, after the deadline
    assert result.reply and not result.interrupted
    assert models.asr.remote.stats.local == 1 and models.asr.remote.stats.fallback_s[0] >= 1.9  # type: ignore[attr-defined]
    assert models.tts.remote.stats.local >= 1  # type: ignore[attr-defined]
    reply, rate = read_wav(tmp_path / "reply.wav")
    assert len(reply) > rate  # the whole reply was spoken, by the local voice


# -- companion serve ----------------------------------------------------------------------------

@pytest.fixture()
def serve_demo(cli_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    from companion.remote.link import probe
    from support.wyoming_servers import start_companion_serve

    port = free_port()
    proc = start_companion_serve(f"tcp://127.0.0.1:{port}", cli_env, tmp_path / "serve.log")  # listening now
    try:
        probe(parse_uri(f"tcp://127.0.0.1:{port}", "test"), timeout_s=5.0)
        yield f"tcp://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


async def ask(uri: str, text: str, context: dict[str, object] | None = None) -> tuple[list[str], str, list[str]]:
    """(event types, the final handled text, the chunks) for one transcript, via wyoming's client."""
    from wyoming.asr import Transcript
    from wyoming.client import AsyncClient

    types: list[str] = []
    chunks: list[str] = []
    async with AsyncClient.from_uri(uri, connect_timeout=5, read_timeout=60) as client:
        await client.write_event(Transcript(text=text, context=context).event())
        while True:
            event = await client.read_event()
            assert event is not None
            types.append(event.type)
            if event.type == "handled-chunk":
                chunks.append(event.data["text"])
            if event.type in ("handled", "not-handled", "error"):
                return types, str(event.data.get("text", "")), chunks


def test_serve_streams_the_guarded_reply(serve_demo: str) -> None:
    types, text, chunks = asyncio.run(ask(serve_demo, "How did you meet grandma?", {"conversation_id": "t1"}))
    assert types[0] == "handled-start" and types[-2:] == ["handled-stop", "handled"]
    assert len(chunks) >= 2 and " ".join(c.strip() for c in chunks) == text
    assert text.startswith("This is an AI re-creation")  # Home Assistant plays no disclosure of its own
    assert "dance" in text.lower()
    types, text, _ = asyncio.run(ask(serve_demo, "Who taught you to fish?", {"conversation_id": "t1"}))
    assert "AI re-creation" not in text  # once per conversation
    # The guardrails run on the server too: a crisis breaks character with the help number.
    _, text, _ = asyncio.run(ask(serve_demo, "I don't want to live anymore", {"companion_discloses": True}))
    assert "988" in text and "AI" in text


def test_serve_refuses_a_persona_without_home_server_consent(cli_env: dict[str, str], tmp_path: Path) -> None:

    from companion.consent import default_authority, new_record

    folder = tmp_path / "nan"
    shutil.copytree(DEMO_PERSONA_DIR, folder)
    record = new_record(persona_name="Nan", authorised_by="Ada", relationship="grandchild", status="deceased",
                        audience=["household"], valid_until=None, owner_is_adult=True, bundle_id="plain")
    digest = hashlib.sha256((folder / "messages.jsonl").read_bytes()).hexdigest()
    (folder / "consent.json").write_text(default_authority().sign(record.with_sources([digest])).to_json())
    result = subprocess.run([sys.executable, "-m", "companion", "serve", "--persona", str(folder), "--uri",
                             f"tcp://127.0.0.1:{free_port()}"], env=cli_env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "does not allow this persona on a home server" in result.stderr
