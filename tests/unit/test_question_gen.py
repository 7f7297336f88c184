"""question_gen.py: the questions a reply answers, from its own words (pure string work)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from companion.persona.question_gen import MOST, base_form, questions, second_person


def test_a_wedding_line_gives_when_and_where_questions_in_the_listener_voice() -> None:
    found = questions("We got married in June 1962, in the little Lutheran church in Quillan.")
    assert found[0].startswith("you got married in June 1962")
    assert "When did you get married?" in found
    assert "Where did you get married?" in found


def test_numbers_and_names_give_their_questions() -> None:
    assert any(q.startswith("How many dollars") for q in questions("My brother sold me his Ford for forty dollars."))
    assert any(q.startswith("Who") and "Nils" not in q for q in questions("My uncle Nils taught me to fish."))


def test_the_person_and_the_listener_swap_places() -> None:
    assert second_person("I was born on a farm.") == "You were born on a farm."
    assert second_person("Your grandma made it for you.") == "My grandma made it for me."
    assert second_person("We met at a dance") == "You met at a dance"


def test_past_tense_verbs_have_their_base_form() -> None:
    assert [base_form(v) for v in ("got", "married", "stopped", "worked", "carried", "baked")] == [
        "get", "marry", "stop", "work", "carry", "bake"]


def test_nothing_to_ask_of_empty_or_wordless_text() -> None:
    assert questions("") == []
    assert questions("   ") == []
    assert questions("!!! ...") == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_bounded_list_of_questions_deterministically(text: str) -> None:
    found = questions(text)
    assert found == questions(text)
    assert len(found) <= MOST
    assert len(set(found)) == len(found)
    assert all(q.strip() and len(q) <= 400 for q in found)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from("I we my our was married in June 1962 the church at Heron Point forty dollars , . !".split()),
                max_size=40))
def test_sentences_of_reply_words_never_break_the_generator(words: list[str]) -> None:
    text = " ".join(words)
    found = questions(text)
    assert len(found) <= MOST
    assert all(q.endswith("?") for q in found[1:])
