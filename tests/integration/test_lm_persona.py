"""The LM persona engine with the real default model (SmolLM2-135M int8 ONNX), the real MiniLM
retrieval and the real demo persona; and `persona eval` end to end on the tiny generated model.

Needs ``./install.sh --dev`` (it installs the GGUF and builds lm-smollm2-135m-int8).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from companion.config import DEMO_PERSONA_DIR, Settings
from companion.errors import PersonaError
from companion.ethics.spoken import as_spoken
from companion.models.store import default_models_dir
from companion.persona.base import Exchange
from companion.persona.eval import fact_questions, run_eval, split_held_out
from companion.persona.folder import load_persona_folder
from companion.persona.lm.engine import load_lm_persona
from companion.persona.lm.grounding import RetrievalGrounding, exclude
from companion.persona.lm.loader import read_choice, resolve_engine
from companion.persona.lm.tiny import make_tiny_model
from companion.persona.retrieval import load_retrieval_persona
from support.replies import last_source, reply_of

pytestmark = pytest.mark.integration

MODELS = default_models_dir()
LM_DIR = MODELS / "lm-smollm2-135m-int8"


@pytest.fixture(scope="module")
def retrieval(walter):
    return walter


@pytest.fixture(scope="module")
def walt(retrieval):
    return load_lm_persona(LM_DIR, RetrievalGrounding(retrieval), threads=2)


def test_grounded_question_is_answered_with_the_fact_from_the_memories(walt):
    reply = reply_of(walt, "What did you name the canoe you built?")
    assert "Ruthie" in reply, reply
    assert last_source(walt).kind in ("memory", "generated")


def test_the_lm_knows_the_persona_close_paraphrase_bar_and_retrieval_answer(retrieval):
    """The gate's "direct" rule needs both from the grounding source (a probe once read neither)."""
    grounding = RetrievalGrounding(retrieval)
    assert grounding.close_bar == pytest.approx(retrieval.catalogue.bars.high)
    answer = grounding.answer("What did you name the canoe you built?", ())
    assert answer is not None and "Ruthie" in answer.text
    held_out = exclude(grounding, [answer.source.message_id])
    assert held_out.close_bar == grounding.close_bar
    assert held_out.answer("What did you name the canoe you built?", ()) is None


def test_a_fact_absent_from_the_memories_is_not_remembered(walt, retrieval):
    reply = reply_of(walt, "What did you think of your trip to Japan?")
    assert last_source(walt).kind == "fallback"
    assert reply in retrieval.folder.fallback_replies


def test_generated_replies_are_short_grounded_and_keep_the_prefix_cached(walt):
    prefix = walt.session.prefix_tokens
    history = []
    # Questions a memory answers without being a near copy of what was asked: the model phrases them.
    for question in ("Who taught you carpentry?", "Who taught you carpentry, and when?"):
        pieces = list(walt.respond(question, history))
        reply = " ".join(p.text for p in pieces).strip()
        assert reply and len(pieces) <= walt.options.max_sentences
        assert walt.session.length > prefix  # the conversation sits on top of the cached prefix
        history.append(Exchange(question, reply))
    assert walt.session.last.cached_tokens >= prefix  # the prefix (and any cached exchange) was not re-read


def test_chinese_persona_with_the_english_only_model_says_so(tmp_path, shared_multilingual):
    persona = tmp_path / "nainai"
    persona.mkdir()
    card = (DEMO_PERSONA_DIR / "persona.toml").read_text().replace('language = "en"', 'language = "zh"')
    (persona / "persona.toml").write_text(card)
    lines = (DEMO_PERSONA_DIR / "messages.jsonl").read_text().splitlines(keepends=True)
    (persona / "messages.jsonl").write_text("".join(lines[:20]))  # the language is the point, not the size
    retrieval = load_retrieval_persona(persona, MODELS, tmp_path / "vectors", multilingual=shared_multilingual)
    with pytest.raises(PersonaError, match="English-only"):
        load_lm_persona(LM_DIR, RetrievalGrounding(retrieval))


def test_held_out_slice_and_fact_questions_come_from_the_persona():
    folder = load_persona_folder(DEMO_PERSONA_DIR)
    kept, held = split_held_out(folder)
    assert held and not {m.id for m in held} & {m.id for m in kept.messages}
    facts = fact_questions(kept, held)
    assert facts
    asked = {m.context for m in folder.messages if m.context}
    answers = {m.id: m.text.casefold() for m in held}
    assert all(q.question not in asked and q.fact in answers[q.message_id] for q in facts)  # reworded; fact in answer


def test_eval_compares_engines_and_records_the_winner(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "embed-minilm").symlink_to(MODELS / "embed-minilm")
    make_tiny_model(models / "lm-tiny")
    settings = Settings()
    settings = replace(settings, paths=replace(settings.paths, models_dir=str(models), cache_dir=str(tmp_path / "cache")),
                       persona=replace(settings.persona, lm_model="lm-tiny"))
    report = run_eval(DEMO_PERSONA_DIR, settings, spoken=as_spoken, progress=False)
    assert set(report["engines"]) == {"retrieval", "lm"}
    assert report["fact_questions"] >= 10 and report["absent_questions"] >= 10 and report["harmless_questions"] >= 30
    for result in report["engines"].values():
        for kind in ("in_data", "absent", "harmless"):
            assert 0.0 <= result[f"{kind}_rate"] <= 1.0
        assert sum(result["table"]["in_data"].values()) == report["fact_questions"]
    assert report["winner"] in report["engines"]
    cache = settings.paths.cache / "persona"
    assert read_choice(cache, DEMO_PERSONA_DIR) == report["winner"]
    assert resolve_engine("auto", cache, DEMO_PERSONA_DIR) == report["winner"]
    assert json.loads(Path(report["recorded_in"]).read_text())["engine"] == report["winner"]


def test_spoken_question_through_the_real_pipeline_with_the_lm_engine(speak, loaded_models, test_settings, retrieval, tmp_path):
    import asyncio

    from companion.service.app import converse_file

    # A fresh engine: the module's shared one has already answered this question once, and the
    # engine keeps its own conversation window across turns.
    fresh = load_lm_persona(LM_DIR, RetrievalGrounding(retrieval), threads=2)
    models = replace(loaded_models, persona=fresh)
    result, _ = asyncio.run(
        converse_file(test_settings, models, speak("What did you name the canoe you built?"), tmp_path / "r.wav")
    )
    # Piper's synthesis is stochastic and tiny.en hears the end as "you built", "you build" or
    # "bill" from run to run, so the exact fact is checked on text above; spoken, the turn must
    # reach the LM engine and come back grounded in Walt's canoe memories.
    assert "canoe" in result.transcript.casefold() or "can you" in result.transcript.casefold(), result.transcript
    assert result.source is not None and result.source.kind in ("memory", "generated", "fallback"), result.reply
    if result.source.kind == "fallback":  # a misheard question ("you bill") may be declined: never invented
        assert result.reply in retrieval.folder.fallback_replies
    elif "canoe" in result.transcript.casefold():
        reply = result.reply.casefold()
        assert "ruthie" in reply or "canoe" in reply, result.reply
    else:  # heard as "the can you built": one of Walt's real messages about what he built, never invented
        said = {m.id: m for m in retrieval.folder.messages}.get(result.source.message_id or "")
        assert said is not None, result
        assert "buil" in f"{said.context} {said.text}".casefold(), result.reply


def test_engine_setting_lm_builds_the_lm_persona(test_settings, retrieval):
    from companion.persona.lm.engine import LmPersona
    from companion.persona.lm.loader import build_engine

    settings = replace(test_settings, persona=replace(test_settings.persona, engine="lm"))
    engine = build_engine(settings, retrieval)
    assert isinstance(engine, LmPersona) and engine.display_name == "Grandpa Walt"


def test_bench_lm_reports_cached_and_uncached_first_token_times(tmp_path, capsys):
    from companion.cli import main

    tiny = make_tiny_model(tmp_path / "tiny")
    assert main(["persona", "bench-lm", str(DEMO_PERSONA_DIR), "--model", str(tiny), "--tokens", "8", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["turns"] == 4 and report["prefix_tokens"] > 0
    assert report["ttft_cached_s_median"] >= 0 and report["ttft_uncached_s_median"] >= 0  # the tiny model takes microseconds
    assert report["peak_rss_mb"] > 0


def test_build_lm_refuses_a_bad_source_in_one_line(tmp_path, capsys):
    from companion.cli import main

    (tmp_path / "x.txt").write_text("not a model")
    assert main(["models", "build-lm", "--from", str(tmp_path / "x.txt"), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a GGUF" in err[0]


def test_the_model_is_not_run_when_generation_cannot_help(walt, retrieval):
    """Decided before generating: a decline, a message of the line's kind, the listener's words."""
    for line, kind in (("Have you ever been to Japan?", "fallback"), ("I got engaged last night!", "memory"),
                       ("Goodnight grandpa", "memory")):
        pieces = list(walt.respond(line, []))
        assert len(pieces) == 1 and pieces[0].kind == kind, line
        assert walt.last_stats.generated_tokens == 0, line
    assert retrieval.settled("Tell me about your truck.") is None  # a memory answers: the model may phrase it
