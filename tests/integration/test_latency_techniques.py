"""The speed techniques on the real models, fed at the pace of speech: each changes how the
turn runs, never what is answered (the numbers are `companion bench`'s job, not these tests')."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from companion.audio.wavfile import WavFileSink, WavFileSource, read_wav, write_wav
from companion.config import LatencySettings, Settings
from companion.ethics import watermark as wm
from companion.ethics.wmkey import device_key
from companion.ethics.genlog import utterance_hex
from companion.service.app import build_pipeline
from companion.service.turn import TurnResult

pytestmark = pytest.mark.integration

ALL_OFF = LatencySettings(
    pipelined=False, short_turn_endpointing=False, speculative_asr=False, early_first_clause=False, filler=False,
    prelude_during_asr=False,
)


class TurnSink(WavFileSink):
    """Keeps each turn's audio apart, as the speaker would have played it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.turns: list[list[np.ndarray]] = []

    def begin(self, rate: int) -> None:
        super().begin(rate)
        self.turns.append([])

    def write(self, pcm: np.ndarray) -> None:
        super().write(pcm)
        self.turns[-1].append(pcm.astype(np.int16, copy=True))


def converse(settings: Settings, models, wavs: list[Path], out: Path, gap_s: float = 7.0,  # type: ignore[no-untyped-def]
             sink: WavFileSink | None = None) -> tuple[list[TurnResult], dict]:
    """Questions one after another (follow-ups), at real-time pace through the live pipeline."""
    parts = []
    rate = 16000
    for wav in wavs:
        pcm, rate = read_wav(wav)
        parts += [pcm, np.zeros(int(gap_s * rate), dtype=np.int16)]
    conversation = out.with_suffix(".in.wav")
    write_wav(conversation, np.concatenate(parts[:-1]), rate)
    settings = replace(settings, conversation=replace(settings.conversation, follow_up_s=gap_s + 3.0))
    source = WavFileSource(conversation, trailing_silence_s=2.0, realtime=True)
    pipeline = build_pipeline(settings, models, source=source, sink=sink or WavFileSink(out), follow_up=True)
    results = asyncio.run(pipeline.run(start_listening=True, max_turns=len(wavs), fail_fast=True))
    return results, pipeline.stats.to_dict()


def trim(pcm: np.ndarray) -> np.ndarray:
    """Without Piper's own leading and trailing silence, so the pause between parts is exactly known."""
    loud = np.flatnonzero(np.abs(pcm) > 100)
    margin = 1000  # ~50 ms: keeps the quiet release of a final consonant ("lake")
    return pcm[max(0, loud[0] - margin) : loud[-1] + margin]


def test_the_speculative_transcript_is_used_when_the_pause_was_the_end(test_settings, loaded_models, speak, tmp_path: Path) -> None:
    settings = replace(test_settings, latency=LatencySettings())
    results, stats = converse(settings, loaded_models, [speak("What did you cook on Sundays?")], tmp_path / "r.wav")
    assert results[0].speculative
    assert stats["speculations_used"] == 1
    assert "sunday" in results[0].transcript.lower()
    assert results[0].stamps["transcript"] >= results[0].stamps["endpoint"]


def test_a_thinking_pause_voids_the_speculation_and_nothing_is_lost(test_settings, loaded_models, speak, tmp_path: Path) -> None:
    first, rate = read_wav(speak("Tell me about the lake."))
    second, _ = read_wav(speak("And the cabin."))
    first, second = trim(first), trim(second)
    pause = np.zeros(int(0.35 * rate), dtype=np.int16)  # longer than the pause trigger, shorter than the hangover
    question = tmp_path / "paused.wav"
    write_wav(question, np.concatenate([first, pause, second]), rate)
    latency = LatencySettings(short_turn_endpointing=False)
    results, stats = converse(replace(test_settings, latency=latency), loaded_models, [question], tmp_path / "r.wav")
    assert stats["speculations"] >= 2 and stats["speculations_used"] == 1
    words = results[0].transcript.lower()
    assert "tell me" in words and "cabin" in words  # both halves, one question


def test_the_sequential_baseline_says_the_same_as_the_pipelined_line(test_settings, loaded_models, speak, tmp_path: Path) -> None:
    question = speak("How did you meet grandma?")
    fast, _ = converse(replace(test_settings, latency=LatencySettings(filler=False)), loaded_models, [question], tmp_path / "a.wav")
    slow, _ = converse(replace(test_settings, latency=ALL_OFF), loaded_models, [question], tmp_path / "b.wav")
    assert fast[0].reply and fast[0].reply.replace(" ", "") == slow[0].reply.replace(" ", "")
    assert not slow[0].speculative
    # Sequential: nothing was played before every sentence was synthesized.
    assert slow[0].stamps["first_audio"] >= slow[0].stamps["transcript"]


def test_a_late_answer_gets_a_filler_that_is_watermarked_with_the_reply(test_settings, loaded_models, speak, tmp_path: Path) -> None:
    latency = replace(ALL_OFF, filler=True, filler_after_s=0.1, pipelined=True)
    questions = [speak("How did you meet grandma?"), speak("Tell me about your dog.")]
    sink = TurnSink(tmp_path / "r.wav")
    results, _ = converse(replace(test_settings, latency=latency), loaded_models, questions, tmp_path / "r.wav", sink=sink,
                          gap_s=14.0)  # the first turn's disclosure and reply are over before the second question
    first, second = results
    assert first.disclosed and "filler" not in first.stamps  # the earcon already broke the silence
    assert "filler" in second.stamps
    assert second.stamps["first_audio"] <= second.stamps["filler"] < second.stamps["first_answer_audio"]
    assert "hmm" not in second.reply.lower().split()[:1]  # the filler is not part of what the persona said
    # The second turn's audio (filler first) carries its own utterance id as one continuous mark.
    key = device_key(test_settings.ethics.log_path).secret
    detection = wm.detect(np.concatenate(sink.turns[1]), loaded_models.tts.sample_rate, key=key)
    assert detection.present and detection.payload is not None
    assert utterance_hex(detection.payload) == second.utterance_id


def test_the_earcon_starts_while_the_question_is_transcribed(test_settings, loaded_models, speak, tmp_path: Path) -> None:
    latency = replace(ALL_OFF, prelude_during_asr=True, pipelined=True)
    results, _ = converse(replace(test_settings, latency=latency), loaded_models, [speak("What was your job?")], tmp_path / "r.wav")
    assert results[0].disclosed
    assert results[0].stamps["first_audio"] < results[0].stamps["transcript"]
