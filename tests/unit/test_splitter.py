"""Sentence splitting for speech, English and Chinese, whole and streamed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from companion.tts.splitter import SentenceSplitter, ends_sentence, split_sentences


def test_english_sentences() -> None:
    assert split_sentences("Hello there. How are you? I'm fine!") == ["Hello there.", "How are you?", "I'm fine!"]


def test_abbreviations_and_numbers_do_not_split() -> None:
    text = "Mr. Jones paid 3.50 dollars at 5 p.m. yesterday. Then he left."
    assert split_sentences(text) == ["Mr. Jones paid 3.50 dollars at 5 p.m. yesterday.", "Then he left."]


def test_chinese_punctuation_splits_without_spaces() -> None:
    assert split_sentences("你好。今天天气很好！你吃饭了吗？好的；再见") == ["你好。", "今天天气很好！", "你吃饭了吗？", "好的；", "再见"]


def test_closing_quotes_stay_with_their_sentence() -> None:
    assert split_sentences('He said "go home." Then we did.') == ['He said "go home."', "Then we did."]


def test_newlines_end_sentences_and_ellipsis_is_one_end() -> None:
    assert split_sentences("Well...\nmaybe. 好吧……走") == ["Well...", "maybe.", "好吧……", "走"]


def test_streaming_releases_a_sentence_only_when_its_end_is_certain() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("The lake was cold") == []
    assert splitter.feed(".") == []  # could be "cold.er"? no, but could be an abbreviation: wait for more
    assert splitter.feed(" We went") == ["The lake was cold."]
    assert splitter.feed(" home.") == []
    assert splitter.flush() == ["We went home."]


@given(st.lists(st.text(alphabet="ab .!?。！\n", max_size=12), max_size=12))
def test_streamed_pieces_give_the_same_words_as_the_whole_text(pieces: list[str]) -> None:
    splitter = SentenceSplitter()
    streamed = [s for piece in pieces for s in splitter.feed(piece)] + splitter.flush()
    whole = "".join(pieces)
    assert "".join(streamed).replace(" ", "").replace("\n", "") == whole.replace(" ", "").replace("\n", "")
    assert all(s == s.strip() and s for s in streamed)


def test_the_first_clause_is_released_early_and_only_the_first() -> None:
    splitter = SentenceSplitter(first_clause_min_words=2)
    assert splitter.feed("Oh well, I used to") == ["Oh well,"]
    assert splitter.feed(" cook, every Sunday. Then") == ["I used to cook, every Sunday."]
    assert splitter.flush() == ["Then"]


def test_a_whole_message_at_once_still_starts_with_its_first_clause() -> None:
    splitter = SentenceSplitter(first_clause_min_words=2)
    assert splitter.feed("You know, the lake was cold. We swam anyway. ") == ["You know,", "the lake was cold.", "We swam anyway."]


def test_short_clauses_numbers_and_unfinished_commas_are_not_cut() -> None:
    splitter = SentenceSplitter(first_clause_min_words=3)
    assert splitter.feed("Yes, it cost 3,000") == []  # "Yes," is too short, "3,000" is a number
    assert splitter.feed(" dollars,") == []  # the next character has not arrived yet
    assert splitter.feed(" I think") == ["Yes, it cost 3,000 dollars,"]
    assert splitter.flush() == ["I think"]


def test_chinese_first_clause() -> None:
    splitter = SentenceSplitter(first_clause_min_words=2)
    assert splitter.feed("我记得，那天很冷。") == ["我记得，", "那天很冷。"]


@given(st.lists(st.text(alphabet="ab ,.!?。，\n3", max_size=12), max_size=12), st.integers(1, 4))
def test_early_clauses_keep_every_word_in_order(pieces: list[str], min_words: int) -> None:
    splitter = SentenceSplitter(first_clause_min_words=min_words)
    streamed = [s for piece in pieces for s in splitter.feed(piece)] + splitter.flush()
    whole = "".join(pieces)
    assert "".join(streamed).replace(" ", "").replace("\n", "") == whole.replace(" ", "").replace("\n", "")
    assert all(s == s.strip() and s for s in streamed)


def test_a_long_first_sentence_without_commas_breaks_before_a_conjunction() -> None:
    splitter = SentenceSplitter(first_clause_min_words=2)
    assert splitter.feed("Get a good night's sleep and eat a real breakfast. ") == [
        "Get a good night's sleep", "and eat a real breakfast."]
    assert SentenceSplitter(first_clause_min_words=2).feed("I loved rock and roll music. ") == ["I loved rock and roll music."]


def test_clauses_and_sentences_are_told_apart_for_the_pause() -> None:
    assert ends_sentence('He said "go home."') and ends_sentence("好的。") and ends_sentence("Really?!")
    assert not ends_sentence("Oh well,") and not ends_sentence("Get a good night's sleep")
