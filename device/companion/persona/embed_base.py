"""What the persona's sentence embedders (MiniLM in embedder.py, the multilingual USE model in
multilingual.py) share: the contract of ``embed`` and the fingerprint a cache of vectors must match.

Each once had its own copy of both; one copy keeps the two models interchangeable wherever an
``Embedder`` is taken (the persona's search, the guardrails, the crisis check)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np


class RemembersLastText:
    """``embed``: a sequence of texts in, float32 unit rows out. The last single text's vector is
    kept, because the guardrails, the crisis check and the persona embed the same question in one turn.
    Subclasses set ``dimension`` and implement ``_embed`` (non-empty texts, unit rows)."""

    dimension: int
    _last: tuple[str, np.ndarray] | None = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``: float32 array of shape (len(texts), dimension), rows of length 1."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one string")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        last = self._last  # (text, vector) replaced whole, never changed: safe to read without a lock
        if len(texts) == 1 and last is not None and last[0] == texts[0]:
            return last[1].copy()
        vectors = self._embed(texts)
        if len(texts) == 1:
            self._last = (texts[0], vectors.copy())
        return vectors

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError


def files_fingerprint(seed: str, paths: Iterable[Path]) -> str:
    """sha256 of ``seed`` (what the embedder does with the files) and the files' bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256(seed.encode())
    for path in paths:
        with Path(path).open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
