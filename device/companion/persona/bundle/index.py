"""The memory index: one sentence embedding per distinct text of the reply pairs, inside the bundle.

Embedding runs at ~180 sentences/s on a 2-core CPU, far slower than parsing, so it is its own
step (`companion persona index`, run after every import): resumable, in committed batches, with
a progress bar. Vectors live in the encrypted database (float16), keyed by the text's sha256,
so a phrase said a thousand times ("love you!") is embedded once, a killed run keeps what it
finished, and no vector ever reaches the disk unencrypted. At load they are decrypted into RAM
as one float32 matrix.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .store import Bundle

logger = logging.getLogger(__name__)

BATCH = 256
CALL_TOKENS = 2048
EMBED_CALL = 32
"""Texts per model call in the embedder (embedder.BATCH_SIZE)."""
MAX_TEXT_TOKENS = 256
"""The embedder cuts each text to this many tokens (embedder.MAX_TOKENS)."""
EMBEDDER_META = "embedder"


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True)
class IndexStats:
    texts: int
    embedded_now: int
    seconds: float


WINDOW_TEXTS = 4096
WINDOW_CHARS = 8_000_000
"""Indexing memory cap: at most this many pair texts (or characters) are held at once, besides one
embedding batch (BATCH texts; CALL_TOKENS tokens per model call), whatever the bundle's size: measured by
tests/bench/bench_memory.py, well under 1 GB for 100,000 messages or a 10 MB letter."""


def _pair_windows(bundle: Bundle) -> Iterator[tuple[dict[bytes, str], int]]:
    """The distinct pair texts, a window at a time, with the pairs read so far (paged by pair id:
    no cursor stays open across the commits)."""
    last_id = seen = 0
    window: dict[bytes, str] = {}
    chars = 0
    while True:
        rows = bundle.db.execute("SELECT id, context, answer FROM reply_pairs WHERE id > ? ORDER BY id LIMIT ?",
                                 (last_id, WINDOW_TEXTS)).fetchall()
        if not rows:
            break
        last_id = rows[-1][0]
        for _, context, answer in rows:
            seen += 1
            for text in (context, answer):
                if text:
                    key = text_key(text)
                    if key not in window:
                        window[key] = text
                        chars += len(text)
            if len(window) >= WINDOW_TEXTS or chars >= WINDOW_CHARS:
                yield window, seen
                window, chars = {}, 0
    if window:
        yield window, seen


def _missing(bundle: Bundle, window: dict[bytes, str]) -> list[tuple[bytes, str]]:
    keys = list(window)
    have: set[bytes] = set()
    for start in range(0, len(keys), 500):  # SQLite's bound-parameter limit
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        have.update(row[0] for row in bundle.db.execute(f"SELECT text_hash FROM vectors WHERE text_hash IN ({marks})",
                                                        chunk))
    return [(key, text) for key, text in window.items() if key not in have]


def _batches(items: list[tuple[bytes, str]]) -> Iterator[list[tuple[bytes, str]]]:
    """BATCH texts at a time, fewer when long. The embedder runs EMBED_CALL texts per model call, and
    its working memory grows with texts x tokens (squared, in attention): a call over long texts
    holds at most CALL_TOKENS (estimated) tokens, so a batch of long texts is cut short."""
    chunk: list[tuple[bytes, str]] = []
    for item in items:  # sorted by length: the newest item is the longest so far
        longest = min(len(item[1]) // 3 + 2, MAX_TEXT_TOKENS)
        limit = BATCH if longest * EMBED_CALL <= CALL_TOKENS else max(1, CALL_TOKENS // longest)
        if len(chunk) >= limit:
            yield chunk
            chunk = []
        chunk.append(item)
    if chunk:
        yield chunk


def build_index(bundle: Bundle, embedder: Any, *, progress: bool = True) -> IndexStats:
    """Embed every pair text that has no vector yet, a window at a time; each batch commits on its own."""
    import time

    from tqdm import tqdm

    started = time.perf_counter()
    fingerprint = embedder.fingerprint
    if bundle.meta(EMBEDDER_META) != fingerprint:
        with bundle.transaction():
            if bundle.meta(EMBEDDER_META) is not None:
                logger.info("embedding model changed: rebuilding the memory index")
            bundle.db.execute("DELETE FROM vectors")
            bundle._set_meta(EMBEDDER_META, fingerprint)
    # Two passes, each a window at a time: count what is missing (for the progress bar), then embed it.
    total = sum(len(_missing(bundle, window)) for window, _ in _pair_windows(bundle))
    if total:
        logger.info("memory index: embedding %d texts", total)
    bar = tqdm(total=total, desc="indexing memories", unit=" text", file=sys.stderr,
               disable=not progress or not total, mininterval=0.5)
    embedded = 0
    for window, _ in _pair_windows(bundle):
        missing = _missing(bundle, window)
        del window
        # Similar lengths together: the embedder pads each batch to its longest text.
        missing.sort(key=lambda item: len(item[1]))
        for chunk in _batches(missing):
            vectors = embedder.embed([text for _, text in chunk]).astype(np.float16)
            with bundle.transaction():
                bundle.db.executemany(
                    "INSERT OR IGNORE INTO vectors(text_hash, vector) VALUES (?, ?)",
                    [(key, vector.tobytes()) for (key, _), vector in zip(chunk, vectors)],
                )
            embedded += len(chunk)
            bar.update(len(chunk))
    bar.close()
    return IndexStats(texts=bundle.count("vectors"), embedded_now=embedded, seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class MemoryIndex:
    """Pairs and their vectors in RAM: row ``i`` of ``context_rows``/``answer_rows`` points into ``matrix``."""

    pair_ids: np.ndarray  # int64 (n,)
    contexts: tuple[str | None, ...]
    answers: tuple[str, ...]
    times: tuple[str | None, ...]
    sources: tuple[str, ...]
    matrix: np.ndarray  # float32 (u, dim), unit rows
    context_rows: np.ndarray  # int32 (n,), -1 = no context
    answer_rows: np.ndarray  # int32 (n,)


def load_index(bundle: Bundle, embedder: Any, *, progress: bool = False) -> MemoryIndex:
    """Bring the index up to date (embedding anything missing: a progress bar on a terminal, since an
    un-indexed import can take minutes) and load it into memory."""
    build_index(bundle, embedder, progress=progress or sys.stderr.isatty())
    rows: dict[bytes, int] = {}
    dimension = embedder.dimension
    matrix = np.empty((bundle.count("vectors"), dimension), dtype=np.float32)  # filled in place: no second copy
    for key, blob in bundle.db.execute("SELECT text_hash, vector FROM vectors"):
        if len(rows) == len(matrix):
            break
        matrix[len(rows)] = np.frombuffer(blob, dtype=np.float16)
        rows[key] = len(rows)
    matrix = matrix[: len(rows)]
    pairs = bundle.pairs()
    context_rows = np.array([rows[text_key(p[1])] if p[1] else -1 for p in pairs], dtype=np.int32)
    answer_rows = np.array([rows[text_key(p[2])] for p in pairs], dtype=np.int32)
    return MemoryIndex(
        pair_ids=np.array([p[0] for p in pairs], dtype=np.int64),
        contexts=tuple(p[1] for p in pairs),
        answers=tuple(p[2] for p in pairs),
        times=tuple(p[3] for p in pairs),
        sources=tuple(p[4] for p in pairs),
        matrix=matrix,
        context_rows=context_rows,
        answer_rows=answer_rows,
    )
