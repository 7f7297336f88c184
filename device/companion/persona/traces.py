"""Erase means erased: the files derived from a persona outside its bundle, found and removed.

`persona erase` and `care goodbye` crypto-shred the bundle; what was derived from it lives
elsewhere: the engine choice `persona eval` records (engine-*.json, naming the persona and its
report), an interrupted `persona train`'s work folder (adapter checkpoints and the merged model,
learned from the person's messages) and vector caches; each is found by the persona's folder,
its bundle id or its names, then overwritten and removed (ethics/erase.py puts it together with
the bundle's erasure and the opted-in transcripts).
A last sweep removes any other small file in companion's cache that names the folder or the
bundle id, so a cache added later is not forgotten.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

TRAIN_DIR = "persona-train"
ENGINE_CACHE = "persona"
SWEEP_MAX_BYTES = 16 * 1024 * 1024
"""Files up to this size in the cache are searched for the persona's folder or bundle id."""


def train_work_dir(cache: Path, persona_dir: Path) -> Path:
    """Where `persona train` keeps its checkpoints and merged model by default."""
    return Path(cache) / TRAIN_DIR / Path(persona_dir).resolve().name


def _safe_name(name: str) -> str:
    """As retrieval.py names a plain folder's vector cache."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:40] or "persona"


def find_traces(settings: Any, persona_dir: Path, *, bundle_id: str | None = None,
                names: Iterable[str] = ()) -> list[Path]:
    """Every file or folder outside the bundle derived from this persona (nothing is removed)."""
    from .lm.loader import choice_path

    persona_dir = Path(persona_dir).resolve()
    cache = Path(settings.paths.cache)
    found: list[Path] = []

    def add(path: Path) -> None:
        if (path.exists() or path.is_symlink()) and path not in found:
            found.append(path)

    engine_dir = cache / ENGINE_CACHE
    add(choice_path(engine_dir, persona_dir))
    for path in sorted(engine_dir.glob("engine-*.json")) if engine_dir.is_dir() else ():
        try:
            if Path(json.loads(path.read_text(encoding="utf-8")).get("persona", "")) == persona_dir:
                add(path)
        except (OSError, ValueError, AttributeError):
            continue
    add(train_work_dir(cache, persona_dir))
    for name in {_safe_name(n) for n in names if n.strip()}:
        for path in sorted(engine_dir.glob(f"{name}.*.npy")) if engine_dir.is_dir() else ():
            add(path)  # a vector cache made when the persona was a plain folder
    markers = [m.encode("utf-8") for m in (str(persona_dir), bundle_id) if m]
    for path in sorted(cache.rglob("*")) if cache.is_dir() else ():
        if not path.is_file() or path.is_symlink() or any(p == path or p in path.parents for p in found):
            continue
        try:
            if path.stat().st_size <= SWEEP_MAX_BYTES and any(m in path.read_bytes() for m in markers):
                add(path)
        except OSError:
            continue
    return found


def remove_traces(settings: Any, persona_dir: Path, *, bundle_id: str | None = None,
                  names: Iterable[str] = ()) -> list[Path]:
    """Overwrite and remove every trace found; returns what went."""
    from .bundle.keys import shred_file

    removed = find_traces(settings, persona_dir, bundle_id=bundle_id, names=names)
    for path in removed:
        if path.is_dir() and not path.is_symlink():
            for inner in sorted(path.rglob("*")):
                if inner.is_file() and not inner.is_symlink():
                    shred_file(inner)
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file() and not path.is_symlink():
            shred_file(path)
        else:
            path.unlink(missing_ok=True)
        logger.info("removed derived file %s", path)
    return removed
