"""A stronger, user-supplied model end to end (issue 13 item 5): a Hugging Face folder -> `companion
models build-lm` -> the persona LM engine, speaking with the model's *own* chat template.

No model may come from a hub, so the folders are tiny randomly initialised Qwen2 and Llama models
made here (tests/support/hf_models.py), with the file layout of a Qwen2.5-Instruct / Llama-3.2-
Instruct download. Random weights say nothing sensible; what is proven is the path: the build,
its record, the template carried over byte for byte, the engine loading it, priming its prefix
in that markup and generating tokens."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from companion.config import DEMO_PERSONA_DIR
from companion.persona.lm.prompt import CHATML, LLAMA3

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("family, chat", [("qwen2", CHATML), ("llama", LLAMA3)])
def test_a_user_supplied_hf_model_builds_and_speaks_with_its_own_template(
        family: str, chat, tmp_path: Path, cli_env: dict[str, str], walter) -> None:  # type: ignore[no-untyped-def]
    from companion.persona.folder import load_persona_folder
    from support.hf_models import make_hf_model

    demo = load_persona_folder(DEMO_PERSONA_DIR)
    corpus = [m.text for m in demo.messages] + [m.context or "" for m in demo.messages] + [demo.description]
    source = make_hf_model(tmp_path / f"{family}-instruct", family, corpus=corpus)
    own_template = (source / "chat_template.jinja").read_text(encoding="utf-8")
    # As a user types it: a folder name relative to where they are (the builder runs elsewhere).
    done = subprocess.run([sys.executable, "-m", "companion", "models", "build-lm", "--from", source.name,
                           "--out", "built", "--json"], cwd=tmp_path, env=cli_env, capture_output=True, text=True,
                          timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    record = json.loads(done.stdout)
    built = tmp_path / "built"
    assert record["chat_template"]["format"] == chat.name and record["quant"] == "int8"
    assert (built / "chat_template.jinja").read_text(encoding="utf-8") == own_template  # the model's own
    assert json.loads((built / "genai_config.json").read_text())["model"]["type"] == family
    assert set(record["files"]) >= {"model.onnx", "genai_config.json", "tokenizer.json"}

    from companion.persona.lm.engine import load_lm_persona
    from companion.persona.lm.grounding import RetrievalGrounding

    engine = load_lm_persona(built, RetrievalGrounding(walter), threads=1)
    assert engine.chat == chat and engine.prefix.startswith(chat.begin + chat.start + "system")
    session = engine.session
    session.begin_turn()
    session.append(chat.message("user", "Tell me about your truck.") + chat.open_assistant())
    said = list(session.stream(6))
    assert said and engine.last_stats.generated_tokens > 0
    replies = list(engine.respond("Tell me about your truck."))  # the whole turn, through the grounding check
    assert replies and all(r.text.strip() for r in replies)


def test_a_base_model_without_a_chat_template_is_refused_at_build_time(tmp_path: Path,
                                                                       cli_env: dict[str, str]) -> None:
    from support.hf_models import make_hf_model

    source = make_hf_model(tmp_path / "base", "qwen2")
    (source / "chat_template.jinja").unlink()
    config = json.loads((source / "tokenizer_config.json").read_text())
    config.pop("chat_template", None)
    (source / "tokenizer_config.json").write_text(json.dumps(config))
    done = subprocess.run([sys.executable, "-m", "companion", "models", "build-lm", "--from", str(source),
                           "--out", str(tmp_path / "built")], env=cli_env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "no chat template" in done.stderr and "Instruct" in done.stderr
    assert not (tmp_path / "built").exists()
