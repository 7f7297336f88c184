"""Bad input: one clear error line and a non-zero exit, never a traceback."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from support.cli import run_companion

pytestmark = pytest.mark.integration



def assert_one_clear_error(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("companion: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def models_copy(models_dir: Path, tmp_path: Path, real: str) -> Path:
    """A models folder of symlinks, except ``real``, which is copied so a test may damage it."""
    target = tmp_path / "models"
    target.mkdir()
    for entry in models_dir.iterdir():
        if entry.name == real:
            shutil.copytree(entry, target / entry.name)
        elif entry.is_dir():
            (target / entry.name).symlink_to(entry)
    return target


def test_missing_model_file(models_dir: Path, cli_env: dict[str, str], speak, tmp_path: Path) -> None:
    models = models_copy(models_dir, tmp_path, "tts-joe-medium")
    (models / "tts-joe-medium" / "en_US-joe-medium.onnx").unlink()
    cli_env["COMPANION_MODELS_DIR"] = str(models)
    done = run_companion(["converse", "--input", str(speak("Hello there.")), "--output", str(tmp_path / "r.wav")], cli_env)
    assert_one_clear_error(done, "tts-joe-medium", "en_US-joe-medium.onnx", "companion models install")


def test_corrupt_model_file_of_the_right_size(models_dir: Path, cli_env: dict[str, str], speak, tmp_path: Path) -> None:
    models = models_copy(models_dir, tmp_path, "tts-joe-medium")
    config = models / "tts-joe-medium" / "en_US-joe-medium.onnx.json"
    config.write_bytes(b"\x00" * config.stat().st_size)
    cli_env["COMPANION_MODELS_DIR"] = str(models)
    done = run_companion(["converse", "--input", str(speak("Hello there.")), "--output", str(tmp_path / "r.wav")], cli_env)
    assert_one_clear_error(done, "Piper voice", "companion models install")


def test_unreadable_wav(cli_env: dict[str, str], tmp_path: Path) -> None:
    question = tmp_path / "question.wav"
    question.write_bytes(b"RIFF....this is not audio")
    done = run_companion(["converse", "--input", str(question), "--output", str(tmp_path / "r.wav")], cli_env)
    assert_one_clear_error(done, "cannot read WAV file", str(question))


def test_missing_wav(cli_env: dict[str, str], tmp_path: Path) -> None:
    done = run_companion(["converse", "--input", str(tmp_path / "nope.wav"), "--output", str(tmp_path / "r.wav")], cli_env)
    assert_one_clear_error(done, "audio file not found", "nope.wav")


@pytest.mark.live
def test_nonexistent_audio_device(pulse_rig, cli_env: dict[str, str], tmp_path: Path) -> None:
    """A misspelt device while real devices exist is a configuration error, reported at once.

    (With no sound device at all, live mode waits for one to be plugged in instead: that is
    the service's recovery path, tested with the service.)
    """
    config = tmp_path / "companion.toml"
    config.write_text('[audio]\ninput_device = "no-such-microphone-xyz"\n', encoding="utf-8")
    done = run_companion(["--config", str(config), "run"], {**cli_env, **pulse_rig.client_env()}, timeout=120)
    assert_one_clear_error(done, "no audio input device matches 'no-such-microphone-xyz'", "available input devices")


def test_malformed_config(cli_env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "companion.toml"
    config.write_text("[vad]\nhangover_s = 'soon'\n", encoding="utf-8")
    done = run_companion(["--config", str(config), "converse", "--input", "x.wav", "--output", "y.wav"], cli_env)
    assert_one_clear_error(done, "vad.hangover_s", str(config))


def test_silent_question(cli_env: dict[str, str], tmp_path: Path) -> None:
    import numpy as np

    from companion.audio.wavfile import write_wav

    question = tmp_path / "silence.wav"
    write_wav(question, np.zeros(16000 * 2, dtype=np.int16), 16000)
    done = run_companion(["converse", "--input", str(question), "--output", str(tmp_path / "r.wav")], cli_env)
    assert_one_clear_error(done, "no speech found")
