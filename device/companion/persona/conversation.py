"""Memory of the conversation: what the listener said, as a value computed from the history.

The pipeline keeps the session's exchanges as they were heard (and drops them at the session
gap); ``recall`` folds them into a ``ConversationMemory``: the listener's name, what they told
(their news, their feelings, in their own words), the topic being talked about and the memory
last spoken. No engine keeps this as hidden state, so a barge-in, a new session or a test sees
exactly what the history says.

``reflect`` says back what the *listener* said ("You're Lucy, of course, kiddo."). It never
says anything about the person: facts about the person come only from their messages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .base import Exchange
from .reply import ReplyKind
from .refer import MAX_TOPICS, Topic, answered_by_last, gist, name_in_reply, topic_of
from .understand import Intent, Understanding, understand

MAX_TOLD = 8
"""The listener's latest lines of news and feeling kept (older ones drop off)."""


@dataclass(frozen=True)
class ConversationMemory:
    listener_name: str | None = None
    told: tuple[str, ...] = ()
    """What the listener told about themselves (news, feelings, remarks), latest last, as said."""
    topic: str | None = None
    """What is being talked about now ("your truck")."""
    topics: tuple[Topic, ...] = ()
    """The topics of the last turns, latest last, for resolving "it", "he", "there" (refer.py)."""
    last_message_id: str | None = None
    """The person's message spoken last (a memory), if any."""


def recall(history: Sequence[Exchange]) -> ConversationMemory:
    """Fold the session's exchanges into what the conversation remembers."""
    name: str | None = None
    told: list[str] = []
    topics: list[Topic] = []
    last_id: str | None = None
    for exchange in history:
        heard = understand(exchange.question, topics=topics)
        if heard.listener_name:
            name = heard.listener_name
        if heard.intent in (Intent.NEWS, Intent.FEELING, Intent.STATEMENT, Intent.INTRODUCTION):
            told.append(heard.text)
            del told[: max(0, len(told) - MAX_TOLD)]
        source = exchange.source
        remembered = source is not None and source.kind in (ReplyKind.MEMORY, ReplyKind.RECORDING, ReplyKind.GENERATED)
        if heard.intent in (Intent.LIFE_QUESTION, Intent.ADVICE, Intent.STATEMENT, Intent.NEWS, Intent.FEELING):
            topics = _moved(topics, heard, exchange.reply if remembered else "")
        elif heard.intent in (Intent.GREETING, Intent.FAREWELL):
            topics = []
        last_id = source.message_id if source is not None else None
    return ConversationMemory(listener_name=name, told=tuple(told), topic=topics[-1].phrase if topics else None,
                              topics=tuple(topics), last_message_id=last_id)


def _moved(topics: list[Topic], heard: Understanding, reply: str) -> list[Topic]:
    """The topics after a turn: those it referred to, or its own topic, become the latest."""
    if heard.follow_up:
        own = topic_of(heard.text)
        latest = list(heard.refers_to) + ([Topic(own)] if own else [])
    else:
        # "Did you have any pets?" has no noun phrase: its content words are the topic.
        own = heard.topic or (gist(heard.text) if reply else None)
        if not own:
            return topics
        latest = [Topic(own, name_in_reply(reply, own) if reply else None)]
    phrases = {t.phrase.casefold() for t in latest}
    kept = [t for t in topics if t.phrase.casefold() not in phrases] + latest
    return kept[-MAX_TOPICS:]


def last_answering(heard: Understanding, memory: ConversationMemory, position: Mapping[str, int],
                   texts: Sequence[str]) -> int | None:
    """The index of the memory just spoken when this follow-up asks for a detail it holds, else None."""
    about_last = bool(memory.topics) and memory.topics[-1] in heard.refers_to  # the last turn's topic, not an older one
    index = position.get(memory.last_message_id or "") if heard.follow_up and about_last else None
    return index if index is not None and answered_by_last(heard.text, heard.wants, texts[index]) else None


def hear(question: str, memory: ConversationMemory) -> Understanding:
    """``question`` understood in this conversation (its references resolved against its topics)."""
    return understand(question, topics=memory.topics)


_SWAP = {"i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "i'm": "you're",
         "i've": "you've", "i'll": "you'll", "i'd": "you'd", "we": "you", "us": "you", "our": "your", "we're": "you're",
         "am": "are", "was": "were", "you": "I", "your": "my", "you're": "I'm"}


def second_person(line: str) -> str:
    """The listener's own words turned to address them: "I got a puppy" -> "you got a puppy"."""
    words = line.strip().rstrip(".!?").split()
    out = []
    for i, word in enumerate(words):
        key = word.lower().replace("\u2019", "'")
        core = key.strip(",;:")
        swapped = _SWAP.get(core)
        if swapped is None:
            out.append(word if i else word[:1].lower() + word[1:])
            continue
        if core == "was" and not (i and words[i - 1].lower() in ("i", "we")):
            out.append(word)
            continue
        out.append(swapped + key[len(core):])
    return " ".join(out)


def reflect(question: str, memory: ConversationMemory, address: str) -> str | None:
    """An answer to a question about the listener or the conversation, from what they said; None
    if the conversation does not hold it (the caller then says so in character)."""
    lower = question.lower()
    tail = f", {address}" if address else ""
    chinese = _HAN.search(question) is not None  # asked in Chinese: said back in Chinese
    if re.search(r"\bname\b|who am i|who i am|know me|remember me|what (?:i'm|i am|am i) called|我叫什么|我是谁|名字", lower):
        if memory.listener_name:
            return f"你是{memory.listener_name}呀。" if chinese else f"You're {memory.listener_name}, of course{tail}."
        return None
    if chinese:
        return f"你跟我说过：{_second_person_zh(memory.told[-1])}。" if memory.told and re.search(r"说|告诉", question) else None
    asked = re.search(r"\bmy ([a-z]+)\b", lower)
    if asked and memory.told:
        word = asked.group(1)
        for line in reversed(memory.told):
            if re.search(rf"\b{re.escape(word)}", line, re.IGNORECASE):
                return f"You told me {second_person(line)}{tail}."
    if re.search(r"\b(?:say|said|tell|told|talking|news|saying)\b|刚才", lower) and memory.told:
        return f"You told me {second_person(memory.told[-1])}{tail}."
    return None


_HAN = re.compile(r"[\u4e00-\u9fff]")


def _second_person_zh(line: str) -> str:
    """"我考上大学了" -> "你考上大学了" (the listener's words, turned to address them)."""
    return line.strip().rstrip("。！!？?").replace("我们", "你们").replace("我", "你")


KIND_LINES_ZH: dict[str, tuple[str, ...]] = {
    "news": ("哎呀，太好了！快跟我说说。",),
    "feeling": ("别难过，孩子，我在这儿呢。跟我说说。",),
    "greeting": ("哎，你来啦！听到你的声音真好。",),
    "farewell": ("好，去吧，照顾好自己。",),
    "thanks": ("跟我还客气什么。",),
    "listener": ("你得提醒提醒我。",),
    "advice": ("这个我得好好想想。你自己心里怎么想？",),
}
"""The in-character lines of a Chinese persona whose messages hold nothing of a kind (pleasantries
only, nothing about the person), in place of the English defaults (choose.DEFAULT_KIND_REPLIES)."""


def kind_lines(language: str, card: Mapping[str, tuple[str, ...]] | None) -> Mapping[str, tuple[str, ...]] | None:
    """The card's kind lines, with the defaults of the persona's language under them (Chinese)."""
    if not language.lower().startswith("zh"):
        return card
    return {**KIND_LINES_ZH, **(card or {})}


_ADDRESS_END = re.compile(r",\s+(?:my\s+)?([a-z]{2,12})\s*[.!?]")
_ADDRESS_START = re.compile(r"^(?:oh,?\s+|well,?\s+)?(?:my\s+)?([a-z]{2,12}),\s", re.IGNORECASE)
_NOT_ADDRESS = set("""
well yes no oh and so but now then too though anyway really okay ok sure though either please honestly again also
right alright there here it that this though today tonight mostly maybe though later first still even ever once
thanks thank hello hi hey goodbye bye sorry dear
""".split())


def address_of(texts: Iterable[str]) -> str:
    """How the person addressed the family ("kiddo", "love", "sweetheart"): the word they most often
    put after a comma at the end of a sentence or before one at the start; "" when none recurs."""
    counts: Counter[str] = Counter()
    for text in texts:
        for match in _ADDRESS_END.finditer(text):
            counts[match.group(1).lower()] += 1
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            start = _ADDRESS_START.match(sentence)
            if start:
                counts[start.group(1).lower()] += 1
    for word, count in counts.most_common():
        if count >= 2 and word not in _NOT_ADDRESS:
            return word
    return ""
