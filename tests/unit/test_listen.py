"""Understanding what was said, answerability, and the memory of the conversation (pure functions)."""

from __future__ import annotations

import numpy as np
import pytest
from companion.persona.answerable import (
    Bars,
    WordWeights,
    answers,
    calibrate,
    holds_wanted,
    proper_nouns,
)
from companion.persona.base import Exchange
from companion.persona.choose import KINDS, Catalogue, StemCache, answering, by_kind
from companion.persona.conversation import (
    ConversationMemory,
    address_of,
    recall,
    reflect,
    second_person,
)
from companion.persona.reply import ReplyKind, ReplySource
from companion.persona.understand import (
    Intent,
    focus_words,
    is_typical,
    reply_kind,
    resolve_reference,
    understand,
)
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize("text, intent", [
    ("What was your first car?", Intent.LIFE_QUESTION),
    ("Tell me about the lake house.", Intent.LIFE_QUESTION),
    ("Did you ever go to sea?", Intent.LIFE_QUESTION),
    ("What's my name?", Intent.LISTENER_QUESTION),
    ("What did I just tell you?", Intent.LISTENER_QUESTION),
    ("I got the job!", Intent.NEWS),
    ("Guess what, we're having a baby", Intent.NEWS),
    ("I passed my exams this morning!", Intent.NEWS),
    ("I lost my job today.", Intent.FEELING),
    ("I miss you so much", Intent.FEELING),
    ("My cat died this morning", Intent.FEELING),
    ("Hello there!", Intent.GREETING),
    ("Good morning, Nana", Intent.GREETING),
    ("Goodnight, love you", Intent.FAREWELL),
    ("Bye for now, speak soon", Intent.FAREWELL),
    ("Thank you so much for the scarf", Intent.THANKS),
    ("My name is Lucy.", Intent.INTRODUCTION),
    ("Hi, it's Omar here.", Intent.INTRODUCTION),
    ("The garden looks lovely today", Intent.STATEMENT),
])
def test_lines_are_told_apart_by_kind(text: str, intent: Intent) -> None:
    assert understand(text).intent is intent


def test_a_feeling_word_is_not_a_name_and_sadness_is_not_news() -> None:
    assert understand("I'm sad today").intent is Intent.FEELING
    assert understand("I'm sad today").listener_name is None
    assert understand("I'm Priya by the way").listener_name == "Priya"


@pytest.mark.parametrize("first, follow, resolved", [
    ("Tell me about your truck.", "How old is it?", "How old is your truck?"),
    ("How did you meet grandma?", "When did you marry her?", "When did you marry grandma?"),
    ("What was your dad like?", "Did he fight in the war?", "Did your dad fight in the war?"),
    ("Tell me about Whitby", "How often did you go there?", "How often did you go to Whitby?"),
])
def test_follow_ups_resolve_to_the_last_topic(first: str, follow: str, resolved: str) -> None:
    heard = understand(follow, understand(first).topic)
    assert heard.follow_up and heard.resolved == resolved


def test_a_question_with_its_own_topic_is_not_a_follow_up() -> None:
    assert resolve_reference("What was your first car?", "your truck", own_topic="your first car") == (
        False, "What was your first car?")
    assert not understand("Where did you grow up?", "your truck").follow_up


def test_questions_say_what_kind_of_answer_they_want() -> None:
    assert understand("What was your teacher's name?").wants == "name"
    assert understand("How many brothers did you have?").wants == "number"
    assert understand("When did you retire?").wants == "time"
    assert understand("Where did you grow up?").wants == "place"
    assert focus_words("What was your favourite fishing spot, grandpa?") == "fishing spot"


def test_the_persons_messages_are_classified_by_what_they_answered() -> None:
    assert reply_kind("I got into college!", "So proud of you.") is Intent.NEWS
    assert reply_kind("I miss him", "I know, love.") is Intent.FEELING
    assert reply_kind("Night night", "Sleep tight.") is Intent.FAREWELL
    assert reply_kind(None, "Congratulations, love! Well done.") is Intent.NEWS
    assert reply_kind("Thanks Nana", "You're welcome.") is Intent.THANKS
    assert reply_kind("I got the job at the hospital", "Congratulations, love!") is Intent.NEWS  # words settle it
    assert reply_kind("I passed but I'm worried", "Oh love, I'm sorry you're worried.") is Intent.FEELING
    # An answer to a question is an answer, whatever its tone.
    assert reply_kind("Did you sleep well?", "Good night's sleep, thanks.") is None
    assert reply_kind("Where did you grow up?", "Mill Lane.") is None
    assert is_typical(Intent.NEWS, "Congratulations! Now the tomatoes need water.")
    assert not is_typical(Intent.NEWS, "Did you hold it up for a picture?")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.one_of(st.none(), st.text(max_size=40)))
def test_understanding_never_fails_on_any_text(text: str, topic: str | None) -> None:
    heard = understand(text, topic)
    assert isinstance(heard.intent, Intent)
    assert reply_kind(text, text) is None or isinstance(reply_kind(text, text), Intent)


# -- the conversation ----------------------------------------------------------------------------

def test_the_conversation_is_recalled_from_the_history_value() -> None:
    history = [Exchange("Hi!", "Hello, love."), Exchange("My name is Lucy.", "Hello, love."),
               Exchange("I got a new puppy yesterday!", "Congratulations!"),
               Exchange("Tell me about your truck.", "Old Blue.", ReplySource(ReplyKind.MEMORY, 0.9, "cars-02"))]
    memory = recall(history)
    assert memory.listener_name == "Lucy"
    assert memory.told[-1] == "I got a new puppy yesterday!"
    assert memory.topic == "your truck" and memory.last_message_id == "cars-02"
    assert recall([]) == ConversationMemory()


def test_reflection_says_back_only_what_the_listener_said() -> None:
    memory = ConversationMemory(listener_name="Lucy", told=("I got a new puppy yesterday!",))
    assert reflect("What's my name?", memory, "kiddo") == "You're Lucy, of course, kiddo."
    assert reflect("What did I just tell you?", memory, "") == "You told me you got a new puppy yesterday."
    assert reflect("What's my name?", ConversationMemory(), "love") is None  # never a guess
    assert second_person("I'm tired and my back hurts") == "you're tired and your back hurts"


def test_the_way_of_address_is_found_in_the_persons_messages() -> None:
    assert address_of(["Thank you, kiddo.", "Well, kiddo, that's life.", "Sure, why not."]) == "kiddo"
    assert address_of(["Oh love, don't worry.", "Come round, love!"]) == "love"
    assert address_of(["Yes.", "No, thanks."]) == ""


# -- answerability -------------------------------------------------------------------------------

def test_word_forms_share_a_stem() -> None:
    from companion.persona.understand import stem

    for a, b in (("drive", "driving"), ("fish", "fishing"), ("marry", "married"), ("stop", "stopped"), ("lake", "lakes")):
        assert stem(a) == stem(b), (a, b)


def test_rare_words_weigh_most_and_unseen_ones_most_of_all() -> None:
    weights = WordWeights(["the pond was calm", "the pond at dawn", "a walleye from the pond", "my truck"])
    assert weights.weight("japan") > weights.weight("truck") > weights.weight("pond")
    assert weights.coverage(["pond", "japan"], {"pond"}) < 0.5
    assert weights.coverage(["truck"], {"truck", "old"}) == 1.0
    assert weights.coverage([], set()) == 1.0


def test_the_wanted_kind_of_answer_must_be_there() -> None:
    names = proper_nouns(["We called him Biscuit, the old rascal.", "and then Biscuit ran off"])
    assert "Biscuit" in names
    assert holds_wanted("name", "Biscuit is a beagle mix.", names)
    assert not holds_wanted("name", "a beagle mix with one floppy ear.", names)
    assert holds_wanted("number", "At sixty-six.") and holds_wanted("time", "In the summer of 1961.")
    assert not holds_wanted("number", "Quite old, really.")


def test_the_decision_needs_a_close_paraphrase_or_similarity_with_the_questions_own_words() -> None:
    bars = Bars(high=0.8, low=0.5)
    assert answers(0.85, 0.0, False, bars)
    assert answers(0.6, 0.7, True, bars)
    assert not answers(0.6, 0.2, True, bars)
    assert not answers(0.6, 0.9, False, bars)
    assert not answers(0.45, 1.0, True, bars)


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_the_bars_come_from_the_personas_own_questions_with_their_answers_taken_out() -> None:
    rng = np.random.default_rng(1)
    n, dim = 60, 32
    topics = _unit(rng.normal(size=(6, dim)))
    contexts = _unit(topics[np.arange(n) % 6] + 0.6 * rng.normal(size=(n, dim)))
    texts = _unit(contexts + 0.8 * rng.normal(size=(n, dim)))
    matrix = np.concatenate([contexts, texts])
    bars = calibrate(matrix, np.arange(n, dtype=np.int32), np.arange(n, 2 * n, dtype=np.int32), 0.9)
    assert bars.samples == n and 0.45 <= bars.low <= bars.high <= 0.92
    again = calibrate(matrix, np.arange(n, dtype=np.int32), np.arange(n, 2 * n, dtype=np.int32), 0.9)
    assert again == bars  # deterministic
    too_few = calibrate(matrix[:4], np.array([0, 1], dtype=np.int32), np.array([2, 3], dtype=np.int32), 0.9)
    assert too_few.samples == 0


def _catalogue(kinds: list[int], stems: list[set[str]], typical: list[bool] | None = None) -> Catalogue:
    return Catalogue(kinds=np.array(kinds, dtype=np.int8), typical=np.array(typical or [False] * len(kinds)),
                     stems=StemCache([None] * len(stems), [" ".join(sorted(s)) for s in stems]),
                     weights=WordWeights(" ".join(s) for s in stems),
                     bars=Bars(high=0.8, low=0.5), address="love", kind_replies={})


def test_news_gets_a_message_of_its_kind_even_when_another_is_closer() -> None:
    news = KINDS.index("news")
    catalogue = _catalogue([-1, news, news], [{"job"}, {"fish"}, {"congratul"}], [False, False, True])
    texts = ["My first job was at the mill.", "Did you hold the fish up?", "Congratulations, love!"]
    choice = by_kind(understand("I got the job!"), np.array([0.9, 0.3, 0.25]), catalogue, set(), texts, 0)
    assert choice.index == 2 and choice.strategy == "news-message"
    feeling = by_kind(understand("I'm so sad"), np.array([0.9, 0.3, 0.25]), catalogue, set(), texts, 0)
    assert feeling.index is None and "sorry" in (feeling.line or "") and "love" in (feeling.line or "")


def test_news_of_an_occasion_they_never_answered_gets_their_least_occasion_bound_message() -> None:
    news = KINDS.index("news")
    catalogue = _catalogue([news, news, news], [{"goal"}, {"birthday"}, {"knew"}], [True, True, True])
    catalogue = Catalogue(**{**catalogue.__dict__, "occasion": np.array([0.6, 0.7, 0.2], dtype=np.float32)})
    texts = ["That's my girl! Was it a kick or a header?", "Happy birthday, love!", "I knew you would! Tell me everything."]
    heard = understand("We're getting married in June!")
    off = (np.array([0.3, 0.45, 0.2]), np.array([0.25, 0.3, 0.2]))  # nothing they answered was about a wedding
    assert by_kind(heard, np.maximum(*off), catalogue, set(), texts, 0, off).index == 2
    goal = understand("I scored a goal today!")
    on = (np.array([0.85, 0.3, 0.4]), np.array([0.5, 0.2, 0.3]))  # they did answer a goal: that message
    assert by_kind(goal, np.maximum(*on), catalogue, set(), texts, 0, on).index == 0


def test_a_goodbye_is_never_answered_with_another_time_of_day() -> None:
    from companion.persona.understand import clashes, time_of_day

    farewell, greeting = KINDS.index("farewell"), KINDS.index("greeting")
    texts = ["Good morning, love! The kettle's on.", "Night night, love. Sleep tight.", "Hello, love!"]
    catalogue = _catalogue([farewell, farewell, greeting], [{"morn"}, {"night"}, {"hello"}])
    bye = by_kind(understand("Goodnight, sleep well"), np.array([0.9, 0.5, 0.1]), catalogue, set(), texts, 0)
    assert bye.index == 1  # the closer "Good morning" names another time of day
    morning = by_kind(understand("Good morning!"), np.array([0.1, 0.9, 0.2]), _catalogue(
        [greeting, greeting, greeting], [{"morn"}, {"night"}, {"hello"}]), set(), texts, 0)
    assert morning.index == 2  # the closest, "Night night", is left out; a plain hello is fine
    assert time_of_day("Night night, love.") == "evening" and time_of_day("Hello there") is None
    assert time_of_day("奶奶晚安") == "evening" and clashes("evening", "早上好！吃了吗？")
    assert not clashes("morning", "Hello, love! Lovely morning.")  # only the first sentence's greeting counts


def test_a_question_no_memory_answers_is_declined() -> None:
    catalogue = _catalogue([-1, -1], [{"car", "first", "sedan"}, {"truck", "old", "blue"}])
    texts = ["A green sedan.", "Old Blue, a pickup."]
    declined = answering(understand("Did you ever own a motorcycle?"), np.array([0.62, 0.58]), catalogue, set(), texts)
    assert declined.index is None and declined.strategy == "decline"
    answered = answering(understand("What was your first car?"), np.array([0.66, 0.5]), catalogue, set(), texts)
    assert answered.index == 0
    near = np.array([False, True])
    follow = understand("How old is it?", "your truck")
    assert answering(follow, np.array([0.6, 0.55]), _catalogue([-1, -1], [{"car", "old"}, {"pickup", "old", "seventy"}]),
                     set(), ["Old enough.", "A seventy-eight pickup."], near).index == 1


def test_a_big_bundle_is_classified_from_a_spread_and_its_stems_are_worked_out_on_demand() -> None:
    from companion.persona.choose import _spread

    assert list(_spread(10, 20)) == list(range(10))
    spread = _spread(100_000, 8000)
    assert len(spread) <= 8000 and spread[0] == 0 and spread[-1] > 90_000
    cache = StemCache(["Where did you fish?", None], ["At the lake.", "Old Blue."])
    assert not cache._stems and cache[0] == {"fish", "lak"} and list(cache._stems) == [0]


def test_a_reply_that_answers_by_its_own_words_is_taken_when_what_was_asked_is_unknown() -> None:
    # Nothing was asked of the person that resembles the question (contexts hidden or absent): the
    # reply's own words decide, on the answer side's own bar, and a reply missing the question's
    # rare words needs more similarity than one speaking to them.
    catalogue = _catalogue([-1, -1], [{"car"}, {"truck"}])
    catalogue = Catalogue(**{**catalogue.__dict__, "bars": Bars(high=0.8, low=0.5, answer_low=0.55),
                             "stems": StemCache([None, None], ["My first car was a green sedan.", "Old Blue."])})
    heard = understand("What was your first car?")
    no_context = np.array([-1.0, -1.0])
    answered = answering(heard, no_context, catalogue, set(), ["My first car was a green sedan.", "Old Blue."],
                         by_text=np.array([0.45, 0.3]))
    assert answered.index == 0  # 0.45 + 0.2 x all of its rare words >= 0.55
    declined = answering(understand("Did you ever own a motorcycle?"), no_context, catalogue, set(),
                         ["My first car was a green sedan.", "Old Blue."], by_text=np.array([0.45, 0.3]))
    assert declined.index is None


def test_the_answer_side_bar_is_calibrated_with_the_words_too() -> None:
    rng = np.random.default_rng(2)
    n, dim = 40, 16
    contexts = _unit(rng.normal(size=(n, dim)))
    texts = _unit(contexts + 0.5 * rng.normal(size=(n, dim)))
    matrix = np.concatenate([contexts, texts])
    rows = (np.arange(n, dtype=np.int32), np.arange(n, 2 * n, dtype=np.int32))
    plain = calibrate(matrix, *rows, 0.9)
    worded = calibrate(matrix, *rows, 0.9, coverage=lambda question, reply: 1.0)
    assert worded.answer_low >= plain.answer_low and worded.samples == plain.samples == n


@pytest.mark.parametrize("line", ["I've been feeling really low lately.", "I have been feeling so lonely"])
def test_feelings_said_with_feeling_are_feelings(line: str) -> None:
    assert understand(line).intent is Intent.FEELING


def test_a_bare_detail_question_refers_to_the_topic_and_a_fresh_one_does_not() -> None:
    assert understand("Where did you stay?", "your honeymoon").follow_up
    assert understand("How much did it cost?", "your truck").follow_up
    assert not understand("Where did you grow up?", "your honeymoon").follow_up


def test_what_am_i_called_is_about_the_listener() -> None:
    heard = understand("Do you remember what I'm called?")
    assert heard.intent is Intent.LISTENER_QUESTION
    assert reflect(heard.text, ConversationMemory(listener_name="Ellie"), "love") == "You're Ellie, of course, love."
