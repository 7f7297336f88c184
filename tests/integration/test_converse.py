"""`companion converse`: a spoken question in, the persona's spoken answer out, real models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from support.cli import run_companion, words

from companion.audio.wavfile import read_wav
from companion.config import DEMO_PERSONA_DIR

pytestmark = pytest.mark.integration

QUESTION = "What was your favourite fishing spot?"
# Read off the demo export by hand, not asked of the engine: the two messages in which Walt says
# where he liked to fish best (the cedar stump off Heron Point).
RIGHT_MEMORIES = {"fish-01", "fish-02"}


def demo_messages() -> dict[str, str]:
    """The demo persona's messages, read straight from its file (not through the persona engine)."""
    lines = (DEMO_PERSONA_DIR / "messages.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]
    return {r["id"]: r["text"] for r in records}




def test_converse_answers_a_spoken_question_in_the_persona_voice(
    speak, loaded_models, cli_env: dict[str, str], tmp_path: Path
) -> None:
    question = speak(QUESTION)
    reply_wav = tmp_path / "reply.wav"
    done = run_companion(["converse", "--input", str(question), "--output", str(reply_wav), "--json"], cli_env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)

    assert words(QUESTION) & words(result["transcript"]) >= {"fishing", "spot"}
    assert result["reply_source"]["kind"] == "memory"
    assert result["reply_source"]["message_id"] in RIGHT_MEMORIES, result["reply_source"]
    expected = demo_messages()[result["reply_source"]["message_id"]]
    assert expected.replace(" ", "") in result["reply"].replace(" ", "")  # his own words, verbatim
    for key in ("asr_s", "persona_s", "tts_first_audio_s", "first_audio_s", "turn_latency_s"):
        assert result["timings"][key] > 0, key
    assert result["listening"]["vad_cpu_per_audio_s"] > 0

    pcm, rate = read_wav(reply_wav)
    assert rate == loaded_models.tts.sample_rate == result["output"]["sample_rate"] == 22050
    assert len(pcm) / rate > 0.5
    assert np.sqrt(np.mean(pcm.astype(np.float64) ** 2)) > 300  # clearly not silence

    heard = loaded_models.asr.transcribe(pcm, rate).text
    shared = words(heard) & words(expected)
    assert len(shared) >= 0.5 * len(words(expected)), (heard, expected)


def test_an_unrelated_question_gets_the_in_character_fallback(speak, loaded_models, test_settings, tmp_path: Path) -> None:
    import asyncio

    from companion.service.app import converse_file

    result, _ = asyncio.run(
        converse_file(test_settings, loaded_models, speak("What is the capital city of Peru?"), tmp_path / "r.wav")
    )
    assert result.source is not None and result.source.kind == "fallback"
    assert result.reply
