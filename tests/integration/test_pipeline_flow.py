"""The live pipeline's turn-taking on real models, fed from files at the pace of speech."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from companion.audio.base import CAPTURE_RATE
from companion.audio.wavfile import WavFileSink, WavFileSource, read_wav
from companion.errors import AudioError
from companion.events import AudioChunk, Trigger
from companion.service.app import build_pipeline, converse_file
from companion.service.state import Phase

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


class _FollowUpSource:
    """The first question, then silence at the pace of speech until the follow-up window is open,
    then the second question: a person waits for the reply before asking again, however long the
    device takes to think (a fixed gap failed on a loaded machine; the mic is gated meanwhile)."""

    def __init__(self, first: Path, second: Path, window_open: Callable[[], bool], limit_s: float = 180.0) -> None:
        self._first = WavFileSource(first, trailing_silence_s=2.0, realtime=True)
        self._second = WavFileSource(second, trailing_silence_s=2.0, realtime=True)
        self._window_open = window_open
        self._waited_blocks = int(limit_s * 1000 / 30)
        self._offset = 0.0

    async def read(self) -> AudioChunk | None:
        chunk = await self._first.read()
        if chunk is not None:
            self._offset = chunk.timestamp
            return chunk
        while self._waited_blocks > 0 and not self._window_open():
            self._waited_blocks -= 1
            self._offset += 0.03
            await asyncio.sleep(0.03)
            return AudioChunk.from_int16(np.zeros(CAPTURE_RATE * 30 // 1000, dtype=np.int16), CAPTURE_RATE, self._offset)
        chunk = await self._second.read()
        if chunk is None:
            return None
        return replace(chunk, timestamp=self._offset + 0.03 + chunk.timestamp)

    def close(self) -> None:
        self._first.close()
        self._second.close()


def test_a_follow_up_question_needs_no_wake_word(speak, loaded_models, test_settings, tmp_path: Path) -> None:
    settings = replace(test_settings, conversation=replace(test_settings.conversation, follow_up_s=20.0))
    holder: list = []

    def window_open() -> bool:
        state = holder[0].state if holder else None
        return state is not None and state.phase is Phase.LISTENING and state.trigger is Trigger.FOLLOW_UP

    source = _FollowUpSource(speak("Okay Nabu. What was your favourite fishing spot?"), speak("Tell me about your dog."), window_open)
    pipeline = build_pipeline(
        settings, loaded_models, source=source, sink=WavFileSink(tmp_path / "r.wav"), follow_up=True
    )
    holder.append(pipeline)
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
