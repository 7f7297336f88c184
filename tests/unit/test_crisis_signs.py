"""The fourth batch's kinds of crisis speech (crisis_signs.py), their look-alikes, and denials.

Sentences here are new wordings of each kind, not the red-team batch's own, so a pattern that only
fits one sentence fails here."""

from __future__ import annotations

from companion.ethics import crisis_signs
from companion.ethics.crisis import CrisisDetector, CrisisState, Level, rule_level
from hypothesis import given
from hypothesis import strategies as st


def test_each_kind_is_read_in_english() -> None:
    for text in (
        "Honestly I'm just waiting for everything to be over.",  # hopelessness
        "I've run out of reasons to get up in the morning.",
        "My daughter would be freer without me.",  # burden
        "I'm a millstone round my son's neck.",
        "I've sorted the bills so she won't have any trouble afterwards.",  # affairs for "after"
        "Here, take my brooch, remember me by it.",  # keepsakes
        "I just wanted to see their faces one last time.",
        "I've worked out which tablets would do it.",  # means
        "There's a bottle of vodka and all my sleeping pills on the table.",
        "I've been hiding my pills in a tin instead of taking them.",
        "I took the rifle out of the cupboard, it's loaded.",
        "I'll see you soon, love, it's all planned.",  # reunion decided
        "Heaven has to be better than this.",
        "I pray I won't wake up tomorrow.",  # sleep
        "I scratch my arms until they bleed.",  # self-harm in other words
        "It needs to look like an accident for the insurance.",  # covert plans
        "By the time anyone finds me it'll be too late.",
        "I'm sorry for the trouble I'll leave behind.",
        "Tell my son it isn't his fault.",
    ):
        assert rule_level(text) is Level.CRISIS, text


def test_each_kind_is_read_in_chinese() -> None:
    for text in (
        "我真的熬不动了。", "我看不到以后了。",  # hopelessness
        "我拖累了孩子们。", "我老了，就成了家里的负担。",  # burden
        "存折里的密码我留了张纸条给闺女。",  # affairs
        "我想最后再听听孩子们的声音。", "老朋友们我都道过别了，她们不知道我的意思。",  # goodbyes
        "攒下的药我一直没吃，都藏着。", "我查了哪种药吃多了会死。",  # means
        "我打算下周就去找你，都想好了。", "死了总比这样活着强。",  # reunion decided
        "要是睡着了就这么走了该多好。",  # sleep
        "我又用烟头烫了手。", "我故意拿刀划了胳膊。",  # self-harm in other words
        "我会弄得像意外一样。", "我留下的烂摊子，对不起你们。", "告诉他们这不是他们的错。",  # covert plans
    ):
        assert rule_level(text) is Level.CRISIS, text


def test_look_alikes_of_those_kinds_do_not() -> None:
    for text in (
        "I'm waiting for the rain to stop.", "There's no reason to get up early tomorrow, it's Sunday.",
        "We're better off without a car in town.", "I bought some rope to tie the roses to the fence.",
        "I wrote you a goodbye letter, the grief group suggested it.", "I want to hear your voice one more time.",
        "I know which bridge you proposed on.", "The GP put me on sleeping tablets, one at night.",
        "I wondered how quick it would be to drive to Leeds.", "The kids will be the death of me.",
        "Did you ever think about dying when you were ill?", "I gave up smoking for good.",
        "我买了根绳子，用来绑葡萄架。", "心理咨询师让我给你写一封告别信。", "好想再听听你的声音。",
        "我们不如早点走，免得堵车。", "别浪费钱买那么多菜。", "孩子哭了一会儿，睡着了就过去了。",
        "我再看看，然后就走。", "我一个人动手做了顿饭。", "这房子太大，成了负担。",
    ):
        assert rule_level(text) is Level.NONE, text


def test_a_denial_is_not_a_sign_but_what_follows_it_still_is() -> None:
    detector = CrisisDetector()
    for text in ("I'd never hurt myself, the kids need me.", "Don't worry, I'm not suicidal, I just miss you.",
                 "I'm not going to do anything silly.", "我绝不会伤害自己，孩子们还需要我。", "放心，我没有想不开。"):
        assert detector.level(text)[0] is Level.NONE, text
    for text in ("I'm not suicidal, but I've been saving up my pills.", "我不会做傻事，可是我把药都攒起来了。"):
        assert detector.level(text)[0] is Level.CRISIS, text


def test_the_window_reads_a_sign_split_over_turns() -> None:
    detector = CrisisDetector()
    level, reason = detector.level("The last train goes through at eleven.", ["I keep thinking about the railway line."])
    assert (level, reason) == (Level.CRISIS, "rule-window")
    assert detector.assess("It's all done now.", ["I've put the house in Tom's name."], CrisisState(), 0.0).level \
        is Level.CRISIS


def test_ambiguous_talk_of_going_too_gets_a_check_in() -> None:
    for text in ("I think I'm ready to go too.", "I wish God would take me as well.", "Save me a chair for me up there.",
                 "老天怎么不把我也带走。", "在天上给我留个位子。", "你快来接我吧。"):
        assert rule_level(text) is Level.CHECK_IN, text


@given(st.text(max_size=200))
def test_any_text_has_an_answer(text: str) -> None:
    crisis_signs.is_sign(text)
    crisis_signs.is_ambiguous(text)
    stripped = crisis_signs.without_denials(text)
    assert isinstance(stripped, str) and (crisis_signs.has_denial(text) or stripped == text)


def test_rather_be_dead_in_chinese_is_direct_but_the_hyperbole_is_not() -> None:
    assert rule_level("我宁愿死了。") is Level.CRISIS and rule_level("我宁可死掉算了。") is Level.CRISIS
    assert rule_level("宁愿死也不吃这个菜。") is Level.NONE
