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
from typing import IO, Any

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


DETECTED = ("gb18030", "big5", "cp1252")
"""What a file without a BOM, a declaration or valid UTF-8 may be in: Chinese desktop tools (QQ,
older WeChat exporters) write GBK/GB18030 or Big5; Western Windows tools write cp1252."""
MAX_LINE_CHARS = 1_000_000
"""A chat export line longer than this is not a chat line (a pasted document or a binary)."""
MAX_FILE_BYTES = 4 << 30
"""A file larger than this (4 GiB) is refused: no family chat export is that large."""
_DECLARED = re.compile(rb"""(?:<\?xml[^>]{0,200}?encoding|charset)\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "ascii": "utf-8", "latin_1": "cp1252", "iso8859_1": "cp1252"}


def _decodes(data: bytes, encoding: str, complete: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=complete)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def declared_encoding(head: bytes) -> str | None:
    """The encoding an XML declaration, an HTML/MIME ``charset=`` states, when Python knows it."""
    match = _DECLARED.search(head[:4096])
    if match is None:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return _SUPERSETS.get(name.replace("-", "_"), name)


def choose_encoding(
    head: bytes, fallbacks: tuple[str, ...] = DETECTED, *, complete: bool = False
) -> str | None:
    """The encoding of a text export from its first bytes; None for binary data.

    In order: a byte-order mark; the encoding the file declares (XML, HTML, MIME), if its bytes
    fit it; UTF-8 when the bytes are valid UTF-8; else the candidate in ``fallbacks`` whose
    decoding reads as language (charset-normalizer's mess detection), so a cp1252 "chouriço"
    is not read as GBK "chouri鏾". ``complete`` says ``head`` is the whole file.
    """
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        return None
    if not complete and b"\n" in head[-4096:]:
        head = head[: head.rindex(b"\n") + 1]  # never judge a character cut at the window's end
    declared = declared_encoding(head)
    if declared and _decodes(head, declared, complete=True):
        return declared
    if _decodes(head, "utf-8", complete=True):
        return "utf-8"
    as_utf8 = head.decode("utf-8", errors="replace")
    bad = as_utf8.count("\ufffd")
    good = len(_NON_ASCII.findall(as_utf8)) - bad
    if good >= 1 and bad * 10 <= good:
        return "utf-8"  # UTF-8 with a few damaged bytes: replace those, keep the rest
    from charset_normalizer import from_bytes

    best = from_bytes(head, cp_isolation=list(fallbacks), explain=False).best()
    if best is not None:
        return codecs.lookup(best.encoding).name
    return "utf-8" if bad * 10 <= len(head) else None


def _first_non_ascii(path: Path, start: int) -> bytes:
    """A window of the file around its first non-ASCII byte after ``start`` (b"" if none).

    A file whose first 64 KiB are ASCII says nothing about its encoding; its first accented or
    Chinese characters do. Read in blocks: memory stays one block whatever the file size.
    """
    try:
        with open(path, "rb") as handle:
            handle.seek(start)
            while block := handle.read(1 << 20):
                high = _HIGH_BYTE.search(block)
                if high is not None:
                    position = high.start()
                    line_start = block.rfind(b"\n", 0, position) + 1
                    return block[line_start : line_start + SNIFF_BYTES]
    except OSError:
        return b""
    return b""


def head_text(path: Path, size: int = SNIFF_BYTES) -> str:
    """The start of a text file, decoded leniently, for format sniffing."""
    head = read_head(path, size)
    encoding = choose_encoding(head, complete=len(head) < size) or "utf-8"
    return head.decode(encoding, errors="replace").lstrip("\ufeff")


def open_text(path: Path, raw: IO[bytes] | io.RawIOBase | None = None) -> io.TextIOWrapper:
    """Open a text export (or an already-open binary member), bad bytes replaced by U+FFFD.

    Only "\\n" ends a line (a "\\r" inside a message stays in it; callers strip "\\r\\n").
    """
    try:
        if raw is None:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise format_error(
                    f"the file is larger than {MAX_FILE_BYTES >> 30} GiB", path,
                    hint="split the export (one chat per file) and import the parts",
                )
            raw = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by the wrapper
            seekable = True
        else:
            seekable = False
        buffered = io.BufferedReader(raw, SNIFF_BYTES)  # type: ignore[arg-type, type-var]
        head = buffered.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    except OSError as exc:
        raise format_error(f"cannot read the export: {exc.strerror or exc}", path) from exc
    complete = len(head) < SNIFF_BYTES
    sample = head
    if seekable and not complete and head.isascii():
        sample = _first_non_ascii(path, len(head)) or head
    encoding = choose_encoding(sample, complete=complete)
    if encoding is None:
        buffered.close()
        raise format_error(
            "the export is not a text file (binary data or an unknown encoding)",
            path,
            1,
            hint="export the chat again as text, or convert the file to UTF-8",
        )
    if encoding == "utf-8" and head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    return io.TextIOWrapper(buffered, encoding=encoding, errors="replace", newline="\n")


def numbered_lines(
    handle: io.TextIOWrapper, path: Path | str, max_chars: int = MAX_LINE_CHARS
) -> Iterator[tuple[int, str]]:
    """(line number, line without its end) pairs; a line longer than ``max_chars`` is refused
    (reading it whole would hold it all in memory)."""
    number = 0
    readline = handle.readline
    limit = max_chars + 1
    while line := readline(limit):
        number += 1
        if len(line) == limit and line[-1] != "\n":
            raise format_error(
                f"a line longer than {max_chars:,} characters: not a line of a chat export",
                path,
                number,
                hint="if it is a letter or a document, import it with --format text (it is split into passages)",
            )
        yield number, line.rstrip("\r\n")


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` with lone surrogates (a JSON "\\ud83d" cut from its pair) replaced by U+FFFD.

    Pairs written as two escapes are joined into their character. Nothing else changes.
    """
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


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


MAX_MESSAGE_READ = 1_000_000
"""Characters of one message kept while reading; the rest is dropped (the importer skips any
message over 20,000 characters anyway), so a message of a million lines costs bounded memory."""


class BoundedLines(list):  # type: ignore[type-arg]
    """The lines of one message, appended until MAX_MESSAGE_READ characters, then ignored."""

    __slots__ = ("size",)

    def __init__(self, *lines: str) -> None:
        super().__init__(lines)
        self.size = sum(len(line) for line in lines)

    def append(self, line: str) -> None:  # type: ignore[override]
        if self.size <= MAX_MESSAGE_READ:
            self.size += len(line) + 1
            super().append(line)


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
    except UnicodeDecodeError as exc:  # pragma: no cover - open_text replaces bad bytes
        raise format_error(f"the CSV is not valid text ({exc.reason})", path, reader.line_num + 1) from exc
