"""The specific thing a question asks about must be what the memory is about (persona/specific.py)."""

from __future__ import annotations

import pytest

from companion.persona.answerable import asked_relatives, kin_stems, missing_relative, relatives, stems_of
from companion.persona.specific import THING_CLASSES, THINGS, class_table
from companion.persona.understand import understand


def _missing(question: str, memory: str) -> bool:
    heard = understand(question)
    asked = [*stems_of(heard.focus), *relatives(question)]
    return missing_relative(asked, frozenset(stems_of(memory)) | kin_stems(memory))


@pytest.mark.parametrize("question, memory", [
    ("Did you ever have a dog?", "Did you have any pets? We had a ginger cat called Marmalade."),
    ("Did Grandad serve in the army?", "What was Grandad's job? He drove the number 12 bus."),
    ("Did you ever learn to ride a bike?", "Did you ever learn to drive? No, never."),
    ("Did you ever play the piano?", "Did you play an instrument? The harmonica. Not well, but loud."),
    ("Did you ever serve in the navy?", "My dad served as an army mechanic overseas."),
    ("What was Grandad's favourite food?", "What was Grandad's job? He drove the bus."),
    ("What was your brother's job?", "How many brothers and sisters did you have? Three brothers and one sister."),
    ("Did you play tennis?", "Did you play sports? I was the catcher on the town baseball team."),
])
def test_a_near_topic_memory_about_another_specific_thing_does_not_answer(question: str, memory: str) -> None:
    assert _missing(question, memory)


@pytest.mark.parametrize("question, memory", [
    ("Did you have a cat when you were married?", "We had a ginger cat called Marmalade."),
    ("Did you have any pets?", "A farm dog named Tip, white with a black tip on his tail."),
    ("Did you have a puppy as a boy?", "What dog did you have as a kid? A farm dog named Tip."),
    ("Was your dad a soldier?", "My dad served as an army mechanic overseas when I was a baby."),
    ("What did Grandad do for work?", "What was Grandad's job? He drove the number 12 bus."),
    ("Did you ever fly in a plane?", "Just the once, we flew to Majorca in 1979."),
    ("Did you like football?", "Did you like watching soccer? Only on Sundays."),
    ("What did you have for your dinner?", "Fried perch and boiled potatoes."),  # no specific thing asked
])
def test_a_memory_naming_the_thing_in_its_own_words_still_answers(question: str, memory: str) -> None:
    assert not _missing(question, memory)


def test_no_line_lists_a_sibling_of_its_own_kind_as_the_same_thing() -> None:
    """A cat is not a dog, a violin not a piano: a key word's line never names another key word of
    a different line, except a general word's ("pets" is answered by any animal)."""
    general = {"pet", "food", "job"}
    for key, words in THINGS.items():
        if key in general:
            continue
        others = {k for k in THINGS if k not in words and k not in general}
        assert not (words & others), key


def test_the_table_is_built_from_both_parts_of_each_line() -> None:
    table = class_table(("dog dogs | hound",))
    assert table["dog"] == table["dog"] == frozenset({"dog", "hound"})
    assert "hound" not in table  # only the first part is asked about
    assert all("|" in line for line in THING_CLASSES)


def test_a_thing_called_by_its_name_is_held_to_the_name() -> None:
    """"Why did you call the dog Biscuit?" is answered by "Why did you name him Biscuit?"."""
    question = "Why did you call the dog Biscuit?"
    asked = asked_relatives([*stems_of(understand(question).focus)], question)
    assert not missing_relative(asked, frozenset(stems_of("Why did you name him Biscuit? He ate the biscuits.")))
    plain = "Why did you get a dog?"
    assert missing_relative(asked_relatives([*stems_of(understand(plain).focus)], plain), frozenset(stems_of("A cat.")))
    addressed = "Did Grandad serve in the army?"  # a way of address is not the army's name
    assert missing_relative(asked_relatives([*stems_of(understand(addressed).focus)], addressed),
                            frozenset(stems_of("What was Grandad's job? He drove the bus.")))
