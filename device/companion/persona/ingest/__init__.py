"""Chat-export importers: one parser per format, each yielding canonical ChatRecords.

Use ``parse_export(path, "auto")`` (or ``make_parser(fmt, **options)`` to read
``parser.skipped`` after parsing); ``PARSERS`` lists the formats and ``detect_format``
implements ``--format auto``.

=========  ======================================================  ===========================
format     the file                                                options
=========  ======================================================  ===========================
whatsapp   "Export chat" .txt (Android or iOS), or its .zip        date_order="auto|dmy|mdy"
telegram   Telegram Desktop "Export chat history", JSON: result.json
wechat     MemoTrace CSV/TXT, PyWxDump CSV, WechatExporter TXT
qq         QQ message manager export, .txt or .mht
sms        SMS Backup & Restore (Android) .xml
imessage   ~/Library/Messages/chat.db (a copy)
csv/jsonl  any table of messages                                   mapping="time=Date,..."
text       letters, notes, memories: .txt/.md (passages)           speaker="the persona", force=False
=========  ======================================================  ===========================

Owner-side messages that the export does not name (SMS, iMessage) have the speaker "Me".
"""

from ._common import SELF
from .records import ChatRecord, ExportFormatError, ExportParser, make_record
from .registry import PARSERS, detect_format, make_parser, parse_export
from .tabular import ColumnMapping

__all__ = [
    "PARSERS",
    "SELF",
    "ChatRecord",
    "ColumnMapping",
    "ExportFormatError",
    "ExportParser",
    "detect_format",
    "make_parser",
    "make_record",
    "parse_export",
]
