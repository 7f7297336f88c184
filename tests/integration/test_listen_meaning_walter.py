"""Natural paraphrases through the real engine (real MiniLM, the demo persona): a question in other
words than the stored one is answered by meaning, and a close memory about another relative is not."""

from __future__ import annotations

import numpy as np
import pytest

from companion.persona.retrieval import RetrievalPersona

pytestmark = pytest.mark.integration


def test_the_meaning_check_compares_phrases_with_the_real_embedder(walter: RetrievalPersona) -> None:
    close = walter._relate([("spooks", "scared"), ("spooks", "favorite treat")])
    assert close[0] > close[1] and np.all(np.abs(close) <= 1.0001)
    assert np.allclose(walter._relate([("spooks", "scared")]), close[:1])  # cached vectors give the same answer


def test_a_paraphrase_in_other_words_is_answered_and_another_relative_is_declined(walter: RetrievalPersona) -> None:
    (reply,) = list(walter.respond("What spooks Biscuit the most?"))
    assert reply.kind.value == "memory" and reply.source.message_id == "dog-13"
    (other,) = list(walter.respond("What did Grandma's father do for a living?"))
    assert other.kind.value == "fallback"
    (mum,) = list(walter.respond("Tell me about your mum."))
    assert mum.source.message_id != "family-08"  # the listener's mom, not his mother
