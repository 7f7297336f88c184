"""The LM persona engine on a tiny generated ONNX model with the real decoder signature.

The tiny model always answers "Yes indeed. I remember! Heron Point?" (see persona/lm/tiny.py),
so these tests check the real runtime code: prefix cache, append-only turns, rewind, streaming,
sentence cap, the fact guard, verbatim and "don't remember" decisions, and the language check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from companion.errors import PersonaError
from companion.persona.base import Exchange
from companion.persona.lm import prompt
from companion.persona.lm.engine import LmOptions, LmPersona, _fact_words
from companion.persona.lm.grounding import Memory, exclude
from companion.persona.lm.session import LmSession, auto_threads
from companion.persona.lm.tiny import make_tiny_model
from companion.persona.reply import ReplyKind, ReplyPiece, ReplySource, piece
from support.replies import last_source, reply_of

ANSWER = "Yes indeed. I remember! Heron Point?"


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return make_tiny_model(tmp_path_factory.mktemp("tiny-lm"))


@dataclass
class ScriptedSource:
    """A GroundingSource whose search results the test sets (retrieval itself is tested elsewhere)."""

    memories: list[Memory] = field(default_factory=list)
    display_name: str = "Grandpa Walt"
    name: str = "Walter"
    description: str = "A retired carpenter who fished the north shore."
    language: str = "en"
    fallback_replies: tuple[str, ...] = ("I don't remember that one, kiddo.", "That's gone from my old head.")
    consent: object | None = None

    def search(self, question: str, k: int) -> list[Memory]:
        return self.memories[:k]

    def settled(self, question: str, history) -> None:  # type: ignore[no-untyped-def]
        return None  # these sources test generation: they never settle a turn themselves

    def answer(self, question: str, history) -> None:  # type: ignore[no-untyped-def]
        return None  # no retrieval engine behind these sources

    close_bar = None

    def examples(self, n: int) -> list[Memory]:
        return [Memory("ex-1", "Best spot is the north shore at first light.", "Where do you fish?", 1.0)][:n]


def memory(text: str, score: float, id: str = "m-1") -> Memory:
    return Memory(id=id, text=text, context="a question", score=score)


def engine(tiny_dir, source, **options) -> LmPersona:
    return LmPersona(LmSession(tiny_dir, threads=1), source, LmOptions(**options))


def test_session_streams_after_the_cached_prefix_and_rewinds_to_it(tiny_dir):
    session = LmSession(tiny_dir, threads=1)
    session.prime("<|im_start|>system\nYou are Walt.<|im_end|>\n")
    prefix = session.prefix_tokens
    assert session.length == prefix > 0
    turn = "<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n"
    added = session.append(turn)
    assert "".join(session.stream(50)) == ANSWER
    assert session.last.ended_by_eos and session.last.generated_tokens == 10
    assert session.last.first_token_s is not None
    assert prefix + added < session.length < prefix + added + 10  # the last tokens wait to be fed back
    session.rewind_to_prefix()
    assert session.length == prefix
    session.append(turn)
    assert "".join(session.stream(3)) == "Yes indeed."
    assert not session.last.ended_by_eos
    session.append("<|im_end|>\n" + turn)  # appending right after a cut reply works
    assert "".join(session.stream(50)) == ANSWER


def test_generated_reply_is_released_once_a_sentence_has_substance(tiny_dir):
    persona = engine(tiny_dir, ScriptedSource([memory("We fished off Heron Point every summer.", 0.6)]))
    pieces = list(persona.respond("Where did you fish?"))
    # "Yes indeed." and "I remember!" are filler: they wait for "Heron Point?", which the memory supports.
    assert [p.text for p in pieces] == [ANSWER]
    reply_of(persona, "Where did you fish?")
    assert last_source(persona).kind == "generated" and last_source(persona).message_id == "m-1"


def test_filler_alone_is_never_spoken_the_persons_words_are(tiny_dir):
    real = "We fished off Heron Point."
    persona = engine(tiny_dir, ScriptedSource([memory(real, 0.6)]), max_sentences=1)  # cap: only "Yes indeed."
    assert reply_of(persona, "Where did you fish?") == real
    assert last_source(persona).kind == "memory"


def test_fact_guard_drops_names_the_memories_do_not_contain(tiny_dir):
    real = "We fished on the lake every summer."
    persona = engine(tiny_dir, ScriptedSource([memory(real, 0.6)]))
    reply = reply_of(persona, "Where did you fish?")
    assert "Heron" not in reply
    assert reply == real  # the rest was filler: the real words instead


def test_unsupported_memories_below_the_verbatim_floor_mean_dont_remember(tiny_dir):
    source = ScriptedSource([memory("We fished on the lake every summer.", 0.42)])
    persona = engine(tiny_dir, source)
    assert reply_of(persona, "Where did you fish?") in source.fallback_replies
    assert last_source(persona).kind == "fallback"


def test_content_words_need_support_from_the_memories():
    from companion.persona.lm.engine import _content_words, _known_words

    allowed = _known_words("Where did you fish?", [memory("We fished the north shore at dawn.", 0.6)], ScriptedSource())
    assert _content_words("The north shore, at dawn.") <= allowed
    assert not _content_words("A big family of five, dressed in white.") <= allowed
    assert _content_words("Yes indeed. I remember!") == set()


def test_nothing_relevant_means_dont_remember_without_generating(tiny_dir):
    source = ScriptedSource([memory("We fished off Heron Point.", 0.1)])
    persona = engine(tiny_dir, source)
    before = persona.session.length
    reply = reply_of(persona, "What was your first car?")
    assert reply in source.fallback_replies
    assert last_source(persona).kind == "fallback"
    assert persona.session.length == before


def test_close_real_reply_is_spoken_verbatim(tiny_dir):
    real = "The drop-off by the old cedar stump off Heron Point."
    persona = engine(tiny_dir, ScriptedSource([memory(real, 0.9, id="fish-01")]))
    assert reply_of(persona, "Where was your favourite fishing spot?") == real
    assert last_source(persona).kind == "memory" and last_source(persona).message_id == "fish-01"


def test_turns_append_only_new_tokens_and_history_mismatch_rewinds(tiny_dir):
    persona = engine(tiny_dir, ScriptedSource([memory("We fished off Heron Point.", 0.6)]), window=2)
    first = reply_of(persona, "Where did you fish?")
    after_first = persona.session.length
    history = [Exchange("Where did you fish?", first.strip())]
    reply_of(persona, "And then?", history)
    # The first exchange was already cached: the second turn appended only its own prompt
    # (plus the two held-back tokens of the previous reply), not the prefix or the history.
    user = prompt.build_user_turn("And then?", persona.source.search("", 3), "en")
    turn = prompt.render_turn(persona.chat, user, closing=persona.chat.end[len("<|im_end|>"):])
    assert persona.session.last.appended_tokens == len(persona.session.encode(turn)) + 2
    assert persona.session.length > after_first
    # A history the cache does not hold (e.g. a barge-in cut the reply) rebuilds from the prefix.
    reply_of(persona, "Really?", [Exchange("Something else", "Cut off")])
    assert persona.session.length < after_first + 80


def test_chinese_persona_with_english_only_model_says_so(tiny_dir):
    with pytest.raises(PersonaError, match="English-only"):
        engine(tiny_dir, ScriptedSource(language="zh"))


def test_excluding_view_hides_held_out_messages():
    source = ScriptedSource([memory("a", 0.9, "x"), memory("b", 0.8, "y")])
    view = exclude(source, ["x"])
    assert [m.id for m in view.search("q", 2)] == ["y"]


@dataclass
class SettlingSource(ScriptedSource):
    """Settles every question with the person's message ``settles_with``."""

    settles_with: str = "x"

    def settled(self, question: str, history) -> ReplyPiece:  # type: ignore[no-untyped-def]
        return ReplyPiece("Nothing beats the north shore.", ReplySource(ReplyKind.MEMORY, 0.9, self.settles_with))


def test_excluding_view_never_settles_with_a_held_out_message():
    assert exclude(SettlingSource(settles_with="x"), ["x"]).settled("Where do you fish?", ()) is None
    kept = exclude(SettlingSource(settles_with="y"), ["x"]).settled("Where do you fish?", ())
    assert kept is not None and kept.source.message_id == "y"


def test_fact_words_are_names_and_numbers_not_sentence_starts():
    assert _fact_words("Yes, I met Ruth in 1962 at Quillan Falls.") == {"ruth", "1962", "quillan", "falls"}
    assert _fact_words("Well kiddo, that was a long time ago.") == set()


@pytest.mark.parametrize(("cores", "threads"), [(1, 1), (2, 2), (4, 3), (8, 4)])
def test_threads_right_sized(cores, threads):
    assert auto_threads(cores) == threads


def test_question_about_something_no_memory_names_is_not_remembered(tiny_dir):
    source = ScriptedSource([memory("The ocean trip for our anniversary was the best.", 0.6)])
    persona = engine(tiny_dir, source)
    assert reply_of(persona, "What did you think of your trip to Japan?") in source.fallback_replies
    assert last_source(persona).kind == "fallback"


def test_persona_show_note_for_a_chinese_persona_with_an_english_only_model(tiny_dir):
    from dataclasses import replace

    from companion.config import Settings
    from companion.persona.lm.loader import language_model_note

    settings = Settings()
    settings = replace(settings, paths=replace(settings.paths, models_dir=str(tiny_dir.parent)),
                       persona=replace(settings.persona, lm_model=tiny_dir.name))
    assert "English-only" in language_model_note(settings, "zh")
    assert language_model_note(settings, "en") is None


@dataclass
class AnsweringSource(ScriptedSource):
    """A source whose retrieval engine chose an answer (answerability-checked, follow-up resolved)."""

    chosen: str = ""

    def answer(self, question: str, history) -> ReplyPiece:  # type: ignore[no-untyped-def]
        return piece(self.chosen, ReplyKind.MEMORY, score=0.5, message_id="truck-age")


def test_when_nothing_generated_survives_the_retrieval_engines_answer_is_said(tiny_dir):
    """"How old is it?" after the truck: the raw words find the person's own age first; the retrieval
    engine resolved "it" and chose the truck's age. When the fact guard drops the generated words
    (no "Heron Point" in either memory), its answer is said, not the raw search's top hit."""
    own_age = memory("Seventy-seven this August, kiddo.", 0.66, id="age")
    truck = "Old Blue is a nineteen seventy-eight pickup."
    source = AnsweringSource([own_age], chosen=truck)
    persona = engine(tiny_dir, source)
    assert reply_of(persona, "How old is it?") == truck
    assert last_source(persona).message_id == "truck-age"
