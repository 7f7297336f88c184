"""`companion models import-lm`: a persona LM built elsewhere reaches a device only whole and unchanged."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from companion.build.lm_import import import_lm
from companion.errors import ModelError


def built(tmp_path: Path, name: str = "lm-test") -> Path:
    folder = tmp_path / "built" / name
    folder.mkdir(parents=True)
    files = {"genai_config.json": b'{"model": {}}', "model.onnx": b"\x00onnx" * 1000, "tokenizer.json": b"{}"}
    for file, data in files.items():
        (folder / file).write_bytes(data)
    record = {"source_sha256": "ab" * 32, "quant": "int8",
              "files": {file: hashlib.sha256(data).hexdigest() for file, data in files.items()}}
    (folder / "BUILD.json").write_text(json.dumps(record))
    return folder


def test_a_verified_copy_lands_in_the_models_folder(tmp_path: Path) -> None:
    source = built(tmp_path)
    target = import_lm(source, tmp_path / "models")
    assert target == tmp_path / "models/lm-test"
    assert sorted(p.name for p in target.iterdir()) == ["BUILD.json", "genai_config.json", "model.onnx", "tokenizer.json"]
    assert (target / "model.onnx").read_bytes() == (source / "model.onnx").read_bytes()
    again = import_lm(source, tmp_path / "models", "lm-other")  # another name; a re-import replaces
    assert again.name == "lm-other" and import_lm(source, tmp_path / "models") == target
    assert [p.name for p in (tmp_path / "models").iterdir() if p.name.startswith(".")] == []


def test_a_damaged_copy_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    source = built(tmp_path)
    (source / "model.onnx").write_bytes(b"\x00onnx" * 999)
    with pytest.raises(ModelError, match="model.onnx does not match its sha256") as info:
        import_lm(source, tmp_path / "models")
    assert "copy the folder again" in (info.value.hint or "")
    assert list((tmp_path / "models").iterdir()) == []


def test_a_folder_without_a_build_record_or_file_is_refused(tmp_path: Path) -> None:
    source = built(tmp_path)
    (source / "tokenizer.json").unlink()
    with pytest.raises(ModelError, match="tokenizer.json is missing"):
        import_lm(source, tmp_path / "models")
    (source / "BUILD.json").unlink()
    with pytest.raises(ModelError, match="no readable BUILD.json") as info:
        import_lm(source, tmp_path / "models")
    assert "build-default-lm" in (info.value.hint or "")


def test_the_command_needs_no_build_tools(tmp_path: Path) -> None:
    """The device runs it: importing the command must not pull in torch."""
    source = built(tmp_path)
    code = ("import sys; from companion.cli import main; rc = main(['models', 'import-lm', sys.argv[1], '--dir', "
            "sys.argv[2]]); assert 'torch' not in sys.modules; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, str(source), str(tmp_path / "models")],
                            check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "persona LM verified" in result.stdout and (tmp_path / "models/lm-test/BUILD.json").is_file()
