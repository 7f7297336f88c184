"""Incremental sentence splitting, so speech can start before the whole reply exists.

Text arrives in pieces (whole messages or streamed tokens). A sentence is released as soon as
its end is certain: English . ! ? followed by whitespace (not after common abbreviations, not
inside numbers like 3.5), Chinese and full-width 。！？；… immediately, and line breaks.
"""

from __future__ import annotations

import re

_CJK_ENDS = "。！？；…"
_ASCII_ENDS = ".!?"
_CLOSERS = "\"')]}”’」』）"
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr prof mt vs etc e.g i.e a.m p.m no approx dept est fig inc ltd co".split()
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


class SentenceSplitter:
    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, piece: str) -> list[str]:
        """Add text; return the sentences now complete."""
        self._buffer += piece
        sentences: list[str] = []
        start = 0
        i = 0
        text = self._buffer
        while i < len(text):
            ch = text[i]
            end = None
            if ch == "\n":
                end = i + 1
            elif ch in _CJK_ENDS:
                end = self._after_closers(text, i + 1)
            elif ch in _ASCII_ENDS:
                after = self._after_closers(text, i + 1)
                if after < len(text) and text[after].isspace() and not self._is_abbreviation(text, start, i):
                    end = after
                elif after >= len(text):
                    break  # cannot tell yet: wait for the next piece
            if end is not None:
                sentence = text[start:end].strip()
                if sentence:
                    sentences.append(sentence)
                start = end
                i = end
                continue
            i += 1
        self._buffer = text[start:]
        return sentences

    def flush(self) -> list[str]:
        """The rest, at the end of the reply."""
        rest, self._buffer = self._buffer.strip(), ""
        return [rest] if rest else []

    @staticmethod
    def _after_closers(text: str, i: int) -> int:
        while i < len(text) and (text[i] in _CLOSERS or text[i] in _ASCII_ENDS or text[i] in _CJK_ENDS):
            i += 1
        return i

    @staticmethod
    def _is_abbreviation(text: str, start: int, dot: int) -> bool:
        if text[dot] != ".":
            return False
        match = _WORD_BEFORE.search(text[start:dot])
        if not match:
            return False
        word = match.group(1).lower()
        return word in _ABBREVIATIONS


def split_sentences(text: str) -> list[str]:
    """All sentences of a complete text."""
    splitter = SentenceSplitter()
    return splitter.feed(text) + splitter.flush()
