"""Helpers every parser shares: errors that name file and line, text decoding, time parsing.

Exports arrive from phones and desktop tools in several encodings; the parsers stream them line
by line so a 100 MB export is never held in memory twice.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from .records import ExportFormatError

logger = logging.getLogger(__name__)

SELF = "Me"
"""Speaker name for the device owner when the export does not name them (SMS, iMessage)."""

SNIFF_BYTES = 64 * 1024
_EPOCH = datetime(1970, 1, 1)


def where(path: Path | str, line: int | None = None) -> str:
    """The ``where`` of an ExportFormatError: the file, and the line when known."""
    return f"{path}, line {line}" if line else str(path)


def format_error(
    what: str, path: Path | str, line: int | None = None, hint: str | None = None
) -> ExportFormatError:
    """One ExportFormatError naming the file (and line), with a hint for the next step."""
    return ExportFormatError(what, where=where(path, line), hint=hint)


def read_head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """The first bytes of a file for sniffing; empty when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def choose_encoding(
    head: bytes, fallbacks: tuple[str, ...] = ("gb18030",), *, complete: bool = False
) -> str | None:
    """The encoding of a text export from its first bytes: BOM, else UTF-8, else a fallback.

    Chinese desktop tools (QQ, older WeChat exporters) write GBK/GB18030; phones write UTF-8.
    ``complete`` says ``head`` is the whole file (so it may not end inside a character).
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", *fallbacks):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def head_text(path: Path, size: int = SNIFF_BYTES) -> str:
    """The start of a text file, decoded leniently, for format sniffing."""
    head = read_head(path, size)
    encoding = choose_encoding(head) or "utf-8"
    return head.decode("utf-16" if encoding == "utf-16" else encoding, errors="replace").lstrip(
        "\ufeff"
    )


def open_text(path: Path, raw: BinaryIO | None = None) -> io.TextIOWrapper:
    """Open a text export (or an already-open binary member) decoding strictly.

    Only "\\n" ends a line (a "\\r" inside a message stays in it; callers strip "\\r\\n").
    """
    try:
        if raw is None:
            raw = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by the wrapper
        buffered = io.BufferedReader(raw, SNIFF_BYTES)  # type: ignore[arg-type]
        head = buffered.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    except OSError as exc:
        raise format_error(f"cannot read the export: {exc.strerror or exc}", path) from exc
    encoding = choose_encoding(head, complete=len(head) < SNIFF_BYTES)
    if encoding is None:
        buffered.close()
        raise format_error(
            "the export is not a text file (binary data or an unknown encoding)",
            path,
            1,
            hint="export the chat again as text, or convert the file to UTF-8",
        )
    return io.TextIOWrapper(buffered, encoding=encoding, errors="strict", newline="\n")


def numbered_lines(handle: io.TextIOWrapper, path: Path | str) -> Iterator[tuple[int, str]]:
    """(line number, line without its end) pairs; a decoding error names the line."""
    number = 0
    try:
        for number, line in enumerate(handle, 1):  # noqa: B007 - used after the loop on error
            yield number, line.rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise format_error(
            f"the export is not valid {handle.encoding} text ({exc.reason})",
            path,
            number + 1,
            hint="convert the file to UTF-8 and import it again",
        ) from exc


_YMD_HMS = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")


def ymd_hms(text: str) -> datetime | None:
    """``2023-05-01 08:01:00`` (seconds optional, 1-digit fields allowed) without strptime's cost."""
    match = _YMD_HMS.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = match.groups()
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:
        return None


def from_unix(seconds: float) -> datetime | None:
    """Local wall-clock time for a Unix timestamp; None when it is out of range."""
    try:
        return datetime.fromtimestamp(seconds)
    except (OverflowError, OSError, ValueError):
        try:
            return _EPOCH + timedelta(seconds=seconds)
        except (OverflowError, ValueError):
            return None


def to_local_naive(moment: datetime) -> datetime:
    """Every record's time is naive local wall-clock time; aware times are converted."""
    if moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone().replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return moment.replace(tzinfo=None)


def parse_time_value(value: object, fmt: str | None = None) -> datetime | None:
    """A time cell from CSV/JSON: strptime format, ISO 8601, or Unix seconds/milliseconds.

    Returns None when the value is empty; raises ValueError when it cannot be read.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        if fmt:
            return to_local_naive(datetime.strptime(text, fmt))
        try:
            number = float(text)
        except ValueError:
            return to_local_naive(datetime.fromisoformat(text.replace("Z", "+00:00")))
    if number != number or abs(number) > 1e14 * 1000:
        raise ValueError(f"not a time: {value!r}")
    if abs(number) > 1e11:  # milliseconds since 1970
        number /= 1000.0
    moment = from_unix(number)
    if moment is None:
        raise ValueError(f"time out of range: {value!r}")
    return moment


class SkipCounter(Counter):  # type: ignore[type-arg]
    """Why messages were not turned into records (for the import summary)."""

    def skip(self, reason: str) -> None:
        self[reason] += 1


def csv_header(reader: Any) -> list[str] | None:
    """The header row of a CSV reader, names trimmed and a byte-order mark dropped; None if empty."""
    header = next(reader, None)
    return None if header is None else [column.strip().lstrip("\ufeff") for column in header]


def csv_rows_with_start(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """CSV rows with the line each starts on (a quoted field may span lines)."""
    start = reader.line_num + 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1


@contextmanager
def csv_errors(path: Path, reader: Any) -> Iterator[None]:
    """Turn the csv module's failures inside the block into one error naming file and line."""
    try:
        yield
    except csv.Error as exc:
        raise format_error(f"broken CSV: {exc}", path, reader.line_num) from exc
    except UnicodeDecodeError as exc:
        raise format_error(f"the CSV is not valid text ({exc.reason})", path, reader.line_num + 1) from exc
