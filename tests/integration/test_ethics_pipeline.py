"""The ethics layer through the real pipeline (Whisper, Piper, MiniLM retrieval): C3, C4, C9-C11."""

from __future__ import annotations

import asyncio
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from support.cli import run_companion, words

from companion.audio.wavfile import WavFileSink, WavFileSource, read_wav, write_wav
from companion.ethics import watermark as wm
from companion.ethics.audiofile import encode_mp3, resample_hq
from companion.ethics.provenance import read_provenance
from companion.ethics.settings import help_line
from companion.ethics.wmkey import device_key

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(test_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    return replace(test_settings, ethics=replace(test_settings.ethics, log_dir=str(tmp_path / "state")))


def converse(settings, models, question: Path, reply: Path):  # type: ignore[no-untyped-def]
    from companion.service.app import converse_file

    result, _ = asyncio.run(converse_file(settings, models, question, reply))
    return result


class SpyVoice:
    """The real Piper voice, noting which sentences it was asked to speak."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.sample_rate = inner.sample_rate
        self.spoken: list[str] = []

    def synthesize(self, sentence: str) -> np.ndarray:
        self.spoken.append(sentence)
        return self.inner.synthesize(sentence)


def test_a_reply_is_disclosed_watermarked_labelled_and_logged(settings, loaded_models, speak, tmp_path: Path) -> None:
    reply = tmp_path / "reply.wav"
    result = converse(settings, loaded_models, speak("What was your favourite fishing spot?"), reply)
    assert result.disclosed and result.utterance_id and result.source.kind == "memory"

    pcm, rate = read_wav(reply)
    key = device_key(settings.ethics.log_path).secret  # the per-user key made on first use
    found = wm.detect(pcm, rate, key=key)
    assert found.present and found.payload_hex == result.utterance_id
    mp3_found = wm.detect(*_mp3_16k(pcm, rate), key=key)
    assert mp3_found.present and mp3_found.match_score(int(result.utterance_id, 16)) > 4
    assert not wm.detect(pcm, rate, key=b"the key of some other device").present

    labels = read_provenance(reply)
    assert labels["aigc"]["ProduceID"] == result.utterance_id and labels["c2pa"]["utterance_id"] == result.utterance_id

    [entry] = [json.loads(line) for line in (tmp_path / "state" / "generation.jsonl").read_text().splitlines()]
    assert entry["utterance_id"] == result.utterance_id and entry["persona_id"] == "demo-walter"
    assert entry["disclosure"] is True and len(entry["models"]["tts-joe-medium"]) == 64
    assert not words(result.reply) & {w for w in words(json.dumps(entry)) if len(w) > 5}

    heard = words(loaded_models.asr.transcribe(pcm, rate).text)
    # The disclosure was spoken ("... an AI re-creation based on Walter's messages ...").
    assert {"ai", "re-creation", "recreation", "creation"} & heard, heard
    assert any(w.startswith("walt") for w in heard), heard


def _mp3_16k(pcm: np.ndarray, rate: int) -> tuple[np.ndarray, int]:
    from companion.ethics.audiofile import decode_mp3

    return decode_mp3(encode_mp3(resample_hq(pcm, rate, 16000), 16000, 64000))


def test_crisis_answers_come_from_the_neutral_voice(settings, loaded_models, speak, tmp_path: Path) -> None:
    persona_voice, neutral_voice = SpyVoice(loaded_models.tts), SpyVoice(loaded_models.tts)
    models = replace(loaded_models, tts=persona_voice, neutral_tts=neutral_voice)
    result = converse(settings, models, speak("I want to kill myself."), tmp_path / "reply.wav")
    assert result.source.kind == "crisis" and help_line(settings.ethics) in result.reply
    assert any(help_line(settings.ethics) in s for s in neutral_voice.spoken)
    assert any("AI re-creation" in s for s in neutral_voice.spoken)  # the disclosure too
    assert not persona_voice.spoken, persona_voice.spoken  # the cloned voice said nothing


def test_the_device_never_speaks_first(settings, loaded_models, tmp_path: Path) -> None:
    from companion.service.app import build_pipeline

    quiet = tmp_path / "room.wav"
    rng = np.random.default_rng(0)
    write_wav(quiet, (rng.standard_normal(16000 * 4) * 30).astype(np.int16), 16000)  # a quiet room, 4 s
    sink = WavFileSink(tmp_path / "out.wav")
    source = WavFileSource(quiet, block_ms=settings.audio.block_ms)
    pipeline = build_pipeline(settings, loaded_models, source=source, sink=sink, follow_up=False, use_wake=True)
    results = asyncio.run(pipeline.run(start_listening=False))
    assert results == [] and sink.rate is None  # no turn, not a sample played: no disclosure either
    assert not (tmp_path / "state" / "generation.jsonl").exists()


def test_watermark_detect_command_reports_presence_and_the_logged_utterance(
    settings, loaded_models, speak, cli_env: dict[str, str], tmp_path: Path
) -> None:
    reply = tmp_path / "reply.wav"
    result = converse(settings, loaded_models, speak("How did you meet grandma?"), reply)
    mp3 = tmp_path / "reply.mp3"
    mp3.write_bytes(encode_mp3(resample_hq(read_wav(reply)[0], 22050, 16000), 16000, 64000))
    log = tmp_path / "state" / "generation.jsonl"
    # The family's copy of the key that marked the reply (this test's state folder is the device's).
    env = dict(cli_env, XDG_STATE_HOME=str(tmp_path / "xdg"))
    (tmp_path / "xdg").mkdir()
    (tmp_path / "xdg" / "companion").symlink_to(tmp_path / "state")
    exported = tmp_path / "family.key"
    done = run_companion(["watermark", "export-key", str(exported)], env)
    assert done.returncode == 0, done.stderr
    assert exported.stat().st_mode & 0o077 == 0
    for path in (reply, mp3):
        done = run_companion(["watermark", "detect", str(path), "--json", "--key", str(exported), "--log", str(log)],
                             cli_env)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["watermark"] is True and report["payload"] == result.utterance_id
        assert report["log_entry"]["persona_id"] == "demo-walter"
    done = run_companion(["watermark", "detect", str(reply), "--json", "--log", str(log)], env)  # the device's own key
    assert json.loads(done.stdout)["watermark"] is True
    question = speak("How did you meet grandma?")  # Piper output the device never marked
    done = run_companion(["watermark", "detect", str(question), "--json", "--key", str(exported)], cli_env)
    assert json.loads(done.stdout)["watermark"] is False
    nokey = dict(cli_env, XDG_STATE_HOME=str(tmp_path / "elsewhere"))  # a machine that never made a key
    done = run_companion(["watermark", "detect", str(reply)], nokey)
    assert done.returncode == 1 and "no watermark key" in done.stderr and "--key" in done.stderr


def test_the_pipeline_refuses_a_persona_without_consent(cli_env: dict[str, str], speak, tmp_path: Path) -> None:
    from companion.config import DEMO_PERSONA_DIR

    folder = tmp_path / "someone"
    shutil.copytree(DEMO_PERSONA_DIR, folder)
    with (folder / "messages.jsonl").open("a", encoding="utf-8") as f:  # real words now: not the fictional demo
        f.write('{"id": "real-1", "text": "See you Sunday, love."}\n')
    done = run_companion(["converse", "--persona", str(folder), "--input", str(speak("Hello there.")),
                          "--output", str(tmp_path / "r.wav")], cli_env)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "consent" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "r.wav").exists()


def test_a_paused_persona_stays_silent_until_resumed(cli_env: dict[str, str], speak, tmp_path: Path) -> None:
    env = dict(cli_env, XDG_STATE_HOME=str(tmp_path / "xdg"))
    assert run_companion(["care", "pause"], env).returncode == 0
    done = run_companion(["converse", "--input", str(speak("Hello there.")), "--output", str(tmp_path / "r.wav")], env)
    assert done.returncode == 1 and "paused" in done.stderr and "care resume" in done.stderr
    assert run_companion(["care", "resume"], env).returncode == 0
    assert "active" in run_companion(["care", "status"], env).stdout


def test_watermark_benchmark_small_run(loaded_models) -> None:
    """The full run is `companion watermark bench`; CI checks the machinery on a few utterances."""
    from companion.ethics.bench import run_bench
    from companion.ethics.wmattacks import ATTACKS

    report = run_bench(loaded_models.tts, count=4, clean=12, progress=False)
    # Piper's synthesis is random, so a 4-utterance sample can hold one weak clip: the >= 99 %
    # target is the benchmark's; this checks the machinery of every attack and of the null.
    assert report["utterances"] == 4 and set(report["attacks"]) == set(ATTACKS)
    for name, row in report["attacks"].items():
        assert row["trials"] == 4 and row["detection_rate"] >= 0.75, (name, row)
    nulls = report["false_alarms"]
    assert nulls["clips"] == 12 and nulls["false_alarms"] == 0 and "marked with another key" in nulls["by_kind"]
    assert report["snr_db"]["median"] > 15
    assert isinstance(report["pesq_wb"], dict) or report["pesq_wb"].startswith("not measured")
    assert report["meets_targets"] is False  # 4 utterances and 12 clips cannot show the targets
