"""GGUF or Hugging Face folder -> ONNX Runtime GenAI folder, for the on-device persona model.

Build time only: imports torch/transformers/gguf (the ``[build]`` extra), never on the device.
The recipe is the measured one (FINDINGS.md): transformers loads the GGUF de-quantized to
float32; ``save_pretrained`` refuses a GGUF-quantized model, so the weights go into a fresh
model without a quantization config; then onnxruntime-genai's builder quantizes to int8 (int4
breaks the 135M model) with ``prune_lm_head`` (20-30 % faster first token). The output gets a
BUILD.json naming the source, its sha256 and every output file's sha256, so ``install.sh`` can
skip a build whose source has not changed and the runtime can tell what it runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError

logger = logging.getLogger(__name__)

BUILD_RECORD = "BUILD.json"
QUANTS = ("int8", "int4", "fp32")
DEFAULT_LM_NAME = "lm-smollm2-135m-int8"
"""The built default persona LM, inside the models folder."""
DEFAULT_SOURCE_MODEL = "lm-smollm2-gguf"
"""Its verified source (a manifest entry)."""
DEFAULT_MAX_LENGTH = 2048
"""The KV buffer is preallocated to max_length (past_present_share_buffer): 2048 tokens of the
135M model take ~94 MB; the builder's 8192 would take ~380 MB for a context we never use."""


@dataclass(frozen=True)
class LmSource:
    """A model to convert: a Hugging Face folder, or a folder plus the GGUF file inside it."""

    folder: Path
    gguf_file: str | None
    sha256: str
    """Of the GGUF, or of the HF folder's files (sorted by name)."""


def resolve_source(src: Path) -> LmSource:
    """Accept a .gguf file, a folder holding exactly one .gguf, or a Hugging Face folder.

    The path is made absolute: the builder runs in another folder, and a relative folder name it
    cannot find there it would take for a model id on the Hugging Face hub."""
    src = Path(src).expanduser().resolve()
    if not src.exists():
        raise ModelError("model source not found", where=str(src), hint="pass a .gguf file or a Hugging Face model folder")
    if src.is_file():
        if src.suffix.lower() != ".gguf":
            raise ModelError("not a GGUF file", where=str(src), hint="pass a .gguf file or a Hugging Face model folder")
        return LmSource(src.parent, src.name, sha256_file(src))
    ggufs = sorted(src.glob("*.gguf"))
    if (src / "config.json").is_file():
        files = sorted(p for p in src.iterdir() if p.is_file() and p.suffix in (".json", ".safetensors", ".bin", ".model", ".jinja", ".txt"))
        digest = hashlib.sha256()
        for path in files:
            digest.update(path.name.encode() + b"\0" + sha256_file(path).encode())
        return LmSource(src, None, digest.hexdigest())
    if len(ggufs) == 1:
        return LmSource(src, ggufs[0].name, sha256_file(ggufs[0]))
    raise ModelError(
        "no model found in the folder" if not ggufs else "several GGUF files in the folder",
        where=str(src),
        hint="pass the .gguf file itself, or a folder with config.json and safetensors weights",
    )


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def export_hf_folder(source: LmSource, out_dir: Path) -> Path:
    """Write a plain float32 Hugging Face folder (weights, config, tokenizer, chat template)."""
    if source.gguf_file is None:
        return source.folder
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    logger.info("loading %s (de-quantizing to float32)", source.folder / source.gguf_file)
    try:
        loaded = AutoModelForCausalLM.from_pretrained(source.folder, gguf_file=source.gguf_file, dtype=torch.float32)  # offline-ok: a local folder; HF_HUB_OFFLINE=1 is set in cli.main
        tokenizer = AutoTokenizer.from_pretrained(source.folder, gguf_file=source.gguf_file)  # offline-ok
    except (ValueError, OSError, ImportError, KeyError) as exc:  # unsupported architecture, bad file, missing tool
        raise ModelError(f"cannot load the GGUF: {exc}", where=str(source.folder / source.gguf_file),
                         hint="check the file, and that the [build] extra is installed") from exc
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    fresh = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = fresh.load_state_dict(loaded.state_dict(), strict=False)
    real_missing = [k for k in missing if not k.endswith("lm_head.weight")]  # tied to the embeddings
    if real_missing or unexpected:
        raise ModelError("GGUF weights do not fit the model architecture", where=str(source.folder / source.gguf_file),
                         hint=f"missing {real_missing[:3]}, unexpected {unexpected[:3]}")
    fresh.tie_weights()
    out_dir.mkdir(parents=True, exist_ok=True)
    fresh.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def run_genai_builder(hf_dir: Path, out_dir: Path, quant: str, cache_dir: Path) -> None:
    """onnxruntime-genai's model builder, in a child process (it holds gigabytes while working)."""
    command = [
        sys.executable, "-m", "onnxruntime_genai.models.builder",
        "-i", str(hf_dir), "-o", str(out_dir), "-p", quant, "-e", "cpu", "-c", str(cache_dir),
        "--extra_options", "prune_lm_head=true",
    ]
    logger.info("running %s", " ".join(command))
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    # cwd outside any git checkout: the builder stamps the current directory's git commit into
    # model.onnx's producer_version, which would make otherwise identical builds differ.
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cache_dir.parent)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise ModelError("the ONNX Runtime GenAI builder failed", where=str(hf_dir), hint=" | ".join(tail))


def tune_genai_config(out_dir: Path, max_length: int = DEFAULT_MAX_LENGTH) -> None:
    """Right-size the KV buffer and set speech-friendly search defaults."""
    path = out_dir / "genai_config.json"
    config = json.loads(path.read_text())
    config["search"]["max_length"] = min(max_length, int(config["model"].get("context_length", max_length)))
    config["search"]["do_sample"] = False
    config["search"]["repetition_penalty"] = 1.15
    path.write_text(json.dumps(config, indent=4) + "\n")


def chat_template_of(folder: Path) -> str | None:
    """A model folder's own chat template: chat_template.jinja, else tokenizer_config.json's."""
    jinja = Path(folder) / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    try:
        template = json.loads((Path(folder) / "tokenizer_config.json").read_text(encoding="utf-8")).get("chat_template")
    except (OSError, ValueError, AttributeError):
        return None
    if isinstance(template, list):  # several named templates: the default one
        template = next((t.get("template") for t in template if isinstance(t, dict) and t.get("name") == "default"), None)
    return template if isinstance(template, str) else None


def keep_chat_template(source_dir: Path, out_dir: Path) -> dict[str, str]:
    """The built model speaks with the source model's own chat template, and the engine must know
    its markup (ChatML: SmolLM2, Qwen2.5; Llama 3 headers): checked here, at build time, not at
    the first turn. Returns what BUILD.json records about it."""
    from .chat_format import detect_chat_format

    template = chat_template_of(source_dir)
    if template is None:
        raise ModelError("the model has no chat template (it is a base model, not an instruct/chat model)",
                         where=str(source_dir), hint="use an -Instruct model folder, e.g. Qwen2.5-0.5B-Instruct")
    if chat_template_of(out_dir) != template:
        (Path(out_dir) / "chat_template.jinja").write_text(template, encoding="utf-8")
    chat = detect_chat_format(out_dir)  # ModelError naming the formats it knows
    return {"format": chat.name, "sha256": hashlib.sha256(template.encode("utf-8")).hexdigest()}


def build_lm(src: Path, out: Path, quant: str = "int8", *, progress: bool = True) -> dict:
    """Convert ``src`` into an ONNX Runtime GenAI folder at ``out``; returns the build record."""
    if quant not in QUANTS:
        raise ModelError(f"unknown quantization {quant!r}", hint=f"use one of {', '.join(QUANTS)}")
    out = Path(out).expanduser().resolve()
    source = resolve_source(src)
    if out.exists() and any(out.iterdir()) and not (out / BUILD_RECORD).is_file():
        raise ModelError("output folder exists and is not a built model", where=str(out), hint="choose an empty folder")
    from tqdm import tqdm

    started = time.monotonic()
    steps = tqdm(total=3, desc="build-lm", unit="step", disable=not progress, file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".build-lm-", dir=out.parent) as work:
        work_dir = Path(work)
        steps.set_postfix_str("load + export float32")
        hf_dir = export_hf_folder(source, work_dir / "hf")
        steps.update()
        steps.set_postfix_str(f"ONNX {quant}")
        onnx_dir = work_dir / "onnx"
        run_genai_builder(hf_dir, onnx_dir, quant, work_dir / "cache")
        tune_genai_config(onnx_dir)
        chat = keep_chat_template(hf_dir, onnx_dir)
        steps.update()
        steps.set_postfix_str("hash")
        files = {p.name: sha256_file(p) for p in sorted(onnx_dir.iterdir()) if p.is_file()}
        record = {
            "source": str(source.folder / source.gguf_file) if source.gguf_file else str(source.folder),
            "source_sha256": source.sha256,
            "quant": quant,
            "chat_template": chat,
            "builder": _versions(),
            "files": files,
            "build_seconds": round(time.monotonic() - started, 1),
        }
        (onnx_dir / BUILD_RECORD).write_text(json.dumps(record, indent=2) + "\n")
        if out.exists():
            shutil.rmtree(out)
        os.replace(onnx_dir, out)  # same filesystem: the finished folder appears at once
        steps.update()
    steps.close()
    logger.info("built %s in %.0f s", out, record["build_seconds"])
    return record


def read_build_record(model_dir: Path) -> dict | None:
    try:
        return json.loads((Path(model_dir) / BUILD_RECORD).read_text())
    except (OSError, ValueError):
        return None


def is_built_from(model_dir: Path, source_sha256: str) -> bool:
    """True when ``model_dir`` holds a complete build of that source (sizes present, hashes recorded)."""
    record = read_build_record(model_dir)
    if not record or record.get("source_sha256") != source_sha256:
        return False
    return all((Path(model_dir) / name).is_file() for name in record.get("files", {}))


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("onnxruntime-genai", "transformers", "torch", "gguf", "onnx"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    return found
