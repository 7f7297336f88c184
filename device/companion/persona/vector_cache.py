"""The persona's message vectors: embedded once, kept on disk, read back only when they match
(same embedder, same messages), written atomically."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..atomicfile import atomic_path
from .folder import PersonaFolder, PersonaMessage

logger = logging.getLogger(__name__)


def read_cache(path: Path, expected: tuple[int, ...]) -> np.ndarray | None:
    try:
        vectors = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        logger.warning("ignoring unreadable persona cache %s: %s", path, exc)
        return None
    if vectors.shape != expected or vectors.dtype != np.float32 or not np.isfinite(vectors).all():
        logger.warning("ignoring persona cache %s: shape %s does not match %s", path, vectors.shape, expected)
        return None
    return vectors


def write_cache(path: Path, vectors: np.ndarray) -> None:
    """Write atomically, so a crash never leaves half a cache behind."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp, open(tmp, "xb") as handle:
            np.save(handle, vectors, allow_pickle=False)
    except OSError as exc:
        logger.warning("could not write persona cache %s: %s", path, exc)
        return
    # Vectors of an older version of the same persona are dead weight now.
    prefix = path.name.split(".", 1)[0]
    for stale in path.parent.glob(f"{prefix}.*.npy"):
        if stale != path:
            try:
                stale.unlink()
            except OSError:
                pass


_CACHE_VERSION = "retrieval-v1"


def persona_vectors(folder: PersonaFolder, embedder: Any, cache_dir: Path | None) -> np.ndarray:
    """Vectors of shape (2, n, dim): what was asked of the person (zero where absent), then the
    person's words; from ``cache_dir`` when it holds this folder's vectors by this embedder."""
    messages = folder.messages
    expected = (2, len(messages), embedder.dimension)
    cache_path = None
    if cache_dir is not None:
        cache_path = cache_dir / f"{_safe_name(folder.name)}.{_cache_key(messages, embedder.fingerprint)[:32]}.npy"
        cached = read_cache(cache_path, expected)
        if cached is not None:
            logger.debug("persona vectors loaded from %s", cache_path)
            return cached
    vectors = _embed_all(messages, embedder)
    if cache_path is not None:
        write_cache(cache_path, vectors)
    return vectors


def _cache_key(messages: Sequence[PersonaMessage], fingerprint: str) -> str:
    digest = hashlib.sha256(_CACHE_VERSION.encode())
    digest.update(fingerprint.encode())
    payload = [[m.context, m.text] for m in messages]
    digest.update(json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _embed_all(messages: Sequence[PersonaMessage], embedder: Any) -> np.ndarray:
    contexts = [m.context for m in messages if m.context is not None]
    embedded = embedder.embed(contexts + [m.text for m in messages])
    vectors = np.zeros((2, len(messages), embedder.dimension), dtype=np.float32)
    has_context = np.array([m.context is not None for m in messages], dtype=bool)
    vectors[0, has_context] = embedded[: len(contexts)]
    vectors[1] = embedded[len(contexts) :]
    logger.info("embedded %d persona messages (%d contexts)", len(messages), len(contexts))
    return vectors


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:40] or "persona"
