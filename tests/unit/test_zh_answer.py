"""The Chinese answer route (persona/zh_answer.py): a question matched to a reply's own words."""

from __future__ import annotations

import numpy as np
import pytest
from companion.ethics.crisis_cues import asks_their_pastime
from companion.persona.lexical import LexicalSignal
from companion.persona.zh_answer import (
    LEAD_CAP,
    SMALL_BAR,
    AnswerRoute,
    RouteBar,
    answer_like,
    asked_words,
    best_reply,
    calibrate_route,
    content_words,
    holds_zh,
    route_score,
    route_scores,
    wants_zh,
)
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(("question", "wants"), [
    ("奶奶，谁是你最好的朋友？", "name"), ("你们学校的校长叫什么？", "name"), ("你出生是在哪一年？", "time"),
    ("你学会用手机是几时的事？", "time"), ("你生日在几月几号？", "time"), ("孩子一共有几个？", "number"),
    ("你工资多少？", "number"), ("你老家在哪儿？", "place"), ("你最想去啥地方玩？", "place"),
    ("你怕啥？", None), ("你会包饺子吗？", None),
])
def test_the_question_word_says_what_kind_of_answer_is_wanted(question: str, wants: str | None) -> None:
    assert wants_zh(question) == wants


@pytest.mark.parametrize(("wants", "reply", "holds"), [
    ("number", "三个，你大舅、你妈，还有你小姨。", True), ("number", "没有，我不爱出门。", False),
    ("time", "我是1941年生的，属蛇。", True), ("time", "我生日是农历三月十五。", True), ("time", "我就爱看越剧。", False),
    ("name", "老校长叫孙德明，是个老八路。", True), ("name", "我最爱看《平凡的世界》。", True),
    ("name", "都挺好的，你别操心。", False), ("place", "老家在山东烟台牟平，离海边就二里地。", True),
    ("place", "做人要实在，有空多给你爸妈打电话。", False), (None, "随便什么话", True),
])
def test_a_reply_holds_the_kind_of_answer_or_not(wants: str | None, reply: str, holds: bool) -> None:
    assert holds_zh(wants, reply) is holds


def test_a_question_shares_its_topic_words_not_its_frame() -> None:
    assert asked_words("你学过法语吗？") == {"法语"}  # 学过 (have you ever learnt) is the frame
    assert "#花" in asked_words("奶奶，你最喜欢什么花？")  # a one-character word matches inside 栀子花
    assert "#花" in content_words("我最喜欢栀子花")
    assert not asked_words("你学过法语吗？") & content_words("上师范的时候学过两年俄语")


def test_the_closest_reply_in_kind_is_taken_and_one_not_in_kind_is_passed_over() -> None:
    texts = ["我就爱看越剧。", "我是1941年生的。", "今天下雨了。"]
    by_text = np.array([0.7, 0.5, 0.1], dtype=np.float32)
    index, score, lead = best_reply(by_text, texts, "time")  # type: ignore[misc]
    assert (index, score) == (1, pytest.approx(0.5)) and lead == pytest.approx(-0.2)
    words = [content_words(t) for t in texts]
    assert best_reply(by_text, texts, None, asked=asked_words("你爱看什么戏？"), words=words.__getitem__)[0] == 0  # type: ignore[index]
    assert best_reply(by_text, texts, None, asked=asked_words("你学过法语吗？"), words=words.__getitem__) is None
    assert best_reply(by_text, texts, "time", np.array([True, False, True])) is None


def test_greetings_and_replies_that_ask_back_are_not_answers() -> None:
    texts = ["早上好，吃早饭了吗？", "我最喜欢栀子花。", "晚安，早点睡。"]
    assert answer_like(texts, np.array([-1, -1, 3])).tolist() == [False, True, False]


def test_a_reply_whose_question_is_unknown_gets_the_lower_bar() -> None:
    texts = ["我是1941年生的。", "我1960年在厂里上班。"]
    route = AnswerRoute(RouteBar(bar=0.6, unknown=0.4), np.array([True, True]), np.array([True, False]),
                        lambda i: content_words(texts[i]))
    assert route.choose("你哪年出生的？", np.array([0.5, 0.3]), texts) == (0, pytest.approx(0.5))
    assert route.choose("你哪年出生的？", np.array([0.3, 0.44]), texts) is None  # known question: 0.44 + 0.14 < 0.6
    assert route.choose("你哪年出生的？", np.array([0.2, 0.1]), texts) is None  # 0.2 + 0.1 < 0.4


def test_a_reply_that_stands_out_from_the_others_needs_less_score_than_one_with_a_close_rival() -> None:
    texts = ["我1960年在厂里上班。", "我是1941年生的。", "1958年我去过北京。"]
    route = AnswerRoute(RouteBar(bar=0.6, unknown=0.6), np.ones(3, dtype=bool), np.zeros(3, dtype=bool),
                        lambda i: content_words(texts[i]))
    assert route.choose("你哪年出生的？", np.array([0.1, 0.5, 0.3]), texts) == (1, pytest.approx(0.5))  # 0.5 + 0.15
    assert route.choose("你哪年出生的？", np.array([0.1, 0.5, 0.45]), texts) is None  # 0.5 + 0.05 < 0.6
    assert route_score(0.5, 0.4) == pytest.approx(0.5 + LEAD_CAP) and route_score(0.5, -0.1) == pytest.approx(0.4)


def _persona(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str | None], list[str]]:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(2 * n, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    contexts: list[str | None] = [f"你第{i}年去过什么地方？" for i in range(n)]
    texts = [f"我第{i}年去过杭州。" for i in range(n)]
    return vectors, np.arange(n, dtype=np.int32), np.arange(n, 2 * n, dtype=np.int32), contexts, texts


def test_a_persona_with_few_stored_questions_gets_the_small_bar() -> None:
    matrix, context_rows, text_rows, contexts, texts = _persona(4)
    bars = calibrate_route(matrix, context_rows, text_rows, contexts, texts, LexicalSignal(contexts, texts), 0.3)
    assert bars == RouteBar(SMALL_BAR, SMALL_BAR)


def test_the_bars_come_from_the_persona_s_own_non_answers() -> None:
    matrix, context_rows, text_rows, contexts, texts = _persona(30)
    signal = LexicalSignal(contexts, texts)
    scores = route_scores(matrix, context_rows, text_rows, contexts, texts, signal, 0.3)
    assert len(scores) == 30
    bars = calibrate_route(matrix, context_rows, text_rows, contexts, texts, signal, 0.3)
    assert bars.samples == 30 and bars.unknown == bars.bar  # every reply's question is known here
    unknown = context_rows.copy()
    unknown[:5] = -1  # five replies whose question is unknown: the best of fewer non-answers is lower
    fewer = calibrate_route(matrix, unknown, text_rows, contexts, texts, signal, 0.3)
    assert fewer.unknown <= fewer.bar


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=30))
def test_any_text_gets_a_kind_or_none_and_never_fails(text: str) -> None:
    assert wants_zh(text) in (None, "name", "time", "place", "number")
    assert holds_zh(wants_zh(text), text) in (True, False)


def test_a_question_about_their_pastimes_is_no_reunion_talk() -> None:
    assert asks_their_pastime("我想知道，你最想去啥地方玩？")
    assert not asks_their_pastime("我想去你在的地方。")
    assert not asks_their_pastime("你想不想我去陪你玩？")
    assert not asks_their_pastime("你想去天上玩吗？")


def test_a_spoken_lead_in_is_dropped_like_the_address() -> None:
    from companion.persona.zh_text import strip_address

    assert strip_address("我想知道，你怕啥？") == "你怕啥？"
    assert strip_address("奶奶，跟我讲讲，你睡眠好不好？") == "你睡眠好不好？"
    assert strip_address("问你个事儿，你爱看啥书？") == "你爱看啥书？"
    assert strip_address("我想知道。") == "我想知道。"  # nothing else is left: unchanged
    assert strip_address("告诉你个好消息，我要办婚礼了") == "告诉你个好消息，我要办婚礼了"


def test_a_stored_question_about_another_thing_does_not_speak_to_the_question() -> None:
    texts = ["养过，最多的时候养了八只母鸡。", "养过一条大黄狗叫旺财。"]
    route = AnswerRoute(RouteBar(bar=0.6, unknown=0.4), np.array([True, True]), np.array([False, True]),
                        lambda i: content_words(texts[i]))
    assert not route.speaks_to("狗你有没有养过？", "你养过鸡吗？", 0)
    assert route.speaks_to("狗你有没有养过？", None, 1)
    assert route.speaks_to("你养过鸡吗？", "你养过鸡吗？", 0)


def test_a_wish_is_not_answered_by_what_was_done() -> None:
    texts = ["去过杭州、苏州和桂林。"]
    route = AnswerRoute(RouteBar(bar=0.6, unknown=0.4), np.array([True]), np.array([False]),
                        lambda i: content_words(texts[i]))
    assert route.clashes("我想知道，你最想去啥地方玩？", "姥姥你去过哪些地方旅游？")
    assert route.clashes("你去过哪些地方？", "你最想去哪儿？")
    assert not route.clashes("你去过什么地方？", "姥姥你去过哪些地方旅游？")
    assert not route.clashes("你最想去啥地方玩？", "你喜欢哪儿？")  # asks neither: no clash
    assert not route.clashes("你最想去啥地方玩？", None)


def test_the_usual_route_s_choice_is_kept_declined_or_replaced() -> None:
    from companion.persona.choose import Choice

    texts = ["养过，最多的时候养了八只母鸡。", "养过一条大黄狗叫旺财。", "去过杭州、苏州和桂林。"]
    route = AnswerRoute(RouteBar(bar=0.6, unknown=0.4), np.array([True, True, True]), np.array([False, True, False]),
                        lambda i: content_words(texts[i]))
    by_text = np.array([0.3, 0.5, 0.1], dtype=np.float32)
    hen = Choice(0, 0.85, "answer")
    # a close stored question about another thing gives way to the reply that speaks to the question
    assert route.revise("狗你有没有养过？", hen, "你养过鸡吗？", 0.95, by_text, texts) == Choice(1, pytest.approx(0.5), "answer-text")
    # ... but not to nothing: kept when no reply clears its bar
    assert route.revise("狗你有没有养过？", hen, "你养过鸡吗？", 0.95, by_text * 0.5, texts) == hen
    # a stored question that speaks to it is kept, and so is one above the high bar
    assert route.revise("你养过鸡吗？", hen, "你养过鸡吗？", 0.95, by_text, texts) == hen
    assert route.revise("狗你有没有养过？", hen, "你养过鸡吗？", 0.80, by_text, texts) == hen
    # a wish is never answered by what was done
    trips = Choice(2, 0.9, "answer")
    assert route.revise("你最想去啥地方玩？", trips, "你去过哪些地方旅游？", 0.95, by_text * 0, texts).index is None
    # nothing found by the usual route: the answer route's reply
    assert route.revise("狗你有没有养过？", Choice(None, 0.3, "decline"), None, 0.95, by_text, texts).index == 1
