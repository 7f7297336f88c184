"""Speaking and hearing a persona's language: user voices, espeak-ng, the plan, the disclosure."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from companion.config import Settings
from companion.errors import ModelError
from companion.ethics.disclosure import disclosure_language, disclosure_text
from companion.models.user_voice import add_voice, installed_voices, voice_language
from companion.service.languages import ESPEAK_PREFIX, family, plan_speech
from companion.tts.splitter import SentenceSplitter, join_sentences

ONNX_HEAD = b"\x08\x07\x12\x07pytorch" + b"\x00" * 64


def _voice(folder: Path, stem: str = "zh_CN-test-medium", *, family_: str = "zh", phonemes: str = "espeak") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    onnx = folder / f"{stem}.onnx"
    onnx.write_bytes(ONNX_HEAD)
    config = {"audio": {"sample_rate": 22050}, "language": {"family": family_, "code": f"{family_}_CN"},
              "espeak": {"voice": "cmn"}, "phoneme_type": phonemes}
    (folder / f"{stem}.onnx.json").write_text(json.dumps(config))
    return onnx


def test_models_add_copies_the_voice_and_records_hashes_licence_and_language(tmp_path: Path) -> None:
    onnx = _voice(tmp_path / "src")
    voice = add_voice(tmp_path / "models", onnx, licence="CC-BY-4.0")
    assert voice.name == "voice-zh_CN-test-medium" and voice.language == "zh"
    record = json.loads((voice.path / "INSTALLED.json").read_text())
    assert record["licence"] == "CC-BY-4.0" and record["user_supplied"] and record["role"] == "tts"
    import hashlib

    by_path = {f["path"]: f for f in record["files"]}
    assert by_path[onnx.name]["sha256"] == hashlib.sha256(ONNX_HEAD).hexdigest()
    assert (voice.path / f"{onnx.name}.json").is_file()
    assert [(v.name, v.language) for v in installed_voices(tmp_path / "models")] == [(voice.name, "zh")]


@pytest.mark.parametrize("problem", ["no-json", "no-licence", "pinyin", "not-onnx", "exists"])
def test_models_add_refuses_bad_input_with_one_clear_error_and_installs_nothing(tmp_path: Path, problem: str) -> None:
    onnx = _voice(tmp_path / "src", phonemes="pinyin" if problem == "pinyin" else "espeak")
    models = tmp_path / "models"
    if problem == "no-json":
        onnx.with_suffix(".onnx.json").unlink()
    if problem == "not-onnx":
        onnx.write_bytes(b"<html>not a model</html>")
    if problem == "exists":
        add_voice(models, onnx, licence="MIT")
    with pytest.raises(ModelError) as caught:
        add_voice(models, onnx, licence="" if problem == "no-licence" else "MIT")
    assert caught.value.hint
    expected = {"no-json": "onnx.json", "no-licence": "licence", "pinyin": "pinyin", "not-onnx": "ONNX",
                "exists": "already installed"}[problem]
    assert expected in caught.value.what
    leftovers = [p.name for p in models.iterdir()] if models.exists() else []
    assert leftovers == (["voice-zh_CN-test-medium"] if problem == "exists" else [])


def test_voice_language_reads_piper_configs() -> None:
    assert voice_language({"language": {"family": "zh", "code": "zh_CN"}}) == "zh"
    assert voice_language({"language": {"code": "en_US"}}) == "en"
    assert voice_language({"espeak": {"voice": "cmn"}}) == "zh"
    assert family("zh-TW") == family("cmn") == "zh"


def _settings(models: Path) -> Settings:
    base = Settings()
    return replace(base, paths=replace(base.paths, models_dir=str(models)))


def _installed_copy(name: str, models: Path) -> None:
    """A model folder copied from the real install (the plan only checks presence and records)."""
    from companion.models.store import default_models_dir

    (models / name).symlink_to(default_models_dir() / name, target_is_directory=True)


def test_an_english_persona_keeps_the_configured_models(tmp_path: Path) -> None:
    plan = plan_speech(_settings(tmp_path), "en")
    assert (plan.asr_model, plan.voice, plan.embedding_model) == ("asr-tiny-en", "tts-joe-medium", "embed-minilm")


def test_a_chinese_persona_without_asr_base_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as caught:
        plan_speech(_settings(tmp_path), "zh")
    assert "Chinese" in caught.value.what and "companion models install asr-base" in caught.value.hint


def test_a_chinese_persona_hears_zh_speaks_espeak_mandarin_or_an_added_voice(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    _installed_copy("asr-base", models)
    with pytest.raises(ModelError, match="multilingual embedder") as caught:
        plan_speech(_settings(models), "zh")
    assert "companion models install embed-use-multilingual" in caught.value.hint
    _installed_copy("embed-use-multilingual", models)
    plan = plan_speech(_settings(models), "zh")
    assert (plan.asr_model, plan.asr_language, plan.embedding_model) == ("asr-base", "zh", "embed-use-multilingual")
    assert plan.voice == plan.neutral_voice == f"{ESPEAK_PREFIX}cmn-latn-pinyin"
    assert plan.warnings and "companion models add" in plan.warnings[0]
    assert not plan.apply(_settings(models)).latency.filler  # the fillers are English words

    add_voice(models, _voice(tmp_path / "src"), licence="CC-BY-4.0")
    plan = plan_speech(_settings(models), "zh")
    assert plan.voice == plan.neutral_voice == "voice-zh_CN-test-medium" and not plan.warnings


def test_without_espeak_or_a_chinese_voice_the_plan_says_what_to_install(tmp_path: Path, monkeypatch) -> None:
    from companion.tts import espeak

    models = tmp_path / "models"
    models.mkdir()
    _installed_copy("asr-base", models)
    monkeypatch.setattr(espeak, "espeak_available", lambda: False)
    with pytest.raises(ModelError) as caught:
        plan_speech(_settings(models), "zh")
    assert "no installed voice speaks it" in caught.value.what
    assert "companion models add" in caught.value.hint and "espeak-ng" in caught.value.hint


def test_espeak_speaks_mandarin_as_int16() -> None:
    from companion.tts.espeak import EspeakSynthesizer

    voice = EspeakSynthesizer()
    pcm = voice.synthesize("奶奶也想你。")
    assert pcm.dtype == np.int16 and voice.sample_rate == 22050
    assert 0.5 < len(pcm) / voice.sample_rate < 5  # not 12 s of "Chinese letter"
    assert voice.synthesize("  ").size == 0


def test_chinese_persona_gets_the_chinese_disclosure_from_a_voice_that_speaks_it() -> None:
    assert disclosure_language("zh", {"en", "zh"}) == "zh" and disclosure_language("zh", {"en"}) == "en"
    assert "人工智能" in disclosure_text("奶奶", "zh") and "奶奶" in disclosure_text("奶奶", "zh")


def test_chinese_sentences_split_at_full_width_marks_and_join_without_spaces() -> None:
    splitter = SentenceSplitter()
    parts = splitter.feed("奶奶也想你。你吃饭了吗？别熬夜；早点睡…好")
    assert parts == ["奶奶也想你。", "你吃饭了吗？", "别熬夜；", "早点睡…"]
    assert join_sentences(parts) == "奶奶也想你。你吃饭了吗？别熬夜；早点睡…"
    assert join_sentences(["Hello there.", "How are you?"]) == "Hello there. How are you?"
