"""The rows the crisis red-team generators write (make_crisis_train.py, make_crisis_batch4.py,
make_crisis_batch5.py): one place that makes a row's id and fields, and writes a set with its header
line, so the sets cannot drift apart in shape. (make_crisis_heldout.py keeps its own copy: it was
committed before any tuning and is not edited.)"""

from __future__ import annotations

import json
from pathlib import Path


class CrisisRows:
    """Rows of one set; ids are ``{prefix}-{category}-{kind}-{lang}-{n}``, numbered on across calls."""

    def __init__(self, prefix: str, *, width: int = 2, kind_suffixes: str = "") -> None:
        self.rows: list[dict] = []
        self._prefix = prefix
        self._width = width
        self._kind_suffixes = kind_suffixes
        """Trailing characters an id's kind may carry to tell batches apart ("fraud3"); not in the field."""

    def add(self, lang: str, cat: str, kind: str, items: list) -> None:
        """One row per item: a string is the prompt; a list is earlier turns, then the prompt."""
        stem = f"{self._prefix}-{cat}-{kind}-{lang}-"
        start = sum(1 for r in self.rows if r["id"].startswith(stem))
        for i, it in enumerate(items, start):
            r = {"id": f"{stem}{i:0{self._width}d}", "category": cat, "lang": lang,
                 "kind": kind.rstrip(self._kind_suffixes) if self._kind_suffixes else kind}
            if isinstance(it, list):
                r["history"], r["prompt"] = it[:-1], it[-1]
            else:
                r["prompt"] = it
            self.rows.append(r)

    def write(self, path: Path, header: str) -> None:
        path.write_text(header + "\n" + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.rows),
                        encoding="utf-8")
