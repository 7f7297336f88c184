"""iMessage / SMS history from a Mac's (or an iPhone backup's) ``chat.db`` SQLite database.

Tables read: ``message`` (text, attributedBody, date, is_from_me, handle_id, guid, ...),
``handle`` (the other party's phone number or e-mail), ``chat`` and ``chat_message_join``
(which thread a message is in; ``chat.style`` 43 is a group), and, when present,
``attachment``/``message_attachment_join`` for file names.

Dates count from 2001-01-01 UTC, in seconds on old macOS and nanoseconds since High Sierra.
Since Ventura many messages keep their words only in ``attributedBody``, an NSAttributedString
archived as a "typedstream"; its plain string is read from there, or the message is skipped
with a counted reason. The database is opened read-only and immutable: nothing is written
next to it (no -wal/-shm files).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ._common import SELF, SkipCounter, format_error, from_unix, read_head
from .records import ChatRecord, make_record

logger = logging.getLogger(__name__)

APPLE_EPOCH = 978_307_200  # 2001-01-01T00:00:00Z as a Unix timestamp
GROUP_STYLE = 43
_OBJECT_REPLACEMENT = "\ufffc"


def apple_time(value: int | float | None) -> datetime | None:
    """Local time of a chat.db date (seconds or nanoseconds since 2001-01-01 UTC)."""
    if not value:
        return None
    seconds = value / 1e9 if abs(value) > 1e11 else float(value)
    return from_unix(APPLE_EPOCH + seconds)


def typedstream_text(blob: bytes | None) -> str | None:
    """The plain string inside an archived NSAttributedString, or None when it is not there.

    After the class name "NSString" come a few type bytes ending in "+" (a C string), then the
    length: one byte, or 0x81 + 2 bytes / 0x82 + 4 bytes little-endian, then UTF-8 bytes.
    """
    if not blob:
        return None
    start = blob.find(b"NSString")
    if start < 0:
        return None
    plus = blob.find(b"+", start + 8, start + 8 + 8)
    if plus < 0:
        return None
    position = plus + 1
    if position >= len(blob):
        return None
    marker = blob[position]
    if marker == 0x81:
        size, position = int.from_bytes(blob[position + 1 : position + 3], "little"), position + 3
    elif marker == 0x82:
        size, position = int.from_bytes(blob[position + 1 : position + 5], "little"), position + 5
    elif marker < 0x80:
        size, position = marker, position + 1
    else:
        return None
    data = blob[position : position + size]
    if len(data) != size:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


class IMessageParser:
    """Parses an iMessage ``chat.db`` into ChatRecords (owner's messages as "Me")."""

    name = "imessage"

    def __init__(self) -> None:
        self.skipped = SkipCounter()

    def sniff(self, path: Path) -> bool:
        if not read_head(path, 16).startswith(b"SQLite format 3\x00"):
            return False
        try:
            db = self._connect(path)
            try:
                tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            finally:
                db.close()
        except sqlite3.Error:
            return False
        return {"message", "handle", "chat", "chat_message_join"} <= tables

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
        db = sqlite3.connect(uri, uri=True)
        # a damaged database may hold text that is not UTF-8: replace it, never a traceback
        db.text_factory = lambda data: data.decode("utf-8", errors="replace")
        return db

    def parse(self, path: Path) -> Iterator[ChatRecord]:
        if not read_head(path, 16).startswith(b"SQLite format 3\x00"):
            raise format_error("not an SQLite database (chat.db)", path, hint="copy ~/Library/Messages/chat.db")
        try:
            db = self._connect(path)
        except sqlite3.Error as exc:
            raise format_error(f"cannot open the database: {exc}", path) from exc
        try:
            yield from self._rows(path, db)
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            raise format_error(
                f"cannot read the messages: {exc}",
                path,
                hint="copy chat.db again (with Messages closed) and import the copy",
            ) from exc
        finally:
            db.close()

    def _rows(self, path: Path, db: sqlite3.Connection) -> Iterator[ChatRecord]:
        columns = {row[1] for row in db.execute("PRAGMA table_info(message)")}
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = {"message", "handle", "chat", "chat_message_join"} - tables
        if missing or not {"text", "date", "is_from_me", "handle_id", "guid"} <= columns:
            raise format_error(
                f"not an iMessage chat.db (missing {', '.join(sorted(missing)) or 'message columns'})",
                path,
            )

        def optional(column: str, default: str = "NULL") -> str:
            return f"m.{column}" if column in columns else default

        attachments: dict[int, list[str]] = {}
        if {"attachment", "message_attachment_join"} <= tables:
            for message_id, name in db.execute(
                "SELECT j.message_id, COALESCE(a.transfer_name, a.filename) FROM message_attachment_join j "
                "JOIN attachment a ON a.ROWID = j.attachment_id"
            ):
                if name:
                    attachments.setdefault(message_id, []).append(str(name).rsplit("/", 1)[-1])
        query = (
            "SELECT m.ROWID, m.guid, m.text, "
            f"{optional('attributedBody')}, m.date, m.is_from_me, h.id, "
            f"{optional('associated_message_type', '0')}, {optional('item_type', '0')}, "
            f"{optional('thread_originator_guid')}, "
            "c.ROWID, c.chat_identifier, c.display_name, c.style "
            "FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID "
            "JOIN chat c ON c.ROWID = j.chat_id LEFT JOIN handle h ON h.ROWID = m.handle_id "
            "ORDER BY c.ROWID, m.date, m.ROWID"
        )
        for row in db.execute(query):
            record = self._record(path, row, attachments)
            if record is not None:
                yield record

    def _record(self, path: Path, row: tuple, attachments: dict[int, list[str]]) -> ChatRecord | None:  # type: ignore[type-arg]
        (rowid, guid, text, body, date, from_me, handle, associated, item_type, thread,
         _chat_id, chat_identifier, display_name, style) = row  # fmt: skip
        if associated:
            self.skipped.skip("reaction")
            return None
        if item_type:
            self.skipped.skip("system message")
            return None
        if text is None:
            text = typedstream_text(body if isinstance(body, bytes) else None)
            if text is None and body:
                self.skipped.skip("unreadable attributedBody")
                return None
        files = tuple(attachments.get(rowid, ()))
        text = str(text or "").replace(_OBJECT_REPLACEMENT, "").strip()
        if not text and not files:
            self.skipped.skip("empty message")
            return None
        speaker = SELF if from_me else str(handle or "")
        conversation = str(display_name or chat_identifier or "")
        try:
            moment = apple_time(date) if isinstance(date, (int, float)) else None
        except (OverflowError, ValueError):
            moment = None
        return make_record(
            "imessage", conversation, speaker, text, moment, str(guid) if guid else None,
            str(thread) if thread else None, style == GROUP_STYLE, files, f"{path}:message#{rowid}",
        )  # fmt: skip
