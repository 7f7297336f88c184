"""The retrieval persona with the real MiniLM embedder and the real demo persona.

Needs the installed embedding model (``companion models install``), found like the app finds it:
``$COMPANION_MODELS_DIR/embed-minilm/{model.onnx,tokenizer.json}``, else the default models folder.
The question lists below are also the evidence for the default min_score.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from companion.config import DEMO_PERSONA_DIR
from companion.errors import ModelError
from companion.persona.base import Exchange
from companion.persona.embedder import SentenceEmbedder
from companion.persona.folder import load_persona_folder
from companion.persona.reply import ReplyKind
from companion.persona.retrieval import DEFAULT_MIN_SCORE, RetrievalPersona, load_retrieval_persona
from support.replies import last_source, reply_of

pytestmark = pytest.mark.integration


DEMO_QUESTIONS = {
    "What was your favourite fishing spot?": "fish-01",
    "How do you make apple pie?": "cook-01",
    "Tell me about your dog.": "dog-01",
    "What advice do you have for me?": "advice-01",
    "How did you meet grandma?": "grandma-01",
    "What did you build in your workshop?": "shop-01",
}
# Said differently from any stored context: these must still find the right topic.
PARAPHRASES = {
    "where did you like to go fishing": r"fish-0[12]$",
    "What's your apple pie recipe?": r"cook-0[12]$",
    "What's your dog's name?": r"dog-",
    "Any words of wisdom for me?": r"advice-",
    "Where did you first meet grandma?": r"grandma-01$",
    "What have you built?": r"shop-",
    "tell me about your childhood": r"child-",
    "What was your father like?": r"father-",
    "Tell me a funny joke": r"jokes-",
    "I'm feeling sad": r"grief-",
}
UNRELATED = [
    "What is the capital of Peru?",
    "Explain quantum computing",
    "How do I install Linux on my laptop?",
    "Who won the world cup in 2010?",
    "What's the square root of 144?",
    "Tell me about the moon landing",
    "What is photosynthesis?",
    "How do I fix my computer?",
    "Translate hello into French",
    "How many moons does Jupiter have?",
]


@pytest.fixture(scope="module")
def embedder(demo_walter: RetrievalPersona) -> SentenceEmbedder:
    """The installed MiniLM (``models_dir``: $COMPANION_MODELS_DIR, else where `companion models
    install` puts them), as the factory loaded it for the session's demo persona."""
    return demo_walter.embedder


@pytest.fixture(scope="module")
def cache_dir(persona_cache: Path) -> Path:
    return persona_cache  # the demo persona's vectors are already there


@pytest.fixture(scope="module")
def persona(embedder: SentenceEmbedder, cache_dir: Path) -> RetrievalPersona:
    """The engine on its own: no word model (synonyms) beside the sentence embedder."""
    return RetrievalPersona(load_persona_folder(DEMO_PERSONA_DIR), embedder, cache_dir=cache_dir)


class CountingEmbedder:
    """Delegates to the real embedder and counts the texts it was asked to embed."""

    def __init__(self, inner: SentenceEmbedder) -> None:
        self.inner, self.texts = inner, 0
        self.dimension, self.fingerprint = inner.dimension, inner.fingerprint

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.embed(texts)


def _ask(persona: RetrievalPersona, question: str, history: Sequence[Exchange] = ()) -> str:
    return reply_of(persona, question, history)


# -- the embedder ------------------------------------------------------------------------------


def test_embeddings_are_unit_vectors_independent_of_batching(embedder: SentenceEmbedder) -> None:
    texts = ["x " * 400] + ["hi", "The walleye were biting at the stump this morning.", ""] * 11
    vectors = embedder.embed(texts)  # 34 texts: two batches, one text longer than 256 tokens
    assert vectors.dtype == np.float32 and vectors.shape == (34, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    alone = np.stack([embedder.embed([text])[0] for text in texts[:4]])
    np.testing.assert_allclose(vectors[:4], alone, atol=1e-5)
    np.testing.assert_allclose(vectors[1], vectors[4], atol=1e-6)
    assert embedder.embed([]).shape == (0, 384)


def test_similar_sentences_score_higher(embedder: SentenceEmbedder) -> None:
    a, b, c = embedder.embed(["Where is your favorite fishing spot?", "Where do you like to fish?", "What is the GDP of Peru?"])
    assert float(a @ b) > 0.7 and float(a @ c) < 0.3


def test_missing_or_corrupt_model_is_a_model_error(models_dir: Path, tmp_path: Path) -> None:
    model, tokenizer = models_dir / "embed-minilm" / "model.onnx", models_dir / "embed-minilm" / "tokenizer.json"
    with pytest.raises(ModelError, match="not found.*companion models install"):
        SentenceEmbedder(tmp_path / "nope.onnx", tokenizer)
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"\x00not a model or a tokenizer" * 10)
    with pytest.raises(ModelError, match="corrupt") as caught:
        SentenceEmbedder(garbage, tokenizer)
    assert caught.value.where == str(garbage)
    with pytest.raises(ModelError, match="tokenizer is unreadable") as caught:
        SentenceEmbedder(model, garbage)
    assert caught.value.where == str(garbage)


# -- answering ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "message_id"), DEMO_QUESTIONS.items())
def test_demo_questions_get_his_own_fitting_words(persona: RetrievalPersona, question: str, message_id: str) -> None:
    reply = _ask(persona, question)
    expected = next(m for m in persona.folder.messages if m.id == message_id)
    assert reply == expected.text
    source = last_source(persona)
    assert source is not None and (source.kind, source.message_id) == ("memory", message_id)
    assert source.score >= 0.75


@pytest.mark.parametrize(("question", "pattern"), PARAPHRASES.items())
def test_paraphrased_questions_find_the_topic(persona: RetrievalPersona, question: str, pattern: str) -> None:
    _ask(persona, question)
    source = last_source(persona)
    assert source is not None and source.kind == "memory"
    assert re.match(pattern, source.message_id or ""), (question, source)
    assert source.score >= DEFAULT_MIN_SCORE + 0.1, "threshold too close to real questions"


@pytest.mark.parametrize("question", UNRELATED)
def test_unrelated_questions_fall_back(persona: RetrievalPersona, question: str) -> None:
    reply = _ask(persona, question)
    source = last_source(persona)
    assert source is not None and source.kind == "fallback" and source.message_id is None
    assert source.score < DEFAULT_MIN_SCORE
    assert reply in persona.folder.fallback_replies


def test_fallbacks_rotate_deterministically(persona: RetrievalPersona, embedder: SentenceEmbedder, cache_dir: Path) -> None:
    fresh = RetrievalPersona(persona.folder, embedder, cache_dir=cache_dir)
    replies = [_ask(fresh, question) for question in UNRELATED[:5]]
    cycle = list(fresh.folder.fallback_replies)
    assert replies == [cycle[i % len(cycle)] for i in range(5)]
    assert _ask(fresh, "   ") in cycle and last_source(fresh) is not None and last_source(fresh).kind == "fallback"


def test_recent_replies_are_not_repeated_when_a_close_second_exists(persona: RetrievalPersona) -> None:
    question = "Did you catch anything today?"  # two messages answer exactly this
    first = _ask(persona, question)
    second = _ask(persona, question, [Exchange(question, first)])
    assert second != first and last_source(persona) is not None and last_source(persona).kind == "memory"
    third = _ask(persona, question, [Exchange(question, first), Exchange(question, second)])
    assert third in (first, second)  # nothing else is close: a repeat beats a poor answer


def test_concurrent_calls_are_serialised(persona: RetrievalPersona) -> None:
    results: dict[str, str] = {}

    def ask(question: str) -> None:
        results[question] = _ask(persona, question)

    threads = [threading.Thread(target=ask, args=(q,)) for q in DEMO_QUESTIONS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    by_id = {m.id: m.text for m in persona.folder.messages}
    assert results == {q: by_id[mid] for q, mid in DEMO_QUESTIONS.items()}


# -- the vector cache and the factory ----------------------------------------------------------


def test_cache_makes_a_restart_instant_and_follows_edits(embedder: SentenceEmbedder, tmp_path: Path) -> None:
    persona_dir = tmp_path / "walter"
    persona_dir.mkdir()
    (persona_dir / "persona.toml").write_bytes((DEMO_PERSONA_DIR / "persona.toml").read_bytes())
    demo_lines = (DEMO_PERSONA_DIR / "messages.jsonl").read_text().splitlines(keepends=True)
    (persona_dir / "messages.jsonl").write_text("".join(demo_lines[:40]))  # a small persona is enough
    cache = tmp_path / "cache"

    cold = CountingEmbedder(embedder)
    first = RetrievalPersona(load_persona_folder(persona_dir), cold, cache_dir=cache)  # type: ignore[arg-type]
    n_texts = cold.texts
    assert n_texts > 40
    (cache_file,) = cache.glob("*.npy")

    warm = CountingEmbedder(embedder)
    second = RetrievalPersona(load_persona_folder(persona_dir), warm, cache_dir=cache)  # type: ignore[arg-type]
    assert warm.texts == 0
    np.testing.assert_array_equal(first._text_vectors, second._text_vectors)

    cache_file.write_bytes(b"half a file")
    broken = CountingEmbedder(embedder)
    RetrievalPersona(load_persona_folder(persona_dir), broken, cache_dir=cache)  # type: ignore[arg-type]
    assert broken.texts == n_texts

    with (persona_dir / "messages.jsonl").open("a") as handle:
        handle.write('{"id": "new-01", "context": "Do you like jazz?", "text": "Only on the radio, kiddo."}\n')
    edited = CountingEmbedder(embedder)
    third = RetrievalPersona(load_persona_folder(persona_dir), edited, cache_dir=cache)  # type: ignore[arg-type]
    assert edited.texts == n_texts + 2
    assert [path.name for path in cache.iterdir()] != [cache_file.name] and len(list(cache.iterdir())) == 1
    assert _ask(third, "Do you like jazz?") == "Only on the radio, kiddo."


def test_factory_builds_from_the_model_store(walter: RetrievalPersona, tmp_path: Path) -> None:
    persona = walter  # the session's demo persona, built by load_retrieval_persona from the models folder
    assert persona.display_name == "Grandpa Walt"
    assert _ask(persona, "Tell me about your dog.").startswith("Biscuit")
    with pytest.raises(ModelError, match="companion models install"):
        load_retrieval_persona(DEMO_PERSONA_DIR, tmp_path / "empty", None)


def test_an_english_persona_hears_a_question_said_in_other_words(walter: RetrievalPersona) -> None:
    # "injure ... job" shares no word with "Did you ever get hurt at work?": single-word meaning
    # (the installed multilingual model) lets the closest memory answer it (persona/synonyms.py).
    persona = walter  # built by load_retrieval_persona, with the word model
    matcher = persona.catalogue.synonyms
    assert matcher is not None
    assert matcher.speaks_to("injure", ["hurt"]) and matcher.speaks_to("mum", ["mom"])
    assert not matcher.speaks_to("Ireland", ["abroad"]) and not matcher.speaks_to("comic", ["book"])
    (reply,) = list(persona.respond("Did you ever injure yourself on the job?"))
    assert reply.source.message_id == "work-11"
    (absent,) = list(persona.respond("Have you ever been to Ireland?"))
    assert absent.kind is ReplyKind.FALLBACK
