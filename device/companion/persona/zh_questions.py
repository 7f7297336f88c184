"""Questions a Chinese reply answers, written from its own clauses by rule (doc2query without a model).

A sentence embedder scores a question against another question far higher than against its answer
(zh_answer.py): 你是哪里人呀？ scores 0.08 against 我老家在安徽芜湖，… but 0.63 against 你老家在哪儿？.
So each reply is also searched by the questions it answers, written here from its first clauses:
the speaker's 我 becomes 你 (and 你 becomes 我), and the clause is asked back whole (…吗？) and with
the first thing of a kind the clause holds asked for instead (a time -> 什么时候, a count -> 几 +
its measure word, a place after 在/去/到/住 -> 哪儿, what is liked or feared -> 什么). Nothing
but the reply's own words goes in: a hidden stored question cannot leak through them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .vector_cache import _safe_name, read_cache, write_cache

CLAUSES = 2
"""Clauses of a reply asked back (the first ones: where a chat reply answers what it was asked)."""
MIN_CLAUSE = 3
_SPLIT = re.compile(r"[，。！？；,.!?;~～…\s]+")
_DIGIT = r"[\d零〇一二两三四五六七八九十百千万半几]"
_SLOTS = (
    (re.compile(rf"{_DIGIT}+(年级)"), r"几\1"),  # 四年级 is a count (of school years), not a time
    (re.compile(rf"{_DIGIT}+(?:年代|年|月|号|日|点)(?:{_DIGIT}+(?:月|号|日))?|[春夏秋冬]天|农历[\u4e00-\u9fff]{{2,4}}"),
     "什么时候"),
    (re.compile(rf"{_DIGIT}+([个只条次回岁天遍块斤口间棵盆位米里亩层届本首张份碗杯双倍周趟顿])"), r"几\1"),
    (re.compile(r"(?<=[在去到住])[\u4e00-\u9fff]{2,6}?(?=当|做|上|的|$)"), "哪儿"),
    (re.compile(r"(最?(?:喜欢|爱吃|爱看|爱听|爱|怕|想吃|会唱))[\u4e00-\u9fff《》“”]{1,8}"), r"\1什么"),
)
"""(what a clause holds, how it is asked for): the first that matches is asked."""


def swap_persons(text: str) -> str:
    """The clause as asked of the speaker: 我 -> 你 and 你 -> 我 (我们 -> 你们 with it)."""
    return text.replace("你", "\0").replace("我", "你").replace("\0", "我")


def questions_for(reply: str) -> list[str]:
    """The questions ``reply`` answers, by rule (module docstring); at most 2 x CLAUSES, none for a
    reply without a clause of MIN_CLAUSE characters."""
    found: list[str] = []
    clauses = [c for c in _SPLIT.split(reply) if len(c) >= MIN_CLAUSE][:CLAUSES]
    for clause in clauses:
        asked = swap_persons(clause)
        found.append(f"{asked}吗？")
        for pattern, question_word in _SLOTS:
            if pattern.search(asked):
                found.append(f"{pattern.sub(question_word, asked, count=1)}？")
                break
    return found


MAX_REPLIES = 2000
"""Replies asked back (the first ones): each costs ~3 embeddings when the persona is first loaded
(~100 a second here), so a huge history is searched by its replies' own words beyond these."""
_VERSION = "zh-asked-back-1"


def asked_back(texts: Sequence[str], allowed: np.ndarray, embedder: Any, cache_dir: Path | None,
               name: str) -> tuple[np.ndarray, np.ndarray]:
    """(unit vectors of the questions each allowed reply answers, the reply's index per vector, in
    ascending order), embedded once and cached under ``cache_dir`` like the persona's own vectors."""
    owners: list[int] = []
    asked: list[str] = []
    for index in np.flatnonzero(allowed)[:MAX_REPLIES]:
        for question in questions_for(texts[int(index)]):
            owners.append(int(index))
            asked.append(question)
    if not asked:
        return np.zeros((0, embedder.dimension), dtype=np.float32), np.zeros(0, dtype=np.int64)
    path = None
    if cache_dir is not None:
        digest = hashlib.sha256(f"{_VERSION}\0{embedder.fingerprint}\0".encode())
        digest.update("\0".join(asked).encode("utf-8", "surrogatepass"))
        path = Path(cache_dir) / f"{_safe_name(name)}-asked.{digest.hexdigest()[:32]}.npy"
        cached = read_cache(path, (1, len(asked), embedder.dimension))
        if cached is not None:
            return cached[0], np.asarray(owners, dtype=np.int64)
    vectors = np.asarray(embedder.embed(asked), dtype=np.float32)
    if path is not None:
        write_cache(path, vectors[None])
    return vectors, np.asarray(owners, dtype=np.int64)


def by_questions(vectors: np.ndarray, owners: np.ndarray, query: np.ndarray, size: int) -> np.ndarray:
    """Per reply (``size`` of them), the closest of its questions to ``query``; -1 for none. ``owners``
    ascending (``asked_back``)."""
    best = np.full(size, -1.0, dtype=np.float32)
    if len(owners):
        starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        best[owners[starts]] = np.maximum.reduceat(vectors @ query, starts)
    return best
