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
from dataclasses import dataclass
from typing import Any

import numpy as np

from .store import Bundle

logger = logging.getLogger(__name__)

BATCH = 256
EMBEDDER_META = "embedder"


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True)
class IndexStats:
    texts: int
    embedded_now: int
    seconds: float


def _pair_texts(bundle: Bundle) -> dict[bytes, str]:
    texts: dict[bytes, str] = {}
    for context, answer in bundle.db.execute("SELECT context, answer FROM reply_pairs"):
        for text in (context, answer):
            if text:
                texts.setdefault(text_key(text), text)
    return texts


def build_index(bundle: Bundle, embedder: Any, *, progress: bool = True) -> IndexStats:
    """Embed every pair text that has no vector yet; each batch commits on its own."""
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
    texts = _pair_texts(bundle)
    have = {row[0] for row in bundle.db.execute("SELECT text_hash FROM vectors")}
    missing = [(key, text) for key, text in texts.items() if key not in have]
    # Similar lengths together: the embedder pads each batch to its longest text.
    missing.sort(key=lambda item: len(item[1]))
    if missing:
        logger.info("memory index: embedding %d of %d texts", len(missing), len(texts))
    bar = tqdm(total=len(missing), desc="indexing memories", unit=" text", file=sys.stderr,
               disable=not progress or not missing, mininterval=0.5)
    for start in range(0, len(missing), BATCH):
        chunk = missing[start : start + BATCH]
        vectors = embedder.embed([text for _, text in chunk]).astype(np.float16)
        with bundle.transaction():
            bundle.db.executemany(
                "INSERT OR IGNORE INTO vectors(text_hash, vector) VALUES (?, ?)",
                [(key, vector.tobytes()) for (key, _), vector in zip(chunk, vectors)],
            )
        bar.update(len(chunk))
    bar.close()
    return IndexStats(texts=len(texts), embedded_now=len(missing), seconds=time.perf_counter() - started)


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
    blobs: list[bytes] = []
    for key, blob in bundle.db.execute("SELECT text_hash, vector FROM vectors"):
        rows[key] = len(blobs)
        blobs.append(blob)
    dimension = embedder.dimension
    matrix = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(blobs), dimension).astype(np.float32)
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
