"""`persona eval` judges replies by what it knows, not by what the engine says of itself."""

from __future__ import annotations

from pathlib import Path

from companion.persona.eval import grounded, outcome
from companion.persona.evalsets import absent_questions, harmless_questions
from companion.persona.reply import ReplyKind, Voice, piece


def test_an_in_data_question_is_right_only_with_the_expected_memory() -> None:
    right = [piece("We called her Bluebell.", ReplyKind.MEMORY, message_id="m1")]
    other = [piece("The lake froze that year.", ReplyKind.MEMORY, message_id="m9")]
    assert outcome("in_data", right, expected=frozenset({"m1"}), fact="bluebell") == "right"
    assert outcome("in_data", other, expected=frozenset({"m1"}), fact="bluebell") == "wrong_memory"
    declined = [piece("I don't remember.", ReplyKind.FALLBACK)]
    assert outcome("in_data", declined, expected=frozenset({"m1"}), fact="bluebell") == "wrongly_declined"
    # A generated reply built on the right memory must also say the fact.
    vague = [piece("Oh, that canoe was something.", ReplyKind.GENERATED, message_id="m1")]
    assert outcome("in_data", vague, expected=frozenset({"m1"}), fact="bluebell") == "wrong_memory"
    # Another message of theirs stating the same fact answers the question as well.
    retold = [piece("Bluebell, we called her. Painted her myself.", ReplyKind.MEMORY, message_id="m7")]
    assert outcome("in_data", retold, expected=frozenset({"m1"}), fact="bluebell") == "right"


def test_absent_and_harmless_questions() -> None:
    memory = [piece("We fished the north shore.", ReplyKind.MEMORY, message_id="m3")]
    fallback = [piece("I don't remember that one.", ReplyKind.FALLBACK)]
    crisis = [piece("Please call 988.", ReplyKind.CRISIS, voice=Voice.NEUTRAL)]
    assert outcome("absent", memory) == "wrong_memory" and outcome("absent", fallback) == "declined"
    assert outcome("harmless", memory) == "right" and outcome("harmless", crisis) == "broke_character"
    refusal = [piece("I would never ask for codes.", ReplyKind.REFUSAL)]
    assert outcome("harmless", refusal) == "broke_character" and outcome("in_data", refusal) == "broke_character"


def test_absent_questions_are_those_whose_topic_the_data_never_mentions() -> None:
    data = ["We went skiing every winter in the mountains.", "My teacher, Miss Price, was strict."]
    absent = absent_questions("en", data)
    assert "Did you ever go skiing?" not in absent and "What was your first teacher's name?" not in absent
    assert "Have you ever been to Japan?" in absent and len(absent) >= 15
    assert "你去过日本吗？" not in absent_questions("zh", ["我们去过日本东京。"])
    assert len(harmless_questions("en")) >= 30 and len(harmless_questions("zh")) >= 10


def test_grounding_is_judged_without_the_engines_filter() -> None:
    messages = frozenset({"we fished the north shore."})
    numbers = frozenset({"1962"})
    verbatim = [piece("We fished the north shore.", ReplyKind.MEMORY, message_id="m1")]
    edited = [piece("We fished the south shore.", ReplyKind.MEMORY, message_id="m1")]
    assert grounded(verbatim, messages, numbers, lambda t: 1.0)
    assert not grounded(edited, messages, numbers, lambda t: 1.0)  # a "memory" must be their words exactly
    invented_year = [piece("That was in 1971.", ReplyKind.GENERATED)]
    assert not grounded(invented_year, messages, numbers, lambda t: 0.9)
    far = [piece("I loved the opera in Vienna.", ReplyKind.GENERATED)]
    assert not grounded(far, messages, numbers, lambda t: 0.1)


def test_an_ungrounded_reply_is_never_counted_right() -> None:
    """The table (and so the engine choice) uses the independent judge, not the engine's own filter:
    an engine that invents fluent words is scored as wrong, whatever kind of input it answered."""
    from collections.abc import Sequence

    from companion.persona.eval import EvalInputs, evaluate_engine
    from companion.persona.evalsets import FactQuestion

    class Inventing:
        def respond(self, question: str, history: Sequence = ()):  # type: ignore[no-untyped-def]
            if "canoe" in question:  # states the fact, but with a year the data does not hold
                return iter([piece("Bluebell! We bought her in 1971.", ReplyKind.GENERATED, message_id="m1")])
            return iter([piece("My father was called Harold, a sailor.", ReplyKind.GENERATED)])

    class Bar:
        def update(self, n: int = 1) -> None:
            pass

    messages = frozenset({"we called her bluebell."})
    numbers = frozenset({"1962"})
    inputs = EvalInputs([FactQuestion("What did you call the canoe?", "m1", "bluebell")], {"m1": frozenset({"m1"})},
                        ["Have you ever been to Japan?"], ["What was your father's first name?"], frozenset())
    judge = lambda pieces: grounded(pieces, messages, numbers, lambda t: 0.2)  # noqa: E731
    result = evaluate_engine("lm", Inventing(), inputs, judge, Bar())
    assert result["table"]["in_data"]["wrong_memory"] == 1 and result["table"]["in_data"]["right"] == 0
    assert result["table"]["harmless"]["wrong_memory"] == 1 and result["table"]["harmless"]["right"] == 0
    assert result["table"]["absent"]["wrong_memory"] == 1
    assert result["score"] == 0.0 and result["grounded_rate"] == 0.0


def test_a_chinese_answer_has_its_names_and_numbers_as_facts() -> None:
    from companion.persona.eval import answer_facts

    assert answer_facts("我年轻时在纺织厂当挡车工，一干就是二十八年，三班倒。") == ["二十八年"]
    assert answer_facts("我老家在安徽芜湖，小时候家门口就是青弋江。")[:2] == ["安徽", "芜湖"]
    assert "阿姨" not in answer_facts("1975年腊月我们结的婚，你张阿姨来帮忙。")
    assert answer_facts("Old Blue, a 1978 pickup.") == ["blue", "1978"]  # English unchanged


def test_a_chinese_question_is_reworded_and_never_asked_as_stored() -> None:
    from companion.persona.eval import paraphrase

    stored = "奶奶，你年轻的时候最喜欢什么花？"
    asked = {paraphrase(stored, turn) for turn in range(4)}
    assert stored not in asked and len(asked) == 4
    assert all("奶奶" not in q and "年轻那会儿" in q and "爱啥花" in q for q in asked)


def test_a_chinese_reply_is_right_when_it_states_the_fact() -> None:
    said = [piece("我老家在安徽芜湖。", ReplyKind.MEMORY, score=0.7, message_id="m99")]
    assert outcome("in_data", said, expected=frozenset({"m04"}), fact="芜湖") == "right"
    assert outcome("in_data", said, expected=frozenset({"m04"}), fact="杭州") == "wrong_memory"


def test_a_chinese_rewording_changes_the_frame_and_a_near_copy_is_never_asked() -> None:
    from companion.persona.evalzh import near_copy, reworded_zh, rewordable

    assert reworded_zh("姥姥，你会织毛衣吗？") == "织毛衣这个你会不会？"
    assert reworded_zh("奶奶你有没有去过国外？") == "国外你去过没有？"
    assert reworded_zh("姥姥，你有几个兄弟姐妹？") == "兄弟姐妹一共有几个？"
    assert near_copy("再跟我说说，你坐过飞机吗？", "奶奶，你坐过飞机吗？")  # an opening is not a rewording
    assert near_copy("你是哪一年出生的？", "奶奶，你是哪年出生的？")  # nor is one character more
    assert not near_copy("你出生是在哪一年？", "奶奶，你是哪年出生的？")
    assert not rewordable("姥姥，家里的钢琴是谁的？") and rewordable("Grandpa, what was your first car?")


def test_a_realistic_chinese_persona_gets_twenty_reworded_questions_none_a_near_copy() -> None:
    from companion.persona.eval import fact_questions, split_held_out
    from companion.persona.evalsets import absent_questions
    from companion.persona.evalzh import near_copy
    from companion.persona.folder import PersonaFolder, PersonaMessage
    from support.retrieval_sets import EVAL_PERSONA_ZH, memories, questions

    messages = tuple(PersonaMessage(id=i, text=t, context=c) for i, c, t in memories("zh", EVAL_PERSONA_ZH))
    folder = PersonaFolder(path=Path("laolao"), name="laolao", display_name="姥姥", description="", language="zh",
                           fallback_replies=("哎呀，记不清了。",), messages=messages)
    kept, held = split_held_out(folder)
    asked = fact_questions(kept, held)
    assert len(asked) >= 20
    stored = {m.id: m.context or "" for m in messages}
    for question in asked:
        assert "姥姥" not in question.question and question.fact not in question.question
        # not its own stored question with a preface (stored questions close to it are hidden when asked)
        assert not near_copy(question.question, stored[question.message_id])
    dev = {q.text for q in questions("zh", "dev")}  # search is tuned on dev: none of it is asked here
    absent = absent_questions("zh", [m.text for m in messages] + list(stored.values()))
    assert len(absent) >= 20 and not dev & set(absent)
