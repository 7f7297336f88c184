"""The LM engine across turns, on the tiny generated model: one history, an honest KV cache,
follow-ups, the prefix-cache switch and per-turn statistics; and the eval's paraphrased questions.

The tiny model always answers "Yes indeed. I remember! Heron Point?" (see persona/lm/tiny.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.persona.base import Exchange
from companion.persona.eval import answer_facts, paraphrase
from companion.persona.lm.engine import LmOptions, LmPersona, _is_follow_up
from companion.persona.lm.grounding import Memory
from companion.persona.lm.session import LmSession
from companion.persona.lm.tiny import make_tiny_model
from support.replies import last_source, reply_of

ANSWER = "Yes indeed. I remember! Heron Point?"


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return make_tiny_model(tmp_path_factory.mktemp("tiny-lm"))


@dataclass
class KeywordSource:
    """Scores a memory high only when the query contains its keyword (a stand-in for MiniLM)."""

    memories: dict[str, Memory] = field(default_factory=dict)
    display_name: str = "Grandpa Walt"
    name: str = "Walter"
    description: str = "A retired carpenter."
    language: str = "en"
    fallback_replies: tuple[str, ...] = ("I don't remember that one, kiddo.",)
    consent: object | None = None
    queries: list[str] = field(default_factory=list)

    def search(self, question: str, k: int) -> list[Memory]:
        self.queries.append(question)
        hits = [m for key, m in self.memories.items() if key in question.casefold()]
        rest = [Memory(m.id, m.text, m.context, 0.1) for key, m in self.memories.items() if key not in question.casefold()]
        return (hits + rest)[:k]

    def settled(self, question: str, history) -> None:  # type: ignore[no-untyped-def]
        return None  # these sources test generation: they never settle a turn themselves

    def answer(self, question: str, history) -> None:  # type: ignore[no-untyped-def]
        return None  # no retrieval engine behind these sources

    close_bar = None

    def examples(self, n: int) -> list[Memory]:
        return []


def engine(tiny_dir, source, **options) -> LmPersona:
    return LmPersona(LmSession(tiny_dir, threads=1), source, LmOptions(**options))


def cache_text(persona: LmPersona) -> str:
    generator = persona.session._generator
    return persona.session.tokenizer.decode(generator.get_sequence(0)[: persona.session.length])


def test_a_reply_that_was_not_spoken_is_replaced_in_the_cache_by_what_was(tiny_dir):
    real = "We fished on the lake every summer."  # no "Heron Point": the guard drops the generated reply
    source = KeywordSource({"fish": Memory("m-1", real, "Where did you fish?", 0.6)})
    persona = engine(tiny_dir, source)
    reply = reply_of(persona, "Where did you fish?")
    assert reply == real and last_source(persona).kind == "memory"
    text = cache_text(persona)
    assert "Heron" not in text and real in text  # the model will see what was heard, not what it made up
    length = persona.session.length
    reply_of(persona, "Where did you fish?", [Exchange("Where did you fish?", reply)])
    assert persona.session.last.cached_tokens >= length  # the history was already there: nothing re-read


def test_same_question_twice_is_grounded_in_the_same_memory_both_times(tiny_dir):
    source = KeywordSource({"fish": Memory("m-1", "We fished off Heron Point every summer.", "Where?", 0.6)})
    persona = engine(tiny_dir, source)
    history: list[Exchange] = []
    sources = []
    for _ in range(2):
        reply = reply_of(persona, "Where did you fish?", history).strip()
        sources.append((last_source(persona).kind, last_source(persona).message_id))
        history.append(Exchange("Where did you fish?", reply))
    assert sources[0] == sources[1] == ("generated", "m-1")


def test_a_follow_up_is_searched_with_the_previous_question_and_sees_it(tiny_dir):
    source = KeywordSource({"canoe": Memory("shop-05", "I named her Ruthie, Heron Point was her home.", "The canoe?", 0.6)})
    persona = engine(tiny_dir, source)
    first = reply_of(persona, "Did you build a canoe?")
    follow = reply_of(persona, "Why that name?", [Exchange("Did you build a canoe?", first)])
    assert source.queries[-1] == "Did you build a canoe? Why that name?"
    assert last_source(persona).kind == "generated" and last_source(persona).message_id == "shop-05"
    assert follow.strip() == ANSWER
    assert "Did you build a canoe?" in cache_text(persona)  # the previous exchange is in the model's context
    # Without the earlier exchange the same words find nothing: "don't remember".
    fresh = engine(tiny_dir, source)
    assert reply_of(fresh, "Why that name?") in source.fallback_replies


def test_follow_up_words():
    assert _is_follow_up("Why that name?") and _is_follow_up("And then?") and _is_follow_up("那后来呢？")
    assert not _is_follow_up("What did you do on Sunday mornings at the lake?")


def test_prefix_cache_switch_and_turn_statistics(tiny_dir):
    source = KeywordSource({"fish": Memory("m-1", "We fished off Heron Point.", "Where?", 0.6)})
    cached = engine(tiny_dir, source)
    uncached = engine(tiny_dir, source, cache_prefix=False)
    prefix = cached.session.prefix_tokens
    for persona in (cached, uncached):
        reply_of(persona, "Where did you fish?")
        stats = persona.last_stats
        assert stats.generated_tokens == 10 and stats.first_token_s is not None and stats.tokens_per_s > 0
    assert cached.last_stats.cached_tokens == prefix and cached.last_stats.prompt_tokens < prefix
    assert uncached.last_stats.cached_tokens == 0 and uncached.last_stats.prompt_tokens > prefix
    history = [Exchange("Where did you fish?", ANSWER)]
    reply_of(uncached, "Where did you fish?", history)
    assert uncached.last_stats.prompt_tokens > prefix + len(uncached.session.encode("Where did you fish?"))  # window re-read
    reply_of(cached, "What was your first car?")  # answered without the model
    assert cached.last_stats.generated_tokens == 0 and cached.last_stats.first_token_s is None


def test_answer_facts_are_names_and_numbers_not_sentence_starts():
    text = "Then we drove to Quillan Falls. She said eleven perch, in 1962! Why not."
    assert answer_facts(text) == ["quillan", "falls", "eleven", "1962"]


def test_paraphrase_rewords():
    assert paraphrase("Grandpa, where was your favorite place to fish?") == \
        "I've always wondered: where was your most loved place to fish?"
    assert paraphrase("What was your job?", 1) == "Remind me, what was your line of work?"


@given(st.text(min_size=1, max_size=80).filter(str.strip), st.integers(min_value=0, max_value=10))
def test_paraphrase_never_returns_the_question_itself(question, turn):
    result = paraphrase(question, turn)
    assert result.strip() and result != question


def test_a_reply_cut_off_by_the_listener_leaves_no_half_turn_in_the_cache(tiny_dir):
    source = KeywordSource({"fish": Memory("m-1", "We fished off Heron Point every summer.", "Where?", 0.6)})
    persona = engine(tiny_dir, source)
    before = persona.session.length
    pieces = persona.respond("Where did you fish?")
    next(pieces)
    pieces.close()  # barge-in: the pipeline stops reading
    assert persona.session.length == before
    reply_of(persona, "And the fish?", [Exchange("Where did you fish?", "Yes indeed.")])
    text = cache_text(persona)
    assert text.count("Your memories about this:") == 1  # only this turn's; the cut one is gone
    assert "Where did you fish?\nassistant\nYes indeed.\n" in text  # as it was heard (markup tokens not decoded)
