"""Natural paraphrases through the real engine (real MiniLM, the demo persona): a question in other
words than the stored one is answered by meaning, and a close memory about another relative is not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from companion.models.store import default_models_dir
from companion.persona.retrieval import RetrievalPersona, load_retrieval_persona

pytestmark = pytest.mark.integration

DEMO_DIR = Path(__file__).resolve().parents[2] / "device" / "companion" / "personas" / "walter"


@pytest.fixture(scope="module")
def persona(tmp_path_factory: pytest.TempPathFactory) -> RetrievalPersona:
    models = default_models_dir()
    if not (models / "embed-minilm" / "model.onnx").is_file():
        pytest.skip("the embedding model is not installed (companion models install)")
    return load_retrieval_persona(DEMO_DIR, models, tmp_path_factory.mktemp("cache"))


def test_the_meaning_check_compares_phrases_with_the_real_embedder(persona: RetrievalPersona) -> None:
    close = persona._relate([("spooks", "scared"), ("spooks", "favorite treat")])
    assert close[0] > close[1] and np.all(np.abs(close) <= 1.0001)
    assert np.allclose(persona._relate([("spooks", "scared")]), close[:1])  # cached vectors give the same answer


def test_a_paraphrase_in_other_words_is_answered_and_another_relative_is_declined(persona: RetrievalPersona) -> None:
    (reply,) = list(persona.respond("What spooks Biscuit the most?"))
    assert reply.kind.value == "memory" and reply.source.message_id == "dog-13"
    (other,) = list(persona.respond("What did Grandma's father do for a living?"))
    assert other.kind.value == "fallback"
    (mum,) = list(persona.respond("Tell me about your mum."))
    assert mum.source.message_id != "family-08"  # the listener's mom, not his mother
