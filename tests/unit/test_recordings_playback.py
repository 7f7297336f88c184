"""Playing a recording (issue 20): cut to the passage, trimmed to the speech, one gain, labelled
with its date; only a passage of the library the composition root hands over is played, decided
on the reply record whichever engine answered (a retrieval memory, a language model's verbatim
memory, a home server's answer)."""

from __future__ import annotations

import io
import numpy as np
import pytest
from companion.persona.reply import ReplyKind, piece
from companion.persona import recorded as playback
from companion.persona.recorded import NO_RECORDINGS, Clip, RecordingLibrary
from companion.service.reply_line import _subtitle

RATE = 16000


def tone_opus(parts: list[tuple[float, float]]) -> bytes:
    """An Ogg/Opus file of (seconds, amplitude) stretches of a 300 Hz tone (amplitude 0 = silence)."""
    import av

    pcm = np.concatenate([a * np.sin(2 * np.pi * 300 * np.arange(int(s * RATE)) / RATE) for s, a in parts])
    out = io.BytesIO()
    with av.open(out, "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=48000, layout="mono")
        frame = av.AudioFrame.from_ndarray((pcm * 32767).astype(np.int16).reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = RATE
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    return out.getvalue()


@pytest.fixture()
def library() -> RecordingLibrary:
    data = tone_opus([(1.0, 0.0), (1.0, 0.05), (1.0, 0.0), (1.0, 0.4), (1.0, 0.0)])
    return RecordingLibrary({"rec-abcd1234-1": Clip(data, 0.9, 2.1, "2019-03-12T09:17:00", "I grew tomatoes."),
                             "rec-abcd1234-2": Clip(data, 2.9, 4.1, None)})


def rms_dbfs(audio: np.ndarray) -> float:
    x = audio.astype(np.float64) / 32768.0
    return 20 * np.log10(np.sqrt(np.mean(x**2)))


def test_a_passage_is_cut_trimmed_and_brought_to_one_loudness(library: RecordingLibrary) -> None:
    quiet = library.clip_audio("rec-abcd1234-1", RATE)
    loud = library.clip_audio("rec-abcd1234-2", RATE)
    assert quiet is not None and loud is not None
    # the 1-second stretch of speech, with a little air (trim keeps 80 ms) but not the 0.25 s pad of silence
    for audio in (quiet, loud):
        assert 1.0 * RATE <= len(audio) <= 1.25 * RATE, len(audio)
    # recorded 18 dB apart, played at the same level
    assert rms_dbfs(quiet) == pytest.approx(playback.TARGET_DBFS, abs=1.0)
    assert rms_dbfs(loud) == pytest.approx(playback.TARGET_DBFS, abs=1.0)


def test_the_reply_record_decides_what_is_played(library: RecordingLibrary) -> None:
    def heard(kind: ReplyKind, text: str = "I grew tomatoes.", message_id: str | None = "rec-abcd1234-1",
              lib: RecordingLibrary = library) -> ReplyKind:
        return lib.played(piece(text, kind, score=0.8, message_id=message_id)).kind

    # the person's verbatim memory that is their recorded passage is played, whoever chose it
    assert heard(ReplyKind.MEMORY) is ReplyKind.RECORDING
    assert heard(ReplyKind.MEMORY, " i grew  TOMATOES. ") is ReplyKind.RECORDING
    # other words (phrased by a model, changed by a guard) are never played as the recording
    assert heard(ReplyKind.GENERATED) is ReplyKind.GENERATED
    assert heard(ReplyKind.MEMORY, "I grew beans.") is ReplyKind.MEMORY
    assert heard(ReplyKind.WITHHELD) is ReplyKind.WITHHELD
    # a message that is not a passage of this library, or no library: said by the voice, logged so
    assert heard(ReplyKind.MEMORY, message_id="pair-1") is ReplyKind.MEMORY
    assert heard(ReplyKind.RECORDING, message_id="rec-ffff0000-1") is ReplyKind.MEMORY
    assert heard(ReplyKind.RECORDING, lib=NO_RECORDINGS) is ReplyKind.MEMORY
    assert library.clip_audio("pair-1", RATE) is None and library.clip_audio(None, RATE) is None
    said = piece("I grew tomatoes.", ReplyKind.MEMORY, score=0.8, message_id="rec-abcd1234-1")
    assert library.played(said).source.score == 0.8 and library.played(said).text == said.text


def test_the_frame_says_it_is_a_recording_and_when(library: RecordingLibrary) -> None:
    said = piece("I grew tomatoes.", ReplyKind.RECORDING, message_id="rec-abcd1234-1")
    assert _subtitle(said, library) == "recording from 12 March 2019: I grew tomatoes."
    assert _subtitle(piece("x", ReplyKind.RECORDING, message_id="rec-abcd1234-2"), library) == "recording: x"
    assert _subtitle(piece("I grew tomatoes.", ReplyKind.MEMORY, message_id="pair-3"), library) == "I grew tomatoes."


def test_trim_silence_keeps_the_loud_part_only() -> None:
    audio = np.concatenate([np.zeros(RATE), 0.3 * np.ones(RATE // 2), np.zeros(RATE)]).astype(np.float32)
    kept = playback.trim_silence(audio, RATE)
    assert RATE // 2 <= len(kept) <= RATE // 2 + 2 * int(0.08 * RATE) + 1
    assert playback.trim_silence(np.zeros(RATE, dtype=np.float32), RATE).size == 0


class Sink:
    """The speaker's place (no sound card): keeps what was written."""

    def __init__(self) -> None:
        self.written: list[np.ndarray] = []

    def begin(self, rate: int) -> None: ...
    def write(self, pcm: np.ndarray) -> None:
        self.written.append(np.asarray(pcm, dtype=np.int16).copy())
    def finish(self) -> None: ...
    def abort(self) -> None: ...
    def close(self) -> None: ...


class Voice:
    """Piper's place: a quiet hum per sentence, so synthesized speech is told apart from the note."""

    sample_rate = RATE

    def __init__(self) -> None:
        self.said: list[str] = []

    def synthesize(self, sentence: str) -> np.ndarray:
        self.said.append(sentence)
        return (300 * np.sin(np.arange(RATE // 2) / 3)).astype(np.int16)


def contains(heard: np.ndarray, clip: np.ndarray) -> bool:
    """The clip's samples appear, unaltered, somewhere in what the speaker got."""
    first = np.flatnonzero(heard == clip[0])
    return any(np.array_equal(heard[i:i + len(clip)], clip) for i in first)


def turn(tmp_path, engine, recordings):  # type: ignore[no-untyped-def]
    """One spoken turn through the real TurnRunner, reply line and ethics hooks (watermark on)."""
    import asyncio
    import threading

    from companion.config import EthicsSettings, LatencySettings
    from companion.ethics.care import CareState
    from companion.ethics.runtime import EthicsHooks
    from companion.events import SpeechEnded, Transcript, Trigger
    from companion.service.turn import TurnRunner

    class Asr:
        def transcribe(self, pcm: np.ndarray, rate: int) -> Transcript:
            return Transcript("What did you grow?")

    voice, sink = Voice(), Sink()
    hooks = EthicsHooks(EthicsSettings(), tts=voice, care=CareState(tmp_path), persona_id="rose",
                        persona_name="Rose", clock=lambda: 1_800_000_000.0)
    runner = TurnRunner(Asr(), engine, voice, ethics=hooks, latency=LatencySettings(filler=False),
                        recordings=recordings)
    utterance = SpeechEnded(np.zeros(1600, dtype=np.int16), RATE, 0.0, 0.3)
    result = asyncio.run(runner.run(utterance, Trigger.BUTTON, [], sink, threading.Event()))
    return result, voice, np.concatenate(sink.written)


@pytest.mark.parametrize("kind", [ReplyKind.MEMORY, ReplyKind.RECORDING])
def test_any_engines_verbatim_memory_of_a_recording_is_played_unmarked(tmp_path, library, kind) -> None:  # type: ignore[no-untyped-def]
    from support.replies import ScriptedEngine

    # not the retrieval engine: any engine naming the message (the language model's verbatim memory)
    engine = ScriptedEngine("I grew tomatoes.", kind=kind, message_id="rec-abcd1234-1")
    result, voice, heard = turn(tmp_path, engine, library)
    assert result.source is not None and result.source.kind is ReplyKind.RECORDING
    assert [p.kind for p in result.pieces] == [ReplyKind.RECORDING]
    assert "I grew tomatoes." not in voice.said  # the disclosure is synthesized, the answer is not
    assert contains(heard, library.clip_audio("rec-abcd1234-1", RATE))  # sample for sample: no watermark


def test_without_the_library_or_with_other_words_the_voice_says_it(tmp_path, library) -> None:  # type: ignore[no-untyped-def]
    from support.replies import ScriptedEngine

    for engine, recordings in ((ScriptedEngine("I grew tomatoes.", kind=ReplyKind.RECORDING,
                                               message_id="rec-abcd1234-1"), None),
                               (ScriptedEngine("Tomatoes, I grew.", kind=ReplyKind.GENERATED,
                                               message_id="rec-abcd1234-1"), library)):
        result, voice, heard = turn(tmp_path / engine.kind.value, engine, recordings)
        assert result.source is not None and result.source.kind is not ReplyKind.RECORDING
        assert engine.reply in voice.said
        assert not contains(heard, library.clip_audio("rec-abcd1234-1", RATE))
