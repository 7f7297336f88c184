"""The persona on the home server: `companion serve` answers, the device's guardrails stay in charge.

The server is the real `companion serve` (a child process) or the same service on loopback in
this process; the device side is built by the composition root (service/app.py) exactly as
`[persona] uri` makes it: the remote engine, the local engine as its fall-back, the device's
guardrails around both.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from companion.audio.wavfile import WavFileSink, WavFileSource
from companion.config import DEMO_PERSONA_DIR
from companion.consent import ConsentError, default_authority, new_record
from companion.ethics.setup import guard_persona
from companion.homeserver.bench import LoopbackServer
from companion.remote.link import parse_uri, probe
from companion.homeserver.serve import PersonaService, handler_factory
from companion.persona.reply import ReplyKind, Voice
from companion.persona.wyoming_client import WyomingPersona, piece_from_server
from companion.service.app import build_pipeline, remote_persona
from companion.service.state import Phase
from support.wyoming_servers import free_port, start_companion_serve

pytestmark = pytest.mark.integration


def device_persona(test_settings, loaded_models, uri: str):  # type: ignore[no-untyped-def]
    settings = replace(test_settings, persona=replace(test_settings.persona, uri=uri, remote_timeout_s=5.0))
    local = loaded_models.persona.inner  # the engine inside the device's guardrails
    remote = remote_persona(settings, local)
    assert isinstance(remote, WyomingPersona)
    return settings, remote, guard_persona(settings, remote, embedder=local.embedder)


def test_the_server_answers_and_the_device_guardrails_still_decide(loaded_models, test_settings) -> None:  # type: ignore[no-untyped-def]
    service = PersonaService(loaded_models.persona, disclosure=test_settings.ethics.disclosure)
    with LoopbackServer(handler_factory(service)) as server:
        _, remote, guarded = device_persona(test_settings, loaded_models, server.uri)
        pieces = list(guarded.respond("How did you meet grandma?"))
        assert remote.remote.stats.remote == 1
        assert pieces and all(p.kind is ReplyKind.MEMORY and p.voice is Voice.PERSONA for p in pieces)
        assert "dance" in " ".join(p.text for p in pieces).lower()
        assert not any("AI re-creation" in p.text for p in pieces)  # the device discloses itself, in its own voice
        # A crisis is answered on the device by the check every turn starts with (turn_pieces), before
        # (and without) asking the server.
        from companion.ethics.crisis import CrisisState
        from companion.ethics.setup import safety_check

        crisis, _ = safety_check(test_settings, guarded).turn("I don't want to live anymore", [], CrisisState(), 0.0)
        assert [p.kind for p in crisis] == [ReplyKind.CRISIS] and crisis[0].voice is Voice.NEUTRAL
        assert remote.remote.stats.remote == 1 and remote.remote.stats.local == 0


def test_what_a_server_may_claim_about_a_piece_is_limited() -> None:
    assert piece_from_server("Hello.", {"kind": "memory", "score": 7, "voice": "neutral"}).voice is Voice.PERSONA  # type: ignore[union-attr]
    assert piece_from_server("Hello.", {"kind": "memory", "score": 7}).source.score == 1.0  # type: ignore[union-attr]
    assert piece_from_server("Call 988.", {"kind": "crisis"}).voice is Voice.NEUTRAL  # type: ignore[union-attr]
    assert piece_from_server("This is an AI.", {"kind": "disclosure"}) is None  # the device says its own
    assert piece_from_server("Take a break.", {"kind": "care"}) is None
    assert piece_from_server("Hi.", "garbage").kind is ReplyKind.GENERATED  # type: ignore[union-attr]
    assert piece_from_server("Hi.", {"kind": "nonsense"}).kind is ReplyKind.GENERATED  # type: ignore[union-attr]


@pytest.fixture()
def served(cli_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    uri = f"tcp://127.0.0.1:{free_port()}"
    proc = start_companion_serve(uri, cli_env, tmp_path / "serve.log")  # returns once it is listening
    try:
        probe(parse_uri(uri, "test"), timeout_s=5.0)
        yield uri, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=20)


def test_serve_killed_mid_turn_the_local_engine_answers(served, speak, loaded_models, test_settings,  # type: ignore[no-untyped-def]
                                                        tmp_path: Path) -> None:
    uri, proc = served
    settings, remote, guarded = device_persona(test_settings, loaded_models, uri)
    assert list(guarded.respond("Who taught you to fish?"))  # the server answers while alive
    assert remote.remote.stats.remote == 1
    models = replace(loaded_models, persona=guarded)
    question = speak("How did you meet grandma?")
    source = WavFileSource(question, block_ms=settings.audio.block_ms, trailing_silence_s=settings.vad.hangover_s + 1.0)
    sink = WavFileSink(tmp_path / "reply.wav")

    def kill_when_thinking(phase: Phase) -> None:  # the question has ended; the server is asked after ASR
        if phase is Phase.THINKING and proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)

    pipeline = build_pipeline(settings, models, source=source, sink=sink, follow_up=False, use_wake=False,
                              on_phase=kill_when_thinking)
    try:
        [result] = asyncio.run(pipeline.run(start_listening=True, max_turns=1, fail_fast=True))
    finally:
        source.close()
    sink.close()
    assert proc.returncode is not None
    assert "dance" in result.reply.lower() and not result.interrupted
    assert remote.remote.stats.local == 1 and remote.remote.stats.fallback_s[0] < 1.0


def test_the_device_refuses_a_remote_persona_without_home_server_consent(loaded_models, test_settings,  # type: ignore[no-untyped-def]
                                                                         tmp_path: Path) -> None:
    folder = tmp_path / "nan"
    shutil.copytree(DEMO_PERSONA_DIR, folder)
    digest = hashlib.sha256((folder / "messages.jsonl").read_bytes()).hexdigest()

    def consent(home_server: bool) -> None:
        record = new_record(persona_name="Nan", authorised_by="Ada", relationship="grandchild", status="deceased",
                            audience=["household"], valid_until=None, owner_is_adult=True, bundle_id="plain",
                            home_server=home_server)
        (folder / "consent.json").write_text(default_authority().sign(record.with_sources([digest])).to_json())

    settings = replace(test_settings, persona=replace(test_settings.persona, dir=str(folder),
                                                      uri="tcp://192.168.1.20:10700"))
    consent(False)
    with pytest.raises(ConsentError, match="does not allow this persona on a home server"):
        remote_persona(settings, loaded_models.persona.inner)
    consent(True)
    assert isinstance(remote_persona(settings, loaded_models.persona.inner), WyomingPersona)


def test_bench_remote_reports_each_stage(cli_env: dict[str, str]) -> None:
    """The report's shape (numbers are the benchmark's business, not a test's)."""
    import json

    from support.cli import run_companion

    result = run_companion(["bench-remote", "--runs", "1"], cli_env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for stage in ("asr", "tts", "persona"):
        loopback = report[stage]["loopback"]
        assert {"remote_s", "local_s", "overhead_s", "wire_s", "goal_met"} <= set(loopback)
    assert {"fallback_refused_s"} <= set(report["asr"]) and {"fallback_refused_s"} <= set(report["tts"])
    assert report["goals"] == {"overhead_s": 0.05, "fallback_s": 1.0} and "fallback_worst_s" in report


def test_doctor_checks_the_home_server_and_the_dropin(loaded_models, test_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from companion.service.doctor_remote import check_home_servers
    from companion.service.dropin import dropin_text

    service = PersonaService(loaded_models.persona, disclosure=test_settings.ethics.disclosure)
    unit = tmp_path / "companion.service"
    unit.write_text("[Service]\n")
    with LoopbackServer(handler_factory(service)) as server:
        settings = replace(test_settings, persona=replace(test_settings.persona, uri=server.uri),
                           asr=replace(test_settings.asr, uri=f"tcp://127.0.0.1:{free_port()}"))
        checks = {c.name: c for c in check_home_servers(settings, unit_file=unit)}  # type: ignore[attr-defined]
        assert checks["home server persona"].status == "ok" and "companion" in checks["home server persona"].detail
        assert checks["home server asr"].status == "warn" and "answers meanwhile" in checks["home server asr"].detail
        assert checks["home server consent"].status == "ok"
        assert checks["network"].status == "warn"  # no drop-in installed yet
        dropin = tmp_path / "companion.service.d" / "network.conf"
        dropin.parent.mkdir()
        dropin.write_text(dropin_text(settings) or "")
        checks = {c.name: c for c in check_home_servers(settings, unit_file=unit)}  # type: ignore[attr-defined]
        assert checks["network"].status == "ok"
