"""All export parsers by name, ``--format auto`` detection, and one entry point to parse.

Detection goes from the most specific signature to the least: a zip (WhatsApp), an SQLite
file (iMessage), ``<smses>`` XML, a Telegram JSON object, JSON Lines, the MemoTrace CSV
header, QQ's "消息记录" text, WhatsApp timestamps, WeChat text layouts, any CSV, and last
any .txt/.md file as a letter or note. The first parser whose ``sniff`` accepts wins.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ._common import format_error, head_text
from .archive import SafeZip, is_zip
from .imessage import IMessageParser
from .qq import QQParser
from .records import ChatRecord, ExportFormatError, ExportParser
from .sms import SmsBackupParser
from .tabular import CsvParser, JsonlParser
from .telegram import TelegramParser
from .text import TextParser
from .wechat import WeChatParser
from .whatsapp import WhatsAppParser

logger = logging.getLogger(__name__)

PARSERS: dict[str, Callable[..., ExportParser]] = {
    "whatsapp": WhatsAppParser,
    "imessage": IMessageParser,
    "sms": SmsBackupParser,
    "telegram": TelegramParser,
    "jsonl": JsonlParser,
    "wechat": WeChatParser,
    "qq": QQParser,
    "csv": CsvParser,
    "text": TextParser,
}
"""Format name -> parser class (``--format`` values); detection follows DETECTION_ORDER."""

DETECTION_ORDER = ("imessage", "sms", "telegram", "jsonl", "wechat_csv", "qq", "whatsapp",
                   "wechat", "csv", "text")  # fmt: skip


def _check_path(path: Path) -> None:
    if not path.exists():
        raise format_error("the export file does not exist", path, hint="check the path")
    if not path.is_file():
        raise format_error("the export is not a file", path, hint="name the export file itself")


def detect_format(path: Path | str) -> str:
    """The name of the format ``path`` is in, or ExportFormatError listing the known ones."""
    path = Path(path)
    _check_path(path)
    if is_zip(path):
        SafeZip(path).close()  # a refused archive (traversal, bomb) says so, not "unknown format"
    candidates = {name: factory() for name, factory in PARSERS.items()}
    for name in DETECTION_ORDER:
        if name == "wechat_csv":
            if path.suffix.lower() == ".csv" and candidates["wechat"].sniff(path):
                return "wechat"
            continue
        if candidates[name].sniff(path):
            logger.debug("%s detected as %s", path, name)
            return name
    raise format_error(
        "cannot tell which chat export this is",
        path,
        hint=f"pass --format with one of: {', '.join(PARSERS)}",
    )


_DESCRIPTIONS = {
    "whatsapp": "a WhatsApp export", "imessage": "an iMessage database", "sms": "an SMS backup",
    "telegram": "a Telegram JSON export", "jsonl": "JSON Lines", "wechat": "a WeChat export",
    "qq": "a QQ export", "csv": "a table (CSV)",
}  # fmt: skip
_CHAT_STAMP = re.compile(r"\[?\d{1,4}[./-]\d{1,2}[./-]\d{1,4}[,\s\]]{1,3}\d{1,2}[:.]\d{2}")


def resembled_format(path: Path) -> tuple[str, str | None] | None:
    """(what, --format value) when a file offered as a letter looks like something else.

    Every other parser's ``sniff`` is asked first; then looser signs: JSON or XML/HTML text,
    a table whose lines all split into the same number of cells, or many lines starting with
    a chat timestamp (a damaged or re-saved chat export).
    """
    for name, factory in PARSERS.items():
        if name == "text":
            continue
        try:
            if factory().sniff(path):
                return _DESCRIPTIONS[name], name
        except (ExportFormatError, OSError, ValueError):
            continue
    head = head_text(path, 16384)
    stripped = head.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "["):
        try:
            json.loads(stripped if len(head) < 16384 else "null")
            return "JSON", "jsonl" if stripped[:1] == "{" else None
        except ValueError:
            if re.match(r'[{\[]\s*(?:"|\{|\[|\d|\])', stripped):
                return "JSON", "jsonl" if stripped[:1] == "{" else None
    lowered = stripped[:200].lower()
    if lowered.startswith(("<?xml", "<!doctype", "<html", "<smses")):
        return "XML or HTML", None
    lines = [line for line in head.splitlines()[:40] if line.strip()]
    if len(lines) >= 3:
        stamps = sum(1 for line in lines if _CHAT_STAMP.match(line.strip()))
        if stamps >= max(3, len(lines) // 4):
            return "a chat export (lines start with a date and a time)", None
        for delimiter in (",", ";", "\t", "|"):
            counts = [line.count(delimiter) for line in lines[:20]]
            if counts[0] >= 2 and sum(1 for c in counts if c == counts[0]) >= 0.8 * len(counts):
                return "a table (CSV)", "csv"
    return None


def make_parser(fmt: str, **options: Any) -> ExportParser:
    """A parser for ``fmt`` with its options (e.g. ``mapping=`` for csv/jsonl)."""
    factory = PARSERS.get(fmt)
    if factory is None:
        raise ExportFormatError(
            f"unknown export format {fmt!r}",
            where="--format",
            hint=f"use auto or one of: {', '.join(PARSERS)}",
        )
    accepted = set(inspect.signature(factory).parameters)
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise ExportFormatError(
            f"the {fmt} format takes no option {', '.join(unknown)}",
            where="--format",
            hint=f"options for {fmt}: {', '.join(sorted(accepted)) or 'none'}",
        )
    return factory(**options)


def parse_export(path: Path | str, fmt: str = "auto", **options: Any) -> Iterator[ChatRecord]:
    """Yield the records of one export; ``fmt="auto"`` detects the format first.

    Options a format does not take are dropped for auto-detected formats (so the importer can
    pass ``speaker=`` for letters and ``mapping=`` for CSV at once) and refused otherwise.
    """
    path = Path(path)
    _check_path(path)
    if fmt == "auto":
        fmt = detect_format(path)
    parser = make_parser(fmt, **parser_options(fmt, path, options))
    return parser.parse(path)


USER_OPTIONS = {"mapping": "--map", "date_order": "--date-order"}
"""Options a user chose for a format: refused, never dropped, when the file's format ignores them."""


def parser_options(fmt: str, path: Path, options: dict[str, Any]) -> dict[str, Any]:
    """The options ``fmt``'s parser takes; a user option (--map, --date-order) it does not take
    is an error naming the format, so it is never silently ignored."""
    factory = PARSERS.get(fmt)
    accepted = set(inspect.signature(factory).parameters) if factory is not None else set()
    kept = {}
    for key, value in options.items():
        if value is None or (key == "date_order" and value == "auto"):
            continue
        if key in accepted:
            kept[key] = value
        elif key in USER_OPTIONS:
            takers = [name for name, f in PARSERS.items() if key in inspect.signature(f).parameters]
            raise format_error(
                f"{USER_OPTIONS[key]} does not apply to this file: it is read as {fmt}",
                path,
                hint=f"{USER_OPTIONS[key]} is for {', '.join(takers)} exports; drop it, or pass --format",
            )
    return kept
