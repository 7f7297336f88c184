"""All export parsers by name, ``--format auto`` detection, and one entry point to parse.

Detection goes from the most specific signature to the least: a zip (WhatsApp), an SQLite
file (iMessage), ``<smses>`` XML, a Telegram JSON object, JSON Lines, the MemoTrace CSV
header, QQ's "消息记录" text, WhatsApp timestamps, WeChat text layouts, any CSV, and last
any .txt/.md file as a letter or note. The first parser whose ``sniff`` accepts wins.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ._common import format_error
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
        accepted = set(inspect.signature(PARSERS[fmt]).parameters)
        options = {key: value for key, value in options.items() if key in accepted}
    parser = make_parser(fmt, **options)
    return parser.parse(path)
