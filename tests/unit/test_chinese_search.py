"""The lexical signal for Chinese personas (jieba + BM25) and the language switch of the search."""

from __future__ import annotations

import numpy as np
from companion.persona.lexical import LexicalIndex, tokenize, uses_lexical
from companion.persona.retrieval import (
    DEFAULT_MIN_SCORE,
    EMBED_MODEL_NAME,
    MULTILINGUAL_MIN_SCORE,
    embedding_for_language,
)
from hypothesis import given, settings
from hypothesis import strategies as st


def test_tokens_drop_function_words_and_punctuation() -> None:
    words = tokenize("奶奶，你会包饺子吗？")
    assert "饺子" in words and "#饺" in words
    assert not {"你", "吗", "，", "？", "会"} & set(words)


def test_traditional_and_simplified_characters_match() -> None:
    assert set(tokenize("你會織毛衣嗎")) & set(tokenize("你会织毛衣吗")) >= {"毛衣"}


def test_a_memory_with_all_the_question_words_scores_one_and_an_unrelated_one_zero() -> None:
    index = LexicalIndex(["我最喜欢栀子花", "红烧肉要先焯水", None, "今天天气很好"])
    scores = index.scores("你喜欢什么花？栀子花")
    assert scores[0] > 0.5 and scores[1] == 0 and scores[2] == 0
    assert index.scores("红烧肉")[1] == max(index.scores("红烧肉"))


def test_words_the_persona_never_used_lower_the_score() -> None:
    index = LexicalIndex(["我去过杭州西湖", "我会唱茉莉花"])
    assert index.scores("你去过美国纽约吗")[0] < index.scores("你去过杭州吗")[0]


def test_a_question_of_only_function_words_scores_nothing() -> None:
    assert not LexicalIndex(["我最喜欢栀子花"]).scores("你吗？").any()


def test_english_text_is_tokenized_without_stopwords() -> None:
    assert tokenize("What is your favourite flower?") == ["favourite", "flower"]


@settings(deadline=None, max_examples=60)
@given(st.lists(st.one_of(st.none(), st.text(max_size=30)), max_size=6), st.text(max_size=30))
def test_scores_are_always_in_zero_one_and_one_per_document(documents: list[str | None], query: str) -> None:
    scores = LexicalIndex(documents).scores(query)
    assert scores.shape == (len(documents),) and scores.dtype == np.float32
    assert np.all((scores >= 0) & (scores <= 1))


def test_the_lexical_signal_is_for_chinese_personas_only() -> None:
    assert uses_lexical("zh") and uses_lexical("zh-TW") and uses_lexical("cmn")
    assert not uses_lexical("en") and not uses_lexical("de")


def test_english_keeps_minilm_and_chinese_gets_the_multilingual_model_and_threshold() -> None:
    assert embedding_for_language("en") == (EMBED_MODEL_NAME, DEFAULT_MIN_SCORE)
    assert embedding_for_language("zh") == ("embed-use-multilingual", MULTILINGUAL_MIN_SCORE)
    assert embedding_for_language("zh", min_score=0.6) == ("embed-use-multilingual", 0.6)  # a user's choice wins
    assert embedding_for_language("zh", "my-model") == ("my-model", DEFAULT_MIN_SCORE)


def test_a_leading_address_and_question_word_characters_are_not_words() -> None:
    words = set(tokenize("奶奶，我爸小时候是什么样的？"))
    assert "奶奶" not in words and "#奶" not in words and "#什" not in words
    assert {"小时候", "#爸"} <= words
    assert "爷爷" in tokenize("奶奶，你和爷爷是怎么认识的？")  # a kinship word inside the question stays


def test_everyday_variants_meet_their_written_form() -> None:
    assert set(tokenize("你上学上到几年级？")) & set(tokenize("奶奶你读过书吗？")) >= {"读书"}
    assert set(tokenize("春节你想吃啥")) & set(tokenize("过年你想吃什么")) >= {"过年"}
    assert "小时候" in tokenize("我很小的时候")


def test_a_question_word_with_its_measure_word_does_not_swallow_the_topic() -> None:
    # jieba alone cuts 哪种花 as 哪 / 种花 (plant flowers) and 哪首歌 as 哪 / 首歌: the topic is lost.
    assert "#花" in tokenize("你喜欢哪种花？") and "种花" not in tokenize("你喜欢哪种花？")
    assert "#歌" in tokenize("你最喜欢哪首歌？") and not any(w.startswith("哪") for w in tokenize("你哪年生的？"))
    assert "种花" in tokenize("你种过花吗？ 我爱种花")  # the verb phrase itself is still a word


@given(st.sampled_from("种首年只样部本条位所座件道次回个家天月"), st.text(alphabet="花歌狗书人树猫菜", min_size=1, max_size=3))
def test_a_which_question_keeps_each_topic_character(measure: str, topic: str) -> None:
    words = tokenize(f"你喜欢哪{measure}{topic}？")
    assert all(f"#{ch}" in words for ch in topic if ch != measure)
    assert not any(w.startswith("哪") for w in words)
