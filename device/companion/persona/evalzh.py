"""`persona eval` for a Chinese persona: the facts of an answer, a reworded question, absent topics.

English facts are capitalised names and numbers; Chinese has no capitals, so jieba's part-of-speech
tags find them instead (person, place, organisation and other proper names; numbers such as 二十八年,
1975), without kinship words (阿姨, 爷爷), which are not facts.

The rewording follows the English rules (the address dropped, words swapped, a new opening) and
also changes the question's frame the way people do when they ask again (你会X吗 -> 你会不会X,
你X过Y吗 -> 你有没有X过Y, 高吗 -> 高不高, 什么时候 -> 几时), so what is asked is not the stored text
with a preface. ``near_copy`` then says whether a rewording is still too close to the stored question
(character bigrams, the address and the opening left out); `persona eval` does not ask those. The
swaps are ordinary spoken Chinese written for this evaluation, not read from any engine: some
coincide with spellings the search folds together (啥/什么), most do not (头一回, 相片, 顶喜欢).
"""

from __future__ import annotations

import re
import threading

from .zh_text import LEAD_INS

_HAN = re.compile(r"[\u4e00-\u9fff]")
_PROPER = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz"})
_KIN = frozenset("""奶奶 爷爷 外婆 外公 姥姥 姥爷 妈妈 爸爸 阿姨 叔叔 伯伯 舅舅 姑姑 婶婶 哥哥 姐姐 弟弟 妹妹 老伴 孙子 孙女
老头 老头子 老太太 宝贝 大白兔""".split())  # noqa: SIM905
_NUMERAL = re.compile(r"\d|[二三四五六七八九十百千万两]")
_VOCATIVE = re.compile(r"^(?:奶奶|爷爷|外婆|外公|姥姥|姥爷|阿婆|阿公|阿嬷|婆婆)[，,、\s]*")
_SWAPS = (("最喜欢", "最爱"), ("喜欢", "爱"), ("什么时候", "啥时候"), ("什么", "啥"), ("怎么", "咋"), ("以前", "从前"),
          ("年轻的时候", "年轻那会儿"), ("年轻时候", "年轻那会儿"), ("小时候", "小的时候"), ("现在", "如今"),
          ("一般", "平常"), ("还记得", "记不记得"), ("好吃", "香"), ("第一次", "头一回"), ("照片", "相片"),
          ("照的", "拍的"), ("工资", "薪水"), ("退休金", "养老金"), ("爱好", "兴趣"), ("感觉", "心情"),
          ("每天", "天天"), ("你们那时候", "你们那个年代"), ("哪些地方", "啥地方"), ("哪儿", "啥地方"), ("结婚", "成家"), ("学习", "念书"), ("几个", "多少个"), ("看过", "瞧过"), ("你的", "你"))
_FRAMES = (  # the question's frame, as asked again (after the swaps; each at most once, in order)
    (re.compile(r"^你会(?!不会)(.+?)吗[？?]?$"), r"\1这个你会不会？"),
    (re.compile(r"^你(?:们)?((?:坐|去|学|养|瞧|住|做|见|吃|打|种|用)过)(.+?)吗[？?]?$"), r"\2你有没有\1？"),
    (re.compile(r"^你(?:最)?爱(.+?)吗[？?]?$"), r"\1你爱不爱？"),
    (re.compile(r"^你(.+?)是啥[？?]$"), r"说说你\1吧。"),
    (re.compile(r"(.+过.+?)吗[？?]?$"), r"\1没有？"),
    (re.compile(r"还在吗[？?]?$"), r"还在不在？"),
    (re.compile(r"是哪天[？?]?$"), r"在几月几号？"),
    (re.compile(r"^你(.+?)是哪里的[？?]?$"), r"你\1在啥地方？"),
    (re.compile(r"有(?!没有)(.+?)吗[？?]?$"), r"有没有\1？"),
    (re.compile(r"(.)(好|高|多|远|胖|帅|冷|疼|饱|忙|漂亮|调皮|难|累)吗[？?]?$"), r"\1\2不\2？"),
    (re.compile(r"是啥时候(.+?)的"), r"是几时\1的"),
    (re.compile(r"^你是哪年(.+?)的[？?]?$"), r"你\1是在哪一年？"),
    (re.compile(r"(?<=[^有])多少[？?]$"), r"有多少来着？"),
    (re.compile(r"去哪儿[？?]?$"), r"去的啥地方？"),
    (re.compile(r"(?:在)?哪[儿里]?[？?]?$"), r"在啥地方？"),
    (re.compile(r"^你们(?=小的时候|年轻|从前)"), r"你们那一辈"),
    (re.compile(r"^你有(?:几|多少)个(.+?)[？?]$"), r"\1一共有几个？"),
    (re.compile(r"^(.+?)是谁[？?]$"), r"谁是\1？"),
    (re.compile(r"^你(记得|记不记得)(.+?)吗[？?]?$"), r"\2你还有印象吗？"),
    (re.compile(r"^你有没有(.{1,2}过)(.+?)[？?]$"), r"\2你\1没有？"),
    (re.compile(r"^你(\w{0,2}?)(信|怕|抽|喝|吃|去|要|想|住)([^过]+?)吗[？?]?$"), r"你\1\2不\2\3？"),
    (re.compile(r"^(.+?)啥时候(.+?)的[？?]$"), r"\1\2是几时的事？"),
    (re.compile(r"是?哪年(.+?)的[？?]$"), r"是在哪一年\1的呀？"),
    (re.compile(r"^(.+?)是?咋(.+?)的[？?]$"), r"\1当初是咋\2的呀？"),
    (re.compile(r"^你(?!们)(.*?)咋(?!样)([^的]+?)[？?]$"), r"\1你都是咋\2的？"),
    (re.compile(r"^你最爱(.+?)[？?]$"), r"要说\1，你最爱的是？"),
    (re.compile(r"^你(.+?)叫啥[？?]$"), r"你\1的名字是？"),
)
_OPENERS = tuple(f"{lead}{mark}" for lead, mark in zip(LEAD_INS, "，，：，，，", strict=True))
"""The openings, from the one list of spoken lead-ins (zh_text.LEAD_INS): search drops them like the
address, so they make a question sound asked aloud, not easier or harder to match."""
NEAR_COPY = 0.8
"""A rewording this alike to the stored question (difflib's ratio of their Chinese characters:
one character changed in five) is a near-copy."""
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


def reworded_zh(question: str) -> str:
    """The stored question without its address, its frame changed and words swapped (no opening)."""
    text = _VOCATIVE.sub("", question.strip()) or question.strip()
    for old, new in _SWAPS:
        text = text.replace(old, new)
    for pattern, replacement in _FRAMES:
        text = pattern.sub(replacement, text, count=1)
    return text


def paraphrase_zh(question: str, turn: int = 0) -> str:
    """A reworded Chinese question (see the module docstring); never the original text."""
    return f"{_OPENERS[turn % len(_OPENERS)]}{reworded_zh(question)}"


def rewordable(question: str) -> bool:
    """Whether a stored question can be asked reworded (English always; Chinese when its
    rewording is not a near-copy): `persona eval` asks only these."""
    return not has_han(question) or not near_copy(reworded_zh(question), question)


def near_copy(asked: str, stored: str) -> bool:
    """Whether ``asked`` (a rewording, perhaps with an opening) is still nearly ``stored``: their
    Chinese characters, without address and opening, match with difflib's ratio >= NEAR_COPY."""
    from difflib import SequenceMatcher

    def core(text: str) -> str:
        for opener in _OPENERS:
            text = text.removeprefix(opener)
        return "".join(_HAN.findall(_VOCATIVE.sub("", text.strip())))

    return SequenceMatcher(None, core(asked), core(stored), autojunk=False).ratio() >= NEAR_COPY


LIFE_QUESTIONS_ZH = (
    ("你的第一个老师叫什么名字？", ("老师",)),
    ("你去过日本吗？", ("日本", "东京")),
    ("你学过弹钢琴吗？", ("钢琴",)),
    ("你滑过雪吗？", ("滑雪",)),
    ("你会下国际象棋吗？", ("象棋",)),
    ("你骑过马吗？", ("骑马", "马")),
    ("你坐过直升机吗？", ("直升机",)),
    ("你是什么血型？", ("血型",)),
    ("你见过什么名人吗？", ("名人", "明星")),
    ("你打过高尔夫球吗？", ("高尔夫",)),
    ("你看的第一部电影是什么？", ("电影",)),
    ("你学过法语吗？", ("法语",)),
    ("你坐过游轮吗？", ("游轮",)),
    ("你爬过什么山？", ("爬山", "登山")),
    ("你在乐队里演奏过吗？", ("乐队",)),
    ("你最喜欢哪首诗？", ("诗",)),
    ("你在国外生活过吗？", ("国外", "出国")),
    ("你最喜欢什么口味的冰淇淋？", ("冰淇淋", "雪糕")),
    ("你拉过二胡吗？", ("二胡",)),
    ("你年轻时候文过身吗？", ("文身", "纹身")),
    ("你去过西藏吗？", ("西藏", "拉萨")),
    ("你打过乒乓球吗？", ("乒乓",)),
    ("你去过内蒙古草原吗？", ("内蒙古", "草原")),
    ("你打过保龄球吗？", ("保龄球",)),
    ("你学过唱京剧吗？", ("京剧",)),
    ("你种过水稻吗？", ("水稻", "稻子")),
    ("你养过蜜蜂吗？", ("蜜蜂", "养蜂")),
    ("你去过香港吗？", ("香港",)),
    ("你学过武术吗？", ("武术", "功夫")),
    ("你开过拖拉机吗？", ("拖拉机",)),
    ("你参加过马拉松吗？", ("马拉松", "跑步")),
    ("你去过台湾吗？", ("台湾",)),
)
"""(question about the person's own life, topic words): asked as absent only when no topic word
occurs in the persona's data (evalsets.absent_questions). None is a question of the retrieval sets'
dev split (tests/data/retrieval), which search is tuned on."""
