"""User-supplied Piper voices: ``companion models add FILE.onnx --licence SPDX``.

No registry package ships a Chinese Piper voice (zh_CN-huayan, -chaowen, -xiao_ya exist upstream),
so a family supplies the file. It is copied with its ``.onnx.json`` into
``<models_dir>/<name>/``, next to an ``INSTALLED.json`` that records where it came from, both
files' sha256 and sizes, the licence the user states, and the voice's language; the runtime then
finds it by language (``installed_voices``). Only voices that phonemize with espeak-ng are
accepted: Piper's ``pinyin`` voices need piper-tts[zh], i.e. g2pW, transformers and a g2pW model
on the device, which the device runtime does not carry (no torch on the device).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ModelError
from .manifest import INSTALLED_RECORD

USER_FORMAT = "user-voice-1"
_NAME_RE = re.compile(r"[^A-Za-z0-9_.-]+")
_HINT = "pass a Piper voice: FILE.onnx with FILE.onnx.json beside it (from rhasspy/piper-voices)"


@dataclass(frozen=True)
class InstalledVoice:
    name: str
    path: Path
    language: str
    """Language family, e.g. "zh" or "en"."""
    user_supplied: bool


def voice_language(config: dict[str, Any]) -> str:
    """The language family of a Piper voice config ("zh" for zh_CN, "en" for en_US)."""
    language = config.get("language") or {}
    family = language.get("family") or language.get("code") or (config.get("espeak") or {}).get("voice") or ""
    family = str(family).split("-")[0].split("_")[0].lower()
    return "zh" if family in ("cmn", "yue") else family


def add_voice(models_dir: Path, onnx: Path, *, licence: str, name: str | None = None,
              replace: bool = False) -> InstalledVoice:
    """Copy a Piper voice into the models folder and record its provenance; returns what was installed."""
    onnx = Path(onnx).expanduser()
    if onnx.suffix != ".onnx" or not onnx.is_file():
        raise ModelError("not a Piper voice file (.onnx)", where=str(onnx), hint=_HINT)
    config_path = onnx.with_suffix(".onnx.json")
    if not config_path.is_file():
        raise ModelError("the voice has no .onnx.json beside it", where=str(config_path), hint=_HINT)
    if not licence.strip():
        raise ModelError("the voice's licence is required", where=str(onnx),
                         hint="pass --licence with its SPDX id or terms (see the voice's MODEL_CARD), e.g. --licence CC-BY-4.0")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        if not isinstance(config, dict):
            raise TypeError("not a JSON object")
        rate = int((config.get("audio") or {})["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"the voice config is not a Piper .onnx.json ({exc})", where=str(config_path), hint=_HINT) from None
    phonemes = str(config.get("phoneme_type") or "espeak")
    if phonemes != "espeak":
        raise ModelError(
            f"the voice phonemizes with {phonemes!r}, which needs piper-tts[zh] (g2pW, transformers, a g2pW model): "
            "not available on the device", where=str(config_path),
            hint="use a voice that phonemizes with espeak-ng, e.g. zh_CN-huayan-medium")
    with onnx.open("rb") as handle:
        head = handle.read(64)
    if len(head) < 16 or head[:1] != b"\x08":  # an ONNX ModelProto starts with field 1 (ir_version)
        raise ModelError("the .onnx file is not an ONNX model", where=str(onnx), hint=_HINT)
    language = voice_language(config)
    if not language:
        raise ModelError("the voice config names no language", where=str(config_path), hint=_HINT)
    name = _NAME_RE.sub("-", name or f"voice-{onnx.stem}").strip("-.")
    models_dir = Path(models_dir)
    target = models_dir / name
    if target.exists() and not replace:
        raise ModelError(f"a model named {name!r} is already installed", where=str(target),
                         hint="pass --name for another name, or --replace")
    models_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=models_dir))
    try:
        files = []
        for source in (onnx, config_path):
            digest = hashlib.sha256()
            with source.open("rb") as src, (tmp / source.name).open("wb") as out:
                for block in iter(lambda: src.read(1 << 20), b""):
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            files.append({"path": source.name, "size": source.stat().st_size, "sha256": digest.hexdigest(),
                          "sources": [{"user_file": str(source.resolve())}]})
        record = {"format": 1, "kind": USER_FORMAT, "name": name, "role": "tts", "user_supplied": True,
                  "installed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "licence": licence.strip(),
                  "language": language, "sample_rate": rate, "phoneme_type": phonemes,
                  "espeak_voice": (config.get("espeak") or {}).get("voice"), "files": files}
        (tmp / INSTALLED_RECORD).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return InstalledVoice(name=name, path=target, language=language, user_supplied=True)


def installed_voices(models_dir: Path) -> list[InstalledVoice]:
    """Every installed Piper voice (bundled or user-supplied) with its language, by name."""
    voices: list[InstalledVoice] = []
    models_dir = Path(models_dir)
    if not models_dir.is_dir():
        return voices
    for folder in sorted(p for p in models_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        record_path = folder / INSTALLED_RECORD
        if not record_path.is_file():
            continue
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if record.get("role") != "tts":
            continue
        configs = sorted(folder.glob("*.onnx.json"))
        if not configs:
            continue
        try:
            language = record.get("language") or voice_language(json.loads(configs[0].read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
        voices.append(InstalledVoice(folder.name, folder, language, bool(record.get("user_supplied"))))
    return voices
