"""The generation log (ETHICS.md C11): what was generated, when and by which models, never what.

One JSON line per utterance: time, persona id, utterance id (= watermark payload = provenance
id), kind, and the sha256 of every model involved. Transcripts are written to a separate file
only when the owner opted in, and are pruned after the retention period.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from ..errors import CompanionError

logger = logging.getLogger(__name__)

LOG_NAME = "generation.jsonl"
TRANSCRIPT_NAME = "transcripts.jsonl"
_FORBIDDEN = {"text", "reply", "transcript", "question", "content"}


def new_utterance_id() -> int:
    """A random 32-bit id: the watermark payload and the provenance id of one utterance."""
    return secrets.randbits(32)


def utterance_hex(utterance_id: int) -> str:
    return f"{utterance_id:08x}"


class GenerationLog:
    """Appends content-free records; thread-safe (turns finish on worker threads)."""

    def __init__(self, directory: Path, *, keep_transcripts: bool = False, retention_days: int = 30) -> None:
        self.directory = directory
        self.keep_transcripts = keep_transcripts
        self.retention_days = retention_days
        self._lock = threading.Lock()
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CompanionError(f"cannot create the log folder: {exc.strerror or exc}", where=str(directory),
                                 hint="set [ethics] log_dir to a writable folder") from None
        self.prune_transcripts()

    @property
    def path(self) -> Path:
        return self.directory / LOG_NAME

    def record(self, utterance_id: int, *, persona_id: str, kind: str, models: Mapping[str, str],
               now: float | None = None, **extra: object) -> dict[str, object]:
        """Append one record; refuses any content field so content cannot leak in by accident."""
        leaked = _FORBIDDEN & set(extra)
        if leaked:
            raise ValueError(f"the generation log holds no content: {sorted(leaked)}")
        entry: dict[str, object] = {
            "time": round(time.time() if now is None else now, 3),
            "utterance_id": utterance_hex(utterance_id),
            "persona_id": persona_id,
            "kind": kind,
            "models": dict(models),
            **extra,
        }
        self._append(self.path, entry)
        return entry

    def transcript(self, utterance_id: int, question: str, reply: str, now: float | None = None) -> None:
        """Keep the words of a turn, only if the owner opted in."""
        if not self.keep_transcripts:
            return
        self._append(self.directory / TRANSCRIPT_NAME, {
            "time": round(time.time() if now is None else now, 3), "utterance_id": utterance_hex(utterance_id),
            "question": question, "reply": reply,
        })

    def prune_transcripts(self, now: float | None = None) -> int:
        """Drop transcripts older than the retention period (all of them if opted out)."""
        path = self.directory / TRANSCRIPT_NAME
        if not path.is_file():
            return 0
        cutoff = (time.time() if now is None else now) - self.retention_days * 86400
        kept, dropped = [], 0
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                t = float(json.loads(line)["time"])
            except (ValueError, KeyError, TypeError):
                dropped += 1
                continue
            if self.keep_transcripts and t >= cutoff:
                kept.append(line)
            else:
                dropped += 1
        with self._lock:
            path.write_text("".join(k + "\n" for k in kept), encoding="utf-8")
        if dropped:
            logger.info("pruned %d transcript lines", dropped)
        return dropped

    def entries(self) -> Iterator[dict[str, object]]:
        if not self.path.is_file():
            return
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                yield json.loads(line)
            except ValueError:
                continue

    def find(self, utterance_hex_id: str) -> dict[str, object] | None:
        for entry in self.entries():
            if entry.get("utterance_id") == utterance_hex_id:
                return entry
        return None

    def _append(self, path: Path, entry: Mapping[str, object]) -> None:
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock, open(path, "a", encoding="utf-8") as f:
            f.write(line)
