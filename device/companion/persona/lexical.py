"""A lexical signal for personas in Chinese: jieba words scored with BM25.

A sentence embedder knows that 婚礼 and 结婚 are close; it is less sure that 饺子 in the question
and 饺子 in a memory make that memory the one meant. Word overlap says exactly that, so a Chinese
persona's search adds this score to the embedder's. It is hand-written (~100 lines over numpy)
rather than ``bm25s`` because the persona needs every memory's score (not a top-k list) on a
[0, 1] scale that a decline threshold can be calibrated on, and bm25s' indexer pulls scipy onto
the device for what is here a dictionary of postings.

The score of a memory is the BM25 weight of the query words it contains divided by the weight
the query would get from a memory containing all of them: 1.0 when every (non-function) word of
the question occurs, 0.0 when none does. Words absent from the whole persona count at full
weight in the denominator, so a question about something never mentioned scores low.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Sequence

import numpy as np

from .zh_text import canonical, normalise, strip_address

K1 = 1.2
B = 0.75
CHARACTERS = True
"""Also index single characters (prefixed #) besides jieba's words."""

_PUNCT = re.compile(r"^[\W_]+$")
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Function words that carry no topic: pronouns, particles, copulas, question words, and the
# modal verbs every question starts with. Kept short on purpose: idf handles the rest.
STOPWORDS_ZH = frozenset(
    "你 您 我 他 她 它 你们 我们 他们 咱们 的 地 得 了 吗 呢 吧 啊 呀 哦 嘛 么 是 有 在 会 能 要 想 过 着 都 也 还 就 "  # noqa: SIM905
    "又 和 跟 与 把 被 给 对 很 太 最 更 这 那 这个 那个 哪 哪个 哪些 哪里 什么 怎么 怎样 怎么样 为什么 多少 几 个 一 "
    "一下 没有 有没有 是不是 不 没 嗯 喜欢 知道 告诉 觉得 时候 一般 平时 以前 现在 "
    "做 说 上 到 见 办 去 来 看 听 用 弄 搞 干 让 叫 记得 还记得 记不记得 什么样 什么样子 干什么 怎么弄 哪天 哪些地方".split()
)
STOP_CHARACTERS = frozenset("什 么 怎 哪 些 啥 咋 谁 吗 呢 吧 啊 呀 嘛".split())  # noqa: SIM905
"""Characters of question words (什么样 -> 什, 怎么弄 -> 怎): never indexed on their own."""
STOPWORDS_EN = frozenset(
    "a an the and or but of to in on at for with about as by from is are was were be been am do does did you your "  # noqa: SIM905
    "i me my we our he she it they them his her its what which who whom how when where why that this these those "
    "have has had can could would should will shall any some ever".split()
)

_jieba_lock = threading.Lock()
QUESTION_MEASURES = "种首年只样部本条位所座件道次回个家天月"
"""哪 + a measure word is one question word (哪种, 哪首, 哪年): jieba's dictionary lacks most of them and
cuts 哪种花 as 哪 / 种花 (plant flowers), 哪首歌 as 哪 / 首歌, so the topic word (花, 歌) is lost."""


def jieba_ready() -> None:
    """Initialise jieba once (lazily, and not thread-safely by itself: call under ``jieba_lock``),
    with the question words of QUESTION_MEASURES added to its dictionary."""
    import jieba

    if not jieba.dt.initialized:
        jieba.setLogLevel(60)
        jieba.initialize()
        for measure in QUESTION_MEASURES:
            jieba.add_word(f"哪{measure}", 2000)


def jieba_lock() -> threading.Lock:
    """The lock every use of jieba's shared dictionary takes (lexical.py, zh_answer.py)."""
    return _jieba_lock


def uses_lexical(language: str) -> bool:
    """Whether a persona in ``language`` gets the lexical signal (Chinese: zh, cmn, yue, zh-TW...)."""
    base = language.lower().split("-")[0]
    return base in ("zh", "cmn", "yue", "wuu")


def tokenize(text: str) -> list[str]:
    """Words of ``text``: jieba's search-mode segmentation for Han text (normalised, without a
    leading address, everyday variants spelled one way: zh_text.py), lowercased Latin words,
    without punctuation and function words."""
    import jieba

    with _jieba_lock:  # jieba initialises its dictionary lazily and is not thread-safe doing it
        jieba_ready()
        # A leading address (奶奶，…) says who is spoken to, not what about (zh_text.strip_address);
        # everyday variants are spelled one way (上学 -> 读书, zh_text.canonical).
        pieces = jieba.lcut_for_search(canonical(strip_address(normalise(text))))
    words: list[str] = []
    for piece in pieces:
        piece = piece.strip()
        if not piece or _PUNCT.match(piece):
            continue
        if piece.isascii():
            words.extend(w for w in _LATIN_WORD.findall(piece) if w not in STOPWORDS_EN)
        elif piece not in STOPWORDS_ZH and not (piece[0] == "哪" and len(piece) == 2):  # 哪种: a question word
            if len(piece) > 1 or not CHARACTERS:
                words.append(piece)
            if CHARACTERS:
                # Its characters too (a single character only as one): a recogniser that mishears
                # one character of 红烧肉, or splits it (紅 少 肉), still matches on the others.
                words.extend(f"#{ch}" for ch in piece if ch not in STOPWORDS_ZH and ch not in STOP_CHARACTERS)
    return words


class LexicalIndex:
    """BM25 over a fixed list of documents (None = no document: always scores 0)."""

    def __init__(self, documents: Sequence[str | None]) -> None:
        self.size = len(documents)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        lengths = np.zeros(self.size, dtype=np.float32)
        for row, document in enumerate(documents):
            if not document:
                continue
            counts = Counter(tokenize(document))
            lengths[row] = sum(counts.values())
            for word, count in counts.items():
                rows, tfs = postings.setdefault(word, ([], []))
                rows.append(row)
                tfs.append(count)
        present = lengths > 0
        average = float(lengths[present].mean()) if present.any() else 1.0
        n = max(1, int(present.sum()))
        self._norm = (K1 * (1 - B + B * lengths / average)).astype(np.float32)
        self._unseen_idf = math.log(1 + (n + 0.5) / 0.5)
        self._postings = {
            word: (np.asarray(rows, dtype=np.int32), np.asarray(tfs, dtype=np.float32),
                   math.log(1 + (n - len(rows) + 0.5) / (len(rows) + 0.5)))
            for word, (rows, tfs) in postings.items()
        }

    def idf(self, word: str) -> float:
        """How rare ``word`` is among the documents (a word none holds weighs most)."""
        entry = self._postings.get(word)
        return self._unseen_idf if entry is None else entry[2]

    def scores(self, query: str) -> np.ndarray:
        """Each document's share of the query's BM25 weight, in [0, 1] (float32, document order)."""
        result = np.zeros(self.size, dtype=np.float32)
        words = set(tokenize(query))
        if not words:
            return result
        total = 0.0
        for word in words:
            entry = self._postings.get(word)
            if entry is None:
                total += self._unseen_idf
                continue
            rows, tfs, idf = entry
            total += idf
            # BM25 term weight scaled to at most idf (tf saturation divided by its limit k1 + 1).
            result[rows] += idf * tfs / (tfs + self._norm[rows])
        result *= (K1 + 1) / total
        return np.clip(result, 0.0, 1.0)


class LexicalSignal:
    """The lexical scores of a persona's messages: by what was asked (context) and by the reply."""

    def __init__(self, contexts: Sequence[str | None], texts: Sequence[str]) -> None:
        self._contexts = LexicalIndex(contexts)
        self._texts = LexicalIndex(texts)

    def idf(self, word: str) -> float:
        """How rare ``word`` is among the persona's messages (their own words)."""
        return self._texts.idf(word)

    def scores(self, question: str) -> tuple[np.ndarray, np.ndarray]:
        """(by context, by text) for every message, each in [0, 1]."""
        return self._contexts.scores(question), self._texts.scores(question)
