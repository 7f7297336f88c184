"""Telegram Desktop "Export chat history" / "Export Telegram data" JSON (``result.json``).

A single-chat export is one chat object (name, type, id, messages); a full-account export keeps
the chats under ``chats.list`` (and ``left_chats.list``). A message's ``text`` is either a string
or a list mixing strings and entity objects ({"type": "bold", "text": ...}).

The file is streamed (see _jsonstream): only one message object is decoded at a time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ._common import SkipCounter, clean_text, format_error, from_unix, head_text
from ._jsonstream import JsonStream, stream_json
from .records import ChatRecord, make_record

logger = logging.getLogger(__name__)

GROUP_TYPES = frozenset(
    {"private_group", "private_supergroup", "public_supergroup", "private_channel", "public_channel"}
)
_SNIFF = re.compile(r'"(?:messages|chats|personal_information)"\s*:')
_FILE_NOT_INCLUDED = "(File not included"


def entity_text(value: object) -> str:
    """Plain text of a Telegram ``text`` field: a string, or a list of strings and entities."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "".join(parts)
    return ""


class TelegramParser:
    """Parses a Telegram Desktop JSON export into ChatRecords."""

    name = "telegram"

    def __init__(self) -> None:
        self.skipped = SkipCounter()

    def sniff(self, path: Path) -> bool:
        head = head_text(path, 4096).lstrip()
        return head.startswith("{") and bool(_SNIFF.search(head)) and (
            '"messages"' in head or '"chats"' in head or '"personal_information"' in head
        )

    def parse(self, path: Path) -> Iterator[ChatRecord]:
        return stream_json(path, self._walk)

    def _walk(self, stream: JsonStream) -> Iterator[ChatRecord]:
        """The top level is one chat (single-chat export) or the account (full export)."""
        if stream.peek() != "{":
            raise stream.error("the JSON is not a Telegram export (no top-level object)")
        seen: set[str] = set()
        yield from self._chat(stream, seen)
        if not seen & {"messages", "chats", "left_chats"}:
            raise format_error(
                'the JSON has neither "messages" nor "chats": not a Telegram export',
                stream.path,
                hint='export with Telegram Desktop in "Machine-readable JSON" format',
            )

    def _chat(self, stream: JsonStream, seen: set[str] | None = None) -> Iterator[ChatRecord]:
        """One chat object: name/type/id come before its (streamed) messages."""
        meta: dict[str, Any] = {}
        for key in stream.members():
            if seen is not None:
                seen.add(key)
            if key == "messages":
                yield from self._messages(stream, meta)
            elif key in ("chats", "left_chats") and seen is not None and stream.peek() == "{":
                for inner in stream.members():
                    if inner == "list" and stream.peek() == "[":
                        for _ in stream.items():
                            if stream.peek() != "{":
                                raise stream.error("a chat in the list is not an object")
                            yield from self._chat(stream)
                    else:
                        stream.value()
            else:
                value = stream.value()
                if key in ("name", "type", "id"):
                    meta[key] = value

    def _messages(self, stream: JsonStream, meta: dict[str, Any]) -> Iterator[ChatRecord]:
        chat_id = str(meta.get("id", ""))
        chat_type = str(meta.get("type", ""))
        name = meta.get("name")
        if not isinstance(name, str) or not name:
            name = "Saved Messages" if chat_type == "saved_messages" else chat_id or "Telegram chat"
        if stream.peek() != "[":
            raise stream.error(f'"messages" of chat {name!r} is not a list')
        name = clean_text(name)
        is_group = chat_type in GROUP_TYPES
        for index, _ in enumerate(stream.items()):
            message = stream.value()
            if not isinstance(message, dict):
                raise stream.error(f"message #{index + 1} of chat {name!r} is not an object")
            record = self._message(stream.path, chat_id, name, is_group, index, message)
            if record is not None:
                yield record

    def _message(
        self,
        path: Path,
        chat_id: str,
        conversation: str,
        is_group: bool,
        index: int,
        message: dict[str, Any],
    ) -> ChatRecord | None:
        kind = message.get("type", "message")
        if kind != "message":
            self.skipped.skip("system message")
            return None
        if message.get("forwarded_from") is not None:
            self.skipped.skip("forwarded message")
            return None
        message_id = message.get("id")
        text = clean_text(entity_text(message.get("text", "")))
        media_type = message.get("media_type")
        kind = media_type if isinstance(media_type, str) and media_type else "file"
        attachments = tuple(
            value
            for value in (
                self._attachment(message.get("photo"), "photo"),
                self._attachment(message.get("file"), kind),
            )
            if value
        )
        if not attachments and isinstance(media_type, str) and media_type:
            attachments = (media_type,)
        speaker = message.get("from")
        if not isinstance(speaker, str):
            speaker = str(message.get("from_id") or "")
        speaker = clean_text(speaker)
        reply = message.get("reply_to_message_id")
        return make_record(
            "telegram",
            conversation,
            speaker,
            text,
            self._time(message),
            f"{chat_id}:{message_id}" if message_id is not None else None,
            f"{chat_id}:{reply}" if isinstance(reply, (int, str)) and reply != "" else None,
            is_group,
            attachments,
            f"{path}:{conversation}#{message_id if message_id is not None else index + 1}",
        )

    @staticmethod
    def _attachment(value: object, kind: str) -> str:
        """The file's name, or its kind when the export left the file out."""
        if not isinstance(value, str) or not value:
            return ""
        if value.startswith(_FILE_NOT_INCLUDED):
            return kind
        return value.rsplit("/", 1)[-1]

    @staticmethod
    def _time(message: dict[str, Any]) -> datetime | None:
        value = message.get("date")
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
                return moment.replace(tzinfo=None) if moment.tzinfo else moment
            except ValueError:
                pass
        unix = message.get("date_unixtime")
        try:
            return from_unix(float(unix)) if unix is not None else None
        except (TypeError, ValueError):
            return None
