"""The LM engine over an encrypted persona bundle, and across turns, with the real models.

The demo persona's exchanges are imported into a real bundle (SQLCipher, consent, MiniLM index);
the LM engine then answers from the memories the retrieval persona already decrypted; a
fine-tuned model stored in the bundle is decrypted to a private folder that is gone after
loading; ``persona eval`` runs on the bundle. Needs ``./install.sh --dev``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from companion.config import DEMO_PERSONA_DIR, Settings
from companion.consent import new_record
from companion.models.store import default_models_dir
from companion.persona.base import Exchange
from companion.persona.bundle.importer import import_records
from companion.persona.bundle.store import Bundle, PersonaCard, new_bundle_id
from companion.persona.ingest.records import ChatRecord
from companion.persona.lm.engine import LmPersona, _fact_words, _known_words, load_lm_persona
from companion.persona.lm.grounding import RetrievalGrounding
from companion.persona.lm.loader import build_engine, open_bundle
from companion.persona.lm.tiny import make_tiny_model
from companion.persona.retrieval import load_retrieval_persona
from support.replies import last_source, reply_of

pytestmark = pytest.mark.integration

MODELS = default_models_dir()
LM_MODEL = "lm-smollm2-135m-int8"
SECRET = "a long family passphrase"


def demo_records() -> list[ChatRecord]:
    """The demo persona's exchanges as an SMS thread: the grandchild asks, Walt answers."""
    start = dt.datetime(2015, 1, 1, 9, 0)
    records = []
    lines = [line for line in (DEMO_PERSONA_DIR / "messages.jsonl").read_text().splitlines() if line.startswith("{")]
    for day, line in enumerate(lines):
        message = json.loads(line)
        at = start + dt.timedelta(days=day)
        if message.get("context"):
            records.append(ChatRecord("sms", "family", "Kiddo", message["context"], at))
        records.append(ChatRecord("sms", "family", "Walter", message["text"], at + dt.timedelta(minutes=2)))
    return records


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("walt-bundle") / "walt"
    bundle_id = new_bundle_id()
    consent = new_record(persona_name="Walter", authorised_by="Kiddo", relationship="grandchild", status="deceased",
                         audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=bundle_id)
    card = PersonaCard(name="Walter", display_name="Grandpa Walt", language="en",
                       fallback_replies=("Oh, you've got me there, kiddo. I don't remember that one.",))
    with Bundle.create(folder, SECRET.encode(), card, consent) as bundle:
        summary = import_records(bundle, demo_records(), filename="sms.xml", file_sha256="e" * 64, fmt="sms",
                                 speaker="Walter", redactor=lambda text: text, progress=False)
        assert summary.pairs > 300
    return folder


@pytest.fixture(scope="module")
def key_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("key") / "persona.key"
    path.write_text(SECRET + "\n")
    return path


@pytest.fixture(scope="module")
def settings(bundle_dir, key_file, tmp_path_factory) -> Settings:
    base = Settings()
    return replace(base, paths=replace(base.paths, models_dir=str(MODELS), cache_dir=str(tmp_path_factory.mktemp("cache"))),
                   persona=replace(base.persona, dir=str(bundle_dir), engine="lm", key_file=str(key_file),
                                   lm_model=LM_MODEL))


@pytest.fixture(scope="module")
def retrieval(settings):
    return load_retrieval_persona(settings.persona.path, MODELS, None, key_file=settings.persona.key_file)


def files_containing(folder: Path, needle: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_lm_engine_answers_from_the_bundle_with_the_real_model(settings, retrieval):
    walt = build_engine(settings, retrieval)
    assert isinstance(walt, LmPersona) and walt.display_name == "Grandpa Walt"
    assert walt.consent is retrieval.consent is not None  # the ethics gate still sees the consent record
    reply = reply_of(walt, "What did you name the canoe you built?")
    assert "Ruthie" in reply, reply
    assert last_source(walt).kind in ("memory", "generated")
    assert reply_of(walt, "What did you think of your trip to Japan?") in retrieval.folder.fallback_replies


def test_a_fine_tuned_model_in_the_bundle_is_decrypted_privately_and_removed(settings, retrieval, bundle_dir, tmp_path):
    from companion.persona.lm.bundle_model import has_model, remove_model, store_model

    tiny = make_tiny_model(tmp_path / "tuned")
    with open_bundle(bundle_dir, settings.persona.key_file) as bundle:
        store_model(bundle, tiny)
    try:
        assert files_containing(bundle_dir, b"past_key_values") == []  # the model is encrypted at rest
        walt = build_engine(settings, retrieval)
        folder = walt.session.model_dir
        assert not folder.exists()  # decrypted only for loading
        assert not list(folder.parent.glob("companion-lm-*"))
        reply = reply_of(walt, "Where was your favorite place to fish?")  # the tiny model runs from memory
        assert reply.strip()
    finally:
        with open_bundle(bundle_dir, settings.persona.key_file) as bundle:
            remove_model(bundle)
            assert not has_model(bundle)


def test_eval_on_a_bundle_asks_paraphrased_questions(settings, bundle_dir, tmp_path):
    from companion.ethics.spoken import as_spoken
    from companion.persona.eval import run_eval

    models = tmp_path / "models"
    models.mkdir()
    (models / "embed-minilm").symlink_to(MODELS / "embed-minilm")
    make_tiny_model(models / "lm-tiny")
    quick = replace(settings, paths=replace(settings.paths, models_dir=str(models)),
                    persona=replace(settings.persona, lm_model="lm-tiny"))
    report = run_eval(bundle_dir, quick, spoken=as_spoken, progress=False)
    assert set(report["engines"]) == {"retrieval", "lm"}
    assert report["fact_questions"] > 0 and report["paraphrase_similarity"] < 0.99
    for result in report["engines"].values():
        assert 0.0 <= result["in_data_rate"] <= 1.0 and 0.0 <= result["grounded_rate"] <= 1.0
    assert report["engines"]["retrieval"]["grounded_rate"] == 1.0  # the person's own words only
    assert files_containing(Path(quick.paths.cache_dir), b"Ruthie") == []  # nothing in clear text on disk


def test_same_question_twice_is_grounded_both_times_and_a_follow_up_uses_the_previous_exchange(retrieval):
    demo_walt = load_lm_persona(MODELS / LM_MODEL, RetrievalGrounding(retrieval), threads=2)  # a fresh conversation
    canoe = next(m.id for m in retrieval.folder.messages if "two winters" in m.text)
    history: list[Exchange] = []
    seen = []
    for _ in range(2):
        reply = reply_of(demo_walt, "What did you name the canoe you built?", history).strip()
        assert "Ruthie" in reply, reply
        seen.append(last_source(demo_walt).message_id)
        history.append(Exchange("What did you name the canoe you built?", reply))
    assert seen[0] == seen[1] == canoe
    # "How long did that take?" alone finds nothing; with the previous question it finds the canoe
    # memory, and the model answers with the exchange in its context (how well: the model's size).
    reply = reply_of(demo_walt, "How long did that take?", history).strip()
    assert last_source(demo_walt).kind in ("memory", "generated"), reply
    assert last_source(demo_walt).message_id == canoe, reply
    assert _fact_words(reply) <= _known_words("", demo_walt.source.search("How did you build the canoe?", 3), demo_walt.source)
