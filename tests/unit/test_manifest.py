"""The model manifest checker: strict keys, required fields, hash format, names, and the real file."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.errors import ModelError
from companion.models.manifest import (
    MANIFEST_ENV,
    default_manifest_path,
    load_manifest,
    manifest_from_data,
    parse_manifest,
)

SHA_A = "a" * 64
SHA_B = "b" * 64
SHA_C = "c" * 64


def toml_value(value: Any) -> str:
    """Just enough TOML for these tests: scalars, lists and inline tables (tomli-w is not a dep)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def toml_dumps(data: dict[str, Any]) -> str:
    models = data.get("model")
    as_tables = isinstance(models, list) and all(isinstance(m, dict) for m in models)
    lines = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in data.items() if k != "model" or not as_tables]
    for model in models if as_tables else []:
        lines.append("\n[[model]]")
        lines.extend(f"{json.dumps(k)} = {toml_value(v)}" for k, v in model.items())
    return "\n".join(lines) + "\n"


def valid_data() -> dict[str, Any]:
    return {
        "schema": 1,
        "model": [
            {
                "name": "asr-x",
                "role": "asr",
                "description": "a test recogniser",
                "sample_rate": 16000,
                "source": {"package": "pkg-a", "version": "1.0"},
                "licence": {"spdx": "MIT", "pointer": "LICENSE", "provenance": "made for a test"},
                "files": [
                    {"path": "model.bin", "from": "pkg_a/model.bin", "sha256": SHA_A, "size": 3},
                    {"path": "tok.json", "package": "pkg-b", "version": "2.0", "from": "pkg_b/t.json",
                     "sha256": SHA_B, "size": 4},
                ],
            },
            {
                "name": "embed-x",
                "role": "embedding",
                "description": "a joined file",
                "optional": True,
                "licence": {"spdx": "NOASSERTION", "text": "see upstream", "provenance": "test"},
                "files": [
                    {"path": "big.onnx", "sha256": SHA_C, "size": 5, "parts": [
                        {"package": "pkg-c1", "version": "1", "from": "c1/p1", "sha256": SHA_A, "size": 2},
                        {"package": "pkg-c2", "version": "1", "from": "c2/p2", "sha256": SHA_B, "size": 3},
                    ]},
                ],
            },
        ],
    }


def test_valid_data_parses_into_frozen_entries() -> None:
    manifest = parse_manifest(toml_dumps(valid_data()), "test.toml")
    asr, embed = manifest.models
    assert asr.name == "asr-x" and asr.sample_rate == 16000 and not asr.optional
    assert [p.package for f in asr.files for p in f.parts] == ["pkg-a", "pkg-b"]  # file-level override
    assert asr.files[1].parts[0].version == "2.0"
    assert embed.optional and embed.sample_rate is None and embed.files[0].joined
    assert [p.from_path for p in embed.files[0].parts] == ["c1/p1", "c2/p2"]
    assert manifest.requirements() == ["pkg-a==1.0", "pkg-b==2.0"]
    assert manifest.requirements(True) == ["pkg-a==1.0", "pkg-b==2.0", "pkg-c1==1", "pkg-c2==1"]
    assert [m.name for m in manifest.select(["embed-x"])] == ["embed-x"]
    with pytest.raises(AttributeError):
        asr.name = "other"  # type: ignore[misc]
    with pytest.raises(ModelError, match="no model named 'nope'"):
        manifest.get("nope")


def _mutated(path: tuple[Any, ...], value: Any = None, delete: bool = False) -> dict[str, Any]:
    data = copy.deepcopy(valid_data())
    target = data
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize("path", [
    ("colour",), ("model", 0, "colour"), ("model", 0, "source", "colour"), ("model", 0, "licence", "colour"),
    ("model", 0, "files", 0, "sha265"), ("model", 1, "files", 0, "parts", 1, "colour"),
])
def test_unknown_keys_are_rejected(path: tuple[Any, ...]) -> None:
    with pytest.raises(ModelError, match="unknown key"):
        manifest_from_data(_mutated(path, "x"), "m.toml")


@pytest.mark.parametrize("path", [
    ("model",), ("model", 0, "name"), ("model", 0, "role"), ("model", 0, "description"),
    ("model", 0, "licence"), ("model", 0, "files"), ("model", 0, "licence", "spdx"),
    ("model", 0, "licence", "provenance"), ("model", 0, "source", "version"), ("model", 0, "files", 0, "sha256"),
    ("model", 0, "files", 0, "size"), ("model", 0, "files", 0, "path"), ("model", 1, "files", 0, "parts", 0, "from"),
])
def test_missing_fields_are_named(path: tuple[Any, ...]) -> None:
    with pytest.raises(ModelError, match=repr(path[-1])) as info:
        manifest_from_data(_mutated(path, delete=True), "m.toml")
    assert "m.toml" in str(info.value) and "fix models/manifest.toml" in str(info.value)


@pytest.mark.parametrize("bad", ["A" * 64, "a" * 63, "a" * 65, "g" * 64, "", 12, None, "sha256:" + "a" * 57])
def test_bad_sha256_format(bad: Any) -> None:
    with pytest.raises(ModelError, match="sha256 must be 64 lower-case hex"):
        manifest_from_data(_mutated(("model", 0, "files", 0, "sha256"), bad))


def test_duplicate_model_names() -> None:
    data = valid_data()
    data["model"][1]["name"] = "asr-x"
    with pytest.raises(ModelError, match="duplicate model name 'asr-x'"):
        manifest_from_data(data)


@pytest.mark.parametrize("path, value, message", [
    (("model", 0, "files", 1, "path"), "model.bin", "duplicated or reserved"),
    (("model", 0, "files", 1, "path"), "INSTALLED.json", "duplicated or reserved"),
    (("model", 0, "files", 0, "path"), "../escape.bin", "inside the model directory"),
    (("model", 0, "files", 0, "path"), "/etc/passwd", "relative POSIX path"),
    (("model", 0, "name"), "../x", "malformed"),
    (("model", 0, "name"), "Has Space", "malformed"),
    (("model", 0, "role"), "llm", "not one of"),
    (("model", 0, "optional"), "yes", "true or false"),
    (("model", 0, "sample_rate"), 0, "integer >= 1"),
    (("model", 0, "files", 0, "size"), -1, "integer >= 0"),
    (("model", 0, "files", 0, "size"), True, "integer >= 0"),
    (("model", 0, "source", "version"), ">=1.0", "malformed"),
    (("model", 0, "files", 0, "parts"), [], "exactly one of 'from' or 'parts'"),
    (("model", 1, "files", 0, "size"), 6, "add up to 5"),
    (("model", 1, "files", 0, "parts"), [], "non-empty"),
    (("model",), [], "at least one"),
    (("schema",), 2, "schema"),
    (("model", 0, "files", 1, "version"), "1.0", None),  # same package pinned twice, differently
])
def test_invalid_values(path: tuple[Any, ...], value: Any, message: str | None) -> None:
    data = _mutated(path, value)
    if message is None:  # make pkg-b also appear at another version
        data["model"][0]["files"][1]["package"] = "pkg-c1"
        data["model"][0]["files"][1]["version"] = "9"
        message = "one environment holds only one version"
    with pytest.raises(ModelError, match=message):
        manifest_from_data(data)


def test_missing_rate_for_asr_and_missing_licence_text() -> None:
    with pytest.raises(ModelError, match="needs sample_rate"):
        manifest_from_data(_mutated(("model", 0, "sample_rate"), delete=True))
    with pytest.raises(ModelError, match="'text' or 'pointer'"):
        manifest_from_data(_mutated(("model", 0, "licence", "pointer"), delete=True))
    data = _mutated(("model", 0, "source"), delete=True)
    with pytest.raises(ModelError, match="no package/version"):
        manifest_from_data(data)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found") as info:
        load_manifest(tmp_path / "none.toml")
    assert MANIFEST_ENV in str(info.value)
    bad = tmp_path / "bad.toml"
    bad.write_text("[[model]\nname = ", encoding="utf-8")
    with pytest.raises(ModelError, match="not valid TOML"):
        load_manifest(bad)
    bad.write_bytes(b"name = '\xff'")
    with pytest.raises(ModelError, match="cannot read"):
        load_manifest(bad)


def test_the_shipped_manifest(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(MANIFEST_ENV, raising=False)
    path = default_manifest_path()
    assert path.is_file(), path
    manifest = load_manifest(path)
    names = {m.name for m in manifest.models}
    assert {"asr-tiny-en", "asr-base", "tts-joe-medium", "wake-okay-nabu", "embed-minilm"} <= names
    assert manifest.get("asr-base").optional and manifest.get("asr-base").files[1].joined
    assert not any(m.optional for m in manifest.models if m.name != "asr-base" and m.name in
                   {"asr-tiny-en", "tts-joe-medium", "wake-okay-nabu", "embed-minilm"})
    assert manifest.get("tts-joe-medium").sample_rate == 22050
    for req in manifest.requirements(True):
        assert "==" in req
    monkeypatch.setenv(MANIFEST_ENV, str(tmp_path / "x.toml"))
    assert default_manifest_path() == tmp_path / "x.toml"


toml_scalars = st.one_of(st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=12),
                         st.sampled_from(["asr", "x" * 64, "a" * 64, "1.0", "pkg", "../x", ""]))
toml_data = st.recursive(
    toml_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["name", "role", "model", "files", "parts", "path",
                                                             "sha256", "size", "from", "source", "licence",
                                                             "spdx", "schema", "package", "version", "zz"]),
                                            inner, max_size=6)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=st.sampled_from(list('[]{}=."\'#\n ,abcmodelnamefiles0123')), max_size=200))
def test_random_toml_text_raises_only_model_error(text: str) -> None:
    with contextlib.suppress(ModelError):
        parse_manifest(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=toml_data)
def test_random_toml_data_raises_only_model_error(data: Any) -> None:
    with contextlib.suppress(ModelError):
        manifest_from_data(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(choice=st.data(), junk=toml_data)
def test_mutating_a_valid_manifest_raises_only_model_error(choice: st.DataObject, junk: Any) -> None:
    data = valid_data()
    target: Any = data
    while isinstance(target, (dict, list)) and target:
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        key = choice.draw(st.sampled_from(keys))
        if not isinstance(target[key], (dict, list)) or choice.draw(st.booleans()):
            target[key] = junk
            break
        target = target[key]
    text = toml_dumps(data)
    for parse in (lambda: manifest_from_data(data), lambda: parse_manifest(text)):
        with contextlib.suppress(ModelError):
            parse()
