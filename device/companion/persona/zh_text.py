"""Chinese text as search sees it: one script, one width, without the name the speaker is called by.

The same words reach search in many spellings: Whisper often writes Mandarin in traditional
characters (會, 貓) where a WeChat history has simplified ones (会, 猫); phone keyboards mix
full-width letters and digits (ＡＢＣ１２３) with half-width ones. And most things said to a
grandmother start by calling her (奶奶，… / 外婆你…): that opening says who is spoken to, not what
about, yet it makes every stored question look like every other one to a sentence embedder, and
it is missing from half of what is asked aloud. ``normalise`` and ``strip_address`` undo these so
a match depends on what was said.
"""

from __future__ import annotations

import re
import unicodedata

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
ADDRESS_TERMS = (
    "奶奶 爷爷 外婆 外公 姥姥 姥爷 阿婆 阿公 阿嬷 阿公 婆婆 公公 太奶奶 太爷爷 妈妈 爸爸 老妈 老爸 妈 爸 娘 爹 "  # noqa: SIM905
    "阿姨 叔叔 伯伯 舅舅 姑姑 婶婶 老伴 老头子 老太婆 宝贝 亲爱的 儿子 女儿 孙子 孙女 外孙 外孙女"
).split()
_TERMS = "|".join(sorted(set(ADDRESS_TERMS), key=len, reverse=True))
# An address at the very start: the term (perhaps twice, perhaps with 亲爱的/我的 before it and a
# particle after it), then a pause mark, or the 你/您 that starts the question itself.
_ADDRESS = re.compile(
    rf"^\s*(?:亲爱的|我的|好)?(?:{_TERMS})(?:{_TERMS})?(?:呀|啊|哎|呢|哦)?(?:[\s,，、.。!！:：~～]+|(?=[你您]))"
)

_converter = None


def has_han(text: str) -> bool:
    """Whether ``text`` holds at least one Chinese character."""
    return bool(_HAN.search(text))


def normalise(text: str) -> str:
    """Unicode compatibility forms folded (full-width letters and digits to ASCII: ＡＢＣ１２３ ->
    ABC123), lowercased, traditional characters as simplified (OpenCC t2s)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _simplified(text) if has_han(text) else text


LEAD_INS = ("我一直想问问", "再跟我说说", "我老想起这个", "跟我讲讲", "问你个事儿", "我想知道")
"""Spoken lead-ins as people say them before a question: the one list (``persona eval`` opens its
reworded Chinese questions with these, evalzh.py; ``_LEAD_IN`` strips them and their variants)."""
# A spoken lead-in before the question itself (我想知道，你…? / 跟我讲讲，…): like the address, it
# says that something is asked, not what, and only the question's own clause is matched.
_LEAD_IN = re.compile(
    r"^\s*(?:那|哎|诶|嗯)?(?:我(?:一直|老是|老|总|就|真|挺|很)?(?:想|好奇|想要)(?:知道|问问|问一下|问|了解)(?:你|您)?(?:一下)?"
    r"|我(?:一直|老是|老|总)?(?:想起|记着|惦记着?)(?:这个|这事儿?|一件事)"
    r"|(?:我)?问(?:你|您)?(?:个|一个)?(?:事儿?|问题)|请问|问一下|(?:再)?(?:跟|给|和)我(?:讲讲|说说|聊聊|讲一讲|说一说)"
    r"|(?:再)?(?:讲讲|说说|聊聊)(?:看)?|告诉我)(?:吧|呀|啊)?[\s,，、:：~～]+"
)


def strip_address(text: str) -> str:
    """``text`` without a leading address (奶奶，/ 外婆你… -> 你…) nor a spoken lead-in (我想知道，/
    跟我讲讲，…), in either order; unchanged when nothing else is left."""
    stripped = text
    for _ in range(2):
        stripped = _LEAD_IN.sub("", _ADDRESS.sub("", stripped, count=1), count=1)
    return stripped if stripped.strip(" \t,，、.。!！?？:：~～") else text


def _simplified(text: str) -> str:
    global _converter
    if _converter is None:
        from opencc import OpenCC

        _converter = OpenCC("t2s")
    return _converter.convert(text)


# Everyday variants of the same words, each group written as its canonical form first. A
# grandchild says 上学 where the chat said 读书, 啥 where it wrote 什么, 年轻那会儿 for 年轻的时候;
# word overlap (lexical.py) sees none of that unless both sides are spelled one way. Only common
# spoken variants and near-synonyms are listed (not topics: 饺子 is not 包子), longest first.
_VARIANTS = (
    ("什么", "啥"), ("怎么", "咋"), ("我", "俺"), ("孩子", "小孩子", "小孩儿", "小孩", "娃娃"),
    ("小时候", "很小的时候", "小的时候", "儿时", "童年时"),
    ("年轻的时候", "年轻那会儿", "年轻那会", "年轻那阵子", "年轻时候", "年轻时"),
    ("那时候", "那会儿", "那阵子", "那个时候", "那时"), ("现在", "如今", "眼下"), ("平时", "平常", "平日", "日常"),
    ("读书", "读过书", "念过书", "上过学", "念书", "上学"), ("工作", "上班", "干活儿", "干活", "做工"),
    ("去世", "过世", "离世", "去逝"), ("结婚", "成亲", "成家", "办婚礼", "婚礼"), ("彩礼", "聘礼"),
    ("过年", "春节", "新年"), ("老家", "家乡", "故乡", "老家乡"), ("爸爸", "父亲", "老爸"), ("妈妈", "母亲", "老妈"),
    ("旅游", "旅行", "出去玩", "游玩"), ("做饭", "烧饭", "煮饭", "做菜", "烧菜"), ("锻炼", "健身", "运动"),
    ("难过", "难受", "伤心", "不开心"), ("高兴", "开心", "快乐"), ("医生", "大夫"), ("宠物", "小动物"),
    ("电视", "电视机"), ("生日", "出生"), ("害怕", "怕"),
)
# The canonical forms map to themselves, so a variant inside one (怕 in 害怕) is left alone.
_CANONICAL = {variant: group[0] for group in _VARIANTS for variant in group}
_VARIANT = re.compile("|".join(sorted(map(re.escape, _CANONICAL), key=len, reverse=True)))


def canonical(text: str) -> str:
    """``text`` with everyday variants spelled one way (上学 -> 读书, 啥 -> 什么; see _VARIANTS),
    for word overlap only: the embedder reads the words as said."""
    return _VARIANT.sub(lambda match: _CANONICAL[match.group(0)], text)
