"""Incremental sentence splitting, so speech can start before the whole reply exists.

Text arrives in pieces (whole messages or streamed tokens). A sentence is released as soon as
its end is certain: English . ! ? followed by whitespace (not after common abbreviations, not
inside numbers like 3.5), Chinese and full-width 。！？；… immediately, and line breaks.

With ``first_clause_min_words`` the very first piece of a reply may be a clause rather than a
sentence: "Oh, you know," is released at its comma so the voice can start while the rest of the
sentence is still being generated or synthesized (a short clause synthesizes in a fraction of a
sentence's time). Only the first release is cut early; later ones wait for whole sentences,
which sound more natural.
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
_CONJUNCTION = re.compile(r"\s(?=(?:and|but|so|because|then|when|while|until)\s)")
_CONJUNCTION_MIN_WORDS = 4
"""A cut before a conjunction needs this many words on each side (no "rock | and roll")."""
CLAUSE_ENDS = ",;:，、：—"
"""Marks after which a first clause may be released (ASCII ones only before whitespace)."""


class SentenceSplitter:
    def __init__(self, *, first_clause_min_words: int | None = None) -> None:
        self._buffer = ""
        self._clause_words = first_clause_min_words
        self._released = False

    def feed(self, piece: str) -> list[str]:
        """Add text; return the sentences (and possibly one first clause) now complete."""
        self._buffer += piece
        sentences = self._cut_sentences()
        if not self._released and self._clause_words is not None:
            if sentences:  # a whole first sentence arrived at once: still speak its first clause first
                split = self._split_first_clause(sentences[0], complete=True)
                if split is not None:
                    sentences[0:1] = [part for part in split if part]
            else:
                split = self._split_first_clause(self._buffer, complete=False)
                if split is not None:
                    sentences, self._buffer = [split[0]], split[1]
        self._released = self._released or bool(sentences)
        return sentences

    def _split_first_clause(self, text: str, *, complete: bool) -> tuple[str, str] | None:
        """(first clause, rest) if ``text`` starts with a clause long enough to be spoken alone."""
        for i, ch in enumerate(text):
            if ch not in CLAUSE_ENDS:
                continue
            ascii_mark = ch in ",;:"
            if ascii_mark and (i + 1 >= len(text) or not text[i + 1].isspace()):
                continue  # "3,000", or the character after the comma has not arrived yet
            clause, rest = text[: i + 1].strip(), text[i + 1 :]
            if complete and not rest.strip():
                return None  # nothing after the mark: the sentence is the clause
            words = len(clause.split()) if ascii_mark or ch == "—" else len(clause) // 2
            if words >= (self._clause_words or 1):
                return clause, rest.strip() if complete else rest
        # No punctuation: a long first sentence may still break before a conjunction
        # ("Get a good night's sleep | and eat a real breakfast."), where a speaker could breathe.
        for match in _CONJUNCTION.finditer(text):
            clause, rest = text[: match.start()].strip(), text[match.start() :]
            if len(clause.split()) < max(_CONJUNCTION_MIN_WORDS, self._clause_words or 1):
                continue
            if complete and len(rest.split()) < _CONJUNCTION_MIN_WORDS:
                return None
            return clause, rest.strip() if complete else rest
        return None

    def _cut_sentences(self) -> list[str]:
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
        self._released = self._released or bool(rest)
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


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends a sentence (not a clause cut early): it decides the pause after it."""
    text = text.rstrip().rstrip(_CLOSERS)
    return bool(text) and (text[-1] in _ASCII_ENDS or text[-1] in _CJK_ENDS)


def split_sentences(text: str) -> list[str]:
    """All sentences of a complete text."""
    splitter = SentenceSplitter()
    return splitter.feed(text) + splitter.flush()


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def join_sentences(pieces: list[str]) -> str:
    """The pieces of a reply as one text: a space between English sentences, none in Chinese
    (a space after 。 or ， would not be in the person's words)."""
    text = ""
    for piece in pieces:
        if text and piece and not (_is_cjk(text[-1]) or _is_cjk(piece[0])):
            text += " "
        text += piece
    return text
