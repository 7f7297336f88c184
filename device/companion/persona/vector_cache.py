"""The persona's message vectors on disk: read back only when they match, written atomically."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ..atomicfile import atomic_path

logger = logging.getLogger(__name__)


def read_cache(path: Path, expected: tuple[int, int, int]) -> np.ndarray | None:
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
