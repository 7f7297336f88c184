"""Playing a recording (issue 20): cut to the passage, trimmed to the speech, one gain, labelled
with its date; only a recording of the installed library is playable."""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pytest
from companion.persona.reply import ReplyKind, piece
from companion.persona import recorded as playback
from companion.persona.recorded import Clip, RecordingLibrary
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
def library() -> Iterator[RecordingLibrary]:
    data = tone_opus([(1.0, 0.0), (1.0, 0.05), (1.0, 0.0), (1.0, 0.4), (1.0, 0.0)])
    lib = RecordingLibrary({"rec-abcd1234-1": Clip(data, 0.9, 2.1, "2019-03-12T09:17:00"),
                            "rec-abcd1234-2": Clip(data, 2.9, 4.1, None)})
    playback.install(lib)
    yield lib
    playback.install(None)


def rms_dbfs(audio: np.ndarray) -> float:
    x = audio.astype(np.float64) / 32768.0
    return 20 * np.log10(np.sqrt(np.mean(x**2)))


def test_a_passage_is_cut_trimmed_and_brought_to_one_loudness(library: RecordingLibrary) -> None:
    quiet = playback.clip_audio("rec-abcd1234-1", RATE)
    loud = playback.clip_audio("rec-abcd1234-2", RATE)
    assert quiet is not None and loud is not None
    # the 1-second stretch of speech, with a little air (trim keeps 80 ms) but not the 0.25 s pad of silence
    for audio in (quiet, loud):
        assert 1.0 * RATE <= len(audio) <= 1.25 * RATE, len(audio)
    # recorded 18 dB apart, played at the same level
    assert rms_dbfs(quiet) == pytest.approx(playback.TARGET_DBFS, abs=1.0)
    assert rms_dbfs(loud) == pytest.approx(playback.TARGET_DBFS, abs=1.0)


def test_only_the_installed_librarys_passages_play(library: RecordingLibrary) -> None:
    assert playback.is_playable("rec-abcd1234-1") and not playback.is_playable("pair-1")
    assert playback.clip_audio("pair-1", RATE) is None and not playback.is_playable(None)
    playback.install(None)
    assert not playback.is_playable("rec-abcd1234-1") and playback.clip_audio("rec-abcd1234-1", RATE) is None


def test_the_frame_says_it_is_a_recording_and_when(library: RecordingLibrary) -> None:
    said = piece("I grew tomatoes.", ReplyKind.RECORDING, message_id="rec-abcd1234-1")
    assert _subtitle(said) == "recording from 12 March 2019: I grew tomatoes."
    assert _subtitle(piece("x", ReplyKind.RECORDING, message_id="rec-abcd1234-2")) == "recording: x"
    assert _subtitle(piece("I grew tomatoes.", ReplyKind.MEMORY, message_id="pair-3")) == "I grew tomatoes."


def test_trim_silence_keeps_the_loud_part_only() -> None:
    audio = np.concatenate([np.zeros(RATE), 0.3 * np.ones(RATE // 2), np.zeros(RATE)]).astype(np.float32)
    kept = playback.trim_silence(audio, RATE)
    assert RATE // 2 <= len(kept) <= RATE // 2 + 2 * int(0.08 * RATE) + 1
    assert playback.trim_silence(np.zeros(RATE, dtype=np.float32), RATE).size == 0
