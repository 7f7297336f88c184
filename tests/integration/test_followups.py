"""Follow-ups through the real retrieval engine (real embedders), over several turns: a pronoun or an
elliptical question is answered from the topic of the last turns, in English and in Chinese.

The history is what the pipeline keeps (each exchange with its reply record); the questions are
not stored questions of the personas."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.persona.base import Exchange
from companion.persona.reply import main_source, reply_text
from companion.persona.multilingual import SharedMultilingual
from companion.persona.retrieval import RetrievalPersona, load_retrieval_persona
from support.retrieval_sets import write_persona

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("followup-cache")


def talk(engine, lines: list[str]) -> list[str | None]:
    """Say the lines in order with the growing history; the message id of each reply."""
    history: list[Exchange] = []
    ids = []
    for line in lines:
        pieces = list(engine.respond(line, list(history)))
        source = main_source(pieces)
        history.append(Exchange(line, reply_text(pieces), source))
        ids.append(source.message_id if source else None)
    return ids


def test_a_pronoun_takes_the_topic_of_its_kind_from_the_last_turns(walter: RetrievalPersona) -> None:
    # "he" is the dog (named Biscuit in the first reply), not grandma, though she was talked about last
    assert talk(walter, ["Tell me about your dog.", "What did grandma do for work?", "Does he sleep in your bed?"]) == [
        "dog-01", "grandma-11", "dog-12"]
    # a detail the memory just spoken holds is answered with it
    assert talk(walter, ["What was your first car?", "What colour was it?"]) == ["cars-01", "cars-01"]


def test_chinese_follow_ups_resolve(cache: Path, tmp_path: Path, models_dir: Path,
                                   shared_multilingual: SharedMultilingual) -> None:
    engine = load_retrieval_persona(write_persona("zh", tmp_path / "zh"), models_dir, cache, multilingual=shared_multilingual)
    assert talk(engine, ["奶奶，你和爷爷是怎么认识的？", "他是什么时候走的？"]) == ["m02", "m19"]
    assert talk(engine, ["奶奶，你养过什么小动物吗？", "它活了多少年？"]) == ["m15", "m15"]
