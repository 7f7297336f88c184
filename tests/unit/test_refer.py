"""References to the last turns: topics kept by the conversation, pronouns resolved against them
(English and Chinese), and when the memory just spoken answers a follow-up (pure functions)."""

from __future__ import annotations

import pytest
from companion.persona.base import Exchange
from companion.persona.conversation import ConversationMemory, hear, last_answering, recall
from companion.persona.refer import Topic, answered_by_last, gist, name_in_reply, resolve, topic_of
from companion.persona.reply import ReplyKind, ReplySource
from companion.persona.understand import understand
from hypothesis import given, settings
from hypothesis import strategies as st


def memory(message_id: str) -> ReplySource:
    return ReplySource(ReplyKind.MEMORY, 0.8, message_id)


def test_a_pronoun_takes_the_latest_topic_of_its_class() -> None:
    topics = [Topic("Scarborough"), Topic("Grandad")]
    assert resolve("How often did you go there?", topics)[1] == "How often did you go to Scarborough?"
    assert resolve("What was his job?", topics)[1] == "What was Grandad's job?"
    # "she" is not grandad; "it" is not a family member
    assert resolve("Did she like it?", [Topic("your cardigan"), Topic("your dad"), Topic("grandma")])[1] == (
        "Did grandma like your cardigan?")
    assert resolve("Does he sleep on your bed?", [Topic("your dog", "Biscuit"), Topic("grandma")])[1] == (
        "Does your dog Biscuit sleep on your bed?")


def test_existential_there_and_a_line_with_its_own_topic_are_not_references() -> None:
    assert resolve("Was there a fire?", [Topic("the barn")])[0] is False
    assert resolve("What was your first car?", [Topic("your truck")], own_topic="your first car")[0] is False
    # a place or a person can still be pointed at beside a topic of the line's own
    follow, resolved, used = resolve("Did Grandad drive there?", [Topic("Whitby")], own_topic="Grandad")
    assert follow and resolved == "Did Grandad drive to Whitby?" and used == (Topic("Whitby"),)


def test_elliptical_questions_are_about_the_latest_topic() -> None:
    assert resolve("And where did you stay?", [Topic("your honeymoon")])[1] == "And where did you stay your honeymoon?"
    assert understand("And where did you stay?", "your honeymoon").wants == "place"
    assert not understand("Where did you grow up?", "your truck").follow_up


@pytest.mark.parametrize("line, topics, resolved", [
    ("它活了多少年？", [Topic("小动物")], "小动物活了多少年？"),
    ("他是什么时候走的？", [Topic("毛衣"), Topic("爷爷")], "爷爷是什么时候走的？"),
    ("那里夏天好玩吗？", [Topic("老家")], "老家夏天好玩吗？"),
    ("那后来呢？", [Topic("毛衣")], "毛衣 那后来呢？"),
])
def test_chinese_pronouns_and_ellipsis_resolve(line: str, topics: list[Topic], resolved: str) -> None:
    follow, text, _ = resolve(line, topics)
    assert follow and text == resolved


def test_topics_of_lines_and_replies() -> None:
    assert topic_of("Tell me about your truck.") == "your truck"
    assert topic_of("Nana, what was your first job?") == "your first job"
    assert topic_of("奶奶，说说你的老家吧") == "老家"
    assert topic_of("And where did you stay?") is None  # a question, not "and <noun phrase>"
    assert gist("Did you have any pets?") == "pets"
    assert gist("奶奶，你养过什么小动物吗？") == "养小动物"
    assert name_in_reply("Biscuit is a beagle mix with one ear that flips.", "your dog") == "Biscuit"
    assert name_in_reply("We had a ginger cat called Marmalade who lived to nineteen.", "pets") == "Marmalade"
    assert name_in_reply("I saw Dusty at the Odeon in Leeds.", "music") is None  # several names: none is it


def test_the_conversation_keeps_the_topics_of_the_last_turns() -> None:
    history = [Exchange("Tell me about Whitby", "We went every August.", memory("w")),
               Exchange("Did Grandad come too?", "He drove.", memory("d")),
               Exchange("Hello!", "Hello, love.")]
    assert recall(history[:2]).topics == (Topic("Whitby"), Topic("Grandad"))
    assert recall(history[:2]).topic == "Grandad"
    assert hear("How often did you go there?", recall(history[:2])).resolved == "How often did you go to Whitby?"
    assert recall(history).topics == ()  # a greeting starts afresh
    pets = [Exchange("Did you have any pets?", "We had a ginger cat called Marmalade.", memory("cat"))]
    heard = hear("How long did she live?", recall(pets))
    assert heard.follow_up and "Marmalade" in heard.resolved


def test_the_memory_just_spoken_answers_a_detail_it_holds() -> None:
    reply = "Twenty-four. She came three weeks early in the middle of a snowstorm."
    assert answered_by_last("Was she born early?", None, reply)
    assert answered_by_last("How long did it take?", "number", "Took me two winters.")
    assert answered_by_last("What colour was it?", "colour", "Green, rusty, and the heater only worked in summer.")
    assert answered_by_last("When do you make it?", "time", "Parkin, every Bonfire Night.")
    assert not answered_by_last("What colour was it?", "colour", "I bought it for two hundred dollars.")
    assert not answered_by_last("Did she like fishing?", None, "She ran the library for thirty years.")
    assert not answered_by_last("Did she like it?", None, reply)  # nothing of its own to check
    assert answered_by_last("它活了多少年？", "number", "以前养过一只黄猫叫咪咪，活了十六年才走。")
    assert not answered_by_last("它是什么颜色的？", "colour", "我最怕打雷。")


def test_the_last_memory_is_used_only_for_the_last_turns_topic() -> None:
    texts = ["Whitby every August.", "He drove the number 12 bus every day."]
    position = {"w": 0, "bus": 1}
    history = [Exchange("Tell me about Whitby", texts[0], memory("w")),
               Exchange("What was Grandad's job?", texts[1], memory("bus"))]
    heard = hear("How often did you go there?", recall(history))
    assert heard.resolved.endswith("Whitby?")
    assert last_answering(heard, recall(history), position, texts) is None  # "there" is Whitby, not the bus
    mine = hear("How long did he do it?", recall(history))
    assert last_answering(mine, recall(history), position, texts) == 1
    assert last_answering(understand("How old is it?"), ConversationMemory(), position, texts) is None


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120), st.lists(st.text(min_size=1, max_size=20), max_size=4), st.text(max_size=200))
def test_resolution_never_fails_on_any_text(line: str, phrases: list[str], reply: str) -> None:
    topics = [Topic(p) for p in phrases if p.strip()]
    follow, text, used = resolve(line, topics)
    assert isinstance(text, str) and (follow or text == line) and set(used) <= set(topics)
    assert isinstance(answered_by_last(line, "number", reply), bool)
    name_in_reply(reply, phrases[0] if phrases else "x")


def test_chinese_greetings_and_the_listeners_words_are_answered_in_chinese() -> None:
    from companion.persona.conversation import kind_lines, reflect
    from companion.persona.understand import Intent

    assert understand("奶奶好！").intent is Intent.GREETING
    assert understand("早上好，奶奶").intent is Intent.GREETING
    assert understand("奶奶好，最近怎么样？").intent is Intent.GREETING
    assert understand("奶奶好看吗？").intent is not Intent.GREETING  # "is grandma pretty?" only starts alike
    lines = kind_lines("zh", {"thanks": ("不客气，孩子。",)})
    assert lines["thanks"] == ("不客气，孩子。",) and lines["greeting"][0].startswith("哎")  # the card's own lines win
    assert kind_lines("en", None) is None  # English personas keep choose.py's defaults
    told = ConversationMemory(listener_name="小明", told=("我考上大学了",))
    assert reflect("我叫什么名字？", told, "") == "你是小明呀。"
    assert reflect("我刚才说了什么？", told, "") == "你跟我说过：你考上大学了。"
    assert reflect("What's my name?", told, "love") == "You're 小明, of course, love."
