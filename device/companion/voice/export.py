"""`companion voice export`: best checkpoint -> Piper ONNX voice + .onnx.json, then a smoke test.

The exported pair is exactly what the device's Piper synthesizer loads; the smoke test loads it
with ``PiperVoice`` and synthesizes a sentence, so a voice that would fail on the device fails here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CompanionError
from .piper_fixes import export_onnx
from .prepare import WorkDirs
from .train import best_checkpoint

logger = logging.getLogger(__name__)

SMOKE_TEXT = "Hello, this is a test of the new voice."


def voice_paths(work: WorkDirs) -> tuple[Path, Path]:
    """The exported model and its config, as Piper names them."""
    return work.export / "voice.onnx", work.export / "voice.onnx.json"


def smoke_test(onnx: Path, config: Path, text: str = SMOKE_TEXT) -> dict[str, Any]:
    """Load with PiperVoice and synthesize; raise unless real, finite, non-silent audio comes out."""
    from piper import PiperVoice

    try:
        voice = PiperVoice.load(onnx, config_path=config)
        chunks = list(voice.synthesize(text))
    except Exception as exc:  # onnxruntime and piper raise their own types
        raise CompanionError(f"the exported voice does not load or speak in Piper: {exc}", where=str(onnx),
                             hint="train longer or re-export; report this if it persists") from None
    audio = np.concatenate([np.asarray(c.audio_float_array, dtype=np.float32).reshape(-1) for c in chunks]) \
        if chunks else np.zeros(0, dtype=np.float32)
    if len(audio) == 0 or not np.all(np.isfinite(audio)):
        raise CompanionError("the exported voice produced no usable audio", where=str(onnx),
                             hint="train longer or re-export")
    return {"sample_rate": voice.config.sample_rate, "seconds": round(len(audio) / voice.config.sample_rate, 2),
            "rms": round(float(np.sqrt(np.mean(audio ** 2))), 4)}


def export(persona_dir: Path, checkpoint: Path | None = None) -> dict[str, Any]:
    """Export the best (or the given) checkpoint; returns paths, timings and the smoke-test result."""
    work = WorkDirs.for_persona(persona_dir)
    checkpoint = checkpoint or best_checkpoint(work)
    train_config = work.train / "config.json"
    if not train_config.is_file():
        raise CompanionError("the training config is missing", where=str(train_config),
                             hint="run `companion voice train` first")
    onnx, config = voice_paths(work)
    staging = work.export.with_name("export.new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    started = time.perf_counter()
    try:
        with contextlib.redirect_stdout(sys.stderr):  # torch.onnx prints diagnostics to stdout
            export_onnx(checkpoint, staging / onnx.name)
    except CompanionError:
        raise
    except Exception as exc:  # torch.onnx raises many types
        raise CompanionError(f"ONNX export failed: {exc}", where=str(checkpoint)) from None
    export_s = time.perf_counter() - started
    cfg = json.loads(train_config.read_text(encoding="utf-8"))
    cfg.setdefault("dataset", persona_dir.name)
    (staging / config.name).write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    smoke = smoke_test(staging / onnx.name, staging / config.name)
    if work.export.exists():
        shutil.rmtree(work.export)
    staging.replace(work.export)
    logger.info("exported %s in %.1f s", onnx, export_s)
    return {"onnx": str(onnx), "config": str(config), "checkpoint": str(checkpoint),
            "export_s": round(export_s, 1), "onnx_bytes": onnx.stat().st_size, "smoke_test": smoke}
