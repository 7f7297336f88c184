"""Chinese text as search sees it (zh_text.py), and the bars of a persona searched with words (zh_calibrate.py)."""

from __future__ import annotations

import numpy as np
from companion.persona.answerable import DEFAULT_BARS
from companion.persona.lexical import LexicalSignal, tokenize
from companion.persona.multilingual import searchable
from companion.persona.zh_calibrate import LOW_BOUNDS, MIN_QUESTIONS, SMALL_ANSWER_LOW, SMALL_LOW, lexical_bars
from companion.persona.zh_text import LEAD_INS, has_han, normalise, strip_address
from hypothesis import given, settings
from hypothesis import strategies as st


def test_full_width_letters_and_digits_become_ascii_and_traditional_simplified() -> None:
    assert normalise("ＡＢＣ１２３") == "abc123"
    assert normalise("奶奶會織毛衣嗎？") == "奶奶会织毛衣吗?"
    assert normalise("Hello World") == "hello world"


def test_full_width_digits_match_half_width_ones_in_the_lexical_signal() -> None:
    assert set(tokenize("我住在３号楼")) & set(tokenize("我住在3号楼")) >= {"3"}


def test_a_leading_address_is_dropped() -> None:
    assert strip_address("奶奶，你年轻的时候在哪里工作？") == "你年轻的时候在哪里工作？"
    assert strip_address("外婆你老家是哪里的？") == "你老家是哪里的？"
    assert strip_address("亲爱的奶奶呀！您好吗") == "您好吗"
    assert strip_address("姥姥 我考上了") == "我考上了"


def test_an_address_that_is_the_subject_or_the_whole_line_stays() -> None:
    assert strip_address("奶奶做的红烧肉最好吃") == "奶奶做的红烧肉最好吃"
    assert strip_address("你爷爷是厂里的电工") == "你爷爷是厂里的电工"
    assert strip_address("奶奶！") == "奶奶！"
    assert strip_address("Grandma, hi") == "Grandma, hi"


def test_the_embedder_sees_chinese_normalised_and_unaddressed_and_other_text_as_is() -> None:
    assert searchable("奶奶，你會織毛衣嗎") == "你会织毛衣吗"
    assert searchable("Grandma, what was your first car?") == "Grandma, what was your first car?"
    assert searchable("") == " "


@settings(deadline=None, max_examples=200)
@given(st.text(max_size=40))
def test_normalising_is_idempotent_and_stripping_never_empties_a_line(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    stripped = strip_address(text)
    assert text.endswith(stripped)
    assert stripped.strip() or not text.strip() or stripped == text
    assert has_han(text) == has_han(once) or not has_han(text)


@settings(deadline=None, max_examples=100)
@given(st.sampled_from(["奶奶", "外婆", "爷爷", "妈"]), st.sampled_from(["，", "、", " ", "！", ""]),
       st.text(alphabet="你吃饭了吗今天好不", min_size=1, max_size=12))
def test_any_address_before_a_question_to_you_is_dropped(term: str, mark: str, rest: str) -> None:
    line = f"{term}{mark}你{rest}"
    assert strip_address(line) == f"你{rest}"


@given(st.sampled_from(LEAD_INS), st.sampled_from(["，", "：", " ", "、"]), st.sampled_from(["", "奶奶，"]),
       st.text(alphabet="你吃饭了吗今天好不", min_size=1, max_size=12))
def test_every_spoken_lead_in_is_dropped_with_or_after_an_address(lead: str, mark: str, term: str, rest: str) -> None:
    assert strip_address(f"{term}{lead}{mark}你{rest}") == f"你{rest}"


def test_persona_evals_openings_are_the_one_list_of_lead_ins() -> None:
    from companion.persona.evalzh import _OPENERS, near_copy

    assert [opening[:-1] for opening in _OPENERS] == list(LEAD_INS)
    assert all(near_copy(f"{opening}你会织毛衣吗？", "奶奶，你会织毛衣吗？") for opening in _OPENERS)
    assert strip_address("我老想起外婆") == "我老想起外婆"  # a thought, not a lead-in: nothing follows it


def _persona(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str | None], list[str]]:
    """n messages with stored questions: random unit vectors (contexts, then texts) and words."""
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(2 * n, 16)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    topics = ["饺子", "红烧肉", "栀子花", "越剧", "纺织厂", "芜湖", "太极拳", "缝纫机", "毛衣", "枣树", "兰花", "茉莉花"]
    contexts: list[str | None] = [f"奶奶，你喜欢{topics[i % len(topics)]}吗？" for i in range(n)]
    texts = [f"我最喜欢{topics[i % len(topics)]}了" for i in range(n)]
    return matrix, np.arange(n, dtype=np.int32), np.arange(n, 2 * n, dtype=np.int32), contexts, texts


def test_bars_come_from_the_persona_and_stay_in_bounds_and_over_the_floor() -> None:
    matrix, context_rows, text_rows, contexts, texts = _persona(24)
    signal = LexicalSignal(contexts, texts)
    bars = lexical_bars(DEFAULT_BARS, matrix, context_rows, text_rows, contexts, signal, 0.3, 0.9)
    assert bars.samples == 24
    assert LOW_BOUNDS[0] <= bars.low <= LOW_BOUNDS[1] and bars.high >= bars.low
    assert bars.answer_high >= bars.answer_low
    floored = lexical_bars(DEFAULT_BARS, matrix, context_rows, text_rows, contexts, signal, 0.3, 0.9, floor=0.79)
    assert floored.low >= 0.79


def test_words_shared_with_other_memories_raise_the_bar() -> None:
    # The same persona twice: once each stored question shares its words with another memory
    # (topics repeat every 12 messages), once all its words are its own. Sharing words means
    # non-answers score higher with the lexical signal, so the bar must be higher.
    matrix, context_rows, text_rows, contexts, texts = _persona(24)
    shared = lexical_bars(DEFAULT_BARS, matrix, context_rows, text_rows, contexts, LexicalSignal(contexts, texts), 0.3, 0.9)
    own_contexts: list[str | None] = [f"问题{i}号" for i in range(24)]
    own = lexical_bars(DEFAULT_BARS, matrix, context_rows, text_rows, own_contexts,
                       LexicalSignal(own_contexts, [f"回答{i}号" for i in range(24)]), 0.3, 0.9)
    assert shared.low > own.low


def test_too_few_stored_questions_get_bars_for_the_lexical_scale_not_the_embedders_defaults() -> None:
    matrix, context_rows, text_rows, contexts, texts = _persona(MIN_QUESTIONS - 1)
    bars = lexical_bars(DEFAULT_BARS, matrix, context_rows, text_rows, contexts, LexicalSignal(contexts, texts), 0.3, 0.9)
    assert bars.samples == 0
    assert bars.low >= SMALL_LOW > DEFAULT_BARS.low and bars.answer_low >= SMALL_ANSWER_LOW > DEFAULT_BARS.answer_low
    assert bars.high >= bars.low and bars.answer_high >= bars.answer_low


def _catalogue(contexts: list[str | None], texts: list[str], matrix: np.ndarray, kind_replies: dict | None = None):
    from companion.persona.choose import build_catalogue

    n = len(texts)
    return build_catalogue(contexts, texts, matrix, np.arange(n, dtype=np.int32), np.arange(n, 2 * n, dtype=np.int32),
                           0.9, kind_replies=kind_replies)


def test_a_chinese_persona_without_news_messages_answers_news_in_chinese_and_the_card_wins() -> None:
    from types import SimpleNamespace

    from companion.persona.conversation import kind_lines
    from companion.persona.evalzh import has_han
    from companion.persona.zh_calibrate import with_lexical

    matrix, context_rows, text_rows, contexts, texts = _persona(12)
    messages = [SimpleNamespace(context=c, text=t) for c, t in zip(contexts, texts)]
    index = (matrix, context_rows, text_rows)
    chinese = _catalogue(contexts, texts, matrix, kind_replies=kind_lines("zh", None))
    signal, catalogue = with_lexical(SimpleNamespace(language="zh", messages=messages), chinese, index, 0.3, 0.9, 0.0)
    assert signal is not None and catalogue.kind_replies == chinese.kind_replies  # calibration keeps the lines
    assert all(has_han(catalogue.kind_line(kind, 0)) for kind in ("news", "feeling", "greeting", "listener", "advice"))
    card = _catalogue(contexts, texts, matrix, kind_replies=kind_lines("zh-CN", {"news": ("好样的！",)}))
    _, catalogue = with_lexical(SimpleNamespace(language="zh-CN", messages=messages), card, index, 0.3, 0.9, 0.0)
    assert catalogue.kind_line("news", 0) == "好样的！"
    assert kind_lines("en", None) is None
    english = _catalogue(contexts, texts, matrix)
    signal, same = with_lexical(SimpleNamespace(language="en", messages=messages), english, index, 0.3, 0.9, 0.0)
    assert signal is None and same is english


def test_variants_are_spelled_one_way_and_canonical_forms_stay_as_they_are() -> None:
    from companion.persona.zh_text import canonical

    assert canonical("你上学上到几年级") == "你读书上到几年级"
    assert canonical("年轻那会儿你咋过的") == "年轻的时候你怎么过的"
    assert canonical("我最害怕打雷，那时候") == "我最害怕打雷，那时候"  # 怕 inside 害怕, 那时 inside 那时候
    assert canonical("炖一个半小时") == "炖一个半小时"
    assert canonical("What about school?") == "What about school?"


@settings(deadline=None, max_examples=100)
@given(st.text(alphabet="上学读书小的时候年轻那会儿啥咋害怕春节过年很你我", max_size=20))
def test_spelling_variants_one_way_is_idempotent(text: str) -> None:
    from companion.persona.zh_text import canonical

    assert canonical(canonical(text)) == canonical(text)


@settings(deadline=None, max_examples=100)
@given(st.lists(st.floats(min_value=-1, max_value=2), min_size=1, max_size=50), st.floats(min_value=0.0, max_value=1.0))
def test_a_smoothed_quantile_lies_within_the_values_and_grows_with_the_level(values: list[float], level: float) -> None:
    from companion.persona.zh_calibrate import smooth_quantile

    array = np.array(values)
    found = smooth_quantile(array, level)
    assert array.min() - 1e-9 <= found <= array.max() + 1e-9
    assert smooth_quantile(array, min(1.0, level + 0.1)) >= found - 1e-9
    assert abs(smooth_quantile(np.full(5, 0.6), level) - 0.6) < 1e-9


def test_a_smoothed_quantile_does_not_jump_across_a_gap() -> None:
    from companion.persona.zh_calibrate import smooth_quantile

    values = np.array([0.4] * 28 + [0.8] * 8)  # 36 stored questions, a gap between two topics' scores
    plain = [float(np.quantile(values[:n], 0.8)) for n in (35, 36)]
    smooth = [smooth_quantile(values[:n], 0.8) for n in (35, 36)]
    assert abs(smooth[0] - smooth[1]) < abs(plain[0] - plain[1])
