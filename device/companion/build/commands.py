"""``companion models build-lm`` and ``build-default-lm``: the persona LM build, behind the [build] extra.

``build-default-lm`` is what install.sh calls: it builds the default model from the verified
GGUF in the models folder, and does nothing when a build of exactly that GGUF is present.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from ..errors import ModelError

logger = logging.getLogger(__name__)


def _require_build_extra() -> None:
    missing = []
    for module in ("torch", "transformers", "accelerate", "gguf", "onnx_ir", "onnxscript", "onnxruntime_genai"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise ModelError(f"the build tools are not installed ({', '.join(missing)})",
                         hint="pip install -e '.[build]' (torch==2.13.0 CPU wheel)")


def cmd_build_lm(args: argparse.Namespace) -> int:
    """Convert a GGUF / HF folder into an ONNX Runtime GenAI folder."""
    _require_build_extra()
    from .lm_build import build_lm

    record = build_lm(Path(args.source), Path(args.out), args.quant, progress=sys.stderr.isatty())
    if args.json:
        print(json.dumps(record, indent=2))
    else:
        print(f"built {args.out} ({args.quant}) from {record['source']} in {record['build_seconds']} s")
    return 0


def cmd_build_default_lm(args: argparse.Namespace) -> int:
    """Build the default persona LM into the models folder unless a build of its source is there."""
    from ..models.manifest import default_manifest_path, load_manifest
    from ..models.store import default_models_dir, verify_model
    from .lm_build import DEFAULT_LM_NAME, DEFAULT_SOURCE_MODEL, is_built_from

    models_dir = Path(args.dir) if args.dir else default_models_dir()
    entry = load_manifest(default_manifest_path()).get(DEFAULT_SOURCE_MODEL)
    source_dir = verify_model(models_dir, entry, deep=False)
    gguf = entry.files[0]
    out = models_dir / DEFAULT_LM_NAME
    if is_built_from(out, gguf.sha256):
        print(f"{DEFAULT_LM_NAME}: already built from {gguf.path} (sha256 {gguf.sha256[:12]}...)")
        return 0
    _require_build_extra()
    from .lm_build import build_lm

    record = build_lm(source_dir / gguf.path, out, "int8", progress=sys.stderr.isatty())
    if record["source_sha256"] != gguf.sha256:
        raise ModelError("the GGUF changed while building", where=str(source_dir / gguf.path),
                         hint="run companion models install --optional again")
    print(f"{DEFAULT_LM_NAME}: built in {record['build_seconds']} s -> {out}")
    return 0


def register(models_subparsers: argparse._SubParsersAction) -> None:
    """Add the build commands under ``companion models``."""
    m = models_subparsers.add_parser("build-lm", help="convert a GGUF or Hugging Face model into an on-device ONNX LM (needs the [build] extra)")
    m.add_argument("--from", dest="source", required=True, help="a .gguf file, or a Hugging Face model folder")
    m.add_argument("--out", required=True, help="output folder (ONNX Runtime GenAI format)")
    m.add_argument("--quant", choices=("int8", "int4", "fp32"), default="int8",
                   help="weight precision (default int8; int4 breaks SmolLM2-135M)")
    m.add_argument("--json", action="store_true", help="print the build record as JSON")
    m.set_defaults(func=cmd_build_lm)
    m = models_subparsers.add_parser("build-default-lm", help="build the default persona LM from its installed GGUF (used by install.sh)")
    m.add_argument("--dir", help="models folder")
    m.set_defaults(func=cmd_build_default_lm)
    # import-lm needs no build tools: it is the device's side of a model built elsewhere.
    from .lm_import import register as register_import

    register_import(models_subparsers)
