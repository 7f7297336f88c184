"""Sentence splitting for speech, English and Chinese, whole and streamed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from companion.tts.splitter import SentenceSplitter, split_sentences


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
