"""Any CSV or JSON Lines file of messages, given which column holds what.

For exports no dedicated parser knows: ``--map time=Date,speaker=From,text=Body`` names the
columns (CSV header names, or JSONL keys). Without a mapping, common column names are tried
("time"/"date"/"timestamp", "speaker"/"from"/"sender"/"author", "text"/"body"/"message"/...).
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ._common import (
    SkipCounter,
    clean_text,
    csv_errors,
    csv_header,
    csv_rows_with_start,
    format_error,
    head_text,
    numbered_lines,
    open_text,
    parse_time_value,
)
from .records import ChatRecord, ExportFormatError, make_record

logger = logging.getLogger(__name__)

_GUESSES = {
    "text": ("text", "body", "message", "content", "msg", "内容", "消息"),
    "speaker": ("speaker", "from", "sender", "author", "name", "发送人", "发送者"),
    "time": ("time", "date", "timestamp", "datetime", "sent", "时间"),
    "conversation": ("conversation", "chat", "thread", "channel", "会话"),
    "record_id": ("id", "message_id", "msg_id"),
    "reply_to": ("reply_to", "reply_to_id", "in_reply_to"),
}


@dataclass(frozen=True)
class ColumnMapping:
    """Which column (CSV header) or key (JSONL) holds each part of a message."""

    text: str
    """The message text (required)."""
    speaker: str | None = None
    """Who wrote it."""
    time: str | None = None
    """When: ISO 8601, Unix seconds/milliseconds, or as ``time_format`` says."""
    conversation: str | None = None
    """The chat or thread; the file name when absent."""
    record_id: str | None = None
    """The message's own id (for replies and de-duplication)."""
    reply_to: str | None = None
    """The id of the message it answers."""
    time_format: str | None = None
    """A strptime format for ``time`` (e.g. "%d.%m.%Y %H:%M")."""
    is_group: bool = False
    """Whether the file is a group chat."""

    @classmethod
    def parse(cls, spec: str) -> ColumnMapping:
        """Read ``"time=Date,speaker=From,text=Body"`` (the ``--map`` option)."""
        known = {f.name for f in fields(cls)}
        values: dict[str, object] = {}
        for part in spec.split(","):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            key = key.strip()
            if not sep or key not in known or not value.strip():
                raise ExportFormatError(
                    f"bad column mapping {part.strip()!r}",
                    where="--map",
                    hint=f"write key=Column pairs separated by commas; keys: {', '.join(sorted(known))}",
                )
            values[key] = value.strip().lower() in ("1", "true", "yes") if key == "is_group" else value.strip()
        if "text" not in values:
            raise ExportFormatError(
                "the column mapping names no text column", where="--map", hint="add text=ColumnName"
            )
        return cls(**values)  # type: ignore[arg-type]

    @classmethod
    def guess(cls, columns: Iterable[str]) -> ColumnMapping | None:
        """A mapping from common column names, or None when no text column is recognisable."""
        by_lower = {column.strip().lower(): column for column in columns}
        chosen: dict[str, Any] = {}
        for key, names in _GUESSES.items():
            for name in names:
                if name in by_lower:
                    chosen[key] = by_lower[name]
                    break
        return cls(**chosen) if "text" in chosen else None


class _TabularParser:
    """Shared record building for CSV rows and JSONL objects."""

    name = ""

    def __init__(self, mapping: ColumnMapping | str | None = None) -> None:
        self.mapping = ColumnMapping.parse(mapping) if isinstance(mapping, str) else mapping
        self.skipped = SkipCounter()

    def _mapping_for(self, path: Path, columns: Iterable[str], line: int) -> ColumnMapping:
        mapping = self.mapping or ColumnMapping.guess(columns)
        if mapping is None:
            raise format_error(
                "cannot tell which column holds the message text",
                path,
                line,
                hint="name the columns with --map time=Date,speaker=From,text=Body",
            )
        return mapping

    def _record(
        self, path: Path, line: int, row: Mapping[str, object], mapping: ColumnMapping
    ) -> ChatRecord | None:
        def value(column: str | None) -> object:
            return row.get(column) if column else None

        text = value(mapping.text)
        if text is None:
            text = ""
        if not isinstance(text, str):
            text = json.dumps(text, ensure_ascii=False) if isinstance(text, (dict, list)) else str(text)
        try:
            moment = parse_time_value(value(mapping.time), mapping.time_format)
        except (ValueError, OverflowError) as exc:
            raise format_error(
                f"cannot read the time {value(mapping.time)!r}",
                path,
                line,
                hint="give its format, e.g. --map time_format=%d.%m.%Y %H:%M",
            ) from exc

        def text_of(column: str | None) -> str | None:
            raw = value(column)
            return None if raw is None or raw == "" else clean_text(str(raw))

        text = clean_text(text)

        if not text.strip():
            self.skipped.skip("empty message")
            return None
        return make_record(
            self.name, text_of(mapping.conversation) or path.stem, text_of(mapping.speaker) or "",
            text, moment, text_of(mapping.record_id), text_of(mapping.reply_to), mapping.is_group,
            (), f"{path}:{line}",
        )  # fmt: skip


class CsvParser(_TabularParser):
    """A CSV file with a header row (delimiter: the most frequent of , ; tab in the header)."""

    name = "csv"

    @staticmethod
    def _delimiter(path: Path) -> str:
        header = head_text(path, 4096).split("\n", 1)[0]
        return max((",", ";", "\t"), key=header.count)

    def sniff(self, path: Path) -> bool:
        if path.suffix.lower() not in (".csv", ".tsv"):
            return False
        first = head_text(path, 4096).split("\n", 1)[0]
        return "," in first or "\t" in first or ";" in first

    def parse(self, path: Path) -> Iterator[ChatRecord]:
        with open_text(path) as handle:
            reader = csv.reader(handle, delimiter=self._delimiter(path))
            with csv_errors(path, reader):
                header = csv_header(reader)
                if header is None:
                    return
                mapping = self._mapping_for(path, header, 1)
                missing = [
                    column
                    for column in (mapping.text, mapping.speaker, mapping.time, mapping.conversation,
                                   mapping.record_id, mapping.reply_to)
                    if column and column not in header
                ]  # fmt: skip
                if missing:
                    raise format_error(
                        f"no column {', '.join(map(repr, missing))} in the header "
                        f"({', '.join(header[:12])})",
                        path,
                        1,
                        hint="check the names given to --map",
                    )
                for line, row in csv_rows_with_start(reader):
                    if not row:
                        continue
                    record = self._record(path, line, dict(zip(header, row, strict=False)), mapping)
                    if record is not None:
                        yield record


class JsonlParser(_TabularParser):
    """JSON Lines: one JSON object per line."""

    name = "jsonl"

    def sniff(self, path: Path) -> bool:
        lines = [line for line in head_text(path, 4096).splitlines()[:3] if line.strip()]
        if not lines:
            return False
        try:
            return all(isinstance(json.loads(line), dict) for line in lines[:2])
        except (ValueError, RecursionError):
            return False

    def parse(self, path: Path) -> Iterator[ChatRecord]:
        mapping = self.mapping
        with open_text(path) as handle:
            for number, line in numbered_lines(handle, path):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except (ValueError, RecursionError) as exc:
                    raise format_error(f"invalid JSON: {exc}", path, number) from exc
                if not isinstance(row, dict):
                    raise format_error("each line must be a JSON object", path, number)
                if mapping is None:
                    mapping = self._mapping_for(path, row.keys(), number)
                record = self._record(path, number, row, mapping)
                if record is not None:
                    yield record
