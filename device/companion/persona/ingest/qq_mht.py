"""QQ message manager ("消息管理器") MHT export: a MIME file whose first part is one HTML table.

The file starts ``From: <Save by Tencent MsgMgr>`` / ``Subject: Tencent IM Message``; the HTML
part is 7-bit-labelled UTF-8, one ``<tr>`` per line or all on one line, followed by the images
as base64 parts (never read here). Rows::

    <tr><td><div style=padding-left:10px;>消息分组:我的好友</div></td></tr>
    <tr><td><div style=padding-left:10px;>消息对象:奶奶</div></td></tr>
    <tr><td style=border-bottom-width:1px;...>日期: 2012-03-04</td></tr>
    <tr><td><div style=color:#006EFE;padding-left:10px;><div style=float:left;margin-right:6px;>
        奶奶(10001234)</div>12:34:56</div><div style=padding-left:20px;><font ...>吃饭了吗？</font>
        </div></td></tr>

The HTML is read in bounded chunks and cut at ``</tr>``, so the memory used is one row.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ._common import SkipCounter, format_error
from .records import ChatRecord, make_record

MHT_MARKERS = (b"Save by Tencent MsgMgr", b"Tencent IM Message")
_CHUNK = 1 << 16
_MAX_ROW = 4 << 20
_ROW_END = re.compile(r"</tr\s*>", re.I)
_MESSAGE = re.compile(
    r"<div[^>]*float:\s*left[^>]*>(?P<name>.*?)</div>\s*(?P<time>\d{1,2}:\d{2}:\d{2})\s*</div>\s*"
    r"<div[^>]*>(?P<body>.*)</div>",
    re.S | re.I,
)
_DATE = re.compile(r"日期[:：]\s*(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})")
_SECTION = re.compile(r"(?P<kind>消息分组|消息对象)[:：](?P<value>[^<]*)")
_SENDER = re.compile(r"(?P<name>.*?)(?:\((?P<qq>\d{4,12})\)|<(?P<mail>[^<>\s]{1,100})>)?\s*")
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_BR = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]*>")
_SYSTEM_SPEAKERS = frozenset({"系统消息", "系统提示"})


def is_qq_mht(head: bytes) -> bool:
    """Whether the file's first bytes are a QQ message-manager MHT."""
    return any(marker in head[:4096] for marker in MHT_MARKERS)


def _rows(path: Path) -> Iterator[tuple[int, str]]:
    """(row number, row HTML) of the first HTML part, decoded as UTF-8 with bad bytes replaced."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    buffer = ""
    in_html = False
    row = 0
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            buffer += decoder.decode(chunk, final=not chunk)
            if not in_html:
                start = buffer.lower().find("<html")
                if start < 0:
                    buffer = buffer[-16:] if chunk else ""
                    if not chunk:
                        return
                    continue
                in_html, buffer = True, buffer[start:]
            position = 0
            for match in _ROW_END.finditer(buffer):
                row += 1
                yield row, buffer[position : match.start()]
                position = match.end()
            buffer = buffer[position:]
            end = buffer.lower().find("</table")
            if end >= 0 or not chunk:
                return
            if len(buffer) > _MAX_ROW:
                raise format_error(
                    f"a row of the QQ MHT export is larger than {_MAX_ROW >> 20} MB", path, None,
                    hint="export the chat again from the QQ message manager, or as .txt",
                )


def _text(fragment: str) -> tuple[str, tuple[str, ...]]:
    images = len(_IMG.findall(fragment))
    text = _BR.sub("\n", _IMG.sub("", fragment))
    text = html.unescape(_TAG.sub("", text)).replace("\xa0", " ").strip()
    return text, ("image",) * images


def qq_mht_records(path: Path, skipped: SkipCounter) -> Iterator[ChatRecord]:
    """Records of a QQ MHT export."""
    conversation, is_group = path.stem, False
    day: tuple[int, int, int] | None = None
    for number, row in _rows(path):
        message = _MESSAGE.search(row)
        if message is None:
            date = _DATE.search(row)
            if date:
                day = (int(date["y"]), int(date["m"]), int(date["d"]))
                continue
            section = _SECTION.search(row)
            if section:
                value = html.unescape(section["value"]).strip()
                if section["kind"] == "消息对象":
                    conversation = value or path.stem
                else:
                    is_group = "群" in value or "讨论组" in value
            continue
        sender = _SENDER.fullmatch(html.unescape(_TAG.sub("", message["name"])).strip())
        name = (sender["name"] if sender else "").strip()
        account = (sender["qq"] or sender["mail"] or "") if sender else ""
        if name in _SYSTEM_SPEAKERS:
            skipped.skip("system message")
            continue
        text, attachments = _text(message["body"])
        if not text and not attachments:
            skipped.skip("empty message")
            continue
        moment = None
        if day is not None:
            hour, minute, second = (int(x) for x in message["time"].split(":"))
            try:
                moment = datetime(*day, hour, minute, second)
            except ValueError:
                moment = None
        yield make_record(
            "qq", conversation, name or account, text, moment, None, None, is_group, attachments,
            f"{path}:row {number}", (account,) if account and account != name else (),
        )  # fmt: skip
