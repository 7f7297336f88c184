"""A short portrait of how the person wrote, for `companion persona show`.

Typical message length, the phrases and emoji they used most, and what they called the people
they wrote to ("kiddo", "sweetheart"): enough for the family to recognise the voice and to spot
an import that picked the wrong speaker, computed from the persona's own words only.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[\w']+", re.UNICODE)
_EMOJI = re.compile(
    "[\U0001F1E6-\U0001F1FF\U0001F300-\U0001F5FF\U0001F600-\U0001F64F\U0001F680-\U0001F6FF"
    "\U0001F900-\U0001F9FF\U0001FA70-\U0001FAFF\u2600-\u27BF\u2764]"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_GREETINGS = ("hi", "hey", "hello", "dear", "morning", "night", "goodnight", "love you", "thanks", "thank you",
              "bye", "miss you", "ok", "okay", "yes", "no")
# "Hi kiddo", "Love you, sweetheart", "Goodnight my darling": the word after a greeting, or the
# last word after a comma at the end of a message.
_ADDRESS_AFTER_GREETING = re.compile(
    r"^(?:" + "|".join(re.escape(g) for g in _GREETINGS) + r")[ ,!]+(?:my |dear )?([A-Za-z][\w']{1,20})\b", re.I
)
_ADDRESS_AT_END = re.compile(r",\s*(?:my )?([A-Za-z][\w']{1,20})\s*[.!?]*\s*$")
_STOP = set(
    "a an the and or but so to of in on at for is it i you he she we they me my your be was were am are "
    "that this with have has had do did not just im i'm it's its as if at by from up out".split()
)
_NOT_NAMES = set(
    "me you it all now then too there here again yet soon later today tomorrow though how what why when where who "
    "well sure great good fine please".split()
) | _STOP


@dataclass(frozen=True)
class StyleSummary:
    messages: int
    median_words: float
    median_chars: float
    phrases: list[tuple[str, int]]
    emoji: list[tuple[str, int]]
    address_terms: list[tuple[str, int]]
    chinese: bool = False
    """Most messages are written in Chinese characters: length is counted in characters (a
    Chinese "word" count would be the number of characters between spaces, i.e. meaningless)."""

    def lines(self) -> list[str]:
        def fmt(items: list[tuple[str, int]]) -> str:
            return ", ".join(f"{text!r} ({n})" for text, n in items) or "-"

        length = (
            f"{self.median_chars:g} characters"
            if self.chinese
            else f"{self.median_words:g} words, {self.median_chars:g} characters"
        )
        return [
            f"typical message: {length} (median of {self.messages})",
            f"frequent phrases: {fmt(self.phrases)}",
            f"frequent emoji: {fmt(self.emoji)}",
            f"how they addressed you: {fmt(self.address_terms)}",
        ]


def summarise_style(texts: Iterable[str], *, top: int = 8) -> StyleSummary:
    """Style of the persona's messages (pure: unit-tested on made-up texts)."""
    words_per: list[int] = []
    chars_per: list[int] = []
    phrases: Counter[str] = Counter()
    emoji: Counter[str] = Counter()
    address: Counter[str] = Counter()
    chinese_messages = 0
    for text in texts:
        text = text.strip()
        if not text:
            continue
        words = [w.lower() for w in _WORD.findall(text)]
        cjk = len(_CJK.findall(text))
        if cjk * 2 >= len(text.replace(" ", "")):
            chinese_messages += 1
        words_per.append(len(words) + (cjk if cjk > len(words) else 0))
        chars_per.append(len(text.replace(" ", "")) if cjk else len(text))
        emoji.update(_EMOJI.findall(text))
        for n in (2, 3, 4):
            for i in range(len(words) - n + 1):
                gram = words[i : i + n]
                if all(w in _STOP for w in gram):
                    continue
                phrases[" ".join(gram)] += 1
        for pattern in (_ADDRESS_AFTER_GREETING, _ADDRESS_AT_END):
            match = pattern.search(text)
            if match and match.group(1).lower() not in _NOT_NAMES:
                address[match.group(1).lower()] += 1
                break  # one address per message
    repeated = sorted(((p, n) for p, n in phrases.most_common(top * 4) if n >= 2), key=lambda x: (-x[1], -len(x[0])))
    # One entry per saying: a phrase overlapping one already kept, about as frequent, is the same saying.
    kept: list[tuple[str, int]] = []
    for phrase, count in repeated:
        if any(_overlap(phrase, other) and count <= other_count * 1.1 for other, other_count in kept):
            continue
        kept.append((phrase, count))
    return StyleSummary(
        messages=len(words_per),
        median_words=statistics.median(words_per) if words_per else 0,
        median_chars=statistics.median(chars_per) if chars_per else 0,
        phrases=kept[:top],
        emoji=emoji.most_common(top),
        address_terms=[(a, n) for a, n in address.most_common(top) if n >= 2],
        chinese=bool(words_per) and chinese_messages * 2 > len(words_per),
    )


def _overlap(a: str, b: str) -> bool:
    """Two phrases share a content word (so they are likely parts of the same saying)."""
    return bool((set(a.split()) - _STOP) & (set(b.split()) - _STOP))
