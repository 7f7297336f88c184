"""WeChat CSV as PyWxDump writes it (``<wxid>_<start>_<end>.csv`` plus ``users.json``).

Columns: ``id, MsgSvrID, type_name, is_sender, talker, room_name, msg, src, CreateTime``.
``talker`` is "我" for the owner, else a wxid; ``room_name`` is the chat's wxid (ending in
"@chatroom" for groups); ``type_name`` is PyWxDump's Chinese message-type name. The
``users.json`` written beside the CSV maps wxids to remarks/nicknames; it is read when present.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ._common import SELF, SkipCounter, ymd_hms
from .records import ChatRecord, make_record

logger = logging.getLogger(__name__)

COLUMNS = ("type_name", "is_sender", "talker")
"""Both PyWxDump layouts: ``msg, src`` (db/export) and one JSON ``content`` cell (dbpreprocess)."""
_MEDIA = {
    "图片": "image", "语音": "voice", "视频": "video", "动画表情": "sticker", "文件": "file",
    "用户上传的GIF表情": "sticker", "用户上传的 GIF 表情": "sticker", "卡片式链接": "link",
    "分享的小程序": "link", "合并转发的聊天记录": "forwarded chat",
}  # fmt: skip
_SKIP = {"系统通知": "system message", "拍一拍": "system message", "语音通话": "call",
         "群公告": "system message"}  # fmt: skip
_TEXT_TYPES = frozenset({"文本", "类似文字消息而不一样的消息"})
_QUOTED = "\n\n[引用]"
_VOICE_TEXT = re.compile(r"翻译结果：(?P<text>.+)", re.S)
_USERS_LIMIT = 32 * 1024 * 1024


def _users(csv_path: Path, *, say: bool = False) -> dict[str, dict[str, Any]]:
    """wxid -> its entry of the ``users.json`` beside the export; empty when it is absent, too
    large or unreadable (``say``: log that it was ignored)."""
    users = csv_path.with_name("users.json")
    try:
        if not users.is_file() or users.stat().st_size > _USERS_LIMIT:
            return {}
        data = json.loads(users.read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError, RecursionError):
        if say:
            logger.info("ignoring unreadable %s", users)
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(wxid): info for wxid, info in data.items() if isinstance(info, dict)}


def load_names(csv_path: Path) -> dict[str, str]:
    """wxid -> remark or nickname from the ``users.json`` beside the export, when it is there."""
    names: dict[str, str] = {}
    for wxid, info in _users(csv_path, say=True).items():
        name = info.get("remark") or info.get("nickname") or info.get("account")
        if isinstance(name, str) and name:
            names[wxid] = name
    return names


def load_other_names(csv_path: Path) -> dict[str, tuple[str, ...]]:
    """wxid -> the nickname and account beside the remark (so --speaker may name either)."""
    others: dict[str, tuple[str, ...]] = {}
    for wxid, info in _users(csv_path).items():
        values = (info.get("nickname"), info.get("account"), info.get("remark"))
        others[wxid] = tuple(v for v in values if isinstance(v, str) and v)
    return others


def pywxdump_records(
    path: Path,
    rows: Iterable[tuple[int, list[str]]],
    index: dict[str, int],
    skipped: SkipCounter,
) -> Iterator[ChatRecord]:
    """Records from PyWxDump CSV rows (line number, cells)."""
    names, others = load_names(path), load_other_names(path)

    def cell(row: list[str], column: str) -> str:
        position = index.get(column)
        return row[position] if position is not None and position < len(row) else ""

    for line, row in rows:
        if not row:
            continue
        kind = cell(row, "type_name").strip()
        if kind in _SKIP:
            skipped.skip(_SKIP[kind])
            continue
        text, attachments = _content(kind, cell(row, "msg") if "msg" in index else _legacy_msg(cell(row, "content")))
        if text is None:
            skipped.skip("unsupported message type")
            continue
        room = cell(row, "room_name").strip()
        talker = cell(row, "talker").strip()
        if cell(row, "is_sender").strip() == "1":  # the owner, whatever "talker" says
            speaker = names.get(talker)
            aliases: tuple[str, ...] = tuple(a for a in (talker, SELF, "我") if a and a != (speaker or SELF))
            speaker = speaker or SELF
        else:
            speaker = names.get(talker, talker)
            aliases = tuple(a for a in (talker, *others.get(talker, ())) if a != speaker)
        record_id = cell(row, "MsgSvrID").strip() or cell(row, "id").strip() or None
        yield make_record(
            "wechat", names.get(room, room) or path.stem, speaker, text,
            ymd_hms(cell(row, "CreateTime")), record_id, None, room.endswith("@chatroom"),
            attachments, f"{path}:{line}", aliases,
        )  # fmt: skip


def _content(kind: str, message: str) -> tuple[str | None, tuple[str, ...]]:
    """(text, attachments) for one message type; text None for types that carry no words."""
    if kind in _TEXT_TYPES:
        return message, ()
    if kind == "带有引用的文本消息":  # the reply's own words come before the quoted message
        return message.split(_QUOTED, 1)[0], ()
    if kind == "语音":  # WeChat's own transcription of a voice message is the person's words
        match = _VOICE_TEXT.search(message)
        return (match.group("text").strip() if match else ""), ("voice",)
    media = _MEDIA.get(kind)
    if media:
        return "", (media,)
    return None, ()


def is_pywxdump_header(columns: Any) -> bool:
    return all(column in columns for column in COLUMNS) and ("msg" in columns or "content" in columns)


def _legacy_msg(cell: str) -> str:
    """The message of the older layout's ``content`` cell (JSON ``{"src": ..., "msg": ...}``)."""
    try:
        value = json.loads(cell)
    except ValueError:
        return cell
    if isinstance(value, dict):
        message = value.get("msg")
        return message if isinstance(message, str) else ""
    return value if isinstance(value, str) else cell
