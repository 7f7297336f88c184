"""The shared vocabulary of listening: family words, generic words, content words, stems.

What was said (understand.py) and what it refers back to (refer.py) both read a line with
these few word lists; they hold nothing about a particular persona.
"""

from __future__ import annotations

import re

KIN = (r"grandma|grandmother|granny|gran|nana|nan|grandpa|grandfather|grandad|granddad|gramps|mum|mom|mam|mother"
       r"|mama|dad|father|papa|pa|wife|husband|son|daughter|brother|sister|uncle|aunt|auntie|cousin|baby|kids?")
KIN_ZH = (r"爷爷|奶奶|外公|外婆|姥姥|姥爷|妈妈|爸爸|母亲|父亲|老伴|丈夫|妻子|老公|老婆|哥哥|姐姐|弟弟|妹妹"
          r"|儿子|女儿|孙子|孙女|外孙|叔叔|阿姨|舅舅|姑姑|伯伯|婶婶|表妹|表哥|表姐|表弟|同学|老师|朋友|邻居|妈|爸")
"""Family (and other people) words: "he"/"she"/"他"/"她" refer back to one of these."""
KIN_WORD = re.compile(rf"\b(?:{KIN})\b|{KIN_ZH}", re.IGNORECASE)
FEMALE = re.compile(r"\b(?:grandma|grandmother|granny|gran|nana|nan|mum|mom|mam|mother|mama|wife|daughter|sister|aunt"
                    r"|auntie|girlfriend|girl|lady|woman)\b|奶奶|外婆|姥姥|妈|母亲|妻子|老婆|姐|妹|女儿|孙女|阿姨|姑姑|婶婶",
                    re.IGNORECASE)
MALE = re.compile(r"\b(?:grandpa|grandfather|grandad|granddad|gramps|dad|father|papa|pa|husband|son|brother|uncle"
                  r"|boyfriend|boy|man)\b|爷爷|外公|姥爷|爸|父亲|丈夫|老公|哥|弟|儿子|孙子|叔叔|舅舅|伯伯", re.IGNORECASE)
"""A family word's sex, so "she" after "grandma ... your dad" is grandma."""

GENERIC = set("""
a an the and or but if of to in on at for with from by as about into over after before up down out off so than then
too very just really ever never always still also much many more most some any all each every own same other such
i me my mine you your yours yourself we us our he him his she her it its they them their this that these those
what when where which who whom whose why how is are was were be been being am do does did done have has had having
can could will would shall should may might must let lets tell told say said talk speak remember recall know think
like liked love loved favourite favorite best please grandpa grandma nana gramps granny gran nan dear love kiddo
there here thing things something anything stuff lot bit kind sort one ones used use get got go went gone come came
""".split())
"""Words no memory has to speak to for it to answer (function words, ways of address)."""

WH = r"(?:what|when|where|which|who|whom|whose|why|how)"
AUX = r"(?:do|does|did|are|were|was|is|have|has|had|can|could|will|would|should)"
QUESTION_START = re.compile(rf"^(?:{WH}|{AUX})\b|^(?:tell me|say|describe|talk about|remember)\b", re.IGNORECASE)


def is_question(text: str, lower: str | None = None) -> bool:
    """A question by its mark, its first word, or a Chinese question word or particle."""
    lower = text.lower() if lower is None else lower
    return text.rstrip().endswith(("?", "？")) or bool(QUESTION_START.search(lower)) or bool(
        re.search(r"[吗呢么]\s*[?？]?$|什么|怎么|为什么|哪", text))


def focus_words(text: str) -> str:
    """The content words of a line: what a memory has to speak to for it to be an answer."""
    words = re.findall(r"[A-Za-z][A-Za-z'-]+|[\u4e00-\u9fff]+|\d+", text)
    kept = []
    for word in words:
        base = word.lower().removesuffix("'s").strip("'-")
        if base and base not in GENERIC:
            kept.append(base)
    return " ".join(kept)


def stem(word: str) -> str:
    """A crude English stem, enough to match "fishing" with "fish" and "flowers" with "flower"."""
    word = word.lower().removesuffix("'s")
    if len(word) > 4 and word.endswith("ied"):
        return word[:-3] + "y"  # married -> marry
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # wedding -> wed, stopped -> stop
            break
    if len(word) > 3 and word.endswith("e") and not word.endswith("ee"):
        word = word[:-1]  # drive, driving -> driv
    return word
