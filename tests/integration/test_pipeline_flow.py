"""The live pipeline's turn-taking on real models, fed from files at the pace of speech."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from companion.audio.wavfile import WavFileSink, WavFileSource, read_wav, write_wav
from companion.errors import AudioError
from companion.events import Trigger
from companion.service.app import build_pipeline, converse_file

pytestmark = pytest.mark.integration


def test_the_wake_word_starts_the_turn_and_is_not_transcribed(speak, loaded_models, test_settings, tmp_path: Path) -> None:
    question = speak("Okay Nabu. How did you meet grandma?")
    result, stats = asyncio.run(converse_file(test_settings, loaded_models, question, tmp_path / "r.wav", wake=True))
    assert result.trigger is Trigger.WAKE_WORD
    assert "grandma" in result.transcript.lower()
    assert "nabu" not in result.transcript.lower()
    assert stats["wake_cpu_per_audio_s"] > 0


def test_without_the_wake_word_there_is_no_turn(speak, loaded_models, test_settings, tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="must start with the wake word"):
        asyncio.run(converse_file(test_settings, loaded_models, speak("How did you meet grandma?"), tmp_path / "r.wav", wake=True))


def test_a_follow_up_question_needs_no_wake_word(speak, loaded_models, test_settings, tmp_path: Path) -> None:
    first, rate = read_wav(speak("Okay Nabu. What was your favourite fishing spot?"))
    second, _ = read_wav(speak("Tell me about your dog."))
    # The mic is gated while the device thinks and speaks (disclosure included): the follow-up
    # question comes after a pause longer than the first turn takes, inside a wide window.
    gap = np.zeros(int(6.0 * rate), dtype=np.int16)
    conversation = tmp_path / "conversation.wav"
    write_wav(conversation, np.concatenate([first, gap, second]), rate)

    source = WavFileSource(conversation, trailing_silence_s=2.0, realtime=True)
    settings = replace(test_settings, conversation=replace(test_settings.conversation, follow_up_s=20.0))
    pipeline = build_pipeline(
        settings, loaded_models, source=source, sink=WavFileSink(tmp_path / "r.wav"), follow_up=True
    )
    results = asyncio.run(pipeline.run(max_turns=2, fail_fast=True))
    assert [r.trigger for r in results] == [Trigger.WAKE_WORD, Trigger.FOLLOW_UP]
    assert "dog" in results[1].transcript.lower()
    assert results[1].source is not None and results[1].source.kind == "memory"
    assert len(pipeline.history) == 2


def test_asr_base_is_selectable(models_dir: Path, speak) -> None:
    from companion.asr.whisper import FasterWhisperRecognizer
    from companion.models.store import ModelStore

    asr = FasterWhisperRecognizer(ModelStore(models_dir).path("asr-base"), language="en")
    pcm, rate = read_wav(speak("What was your favourite fishing spot?"))
    text = asr.transcribe(pcm, rate).text.lower()
    assert "fishing" in text and "spot" in text
