"""Speech written outside a turn (the demo's questions) is marked, labelled and logged like a reply."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from companion.audio.wavfile import read_wav
from companion.ethics import watermark as wm
from companion.ethics import wmkey
from companion.ethics.provenance import read_provenance
from companion.ethics.wmfile import write_marked_wav


def test_a_written_file_carries_the_device_mark_its_labels_and_a_log_line(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.delenv(wmkey.KEY_FILE_ENV, raising=False)
    monkeypatch.setattr(wmkey, "DEVICE_KEY_FILE", tmp_path / "no-installed-key")
    rng = np.random.default_rng(0)
    n = 4 * 22050
    spectrum = np.fft.rfft(rng.standard_normal(n)) / (1 + np.fft.rfftfreq(n, 1 / 22050) / 500.0)
    pcm = np.fft.irfft(spectrum, n) * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * np.arange(n) / 22050))
    pcm = (pcm / np.abs(pcm).max() * 12000).astype(np.int16)
    path = tmp_path / "question-1.wav"
    state = tmp_path / "state"
    uid = write_marked_wav(path, pcm, 22050, state_dir=state, kind="demo-question", persona_id="walter")

    audio, rate = read_wav(path)
    key = wmkey.device_key(state, device_file=tmp_path / "no-installed-key", create=False)
    found = wm.detect(audio, rate, key=key.secret)
    assert found.present and found.payload_hex == uid
    assert read_provenance(path)["aigc"]["ProduceID"] == uid
    [entry] = [json.loads(line) for line in (state / "generation.jsonl").read_text().splitlines()]
    assert entry["utterance_id"] == uid and entry["kind"] == "demo-question" and entry["persona_id"] == "walter"
