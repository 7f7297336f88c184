"""Prompt building, chat formats, engine choice and the build-lm source checks (pure logic)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.build.lm_build import BUILD_RECORD, is_built_from, resolve_source
from companion.errors import ModelError
from companion.persona.lm import prompt
from companion.persona.lm.engine import _fact_words
from companion.persona.lm.grounding import Memory
from companion.persona.lm.loader import choice_path, read_choice, record_choice, resolve_engine


class Card:
    display_name = "Grandpa Walt"
    name = "Walter"
    description = "A carpenter.\n  He fished."
    language = "en"
    fallback_replies = ("I don't remember.",)


@given(st.text(max_size=200))
def test_clean_never_lets_chat_markup_through(text):
    cleaned = prompt._clean(text)
    assert "<|" not in cleaned and "|>" not in cleaned and "\n" not in cleaned


@given(st.text(max_size=200))
def test_fact_words_are_lowercase_words_or_numbers_from_the_sentence(text):
    for word in _fact_words(text):
        assert word == word.casefold() and word in text.casefold().replace("'s", "")


def test_prefix_has_system_card_and_real_examples_in_chatml():
    examples = [Memory("a", "North shore, first light.", "Where do you fish?", 1.0), Memory("b", "no context", None, 1.0)]
    text = prompt.build_prefix(Card(), prompt.CHATML, examples)
    assert text.startswith("<|im_start|>system\nYou are Grandpa Walt. A carpenter. He fished.")
    assert "<|im_start|>user\nWhere do you fish?<|im_end|>\n<|im_start|>assistant\nNorth shore, first light.<|im_end|>\n" in text
    assert "no context" not in text


def test_turn_carries_memories_then_question_and_opens_the_reply():
    user = prompt.build_user_turn("Where?", [Memory("a", "Heron Point.", None, 0.5)], "en")
    assert user == "Your memories about this:\n- Heron Point.\nQuestion: Where?"
    assert prompt.build_user_turn("Where?", [], "en").startswith("(no memories")
    turn = prompt.render_turn(prompt.CHATML, user, closing="\n")
    assert turn.startswith("\n<|im_start|>user\n") and turn.endswith("<|im_start|>assistant\n")


def test_chinese_persona_gets_chinese_prompt_words():
    user = prompt.build_user_turn("你在哪里钓鱼？", [Memory("a", "北岸。", None, 0.5)], "zh-CN")
    assert user.startswith("你关于这件事的回忆：") and "问题：你在哪里钓鱼？" in user


def test_closing_after_a_reply():
    assert prompt.closing_after(prompt.CHATML, ended_by_eos=True) == "\n"
    assert prompt.closing_after(prompt.CHATML, ended_by_eos=False) == "<|im_end|>\n"
    assert prompt.closing_after(prompt.LLAMA3, ended_by_eos=True) == ""


def test_chat_format_is_read_from_the_model_folder(tmp_path):
    (tmp_path / "chat_template.jinja").write_text("{{ '<|start_header_id|>' }}")
    assert prompt.detect_chat_format(tmp_path) is prompt.LLAMA3
    (tmp_path / "chat_template.jinja").write_text("[INST]")
    with pytest.raises(ModelError, match="chat template"):
        prompt.detect_chat_format(tmp_path)


def test_engine_choice_is_recorded_and_read_back(tmp_path):
    persona = tmp_path / "p"
    persona.mkdir()
    assert resolve_engine("auto", tmp_path, persona) == "retrieval"  # never evaluated
    record_choice(tmp_path, persona, "lm", {"x": 1})
    assert read_choice(tmp_path, persona) == "lm"
    assert resolve_engine("auto", tmp_path, persona) == "lm"
    assert resolve_engine("retrieval", tmp_path, persona) == "retrieval"
    choice_path(tmp_path, persona).write_text("not json")
    assert read_choice(tmp_path, persona) is None


def test_build_source_errors_are_clear(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        resolve_source(tmp_path / "missing.gguf")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ModelError, match="not a GGUF"):
        resolve_source(tmp_path / "notes.txt")
    with pytest.raises(ModelError, match="no model found"):
        resolve_source(tmp_path)
    (tmp_path / "m.gguf").write_bytes(b"GGUF")
    source = resolve_source(tmp_path)
    assert source.gguf_file == "m.gguf" and len(source.sha256) == 64


def test_is_built_from_needs_the_same_source_and_every_file(tmp_path):
    (tmp_path / "model.onnx").write_bytes(b"x")
    (tmp_path / BUILD_RECORD).write_text(json.dumps({"source_sha256": "a" * 64, "files": {"model.onnx": "h"}}))
    assert is_built_from(tmp_path, "a" * 64)
    assert not is_built_from(tmp_path, "b" * 64)
    (tmp_path / "model.onnx").unlink()
    assert not is_built_from(tmp_path, "a" * 64)


@pytest.mark.parametrize(("key", "value"), [("engine", "gpt"), ("lm_threads", -1), ("lm_model", "../x")])
def test_persona_lm_settings_are_validated(key, value):
    from dataclasses import replace

    from companion.config import PersonaSettings
    from companion.errors import ConfigError

    PersonaSettings(engine="lm").validate("persona")
    PersonaSettings(engine="auto").validate("persona")
    with pytest.raises(ConfigError, match=f"persona.{key}"):
        replace(PersonaSettings(), **{key: value}).validate("persona")


def test_auto_keeps_an_lm_verdict_only_for_the_model_that_earned_it(tmp_path):
    from companion.persona.lm.loader import model_identity

    persona = tmp_path / "p"
    persona.mkdir()
    small, big = tmp_path / "small", tmp_path / "big"
    for folder, size in ((small, 10), (big, 20)):
        folder.mkdir()
        (folder / "genai_config.json").write_text('{"model": {}}')
        (folder / "model.onnx").write_bytes(b"x" * size)
    assert model_identity(small) != model_identity(big) and model_identity(tmp_path / "none") is None
    record_choice(tmp_path, persona, "lm", {}, model=model_identity(small))
    assert resolve_engine("auto", tmp_path, persona, model=model_identity(small)) == "lm"
    # A stronger model swapped in later has not beaten retrieval yet: retrieval until it is evaluated.
    assert resolve_engine("auto", tmp_path, persona, model=model_identity(big)) == "retrieval"
    record_choice(tmp_path, persona, "retrieval", {}, model=model_identity(big))
    assert resolve_engine("auto", tmp_path, persona, model=model_identity(big)) == "retrieval"
