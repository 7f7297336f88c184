"""Where `voice verify` installs a clone, and how the device loads it (real Piper voice, real bundle).

A plain folder keeps the files in voice-model/; an encrypted bundle keeps the voice inside its
SQLCipher database, and it comes back out only into memory.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from companion.persona.cloned_voice import (
    INSTALL_DIR,
    ClonedVoice,
    describe_voice,
    install_voice,
    load_persona_voice,
    read_installed_voice,
)

REPORT = {"clone_vs_real": 0.84, "passed": True, "accepted_weak": False}


@pytest.fixture(scope="module")
def voice_file(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Piper voice standing in for an exported clone (the bundled one, copied)."""
    onnx = sorted((models_dir / "tts-joe-medium").glob("*.onnx"))[0]
    folder = tmp_path_factory.mktemp("export")
    shutil.copy(onnx, folder / "voice.onnx")
    shutil.copy(onnx.with_suffix(".onnx.json"), folder / "voice.onnx.json")
    return folder / "voice.onnx"


def speaks(voice: ClonedVoice) -> None:
    audio = voice.synthesize("Hello there, love.")
    assert audio.dtype == np.int16 and len(audio) > 0.3 * voice.sample_rate and np.abs(audio).max() > 1000


def test_a_folder_persona_speaks_with_its_installed_clone(tmp_path: Path, voice_file: Path) -> None:
    persona = tmp_path / "pat"
    persona.mkdir()
    assert load_persona_voice(persona) is None
    assert "no cloned voice installed" in describe_voice(persona, "tts-joe-medium")

    where = install_voice(persona, voice_file, REPORT)
    assert where == str(persona / INSTALL_DIR)
    assert sorted(p.name for p in (persona / INSTALL_DIR).iterdir()) == [
        "verify.json", "verify.sig.json", "voice.onnx", "voice.onnx.json"]
    voice = load_persona_voice(persona)
    assert isinstance(voice, ClonedVoice) and voice.source == str(persona / INSTALL_DIR / "voice.onnx")
    speaks(voice)
    assert "similarity 0.84" in describe_voice(persona, "tts-joe-medium")
    assert load_persona_voice(persona, enabled=False) is None  # [voice] speak_with_clone = false
    assert "speak_with_clone = false" in describe_voice(persona, "tts-joe-medium", enabled=False)


def test_a_voice_model_dropped_into_a_folder_is_never_used(tmp_path: Path, voice_file: Path) -> None:
    """Copying a model (or swapping the verified one) into voice-model/ does not make it speak (C2)."""
    import json
    import shutil

    from companion.errors import ModelError

    persona = tmp_path / "pat"
    dropped = persona / INSTALL_DIR
    dropped.mkdir(parents=True)
    shutil.copy2(voice_file, dropped / "voice.onnx")
    shutil.copy2(voice_file.with_suffix(".onnx.json"), dropped / "voice.onnx.json")
    (dropped / "verify.json").write_text(json.dumps(REPORT))
    with pytest.raises(ModelError, match="not installed by `companion voice verify`"):
        load_persona_voice(persona)
    shutil.rmtree(dropped)
    install_voice(persona, voice_file, REPORT)  # verified and signed on this device: it speaks
    assert load_persona_voice(persona) is not None
    with (dropped / "voice.onnx").open("ab") as f:  # swapped afterwards: the signature no longer covers it
        f.write(b"\0")
    with pytest.raises(ModelError, match="no valid signature"):
        read_installed_voice(persona)


def test_a_bundle_keeps_the_clone_encrypted_and_loads_it_into_memory(
    tmp_path: Path, voice_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from companion.persona.bundle.keys import WrongKeyError
    from companion.persona.bundle.maintenance import verify_bundle
    from companion.persona.bundle.store import Bundle
    from test_voice_consent import SECRET, make_bundle

    monkeypatch.delenv("COMPANION_PERSONA_KEY_FILE", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    key = tmp_path / "key"
    key.write_bytes(SECRET)
    bundle = make_bundle(tmp_path / "pat", "deceased")
    assert read_installed_voice(bundle, key_file=key) is None

    where = install_voice(bundle, voice_file, REPORT, key_file=key)
    assert where == f"{bundle} (encrypted bundle)" and not (bundle / INSTALL_DIR).exists()
    model = voice_file.read_bytes()
    for path in bundle.rglob("*"):  # no plaintext piece of the voice anywhere in the bundle folder
        data = path.read_bytes()
        assert model[100_000:104_096] not in data and model[-4096:] not in data, path
    assert "installed a verified cloned voice" in (bundle / "AUDIT.log").read_text()
    with Bundle.open(bundle, SECRET) as opened:
        assert verify_bundle(opened).ok

    installed = read_installed_voice(bundle, key_file=key)
    assert installed is not None and installed.path is None and installed.onnx == model
    assert installed.report == REPORT and json.loads(voice_file.with_suffix(".onnx.json").read_text()) == installed.config
    voice = load_persona_voice(bundle, key_file=key)
    assert voice is not None and voice.source == where
    speaks(voice)
    assert "encrypted bundle" in describe_voice(bundle, "tts-joe-medium", key_file=key)

    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase")
    with pytest.raises(WrongKeyError):
        load_persona_voice(bundle, key_file=wrong)
