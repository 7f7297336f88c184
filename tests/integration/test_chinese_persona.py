"""A Chinese persona end to end: a spoken Mandarin question in, her own words spoken back in a
Chinese voice (espeak-ng Mandarin, no Chinese Piper voice ships), the Chinese disclosure first.

The question is synthesized here with espeak-ng's Mandarin voice; the persona is a grandmother's
WeChat-style memories (tests/data/retrieval/zh_memories.tsv) written as a persona folder.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from companion.audio.wavfile import read_wav, write_wav
from companion.errors import ModelError
from support.retrieval_sets import measure, memories, questions, write_persona

pytestmark = pytest.mark.integration

_HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def zh_settings(test_settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    folder = write_persona("zh", tmp_path_factory.mktemp("zh") / "nainai", consent=True)
    return replace(test_settings, persona=replace(test_settings.persona, dir=str(folder)))


@pytest.fixture(scope="module")
def zh_models(zh_settings):  # type: ignore[no-untyped-def]
    from companion.service.app import load_models

    return load_models(zh_settings, with_wake=False)


def _mandarin(text: str, path: Path) -> Path:
    from companion.tts.espeak import EspeakSynthesizer

    voice = EspeakSynthesizer("cmn-latn-pinyin", words_per_minute=100)  # slow: espeak-ng's Mandarin is rough
    lead = np.zeros(voice.sample_rate // 2, dtype=np.int16)
    write_wav(path, np.concatenate([lead, voice.synthesize(text)]), voice.sample_rate)
    return path


def test_a_spoken_chinese_question_gets_her_words_in_a_chinese_voice(zh_settings, zh_models, tmp_path: Path) -> None:
    from companion.service.app import converse_file
    from companion.tts.espeak import EspeakSynthesizer

    assert zh_models.language == "zh"
    assert isinstance(zh_models.tts, EspeakSynthesizer) and zh_models.tts.voice == "cmn-latn-pinyin"
    assert zh_models.neutral_tts is None  # the same Mandarin voice speaks the disclosure
    assert zh_models.asr._language == "zh" and "asr-base" in zh_models.model_hashes

    question = _mandarin("你会织毛衣吗？", tmp_path / "q.wav")
    result, _ = asyncio.run(converse_file(zh_settings, zh_models, question, tmp_path / "reply.wav"))

    assert _HAN.search(result.transcript), result.transcript
    expected = {ident: text for ident, _, text in memories("zh")}["m13"]
    assert result.source is not None and result.source.kind == "memory"
    assert result.reply == expected
    assert result.disclosed  # the first turn of a session starts with the disclosure

    pcm, rate = read_wav(tmp_path / "reply.wav")
    assert np.sqrt(np.mean(pcm.astype(np.float64) ** 2)) > 300
    from opencc import OpenCC

    heard = OpenCC("t2s").convert(zh_models.asr.transcribe(pcm, rate).text)
    # Whisper hears Mandarin (not "Chinese letter" read in English): the disclosure, then the
    # reply, come back as Chinese characters (espeak-ng's Mandarin is rough: compare characters).
    assert len(_HAN.findall(heard)) >= 20, heard
    first_half = heard[: len(heard) // 2]
    assert any(word in first_half for word in ("人工", "智能", "消息", "本人")), heard
    reply_chars = set(_HAN.findall(expected))
    assert len(reply_chars & set(heard[len(heard) // 3:])) >= 0.4 * len(reply_chars), heard


def test_an_absent_question_is_declined_in_her_words(zh_settings, zh_models, tmp_path: Path) -> None:
    from companion.service.app import converse_file

    # Her memories never mention Japan. A question espeak's rough Mandarin carries: Whisper hears
    # "你去过美国吗" as "你去我妹過嗎", a different question, which a memory of her little sister fits.
    question = _mandarin("你以前去过日本吗？", tmp_path / "q.wav")
    result, _ = asyncio.run(converse_file(zh_settings, zh_models, question, tmp_path / "reply.wav"))
    assert "日本" in result.transcript, result.transcript
    # The crisis check may answer a rough hearing with a gentle check-in; either way no memory is
    # put in her mouth, and it is Chinese.
    assert result.source is not None and result.source.kind in ("fallback", "check_in"), (result.transcript,
                                                                                          result.reply)
    assert _HAN.search(result.reply)


def test_retrieval_quality_on_the_held_out_chinese_questions(zh_models) -> None:
    """Measured on the test split (never used to calibrate; see tests/data/retrieval/calibrate.py).

    The issue's target is >= 90 % for both; these bounds guard against regressions below what the
    design measures today (answered right 0.74, declined 0.90 on 27 + 20 questions)."""
    persona = zh_models.persona
    inner = getattr(persona, "inner", None) or getattr(persona, "_inner", None) or persona
    result = measure(inner, questions("zh", "test"))
    print("zh test split:", result)
    assert result["answered_right"] >= 0.70
    assert result["declined"] >= 0.70


def test_a_chinese_persona_without_the_multilingual_models_is_refused_with_one_line(zh_settings, tmp_path: Path) -> None:
    from companion.service.languages import plan_speech

    empty = tmp_path / "models"
    empty.mkdir()
    settings = replace(zh_settings, paths=replace(zh_settings.paths, models_dir=str(empty)))
    with pytest.raises(ModelError) as caught:
        plan_speech(settings, "zh")
    assert "asr-base" in caught.value.hint and "Chinese" in caught.value.what


def test_doctor_says_what_hears_and_speaks_chinese_and_what_to_install(zh_settings, tmp_path: Path) -> None:
    from companion.service.doctor import check_language

    checks = list(check_language(zh_settings))
    assert checks[0].status == "ok" and "asr-base (zh)" in checks[0].detail and "espeak-ng" in checks[0].detail
    assert any(c.status == "warn" and "companion models add" in c.line() for c in checks)
    empty = replace(zh_settings, paths=replace(zh_settings.paths, models_dir=str(tmp_path)))
    (bad,) = check_language(empty)
    assert bad.status == "fail" and "companion models install asr-base" in bad.line()


def test_the_cli_refuses_a_chinese_persona_without_its_models_in_one_line(zh_settings, cli_env, tmp_path: Path) -> None:
    from support.cli import run_companion

    env = dict(cli_env, COMPANION_MODELS_DIR=str(tmp_path))
    question = _mandarin("你好", tmp_path / "q.wav")
    done = run_companion(["converse", "--persona", zh_settings.persona.dir, "--input", str(question),
                          "--output", str(tmp_path / "r.wav")], env)
    assert done.returncode != 0
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr, done.stderr
    assert "Chinese" in done.stderr and "companion models install asr-base" in done.stderr


def test_persona_eval_on_a_realistic_chinese_persona_asks_twenty_reworded_questions(test_settings, tmp_path: Path) -> None:
    """`persona eval`'s table for retrieval (the inputs, hiding, crisis check and guardrails of
    `companion persona eval`, without the LMs) on a grandmother's 160 exchanges. The issue's
    targets (>= 90 % right, >= 90 % declined) are not met yet (10 of 21 right, none wrong, 24 of 26
    absent declined since the answer route, persona/zh_answer.py; 3 right before); the numbers are
    printed, and the bounds guard what holds today: enough questions to report a rate, no words
    outside her data, absent questions declined, no check-in for a question about her pastimes,
    and the answer route finding replies whose stored question is hidden."""
    import json

    from companion.ethics.spoken import as_spoken
    from companion.persona.eval import _norm, build_inputs, evaluate_engine, grounded
    from companion.persona.retrieval import load_retrieval_persona
    from support.retrieval_sets import EVAL_PERSONA_ZH

    class Quiet:
        def update(self, *_: object) -> None:
            pass

    folder = write_persona("zh", tmp_path / "laolao", "laolao", file=EVAL_PERSONA_ZH)
    loaded = load_retrieval_persona(folder, test_settings.paths.models, None)
    inputs = build_inputs(loaded)
    assert len(inputs.facts) >= 20 and len(inputs.absent) >= 20
    retrieval = loaded.subset(hide_contexts=inputs.hidden)
    _, texts = loaded.message_vectors()
    messages = frozenset(_norm(m.text) for m in loaded.folder.messages)
    result = evaluate_engine("retrieval", as_spoken(test_settings, loaded)(retrieval), inputs, lambda pieces: grounded(
        pieces, messages, frozenset(), lambda text: float(np.max(texts @ loaded.embedder.embed([text])[0]))), Quiet())
    print("zh persona eval:", json.dumps(result, ensure_ascii=False))
    table = result["table"]
    assert sum(table["in_data"].values()) == len(inputs.facts)
    assert result["grounded_rate"] == 1.0
    assert table["in_data"]["wrong_memory"] <= 1 and table["in_data"]["broke_character"] == 0
    assert table["in_data"]["right"] >= 8
    assert result["absent_rate"] >= 0.85 and result["harmless_rate"] == 1.0
