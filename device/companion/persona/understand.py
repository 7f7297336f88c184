"""What was said, before a reply is chosen: small pure functions, no models.

A reply fits when it answers the kind of thing that was said. "I got the job!" wants the
person's congratulations, not their nearest story about jobs; "I miss you" wants their comfort;
"What was your first car?" wants a memory that answers it, or an honest "I don't remember";
"How old is it?" refers back to what was just talked about. ``understand`` tells these apart
with auditable rules (English, and the common Chinese forms), and the same rules classify the
person's own messages at index time by what they were answering (``reply_kind``), so news can
be answered with congratulations found by kind, not by topic words.

Nothing here knows a particular persona: the rules are about how people talk to a loved one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from .refer import Topic, resolve, resolve_reference, topic_of
from .words import GENERIC as _GENERIC
from .words import QUESTION_START as _QUESTION_START
from .words import KIN_ZH, focus_words, is_question, stem

__all__ = ["ADVICE_WORDS", "SOCIAL", "Intent", "Topic", "Understanding", "focus_words", "is_typical", "reply_kind",
           "resolve_reference", "stem", "topic_of", "understand"]


class Intent(str, Enum):
    """The kind of thing the listener said."""

    LIFE_QUESTION = "life_question"
    """A question about the person's life ("What was your first car?", "Tell me about the lake")."""
    LISTENER_QUESTION = "listener_question"
    """A question about the listener or the conversation ("What's my name?", "What did I just say?")."""
    NEWS = "news"
    """Good news from the listener ("I got the job!")."""
    FEELING = "feeling"
    """Feelings, worries and grief ("I miss you", "I lost my job", "I'm so tired of it all")."""
    GREETING = "greeting"
    FAREWELL = "farewell"
    THANKS = "thanks"
    ADVICE = "advice"
    """A request for the person's advice ("Any words of wisdom?", "What should I do?")."""
    INTRODUCTION = "introduction"
    """The listener says who they are ("My name is Lucy", "It's Omar")."""
    STATEMENT = "statement"
    """Anything else said (a remark): answered like a question about its topic."""

    def __str__(self) -> str:
        return self.value


SOCIAL = frozenset({Intent.NEWS, Intent.FEELING, Intent.GREETING, Intent.FAREWELL, Intent.THANKS,
                    Intent.INTRODUCTION})
"""Intents answered with the person's own messages of the same kind (found by kind, not topic)."""


@dataclass(frozen=True)
class Understanding:
    """What a line said, as a value (no hidden state)."""

    intent: Intent
    text: str
    resolved: str
    """The text with a reference to the last topic resolved ("How old is it?" -> "How old is your truck?")."""
    topic: str | None = None
    """The noun phrase this line is about ("your truck", "Biscuit"), if any."""
    follow_up: bool = False
    """It refers back to the conversation (a pronoun with no topic of its own, "and what about ...")."""
    wants: str | None = None
    """What kind of answer a question wants: "name", "time", "number", "place" or None."""
    focus: str = ""
    """The content words that a memory must speak to for it to answer (generic words removed)."""
    listener_name: str | None = None
    """The name the listener gave (introductions only)."""
    refers_to: tuple[Topic, ...] = ()
    """The earlier topics a follow-up was resolved against (the conversation moves them to the front)."""


# -- word lists -----------------------------------------------------------------------------------


_GREETING = re.compile(
    r"^(?:hi+|hello+|hey+|hiya|howdy|yo|good (?:morning|afternoon|evening|day)|morning|afternoon|evening"
    r"|how are you(?: doing| today| keeping)?|how's it going|how have you been|what's new|what's up)\b"
    r"|^(?:你好|您好|早上好|早安|下午好|晚上好|嗨|哈喽)"
    rf"|^(?:{KIN_ZH})[，,]?\s*(?:好|早|早上好|晚上好|下午好|你好|您好)?[！!。~]*$"  # "奶奶好！", "奶奶！"
    rf"|^(?:{KIN_ZH})(?:好|早)(?![\u4e00-\u9fff])", re.IGNORECASE)
_FAREWELL = re.compile(
    r"\b(?:good ?night|night night|nighty night|nite|bye+|goodbye|bye[- ]bye|see you|see ya|talk (?:to you )?(?:soon|later|tomorrow)"
    r"|speak soon|sweet dreams|sleep (?:well|tight)|take care|i(?:'ve| have)? (?:got|gotta|have) to go|i must go"
    r"|off to bed|going to bed now)\b|晚安|再见|拜拜|回头聊|先走了", re.IGNORECASE)
_THANKS = re.compile(r"^(?:oh,? |well,? )?(?:thanks?\b|thank you|thank u|ta\b|cheers\b|many thanks|much appreciated)"
                     r"|\b(?:thank you|thanks) (?:so much|for)\b|谢谢|多谢|感谢", re.IGNORECASE)
_INTRO = re.compile(
    r"(?i:\b(?:my name(?:'s| is)|call me|i am called|i'm called|people call me))\s+(?P<a>[A-Za-z][\w'-]{1,30})"
    r"|^(?i:(?:hi|hello|hey)(?: there)?,? )?(?i:it's|it is|this is|i'm|i am)\s+(?P<b>[A-Z][\w'-]{1,30})"
    r"(?i:,?\s+(?:here|by the way|again|speaking))?\s*[.!]*$"
    r"|我(?:叫|是)(?P<c>[\u4e00-\u9fff]{1,4})(?:[。！!.]|$)")
_NOT_NAMES = set("""
sad happy fine good okay ok tired sorry here back home done ready lonely scared worried pregnant engaged
married sick ill glad so not just really very feeling going trying working doing alright well great
""".split())
_LISTENER_Q = re.compile(
    r"\b(?:what(?:'s| is| was) my|who am i|do you (?:know|remember) (?:who i am|me|my|what i)|what did i (?:just )?(?:say|tell)"
    r"|what have i (?:just )?(?:said|told)|what was i (?:saying|talking about)|remember what i|what were we talking about"
    r"|what's the news i|did i (?:tell|say)|what (?:i'm|i am|am i) called)|我叫什么|我是谁|我刚才说", re.IGNORECASE)
_BAD = (r"lost|fail(?:ed)?|died|dead|passed away|funeral|cancer|sick|ill\b|hospital|broke up|dumped|left me|fired|laid off"
        r"|redundant|divorce|miscarriage|accident|hurt|crying|cried|cry|sad|lonely|alone|miss(?:ing)? you|miss (?:him|her|grandma|grandpa|\w+)"
        r"|worried|worry|anxious|scared|afraid|stressed|depressed|down|upset|angry|heartbroken|awful|terrible|rough|hard time"
        r"|bad (?:day|week|news)|can't sleep|grief|grieving|mourning|struggling|exhausted|overwhelmed|nervous|homesick|hate")
_FEELING = re.compile(
    rf"\b(?:{_BAD})\b|\bi(?:'m| am| feel| felt|'ve been| have been| was)(?: feeling)?(?: so| really| very| a bit| kind of| just| quite| pretty)*"
    r" (?:sad|low|down|lonely|lost|blue|empty|tired|worried|scared|awful|terrible|miserable|broken|numb|anxious|upset)"
    r"|难过|伤心|想你|想念|孤独|寂寞|害怕|担心|焦虑|压力|哭|去世|走了|失业|分手|生病|住院|累"
    r"|难受|失败|没考上|落榜|挂科|被裁|裁员|失恋|委屈|郁闷|心烦|不开心|心情不好|睡不着|崩溃|撑不下去", re.IGNORECASE)
_NEWS = re.compile(
    r"^(?:guess what|great news|good news|big news|news)\b"
    r"|\b(?:i|we)(?: just| finally| actually| have| 've| 'd)? (?:got|get|passed|won|finished|started|start|bought|made|scored"
    r"|graduated|ran|caught|built|found|learned|learnt|landed|booked|moved|adopted|became|turned|completed|beat|aced"
    r"|signed|sold|published|qualified|earned|received|opened|launched|had (?:a|the) baby|are having|'re having|am having)\b"
    r"|\bi(?:'m| am) (?:pregnant|engaged|getting married|going to be a|expecting|a (?:mum|mom|dad|father|mother|grand\w+)"
    r"|(?:now )?(?:a|an) (?:nurse|doctor|teacher|engineer|lawyer))\b"
    r"|\b(?:we're|we are) (?:pregnant|engaged|getting married|having a baby|expecting|moving)\b"
    r"|\byou(?:'re| are) going to be (?:a )?(?:great[- ])?(?:grand\w+|great\w*)"
    r"|\b(?:i|we) did it\b|\b(?:i|we)(?:'ve| have) (?:got|been accepted|passed|won|finished)"
    r"|考上|通过了|拿到|升职|结婚|订婚|怀孕|生了|毕业|录取|买了房|找到工作"
    r"|好消息|喜讯|喜事|婚礼|领证|办酒|摆酒|加薪|涨工资|转正|上岸|中奖|怀上|当爸爸|当妈妈|被录用|新工作", re.IGNORECASE)
_ADVICE = re.compile(r"\b(?:advice|advise|tips?|wisdom|what should i|should i|how (?:do|can|should) i|what would you do"
                     r"|what do you think i should|help me decide|any pointers)\b|建议|我该怎么办|怎么办", re.IGNORECASE)
ADVICE_WORDS = frozenset("advice advise tip tips wisdom word words pointer pointers life thought thoughts "
                         "suggestion suggestions".split())
"""Words that only ask for advice; a request with nothing else in it wants any of the person's advice."""
_WANTS = (
    ("name", re.compile(r"\b(?:name|named|called|call (?:him|her|it|you))\b|叫什么|名字", re.IGNORECASE)),
    ("time", re.compile(r"^when\b|\bwhat (?:year|age|date|day|month|time)\b|\bhow (?:long ago|old were you)\b|哪年|什么时候", re.IGNORECASE)),
    ("number", re.compile(r"\bhow (?:many|much|old|long|far|big|tall)\b|多少|几|多大|多久", re.IGNORECASE)),
    ("place", re.compile(r"^where\b|\bwhat (?:town|city|country|place|street|school)\b|哪里|哪儿", re.IGNORECASE)),
    ("often", re.compile(r"\bhow often\b|多久一次|多长时间一次|经常", re.IGNORECASE)),
    ("colour", re.compile(r"\b(?:what|which) colou?r\b|什么颜色|啥颜色", re.IGNORECASE)),
)


# -- the listener's line --------------------------------------------------------------------------

def understand(text: str, previous_topic: str | None = None, *, topics: Sequence[Topic] = ()) -> Understanding:
    """Classify one line and resolve its references to the topics of the last turns (``topics``,
    latest last; or the one ``previous_topic``)."""
    clean = " ".join(text.split())
    lower = clean.lower().replace("\u2019", "'")
    intent = _intent(clean, lower)
    name = _listener_name(clean) if intent is Intent.INTRODUCTION else None
    topic = topic_of(clean)
    known = list(topics) or ([Topic(previous_topic)] if previous_topic else [])
    follow_up, resolved = False, clean
    used: tuple[Topic, ...] = ()
    if intent in (Intent.LIFE_QUESTION, Intent.ADVICE, Intent.STATEMENT) and known:
        follow_up, resolved, used = resolve(clean, known, own_topic=topic)
    asked = re.sub(r"^(?:and|so|then|but|oh|well)\b[,\s]*", "", lower)  # "And where did you stay?" asks where
    wants = next((kind for kind, rx in _WANTS if rx.search(asked)), None) if is_question(clean, lower) else None
    if follow_up:
        topic = " ".join(([topic] if topic else []) + [t.said() for t in used])
    return Understanding(intent=intent, text=clean, resolved=resolved, topic=topic, follow_up=follow_up, wants=wants,
                         focus=focus_words(resolved), listener_name=name, refers_to=used)


def _intent(text: str, lower: str) -> Intent:
    if not lower:
        return Intent.STATEMENT
    question = is_question(text, lower)
    if _LISTENER_Q.search(lower):
        return Intent.LISTENER_QUESTION
    if _INTRO.search(text) and _listener_name(text):
        return Intent.INTRODUCTION
    words = len(lower.split())
    asks = question and bool(_QUESTION_START.search(lower))  # "Did you sleep well?" is not a goodnight
    if _FAREWELL.search(lower) and words <= 10 and not asks:
        return Intent.FAREWELL
    if _THANKS.search(lower) and words <= 14 and not asks:
        return Intent.THANKS
    if _GREETING.search(lower) and words <= 8:
        return Intent.GREETING
    if not question or re.match(r"^(?:guess what|i|we|my|our)\b", lower):
        if _FEELING.search(lower):
            return Intent.FEELING
        if _NEWS.search(lower):
            return Intent.NEWS
        if question:
            return Intent.ADVICE if _ADVICE.search(lower) else Intent.LIFE_QUESTION
        return Intent.STATEMENT
    return Intent.ADVICE if _ADVICE.search(lower) else Intent.LIFE_QUESTION


def _listener_name(text: str) -> str | None:
    match = _INTRO.search(text)
    if match is None:
        return None
    name = match.group("a") or match.group("b") or match.group("c")
    if not name or name.lower() in _NOT_NAMES or name.lower() in _GENERIC:
        return None
    return name[:1].upper() + name[1:]


# -- the person's messages, by what they answered ---------------------------------------------------

_CONGRATS = re.compile(r"\b(?:congratulations|congrats|well done|proud of you|so proud|i knew you (?:would|could)"
                       r"|that's (?:wonderful|great|fantastic|brilliant) news|best news|good for you|look at you"
                       r"|happy tears|that's my)\b|恭喜|真棒|为你骄傲", re.IGNORECASE)
_COMFORT = re.compile(r"\b(?:i'm (?:so )?sorry|oh,? (?:love|sweetheart|honey|darling|kiddo)|it'll pass|it will pass"
                      r"|be gentle with yourself|you'll get through|we'll get through|it's (?:all right|alright|okay|ok) to"
                      r"|that's (?:all right|alright|normal|okay)|deep breaths?|take a breath|i know,? (?:love|dear|kiddo)?)\b"
                      r"|别难过|没事的|抱抱|会好的", re.IGNORECASE)
_GREET_BACK = re.compile(r"^(?:well,? )?(?:hi+|hello+|hey|morning|good morning|evening)\b|你好|早上好", re.IGNORECASE)
_BYE_BACK = re.compile(r"\b(?:good ?night|night night|sleep tight|sweet dreams|bye|talk (?:to you )?(?:soon|tomorrow)"
                       r"|take care)\b|晚安|再见", re.IGNORECASE)
_WELCOME = re.compile(r"\b(?:you're (?:very )?welcome|no trouble|my pleasure|any ?time|don't mention it|no problem)\b"
                      r"|不客气|不用谢", re.IGNORECASE)


_DAYTIME = (("morning", re.compile(r"\b(?:good )?morning\b|早上好|早安|^早", re.IGNORECASE)),
            ("afternoon", re.compile(r"\bafternoon\b|下午好", re.IGNORECASE)),
            ("evening", re.compile(r"\bevening\b|\bgood ?night\b|\bnight night\b|\bnighty\b|\bsleep (?:tight|well)\b"
                                   r"|\bsweet dreams\b|\b(?:off to|going to) bed\b|晚上好|晚安|睡觉", re.IGNORECASE)))


def time_of_day(text: str) -> str | None:
    """The time of day a greeting or goodbye names ("Good morning" -> "morning"; goodnights are
    "evening"), from its first sentence; None when it names none."""
    first = re.split(r"(?<=[.!?。！？])\s*", text.strip(), maxsplit=1)[0]
    return next((when for when, rx in _DAYTIME if rx.search(first)), None)


def clashes(when: str, reply: str) -> bool:
    """A reply naming another time of day than the line ("Good morning!" to "Night night")."""
    said = time_of_day(reply)
    return said is not None and said != when


def is_typical(kind: Intent, text: str) -> bool:
    """The message says its kind in so many words (a congratulation, a comfort, a hello, a goodnight,
    a "you're welcome"): such messages fit any line of that kind, not only the one they answered."""
    rx = {Intent.NEWS: _CONGRATS, Intent.FEELING: _COMFORT, Intent.GREETING: _GREET_BACK,
          Intent.INTRODUCTION: _GREET_BACK, Intent.FAREWELL: _BYE_BACK, Intent.THANKS: _WELCOME}.get(kind)
    return bool(rx and rx.search(re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]))


def reply_kind(context: str | None, text: str) -> Intent | None:
    """What kind of line a message of the person answered, so it can be found by kind.

    By what was said to them (the context) first, confirmed or replaced by the message's own
    words: a reply to news that congratulates, a reply to sadness that comforts, a greeting,
    a goodnight, a "you're welcome". None for ordinary answers (found by answerability)."""
    said = understand(context).intent if context else None
    if said is Intent.ADVICE:
        return Intent.ADVICE
    if said in (Intent.LIFE_QUESTION, Intent.LISTENER_QUESTION):
        return None  # an answer to a question is found by whether it answers, not by its tone
    if said in (Intent.NEWS, Intent.FEELING) and is_typical(Intent.NEWS, text) != is_typical(Intent.FEELING, text):
        # Their own words settle good news against bad ("I got the job at the hospital" -> "Congratulations!").
        return Intent.NEWS if is_typical(Intent.NEWS, text) else Intent.FEELING
    if said in (Intent.NEWS, Intent.FEELING, Intent.GREETING, Intent.FAREWELL, Intent.THANKS, Intent.INTRODUCTION):
        return said
    if _CONGRATS.search(text):
        return Intent.NEWS
    if _WELCOME.search(text):
        return Intent.THANKS
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    if _BYE_BACK.search(first) and len(text.split()) <= 25:
        return Intent.FAREWELL
    if _GREET_BACK.search(first) and len(text.split()) <= 25 and said is None:
        return Intent.GREETING
    if _COMFORT.search(first) and said is None:
        return Intent.FEELING
    return None
