"""Talk of someone else's suicide death ("my dad took his own life", 我爸爸是自杀的): a check-in, not a break.

A family using this device is grieving; some lost the person to suicide, and they will say so. Treating
that as the listener's own crisis (the break with "please call the help line now") misreads them and
tells them their grief is an emergency. Ignoring it is not right either: people bereaved by suicide
are themselves at raised risk. What a careful listener does is acknowledge the loss and ask, gently
and out of character, how they are doing, with the help line offered (ETHICS C9: a check-in). The
check-in stays one while the listener keeps talking about that death (it is not escalated as
"repeated"), a "no" or "not really" to it is a crisis as after any check-in, and anything of their
own in the same turn ("... and I want to go the same way") is read without the bereavement phrase,
so it is still a crisis.
"""

from __future__ import annotations

import re

from .cues import _rx, canonical

_WHO_EN = (r"(?:(?:my|our|his|her|their|your) (?:\w+ )?(?:dad|daddy|father|mum|mom|mummy|mother|brother|sister|son|"
           r"daughter|husband|wife|partner|uncle|aunt|auntie|grandad|granddad|grandpa|grandfather|grandma|granny|"
           r"grandmother|nan|nana|friend|cousin|boyfriend|girlfriend|fiance|fiancee|nephew|niece|boy|girl|"
           r"stepdad|stepmum|stepmom|twin)|he|she|they|you|dad|mum|mom)")
_DEATH_EN = (r"(?:took (?:his|her|their|your) (?:own )?life|killed (?:himself|herself|themselves|themself|yourself)"
             r"|committed suicide|died (?:by|from|of) suicide|ended (?:his|her|their|your) (?:own )?life"
             r"|(?:hanged|hung|shot|drowned|gassed) (?:himself|herself|themselves|yourself))")
BEREAVED_EN = _rx(
    r"\b" + _WHO_EN + r"\b(?: (?:had|has|have|was|were|just|then|finally|went and|\w+ly))?(?: had)? " + _DEATH_EN + r"\b"
    r"|\b(?:lost|losing) (?:my|our|his|her) (?:\w+ )?\w+ to suicide\b"
    r"|\b(?:your|his|her|their|(?:my|our) \w+'s) suicide\b"
    r"|\b(?:why|how) did you (?:take your (?:own )?life|kill yourself|do it)\b"
)
_WHO_ZH = (r"(?:爸爸|爸|妈妈|妈|父亲|母亲|哥哥|姐姐|弟弟|妹妹|儿子|女儿|丈夫|老公|妻子|老婆|爷爷|奶奶|外公|外婆|姥姥|姥爷"
           r"|舅舅|叔叔|伯伯|姑姑|阿姨|姨妈|朋友|同学|表哥|表姐|表弟|表妹|堂哥|堂姐|孩子|他|她|你)")
BEREAVED_ZH = re.compile(
    _WHO_ZH + r"(?:当年|那年|去年|前年|是|已经|就)?(?:是)?(?:自杀|轻生|寻短见|跳楼|跳河|跳江|上吊|喝农药|吃安眠药)"
    r"(?:的|了|走的|死的|去世的?|离开的?|走了|没的)"
    r"|(?:自杀|轻生|跳楼|上吊|喝农药)(?:走的|去世的?|离开(?:了|的)|没的)"
    r"|你(?:为什么|怎么)(?:要|会)?(?:自杀|寻短见|想不开)"
)
_OWN_EN = _rx(r"\b(?:same way|like (?:he|she|they|you) did|follow (?:him|her|them|you)|do what (?:he|she|they|you) did"
              r"|do the same|go the same)\b")
_OWN_ZH = re.compile(r"(?:跟|像|和)(?:他|她|你|爸爸|妈妈|哥哥|姐姐)?[^。]{0,4}一样|也想|也要|随(?:他|她|你)而去")


def follows_them(text: str) -> bool:
    """Someone's suicide death and the wish to do the same ("... and I want to go the same way"): a crisis."""
    t = canonical(text)
    return bool((BEREAVED_EN.search(t) or BEREAVED_ZH.search(t)) and (_OWN_EN.search(t) or _OWN_ZH.search(t)))


def is_bereaved(text: str) -> bool:
    """The text speaks of someone else's suicide death (and not of following them)."""
    t = canonical(text)
    if _OWN_EN.search(t) or _OWN_ZH.search(t):
        return False
    return bool(BEREAVED_EN.search(t) or BEREAVED_ZH.search(t))


def without_bereavement(text: str) -> str:
    """The text with the words about someone else's suicide death taken out, so the rest is read on its own."""
    t = canonical(text)
    return BEREAVED_ZH.sub("，", BEREAVED_EN.sub(" ", t))
