"""Provenance (C4): C2PA manifest signed offline with the device key + GB 45438 AIGC record."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from companion.audio.wavfile import read_wav, write_wav
from companion.ethics.audiofile import load_audio, write_mp3
from companion.ethics.provenance import AIGC_CHUNK, label_file, read_provenance

FIELDS = {"Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator", "PropagateID", "ReservedCode2"}


def tone(seconds: float = 1.0, rate: int = 22050) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)


def test_wav_carries_aigc_and_a_signed_c2pa_manifest(tmp_path: Path) -> None:
    path = tmp_path / "reply.wav"
    write_wav(path, tone(), 22050)
    label_file(path, "0a1b2c3d", tmp_path / "state")
    info = read_provenance(path)
    assert set(info["aigc"]) == FIELDS and info["aigc"]["Label"] == "1" and info["aigc"]["ProduceID"] == "0a1b2c3d"
    assert info["c2pa"]["utterance_id"] == "0a1b2c3d" and info["c2pa"]["ai_generated"] and info["c2pa"]["intact"]
    assert AIGC_CHUNK in path.read_bytes()
    pcm, rate = read_wav(path)  # still an ordinary WAV for every player
    assert rate == 22050 and len(pcm) == 22050
    key = tmp_path / "state" / "device-signing" / "signer.key.pem"
    assert key.stat().st_mode & 0o077 == 0  # the device key is private


def test_mp3_carries_them_in_id3(tmp_path: Path) -> None:
    path = tmp_path / "reply.mp3"
    write_mp3(path, tone(2.0, 16000), 16000)
    label_file(path, "deadbeef", tmp_path / "state")
    info = read_provenance(path)
    assert info["aigc"]["ProduceID"] == "deadbeef" and info["c2pa"]["utterance_id"] == "deadbeef"
    pcm, rate = load_audio(path)
    assert rate == 16000 and len(pcm) > 16000


def test_editing_the_audio_breaks_the_manifest(tmp_path: Path) -> None:
    path = tmp_path / "reply.wav"
    write_wav(path, tone(), 22050)
    label_file(path, "00000001", tmp_path / "state")
    data = bytearray(path.read_bytes())
    data[2000] ^= 0xFF  # one sample changed
    path.write_bytes(bytes(data))
    assert not read_provenance(path)["c2pa"]["intact"]


def test_an_unlabelled_file_reports_nothing(tmp_path: Path) -> None:
    path = tmp_path / "plain.wav"
    write_wav(path, tone(), 22050)
    info = read_provenance(path)
    assert info == {"aigc": None, "c2pa": None}
