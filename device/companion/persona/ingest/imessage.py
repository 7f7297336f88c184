"""iMessage / SMS history from a Mac's (or an iPhone backup's) ``chat.db`` SQLite database.

Tables read: ``message`` (text, attributedBody, date, is_from_me, handle_id, guid, ...),
``handle`` (the other party's phone number or e-mail), ``chat`` and ``chat_message_join``
(which thread a message is in; ``chat.style`` 43 is a group), and, when present,
``attachment``/``message_attachment_join``: a record's attachments are the paths chat.db stores
(``~/Library/Messages/Attachments/ab/11/<GUID>/Audio Message.caf``), which ``attachment_file``
finds in a copy of the Messages folder (its ``Attachments`` beside ``chat.db``) or in an
iPhone backup (files named by the SHA-1 of ``MediaDomain-<path>``), so the voice notes and
videos stay linked to their message and date.

Dates count from 2001-01-01 UTC, in seconds on old macOS and nanoseconds since High Sierra.
Since Ventura many messages keep their words only in ``attributedBody``, an NSAttributedString
archived as a "typedstream"; its plain string is read from there, or the message is skipped
with a counted reason. The database is opened read-only and immutable: nothing is written
next to it (no -wal/-shm files).
"""

from __future__ import annotations

import hashlib
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
                "SELECT j.message_id, COALESCE(a.filename, a.transfer_name) FROM message_attachment_join j "
                "JOIN attachment a ON a.ROWID = j.attachment_id ORDER BY j.message_id, a.ROWID"
            ):
                if name:  # the stored path: names repeat ("Audio Message.caf"), paths do not
                    attachments.setdefault(message_id, []).append(str(name))
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


IOS_SMS_DB = "3d0d7e5fb2ce288813306e4d4636395e047a3d28"
"""sms.db's name in an iPhone backup: SHA-1 of "HomeDomain-Library/SMS/sms.db"."""
_ATTACHMENT_ROOTS = ("Library/Messages/Attachments/", "Library/SMS/Attachments/")


def attachment_file(db_path: Path, stored: str) -> tuple[Path | None, str | None]:
    """Where the attachment chat.db stores as ``stored`` is in this copy: (path, None), or
    (None, why not). Looked for in ``Attachments/`` beside the database (a copy of the Messages
    folder, or sms.db with its Attachments), then in an iPhone backup's hashed files. A path
    that would leave those folders (``..``) or a symbolic link is never followed."""
    name = stored.replace("\\", "/")
    rest = next((name.split(root, 1)[1] for root in _ATTACHMENT_ROOTS if root in name), None)
    if rest is None or not rest.strip("/"):
        return None, f"not in an Attachments folder ({stored!r})"
    if ".." in rest.split("/"):
        return None, f"leaves the Attachments folder ({stored!r})"
    folder = db_path.parent / "Attachments"
    candidates = [folder.joinpath(*[p for p in rest.split("/") if p])]
    if db_path.name == IOS_SMS_DB and name.startswith("~/"):
        digest = hashlib.sha1(f"MediaDomain-{name[2:]}".encode("utf-8", "surrogateescape")).hexdigest()
        candidates.append(db_path.parent.parent / digest[:2] / digest)
    for candidate in candidates:
        if candidate.is_symlink():
            return None, f"a symbolic link ({candidate})"
        if candidate.is_file():
            return candidate, None
    return None, f"missing from {folder} (copy ~/Library/Messages/Attachments next to chat.db)"
