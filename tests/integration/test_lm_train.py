"""`companion persona train`: a real LoRA run on the demo persona, resumed, merged and built.

A quick trial (8 pairs, the [train] extra's CPU torch): the first run trains one epoch, merges
the adapter and builds the int8 ONNX model into PERSONA/lm; a second run with --epochs 2 and the
same work folder resumes, training only the second epoch. The built model must load in ONNX
Runtime GenAI, the device's runtime.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from support.cli import run_companion

import companion

pytestmark = pytest.mark.integration

DEMO = Path(companion.__file__).parent / "personas" / "walter"


def test_train_builds_a_loadable_model_and_resumes(cli_env: dict[str, str], tmp_path: Path) -> None:
    persona = tmp_path / "walter"
    shutil.copytree(DEMO, persona, ignore=shutil.ignore_patterns("lm"))
    work = tmp_path / "work"
    args = ["persona", "train", str(persona), "--max-pairs", "8", "--work", str(work), "--json"]

    first = run_companion([*args, "--epochs", "1"], cli_env, timeout=900)
    assert first.returncode == 0, first.stderr[-3000:]
    result = json.loads(first.stdout)
    assert result["pairs"] == 8 and result["epochs"] == 1 and len(result["all_epoch_seconds"]) == 1
    built = persona / "lm"
    assert (built / "genai_config.json").is_file() and (built / "model.onnx").is_file()
    assert json.loads((work / "state.json").read_text())["epochs_done"] == 1

    second = run_companion([*args, "--epochs", "2"], cli_env, timeout=900)
    assert second.returncode == 0, second.stderr[-3000:]
    resumed = json.loads(second.stdout)
    assert resumed["epochs"] == 2
    assert resumed["all_epoch_seconds"][0] == result["all_epoch_seconds"][0]  # epoch 1 was not trained again
    assert len(resumed["all_epoch_seconds"]) == 2

    import onnxruntime_genai as og

    model = og.Model(str(built))
    tokenizer = og.Tokenizer(model)
    assert tokenizer.decode(tokenizer.encode("the lake")).strip() == "the lake"
