"""The LM engine decides before generating whether generation can help (lm/gate.py): a direct or
detail answer of retrieval is said at once, and a model whose measured pass rate on this persona
is low steps aside after a few attempts. On the tiny generated model (it always answers
"Yes indeed. I remember! Heron Point?"), with an injected clock for the seconds counted."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.persona.lm.engine import LmOptions, LmPersona
from companion.persona.lm.gate import GateOptions, PassRecord, step_aside
from companion.persona.lm.grounding import Memory
from companion.persona.lm.session import LmSession
from companion.persona.lm.tiny import make_tiny_model
from companion.persona.understand import understand
from support.replies import last_source, reply_of
from unit.test_lm_turns import KeywordSource


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return make_tiny_model(tmp_path_factory.mktemp("tiny-lm-gate"))


def ticking(step: float = 2.0):
    """A clock that advances ``step`` seconds each time it is read."""
    counter = itertools.count()
    return lambda: next(counter) * step


def persona(tiny_dir, source, record: PassRecord | None = None, **gate) -> LmPersona:
    return LmPersona(LmSession(tiny_dir, threads=1), source, LmOptions(gate=GateOptions(**gate)), record, clock=ticking())


def test_a_model_whose_text_is_always_dropped_steps_aside_after_its_probes(tiny_dir):
    real = "We fished on the lake every summer."  # no "Heron Point": every generated reply is dropped
    engine = persona(tiny_dir, KeywordSource({"fish": Memory("m-1", real, "Where did you fish?", 0.6)}), probes=2)
    for _ in range(2):
        assert reply_of(engine, "Where did you fish?") == real
        assert engine.last_stats.generated_tokens > 0
    assert engine.generation.attempts == 2 and engine.generation.passed == 0
    assert engine.generation.dropped_s == pytest.approx(4.0)  # two attempts, one tick of the clock each
    assert reply_of(engine, "Where did you fish?") == real  # the same reply, without the model
    assert engine.last_stats.generated_tokens == 0 and engine.generation.attempts == 2


def test_a_model_whose_text_is_spoken_keeps_generating(tiny_dir):
    source = KeywordSource({"fish": Memory("m-1", "We fished off Heron Point every summer.", "Where?", 0.6)})
    engine = persona(tiny_dir, source, probes=2)
    for _ in range(3):
        reply_of(engine, "Where did you fish?")
        assert last_source(engine).kind == "generated"
    assert engine.generation.attempts == 3 and engine.generation.passed == 3 and engine.generation.dropped_s == 0


def test_the_record_of_persona_eval_decides_from_the_first_turn(tiny_dir):
    source = KeywordSource({"fish": Memory("m-1", "We fished off Heron Point every summer.", "Where?", 0.6)})
    failed = persona(tiny_dir, source, PassRecord.from_dict({"attempts": 5, "passed": 1}))
    assert reply_of(failed, "Where did you fish?") == "We fished off Heron Point every summer."
    assert failed.last_stats.generated_tokens == 0 and last_source(failed).kind == "memory"
    passed = persona(tiny_dir, source, PassRecord.from_dict({"attempts": 5, "passed": 4}))
    reply_of(passed, "Where did you fish?")
    assert last_source(passed).kind == "generated"


def test_why_generation_cannot_help() -> None:
    fresh, options = PassRecord(), GateOptions(min_pass_rate=0.5, probes=3)
    question = understand("Why did you like the lake so much?")
    assert step_aside(question, 0.9, False, 0.8, fresh, options) == "direct"  # a close paraphrase's answer
    assert step_aside(understand("How old were you?"), 0.6, True, 0.8, fresh, options) == "detail"
    assert step_aside(understand("How old were you?"), 0.6, False, 0.8, fresh, options) is None
    assert step_aside(question, 0.6, False, 0.8, fresh, options) is None  # nothing measured yet: probe
    assert step_aside(question, 0.6, False, None, PassRecord(3, 1), options) == "pass-rate"
    assert step_aside(question, None, False, None, PassRecord(3, 2), options) is None


@given(st.one_of(st.none(), st.integers(), st.text(), st.dictionaries(st.text(max_size=10), st.integers() | st.text())))
def test_a_recorded_pass_rate_is_read_safely(data) -> None:
    record = PassRecord.from_dict(data)
    assert 0 <= record.passed <= record.attempts
    assert record.rate() is None or 0.0 <= record.rate() <= 1.0


def test_the_measured_pass_rate_outlives_a_restart_and_eval_counts_for_its_model(tmp_path) -> None:
    from companion.persona.lm.loader import keep_attempts, record_choice, recorded_generation

    cache, persona_dir = tmp_path / "cache", tmp_path / "walter"
    assert recorded_generation(cache, persona_dir, "lm", model="m1") == PassRecord()
    attempt = keep_attempts(cache, persona_dir, "m1")
    attempt(False, 9.0)
    attempt(True, 3.0)
    assert recorded_generation(cache, persona_dir, "lm", model="m1") == PassRecord(attempts=2, passed=1)
    assert recorded_generation(cache, persona_dir, "lm", model="m2") == PassRecord()  # another model starts afresh
    report = {"engines": {"lm": {"score": 0.5, "generation": {"attempts": 4, "passed": 0}}}}
    record_choice(cache, persona_dir, "retrieval", report, model="m1")
    assert recorded_generation(cache, persona_dir, "lm", model="m1") == PassRecord(attempts=6, passed=1)
    assert recorded_generation(cache, persona_dir, "lm", model="m2") == PassRecord()  # eval judged m1, not m2
