"""What a line refers back to: the topics of the last turns, and pronouns resolved against them.

"Tell me about Whitby." ... "Did Grandad come too?" ... "How often did you go there?": "there"
is Whitby, not Grandad, although Grandad was named last. A conversation keeps a few recent
topics (latest last); a pronoun takes the latest topic of its class: "he"/"she"/"他"/"她" a
person (a family word, a name, or a thing the person gave a name, like a dog), "it"/"它" and
"there"/"那里" something that is not a family member. Elliptical questions with no topic of
their own ("And where did you stay?", "那后来呢？") are about the latest topic.

A topic remembers the one name the person's reply gave it ("your dog" -> "Biscuit"), so "What
does he like to eat?" is searched as "What does your dog Biscuit like to eat?".

``answered_by_last`` says when a follow-up asks for a detail that the memory just spoken
already holds ("How old were you?" ... "Was she born early?" -> "She came three weeks early").
Pure functions over words (English and Chinese), nothing about a particular persona.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from .words import AUX, FEMALE, GENERIC, WH, KIN_WORD, MALE, focus_words, is_question, stem

MAX_TOPICS = 4
"""Recent topics kept for resolving references (older ones drop off)."""


class Topic(NamedTuple):
    """Something being talked about ("your truck"), and the name the person's reply gave it."""

    phrase: str
    name: str | None = None

    def is_person(self) -> bool:
        """A family word, a Name, or a thing with a name (a pet): "he"/"she" can point at it."""
        return bool(KIN_WORD.search(self.phrase)) or self.phrase[:1].isupper() or self.name is not None

    def is_kin(self) -> bool:
        return bool(KIN_WORD.search(self.phrase))

    def fits(self, pronoun: str) -> bool:
        """A person topic "he"/"she" can point at: not a woman for "he", not a man for "she"."""
        if pronoun in _FEMININE:
            return not MALE.search(self.phrase)
        if pronoun in _MASCULINE:
            return not FEMALE.search(self.phrase)
        return True

    def said(self) -> str:
        """The words a resolved question uses for it: the phrase, with its name when it has one."""
        if self.name and self.name.casefold() not in self.phrase.casefold():
            return f"{self.phrase} {self.name}"
        return self.phrase


# -- a line's own topic ----------------------------------------------------------------------------

_VOCATIVE = re.compile(rf"^\s*(?:(?:oh|hey|so|well),?\s+)?(?:{KIN_WORD.pattern})\s*[,，]\s*"
                       rf"|[,，]\s*(?:{KIN_WORD.pattern})\s*(?=[?？.!。！]*\s*$)|^(?:{KIN_WORD.pattern})(?=你|您)", re.IGNORECASE)
""""Nana, ..." / "..., grandpa?" / "奶奶，...": the listener addressing the person, not a topic."""
_TELL_ABOUT = re.compile(r"\b(?:tell me|talk|say something|what about|how about|and)\b.*?\babout\b\s+(?P<np>.+?)[.?!]*$"
                         rf"|^(?:and|what about|how about)\s+(?!(?:{WH}|{AUX}|you|i)\b)(?P<np2>.+?)[.?!]*$", re.IGNORECASE)
_NP = re.compile(r"\b(?:your|the|my|our|that|this)\s+(?P<np>(?:(?:first|old|new|last|favou?rite|little|big|best)\s+)?"
                 r"[a-z][\w'-]+)", re.IGNORECASE)
_CAP_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{2,}\b")
_ZH_TOPIC = re.compile(
    r"(?:说说|讲讲|聊聊|谈谈|说一说|讲一讲|介绍一下|关于)(?:你的|您的|你们的|你|您)?(?P<a>[\u4e00-\u9fff]{1,6}?)"
    r"(?:的事情?|吧|呗|呀|啊|嘛)?[。！？?!]*$"
    r"|(?:你的|您的|你们的|你家的|家里的)(?P<b>[\u4e00-\u9fff]{1,5}?)(?=是|有|在|呢|吗|怎|什|叫|多|还|现在|[，,。？?！!]|$)")


def topic_of(text: str) -> str | None:
    """The noun phrase a line is about: "about X", the last "your X", a family word, or a Name."""
    clean = _VOCATIVE.sub("", text.strip()) or text.strip()
    zh = _ZH_TOPIC.search(clean)
    if zh:
        return zh.group("a") or zh.group("b")
    match = _TELL_ABOUT.search(clean)
    if match:
        np_ = (match.group("np") or match.group("np2") or "").strip()
        if np_ and np_.lower() not in GENERIC:
            return np_
    phrases = [m.group(0) for m in _NP.finditer(clean) if m.group("np").lower() not in GENERIC]
    if phrases:
        return phrases[-1]
    kin = KIN_WORD.findall(clean)
    if kin:
        return kin[-1]
    names = [n for n in _CAP_NAME.findall(clean) if n.lower() not in GENERIC]
    return names[-1] if names else None


_ZH_ASKING = re.compile(r"你们|你|您|什么|怎么样|怎么|为什么|哪些|哪里|哪儿|吗|呢|吧|啊|呀|了|过|的|是|有|会|还|[？?，,。！!\s]")


def gist(text: str) -> str | None:
    """A line's content words as a topic when it names none: "Did you have any pets?" -> "pets",
    "你养过什么小动物吗？" -> "养小动物" (at most three English words or eight characters)."""
    clean = _VOCATIVE.sub("", text.strip())
    if _HAN.search(clean):
        return _ZH_ASKING.sub("", clean)[:8] or None
    focus = focus_words(clean).split()
    return " ".join(focus) if 0 < len(focus) <= 3 else None


_NAMED_FIRST = re.compile(r"(?:^|(?<=[.!?] ))([A-Z][a-z]{2,}) (?:is|was) (?:a|an|my|our|the|your)\b")
""""Biscuit is a beagle mix": a name that opens a sentence (other sentence-initial words are not names)."""


def name_in_reply(reply: str, phrase: str) -> str | None:
    """The one Name a reply gives its topic ("Biscuit"), None when it names none or several."""
    names = {n for n in _CAP_NAME.findall(reply) + _NAMED_FIRST.findall(reply)
             if n.lower() not in GENERIC and not KIN_WORD.fullmatch(n)}
    names -= {w for w in phrase.split()}
    return names.pop() if len(names) == 1 and not phrase[:1].isupper() else None


# -- pronouns and ellipsis -------------------------------------------------------------------------

_PERSON, _THING, _PLACE = "person", "thing", "place"
_FEMININE = frozenset({"she", "her", "hers", "她", "她们"})
_MASCULINE = frozenset({"he", "him", "his", "他"})
_PRONOUN = re.compile(r"\b(?P<en>it|its|that|this one|them|they|there|those|he|him|his|she|her|hers)\b"
                      r"|(?P<zh>他们|她们|它们|他|她|它|那里|那儿|那边|那个地方|那地方|(?:那个|这个)(?=[是有在多怎什叫还呢吗]))",
                      re.IGNORECASE)
_CLASS = {"he": _PERSON, "him": _PERSON, "his": _PERSON, "she": _PERSON, "her": _PERSON, "hers": _PERSON,
          "他": _PERSON, "她": _PERSON, "他们": _PERSON, "她们": _PERSON,
          "there": _PLACE, "那里": _PLACE, "那儿": _PLACE, "那边": _PLACE, "那个地方": _PLACE, "那地方": _PLACE}
_EXISTENTIAL = re.compile(r"\b(?:is|was|are|were|be|been)\s+there\b|\bthere(?:'s|\s+(?:is|was|are|were|be|been|used))\b")
_STARTS_BACK = re.compile(r"^(?:and|so|then|but)\b|^(?:那么?|还有|然后|后来|所以)(?![里儿边个])", re.IGNORECASE)
DETAIL_VERBS = frozenset("""stay stayed cost costs happen happened last lasted end ended start started take took
pay paid buy bought find found leave left keep kept happen finish finished""".split())  # noqa: SIM905
"""A question made of nothing but one of these ("Where did you stay?", "How much did it cost?") asks
about something already being talked about; "Where did you grow up?" does not."""
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _pick(word: str, kind: str, topics: Sequence[Topic], used: list[Topic], *, any_class: bool) -> Topic | None:
    """The latest topic a pronoun of ``kind`` can point at (``any_class``: else the latest at all)."""
    free = [t for t in reversed(topics) if t not in used and t.fits(word)]
    fits = [t for t in free if (t.is_person() if kind == _PERSON else not t.is_kin())]
    if fits:
        return fits[0]
    return free[0] if free and any_class else None


def resolve(text: str, topics: Sequence[Topic], *, own_topic: str | None = None) -> tuple[bool, str, tuple[Topic, ...]]:
    """(refers back, the text with its references resolved, the topics it refers to).

    A pronoun with no topic of its own ("How old is it?") takes the latest topic of its class;
    a line with its own topic refers back only by a person pronoun to a person topic ("Did he
    drive the truck?" after grandad) or by a place pronoun ("Did Grandad drive there?"; not the
    "there" of "Was there a fire?"). A line starting "and"/"那" with no pronoun or topic, or a
    question made of a detail verb alone, is about the latest topic. At most two pronouns (a
    person and a thing: "Did she like it?") are resolved, never both to the same topic."""
    if not topics:
        return False, text, ()
    lower = text.lower()
    used: list[Topic] = []
    done: set[bool] = set()
    out, last_end = [], 0
    for match in _PRONOUN.finditer(text):
        word = (match.group("en") or match.group("zh")).lower()
        kind = _CLASS.get(word, _THING)
        if word == "there" and _EXISTENTIAL.search(lower, max(0, match.start() - 8), match.end() + 8):
            continue  # "Was there a fire?", "there was": not a place
        if own_topic and kind == _THING:
            continue
        if (kind == _PERSON) in done:
            continue  # one reference of each class ("his ... him" are the same person)
        topic = _pick(word, kind, topics, used, any_class=not used and not own_topic)
        if topic is None or (own_topic and ((kind == _PERSON and not topic.is_person())
                                            or topic.phrase.casefold() == own_topic.casefold())):
            continue
        used.append(topic)
        done.add(kind == _PERSON)
        out.append(text[last_end:match.start()] + _replacement(word, topic, text, match, lower))
        last_end = match.end()
        if len(used) == 2:
            break
    if used:
        return True, "".join(out) + text[last_end:], tuple(used)
    if own_topic or _PRONOUN.search(text):
        return False, text, ()
    latest = topics[-1]
    han = len(_HAN.findall(text))
    if han:
        bare = is_question(text) and han <= 5
        return (True, f"{latest.said()} {text}", (latest,)) if _STARTS_BACK.search(text) or bare else (False, text, ())
    bare = is_question(text, lower) and focus_words(text) in DETAIL_VERBS
    # "Where did you stay?" right after the honeymoon: about it (the engine retries it as said
    # when nothing about the topic answers, so a fresh short question is not lost).
    if _STARTS_BACK.search(lower) or bare:
        return True, f"{text.rstrip('?.! ')} {latest.said()}?", (latest,)
    return False, text, ()


def _replacement(word: str, topic: Topic, text: str, match: re.Match[str], lower: str) -> str:
    said = topic.said()
    if word in ("his", "its", "hers") or (word == "her" and re.search(r"\bher\s+[a-z]+\b(?!\s*\?)", text[match.start():],
                                                                      re.IGNORECASE)
                                          and not re.search(r"\b(?:marry|meet|met|love|call|see|miss|like)\s+her\b", lower)):
        return said + ("'" if said.endswith("s") else "'s")
    if word == "there" and not re.search(r"\b(?:to|in|at|from|near|over|up|down|out)\s+there\b", lower):
        return f"to {said}" if re.search(r"\b(?:go|went|going|goes|get|got|move|moved|travel\w*|drive|drove|walk\w*|fly|flew|come|came|take|took"
                                      r"|ride|rode|sail\w*)\s+there\b", lower) else said
    return said


def resolve_reference(text: str, previous_topic: str, *, own_topic: str | None = None) -> tuple[bool, str]:
    """(is a follow-up, the text resolved against one previous topic): ``resolve`` for one topic."""
    follow, resolved, _ = resolve(text, [Topic(previous_topic)], own_topic=own_topic)
    return follow, resolved


# -- does the memory just spoken answer the follow-up? ---------------------------------------------

_DETAIL = {
    "number": re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty"
                         r"|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|dozen|couple|few|half|once|twice)\b"
                         r"|[一二三四五六七八九十百千两半]", re.IGNORECASE),
    "time": re.compile(r"\d|\b(?:january|february|march|april|may|june|july|august|september|october|november|december"
                       r"|spring|summer|autumn|fall|winter|christmas|easter|ago|when i was|years? old|the \w+ties"
                       r"|morning|night|evening|birthday)\b|年|月|岁|时候|冬天|夏天|春天|秋天|那年", re.IGNORECASE),
    "often": re.compile(r"\b(?:every|each|always|once|twice|times|weekly|daily|monthly|yearly|usually|never|sundays?"
                        r"|summers?|weekends?)\b|每|天天|经常|常常|一次|两次|年年", re.IGNORECASE),
    "colour": re.compile(r"\b(?:red|orange|yellow|green|blue|purple|violet|pink|white|black|grey|gray|brown|cream"
                         r"|gold|golden|silver|navy|lemon|ginger|tabby)\b|[红黄蓝绿白黑紫粉灰棕橙金银]色?", re.IGNORECASE),
    "name": re.compile(r"(?<=[a-z,] )[A-Z][a-z]{2,}|\b(?:called|named)\b|叫", re.UNICODE),
    "place": re.compile(r"\b(?:in|at|on|to|from|near)\s+(?:the\s+)?[A-Z][a-z]+|\b(?:house|home|town|village|city|farm"
                        r"|church|school|street|lane|road|lake|beach|seaside|hotel|boarding house|hospital|abroad)\b"
                        r"|在.{1,6}[里上边市县村厂家路街]|[省市县村]", re.UNICODE),
}
_ASKED_FOR = frozenset("""name names named called old many much long far big tall year years date age time when often
times colour color where place""".split())  # noqa: SIM905
_LIGHT_VERBS = DETAIL_VERBS | frozenset("make made do did have get see saw meet met begin began live lived happen use".split())
"""Verbs a detail question asks with ("When do you make it?") that its answer need not repeat."""
_PAST = {"see": "saw", "meet": "met", "buy": "bought", "pay": "paid", "go": "went", "make": "made", "take": "took",
         "find": "found", "leave": "left", "keep": "kept", "teach": "taught", "sing": "sang", "drive": "drove",
         "give": "gave", "write": "wrote", "eat": "ate", "begin": "began", "build": "built", "come": "came", "ride": "rode"}
_ZH_GLUE = re.compile(r"[他她它们那这个里儿边吗呢吧了的是有在什么怎样多少几为还你您我啊呀？?，,。！!]")


def holds_detail(wants: str | None, text: str) -> bool:
    """The text holds the kind of detail a question wants (False when it wants none we can see)."""
    rx = _DETAIL.get(wants or "")
    return bool(rx and rx.search(text))


def answered_by_last(text: str, wants: str | None, last_reply: str) -> bool:
    """The follow-up ``text`` asks for a detail the memory just spoken holds.

    A question that wants a kind of detail (a number, a time, how often, a colour, a name, a
    place) is answered when the memory holds one and speaks to the question's own content words
    (if it has any beyond the asking words); a yes/no question ("Was she born early?") when the
    memory speaks to at least half of its content words (at least one)."""
    if not last_reply.strip():
        return False
    if _HAN.search(text):
        chars = set(_HAN.findall(_ZH_GLUE.sub("", text)))
        speaks = bool(chars) and 2 * sum(c in last_reply for c in chars) >= len(chars)
        if wants in _DETAIL:
            return bool(_DETAIL[wants].search(last_reply)) and (speaks or len(chars) <= 1)
        return speaks
    own = [w for w in focus_words(text).split() if w not in _ASKED_FOR]
    reply = {stem(w) for w in re.findall(r"[A-Za-z][A-Za-z'-]+", last_reply)}
    spoken = [w for w in own if stem(w) in reply or stem(_PAST.get(w, w)) in reply]
    if wants in _DETAIL:
        if not _DETAIL[wants].search(last_reply):
            return False
        return not own or bool(spoken) or all(w in _LIGHT_VERBS for w in own)
    return bool(own) and 2 * len(spoken) >= len(own)
