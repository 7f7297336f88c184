"""Idioms and unseen names through the real engine (real MiniLM and word model): an idiom is
understood as its plain words, and a name the persona never wrote is not answered by a memory
that merely shares the question's frame ("Did you ever go to America?" -> "Did you ever go abroad?")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.persona.multilingual import SharedMultilingual
from companion.persona.retrieval import RetrievalPersona, load_retrieval_persona

pytestmark = pytest.mark.integration

NANA = [  # a small persona, the size of a short family chat export
    ("Nana, where did you grow up?", "In a little terraced house on Mill Lane in Hebden, love."),
    ("What was your first job?", "I was a telephonist at the exchange in Halifax when I was sixteen."),
    ("How did you meet Grandad?", "At the Palais dance hall in 1958. He trod on my toes twice."),
    ("When did you and Grandad get married?", "June the fourteenth, 1961, at St Thomas's. It rained all day."),
    ("Did you have any pets?", "We had a ginger cat called Marmalade who lived to nineteen."),
    ("What was Grandad's job?", "He drove the number 12 bus for thirty-one years."),
    ("Did you ever go abroad?", "Just the once, to Majorca in 1979. Grandad got so sunburnt he slept in the bath."),
    ("What was school like for you?", "Strict. Miss Pickles rapped our knuckles with a ruler."),
    ("Do you still knit?", "Every evening with the telly on. I'm halfway through a cardigan for the baby."),
    ("Where did you go on honeymoon?", "Scarborough, in a boarding house with a landlady who locked the door at ten."),
]


@pytest.fixture(scope="module")
def nana(tmp_path_factory: pytest.TempPathFactory, models_dir: Path,
         shared_multilingual: SharedMultilingual) -> RetrievalPersona:
    folder = tmp_path_factory.mktemp("nana")
    (folder / "persona.toml").write_text('name = "nana"\ndisplay_name = "Nana"\ndescription = "test"\nlanguage = "en"\n'
                                         'fallback_replies = ["Ooh, I can\'t remember that, love."]\n')
    with (folder / "messages.jsonl").open("w") as handle:
        for i, (asked, said) in enumerate(NANA):
            handle.write(json.dumps({"id": f"n{i:02d}", "context": asked, "text": said}) + "\n")
    return load_retrieval_persona(folder, models_dir, tmp_path_factory.mktemp("cache"),
                                  multilingual=shared_multilingual)


@pytest.mark.parametrize("question, expected", [
    ("How did you pop the question to Grandma?", "grandma-04"),
    ("What year did the two of you tie the knot?", "grandma-03"),
])
def test_an_idiom_is_understood_as_its_plain_words(walter: RetrievalPersona, question: str, expected: str) -> None:
    (reply,) = list(walter.respond(question))
    assert reply.kind.value == "memory" and reply.source.message_id == expected


def test_a_place_the_persona_never_names_is_declined_and_a_synonym_is_answered(nana: RetrievalPersona) -> None:
    if nana.catalogue.synonyms is None:
        pytest.skip("the word model is not installed (companion models install)")
    (america,) = list(nana.respond("Did you ever go to America?"))
    assert america.kind.value == "fallback"
    (abroad,) = list(nana.respond("Did you ever go on holiday overseas?"))
    assert abroad.kind.value == "memory" and abroad.source.message_id == "n06"
