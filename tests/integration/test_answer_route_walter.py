"""The answer route through the real engine (real MiniLM and word model, the demo persona): with
the stored questions of `persona eval`'s asked exchanges hidden, replies are still found by their
own words, few wrong memories are spoken, and questions about things the data never mentions are
declined. Fails if the hidden-question rate falls back to the stored-question routes alone."""

from __future__ import annotations

import pytest

from companion.persona.eval import build_inputs
from companion.persona.retrieval import RetrievalPersona

pytestmark = pytest.mark.integration


def test_the_floor_is_calibrated_from_the_persona_own_data(walter: RetrievalPersona) -> None:
    bar = walter.reply_floor
    assert bar is not None and bar.samples >= 20 and 0.30 <= bar.floor <= 0.55
    assert walter.subset(hide_contexts=frozenset({"fish-01"})).reply_floor == bar  # shared, not re-measured


def test_hidden_stored_questions_are_answered_by_the_reply_itself(walter: RetrievalPersona) -> None:
    inputs = build_inputs(walter)
    view = walter.subset(hide_contexts=inputs.hidden)
    right = wrong = 0
    for question in inputs.facts:
        (reply,) = list(view.respond(question.question, ()))
        if reply.kind.value == "memory":
            if reply.source.message_id in inputs.expected[question.message_id]:
                right += 1
            else:
                wrong += 1
    # Measured 4 right / 3 wrong of 24 by the replies' own words alone (stored-question routes alone:
    # 0 right / 3 wrong); 5 right / 4 wrong with the generated questions' agreement (question_gen.py):
    # the one more "wrong" is "what's the hardest line of work you ever did?" -> his farm chores at five.
    assert right >= 5, (right, wrong)
    assert wrong <= 4, (right, wrong)
    for question in inputs.absent:
        (reply,) = list(view.respond(question, ()))
        assert reply.kind.value == "fallback", question


def test_a_reply_without_stored_question_answers_a_natural_question(walter: RetrievalPersona) -> None:
    for question, answer in (("Did you ever serve in the military?", "father-08"),
                             ("Who are the friends you have coffee with?", "family-22")):
        view = walter.subset(hide_contexts=frozenset({answer}))
        (reply,) = list(view.respond(question))
        assert reply.kind.value == "memory" and reply.source.message_id == answer, question
    (other,) = list(view.respond("Have you ever been to Hawaii?"))
    assert other.kind.value == "fallback"
