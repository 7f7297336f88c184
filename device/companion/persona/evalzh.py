"""`persona eval` for a Chinese persona: the facts of an answer and a reworded question, in Chinese.

English facts are capitalised names and numbers; Chinese has no capitals, so jieba's part-of-speech
tags find them instead (person, place, organisation and other proper names; numbers such as 二十八年,
1975), without kinship words (阿姨, 爷爷), which are not facts. The rewording follows the English
rules: the vocative dropped, words swapped for everyday synonyms, a new opening; never the stored text.
"""

from __future__ import annotations

import re
import threading

_HAN = re.compile(r"[\u4e00-\u9fff]")
_PROPER = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz"})
_KIN = frozenset("""奶奶 爷爷 外婆 外公 姥姥 姥爷 妈妈 爸爸 阿姨 叔叔 伯伯 舅舅 姑姑 婶婶 哥哥 姐姐 弟弟 妹妹 老伴 孙子 孙女
老头 老头子 老太太 宝贝 大白兔""".split())  # noqa: SIM905
_NUMERAL = re.compile(r"\d|[二三四五六七八九十百千万两]")
_VOCATIVE = re.compile(r"^(?:奶奶|爷爷|外婆|外公|姥姥|姥爷|阿婆|阿公)[，,、\s]*")
_SWAPS = (("喜欢", "爱"), ("什么", "啥"), ("怎么", "咋"), ("以前", "过去"), ("年轻的时候", "年轻那会儿"),
          ("小时候", "小的时候"), ("现在", "如今"), ("一般", "平常"), ("还记得", "记不记得"), ("好吃", "香"))
_OPENERS = ("我一直想问问，", "再跟我说说，", "我老想起这个：", "跟我讲讲，")
_lock = threading.Lock()


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def answer_facts_zh(text: str) -> list[str]:
    """Proper names and numbers of a Chinese answer, in order, without repeats."""
    import jieba
    from jieba import posseg

    with _lock:
        if not jieba.dt.initialized:
            jieba.setLogLevel(60)
            jieba.initialize()
        tagged = list(posseg.cut(text))
    found: list[str] = []
    for pair in tagged:
        word, flag = pair.word.strip(), pair.flag
        if not word or word in _KIN or word in found:
            continue
        proper = flag in _PROPER and has_han(word)
        if len(word) >= 2 and (proper or (flag == "m" and _NUMERAL.search(word))):
            found.append(word)
    return found


def paraphrase_zh(question: str, turn: int = 0) -> str:
    """A reworded Chinese question (see the module docstring); never the original text."""
    text = _VOCATIVE.sub("", question.strip()) or question.strip()
    for old, new in _SWAPS:
        text = text.replace(old, new)
    return f"{_OPENERS[turn % len(_OPENERS)]}{text}"
