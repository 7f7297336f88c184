"""Talk of someone else's suicide death gets a gentle check-in, not a crisis break (issue 14, open question):
the words about that death are taken out and the rest of the turn is still read; a "no" to the check-in is a
crisis; talking on about that death stays a check-in."""

from __future__ import annotations

from companion.ethics.crisis import CrisisDetector, CrisisState, Level
from companion.ethics.crisis_bereaved import is_bereaved, without_bereavement
from companion.ethics.safety import SafetyCheck

BEREAVED = ("My dad took his own life.", "My brother killed himself two years ago.", "Mum died by suicide when I was twelve.",
            "My uncle committed suicide last spring.", "We lost our son to suicide.", "Why did you take your own life?",
            "I still don't understand your suicide.", "我爸爸是自杀的。", "我哥哥自杀走了，已经三年了。", "我妈妈是跳楼走的。",
            "他是喝农药走的，那年我才十岁。", "你为什么要自杀？")
OWN = ("My dad took his own life and I want to kill myself too.", "My brother killed himself and I want to go the same way.",
       "我爸爸是自杀的，我也想跟他一样。", "我哥哥自杀走了，我不想活了。")
OTHER_DEATHS = ("My dad died of a heart attack.", "Grandma passed away in her sleep.", "我爸爸去年去世了。", "爷爷是病死的。")


def test_someone_elses_suicide_death_is_recognised_in_english_and_chinese() -> None:
    for text in BEREAVED:
        assert is_bereaved(text), text
    for text in OTHER_DEATHS + ("I want to kill myself.", "我想自杀。", "I'm thinking of taking my own life."):
        assert not is_bereaved(text), text


def test_it_is_a_check_in_not_a_break() -> None:
    detector = CrisisDetector()  # the rules alone: "died by suicide" alone used to be a crisis
    for text in BEREAVED:
        assert detector.level(text) == (Level.CHECK_IN, "bereaved"), text


def test_their_own_crisis_in_the_same_turn_is_still_a_crisis() -> None:
    detector = CrisisDetector()
    for text in OWN:
        assert detector.level(text)[0] is Level.CRISIS, (text, without_bereavement(text))


def test_other_deaths_in_the_family_are_no_alarm() -> None:
    detector = CrisisDetector()
    for text in OTHER_DEATHS:
        assert detector.level(text)[0] is Level.NONE, text


def test_talking_on_about_that_death_stays_a_check_in_and_a_no_is_a_crisis() -> None:
    detector = CrisisDetector()
    first = detector.assess("My dad took his own life.", [], CrisisState(), 0.0)
    assert first.level is Level.CHECK_IN and first.state.checking and first.state.bereaved
    second = detector.assess("He killed himself in the garage.", ["My dad took his own life."], first.state, 60.0)
    assert second.level is Level.CHECK_IN and not second.state.active  # not escalated as "repeated"
    no = detector.assess("No, not really.", ["My dad took his own life."], first.state, 60.0)
    assert no.level is Level.CRISIS and no.state.active
    safe = detector.assess("I'm okay, I'm safe.", ["My dad took his own life."], first.state, 60.0)
    assert safe.level is Level.SAFE and safe.state == CrisisState()


def test_the_earlier_turn_about_that_death_does_not_make_the_next_one_a_crisis() -> None:
    detector = CrisisDetector()
    assert detector.level("I miss him every day.", ["My brother killed himself two years ago."])[0] is Level.NONE


def test_the_check_in_acknowledges_the_loss_in_the_listeners_language() -> None:
    safety = SafetyCheck(CrisisDetector(), name="Walter", help_number="116 123", neutral_languages=frozenset({"en", "zh"}))
    pieces, assessment = safety.turn("My dad took his own life.", [], CrisisState(), 0.0)
    assert assessment.reason == "bereaved" and pieces[0].kind.value == "check_in"
    assert "sorry" in pieces[0].text and "116 123" in pieces[0].text and "not Walter" in pieces[0].text
    pieces, _ = safety.turn("我爸爸是自杀的。", [], CrisisState(), 0.0)
    assert "116 123" in pieces[0].text and "你自己还好吗" in pieces[0].text


def test_emphatic_chinese_idioms_with_death_are_idioms() -> None:
    from companion.ethics.crisis_cues import is_idiom_only

    for text in ("这件事我死也不会忘。", "我想你想得要死。", "笑死了，你还记得吗？", "饿死了，晚饭吃什么？"):
        assert is_idiom_only(text), text
    for text in ("我想死。", "我死了你们就轻松了。"):
        assert not is_idiom_only(text), text
