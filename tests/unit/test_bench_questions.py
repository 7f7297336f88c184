"""The bench's questions: where speech ends, and the synthesized-audio cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.audio.wavfile import write_wav
from companion.bench.questions import (
    QUESTIONS,
    SPEECH_THRESHOLD,
    cache_path,
    question_texts,
    speech_end_index,
    spoken_questions,
)
from companion.errors import AudioError


def test_speech_end_is_the_last_sample_above_the_threshold() -> None:
    pcm = np.zeros(1000, dtype=np.int16)
    pcm[100:400] = 5000
    pcm[650] = -(SPEECH_THRESHOLD + 1)  # a last loud sample, negative
    pcm[700:] = SPEECH_THRESHOLD  # at the threshold is not above it
    assert speech_end_index(pcm) == 650
    assert speech_end_index(np.zeros(10, dtype=np.int16)) is None
    assert speech_end_index(np.full(5, -32768, dtype=np.int16)) == 4  # no int16 overflow in abs()


@given(st.lists(st.integers(-32768, 32767), min_size=1, max_size=300))
def test_nothing_after_the_speech_end_is_loud(samples: list[int]) -> None:
    pcm = np.array(samples, dtype=np.int16)
    end = speech_end_index(pcm)
    loud = [i for i, s in enumerate(samples) if abs(s) > SPEECH_THRESHOLD]
    assert end == (loud[-1] if loud else None)


def test_quick_is_a_prefix_of_the_full_set() -> None:
    assert len(QUESTIONS) >= 8 and len(set(QUESTIONS)) == len(QUESTIONS)
    assert question_texts(quick=False) == QUESTIONS
    assert 2 <= len(question_texts(quick=True)) <= 3
    assert QUESTIONS[: len(question_texts(quick=True))] == question_texts(quick=True)


class ToneVoice:
    """A stand-in synthesizer: a tone whose length follows the text (the cache is what is tested)."""

    sample_rate = 22050

    def __init__(self) -> None:
        self.calls: list[str] = []

    def synthesize(self, sentence: str) -> np.ndarray:
        self.calls.append(sentence)
        t = np.arange(int(0.05 * len(sentence) * self.sample_rate)) / self.sample_rate
        tone = (8000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)
        return np.concatenate([tone, np.zeros(2205, dtype=np.int16)])  # 0.1 s of silence after speech


def test_questions_are_synthesized_once_then_read_from_the_cache(tmp_path: Path) -> None:
    voice = ToneVoice()
    loads = []

    def load() -> ToneVoice:
        loads.append(1)
        return voice

    first = spoken_questions(["Hello there?", "How are you?"], tmp_path, load)
    assert voice.calls == ["Hello there?", "How are you?"] and len(loads) == 1
    again = spoken_questions(["How are you?", "Hello there?"], tmp_path, load)
    assert len(loads) == 1  # no synthesizer needed on a cache hit
    assert [q.text for q in again] == ["How are you?", "Hello there?"]
    assert np.array_equal(again[1].pcm, first[0].pcm)
    for question in first:
        assert question.duration == pytest.approx(0.05 * len(question.text) + 0.1, abs=0.01)  # resampled to 16 kHz
        assert question.speech_end / 16000 == pytest.approx(0.05 * len(question.text), abs=0.002)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(cache_path(tmp_path, t).name for t in ("Hello there?", "How are you?"))


def test_cache_key_depends_on_text_and_voice(tmp_path: Path) -> None:
    assert cache_path(tmp_path, "a") == cache_path(tmp_path, "a")
    assert cache_path(tmp_path, "a") != cache_path(tmp_path, "b")
    assert cache_path(tmp_path, "a", voice="x") != cache_path(tmp_path, "a", voice="y")


def test_a_silent_cached_question_is_one_clear_error(tmp_path: Path) -> None:
    write_wav(cache_path(tmp_path, "Quiet?"), np.zeros(1000, dtype=np.int16), 22050)
    with pytest.raises(AudioError, match="silent") as info:
        spoken_questions(["Quiet?"], tmp_path, lambda: pytest.fail("must not synthesize"))  # type: ignore[arg-type, return-value]
    assert info.value.hint and "delete" in info.value.hint
