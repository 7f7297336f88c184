"""WeChat chats as the common desktop export tools write them (WeChat itself exports nothing).

Layouts read:
- MemoTrace / WeChatMsg CSV (``<name>_utf8.csv``): columns ``localId, TalkerId, Type, SubType,
  IsSender, CreateTime, Status, StrContent, StrTime, Remark, NickName, Sender``; Type 1 is text,
  3 image, 34 voice, 43 video, 47 sticker, 49 app message (SubType 57 a quoted reply), 10000
  a system line.
- MemoTrace / WeChatMsg TXT: ``2023-05-01 08:00:00 Name`` then the message lines, a blank line
  between messages (a header with no lines after it is a system line).
- WechatExporter TXT: a ``<name> - 微信聊天记录`` title, then ``Name (2023-05-01 08:00:00):text``.
- PyWxDump CSV (see wechat_pywxdump).
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import chain
from pathlib import Path

from ._common import (
    SELF,
    BoundedLines,
    SkipCounter,
    csv_errors,
    csv_header,
    csv_rows_with_start,
    format_error,
    from_unix,
    head_text,
    numbered_lines,
    open_text,
    ymd_hms,
)
from .records import ChatRecord, make_record
from .wechat_pywxdump import is_pywxdump_header, pywxdump_records

logger = logging.getLogger(__name__)

CSV_COLUMNS = (
    "localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime",
    "Status", "StrContent", "StrTime", "Remark", "NickName", "Sender",
)  # fmt: skip
_REQUIRED = ("Type", "IsSender", "StrContent")
_MEDIA_TYPES = {"3": "image", "34": "voice", "43": "video", "47": "sticker"}
_SKIP_TYPES = {"10000": "system message", "10002": "system message", "50": "call"}
_PLACEHOLDERS = {
    "[图片]": "image", "[语音]": "voice", "[视频]": "video", "[表情包]": "sticker",
    "[文件]": "file", "[音乐分享]": "music", "[Photo]": "image", "[Voice]": "voice",
    "[Video]": "video", "[Sticker]": "sticker", "[动画表情]": "sticker",
}  # fmt: skip
_TITLE = re.compile(r"<title>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</title>", re.S)
_MEMO_HEADER = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (\S.{0,200})")
_EXPORTER_TITLE = re.compile(r"(?P<name>.+) - 微信聊天记录")
_EXPORTER_HEADER = re.compile(
    r"(?P<name>[^\n]{1,200}?) \((?P<time>\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}(?::\d{2})?)\):(?P<text>.*)"
)
_LOOKAHEAD = 3000


def _time_text(text: str) -> datetime | None:
    return ymd_hms(text)


def _conversation(path: Path) -> str:
    stem = path.stem
    return stem[: -len("_utf8")] if stem.endswith("_utf8") else stem


class WeChatParser:
    """Parses MemoTrace/WeChatMsg CSV or TXT, or WechatExporter TXT, into ChatRecords."""

    name = "wechat"

    def __init__(self) -> None:
        self.skipped = SkipCounter()

    def sniff(self, path: Path) -> bool:
        head = head_text(path, 8192)
        first = head.split("\n", 1)[0].strip().lstrip("\ufeff")
        if "StrContent" in first and "StrTime" in first:
            return True  # MemoTrace; one without IsSender is refused by parse, naming the column
        if is_pywxdump_header(first) and "CreateTime" in first:
            return True
        lines = [line for line in head.splitlines()[:12] if line.strip()]
        if lines and _EXPORTER_TITLE.fullmatch(lines[0].strip()):
            return True
        if any(_EXPORTER_HEADER.fullmatch(line) for line in lines[:3]):
            return True
        return bool(lines) and bool(_MEMO_HEADER.fullmatch(lines[0])) and "(" not in lines[0]

    def parse(self, path: Path) -> Iterator[ChatRecord]:
        with open_text(path) as handle:
            lines = numbered_lines(handle, path)
            lookahead: list[tuple[int, str]] = []
            for number, line in lines:
                lookahead.append((number, line))
                if line.strip():
                    break
            first_line = lookahead[-1][1].strip().lstrip("\ufeff") if lookahead else ""
            is_csv = len(lookahead) == 1 and (
                all(column in first_line for column in _REQUIRED)
                or ("StrContent" in first_line and "StrTime" in first_line)
                or is_pywxdump_header(first_line)
            )
            if not is_csv:
                if _EXPORTER_TITLE.fullmatch(first_line) or _EXPORTER_HEADER.fullmatch(first_line):
                    yield from self._exporter_txt(path, chain(lookahead, lines))
                elif _MEMO_HEADER.fullmatch(first_line):
                    yield from self._memo_txt(path, chain(lookahead, lines))
                elif lookahead:
                    raise format_error(
                        "not a WeChat export this importer knows (MemoTrace CSV/TXT, WechatExporter TXT)",
                        path,
                        lookahead[-1][0],
                        hint="export with MemoTrace (WeChatMsg) or PyWxDump as CSV, or use --format csv --map",
                    )
                return
        with open_text(path) as handle:
            yield from self._csv(path, handle)

    # ---- CSV -------------------------------------------------------------------------------

    def _csv(self, path: Path, handle: Iterable[str]) -> Iterator[ChatRecord]:
        reader = csv.reader(handle)
        with csv_errors(path, reader):
            header = csv_header(reader) or []
            index = {column: position for position, column in enumerate(header)}
            if is_pywxdump_header(index):
                yield from pywxdump_records(path, csv_rows_with_start(reader), index, self.skipped)
                return
            missing = [column for column in _REQUIRED if column not in index]
            if missing:
                raise format_error(
                    f"the WeChat CSV lacks the column {', '.join(missing)}: without it the importer "
                    "cannot tell whose message each row is",
                    path,
                    1,
                    hint="export the chat again with MemoTrace (WeChatMsg) or PyWxDump, unedited",
                )
            numbered = csv_rows_with_start(reader)
            rows: list[tuple[int, list[str]]] = []
            senders: set[str] = set()
            partner: tuple[str, str, str] | None = None
            for line, row in numbered:
                rows.append((line, row))
                senders.add(self._cell(row, index, "Sender") or self._cell(row, index, "NickName"))
                if partner is None and self._cell(row, index, "IsSender").strip() == "0":
                    partner = self._names(row, index)
                if len(rows) >= _LOOKAHEAD:
                    break
            is_group = len(senders - {""}) > 2
            conversation = _conversation(path)
            for line, row in chain(rows, numbered):
                record = self._csv_row(path, line, row, index, conversation, is_group, partner)
                if record is not None:
                    yield record

    def _names(self, row: list[str], index: dict[str, int]) -> tuple[str, str, str]:
        return tuple(self._cell(row, index, c).strip() for c in ("Remark", "NickName", "Sender"))  # type: ignore[return-value]

    def _speaker(
        self, row: list[str], index: dict[str, int], partner: tuple[str, str, str] | None
    ) -> tuple[str, tuple[str, ...]]:
        """(speaker, aliases) of a row, honouring ``IsSender``.

        MemoTrace writes the chat partner's Remark/NickName/wxid on every row of a 1:1 chat in
        older versions, and the owner's own names on the owner's rows in newer ones; either
        way a row with IsSender=1 is the owner's ("Me", also matched as "我").
        """
        names = self._names(row, index)
        if self._cell(row, index, "IsSender").strip() == "1":
            if partner is None or names == partner or not any(names):
                return SELF, ("我",)
            return (names[0] or names[1] or names[2]), (*names[1:], SELF, "我")
        speaker = names[0] or names[1] or names[2]
        return speaker, tuple(name for name in names if name and name != speaker)

    @staticmethod
    def _cell(row: list[str], index: dict[str, int], column: str) -> str:
        position = index.get(column)
        return row[position] if position is not None and position < len(row) else ""

    def _csv_row(
        self,
        path: Path,
        line: int,
        row: list[str],
        index: dict[str, int],
        conversation: str,
        is_group: bool,
        partner: tuple[str, str, str] | None = None,
    ) -> ChatRecord | None:
        if not row:
            return None
        cell = self._cell
        kind, sub_kind = cell(row, index, "Type").strip(), cell(row, index, "SubType").strip()
        if kind in _SKIP_TYPES:
            self.skipped.skip(_SKIP_TYPES[kind])
            return None
        text = cell(row, index, "StrContent")
        attachments: tuple[str, ...] = ()
        if kind in _MEDIA_TYPES:
            text, attachments = "", (_MEDIA_TYPES[kind],)
        elif kind == "49":
            title = _TITLE.search(text)
            if sub_kind == "57":  # a reply quoting an earlier message: its own words are the title
                text = title.group(1) if title else text
            else:
                text, attachments = (title.group(1) if title else ""), ("link",)
        elif kind != "1":
            self.skipped.skip("unsupported message type")
            return None
        speaker, aliases = self._speaker(row, index, partner)
        moment = _time_text(cell(row, index, "StrTime"))
        if moment is None:
            try:
                moment = from_unix(float(cell(row, index, "CreateTime")))
            except ValueError:
                moment = None
        local_id = cell(row, index, "localId").strip()
        return make_record(
            "wechat", conversation, speaker, text, moment, local_id or None, None, is_group,
            attachments, f"{path}:{line}", aliases,
        )  # fmt: skip

    # ---- TXT -------------------------------------------------------------------------------

    def _memo_txt(self, path: Path, lines: Iterator[tuple[int, str]]) -> Iterator[ChatRecord]:
        lookahead, is_group = _group_lookahead(lines, _MEMO_HEADER, 2)
        conversation = _conversation(path)
        pending: tuple[int, str, str] | None = None
        body: list[str] = BoundedLines()
        previous_blank = True
        for number, line in chain(lookahead, lines):
            match = _MEMO_HEADER.fullmatch(line) if previous_blank else None
            previous_blank = not line.strip()
            if match is None:
                if pending is None and line.strip():
                    raise format_error(
                        "expected a MemoTrace header line (date, time, name)", path, number
                    )
                body.append(line)
                continue
            if pending is not None:
                record = self._memo_record(path, pending, body, conversation, is_group)
                if record is not None:
                    yield record
            pending, body = (number, match.group(1), match.group(2)), BoundedLines()
        if pending is not None:
            record = self._memo_record(path, pending, body, conversation, is_group)
            if record is not None:
                yield record

    def _memo_record(
        self,
        path: Path,
        pending: tuple[int, str, str],
        body: list[str],
        conversation: str,
        is_group: bool,
    ) -> ChatRecord | None:
        number, stamp, speaker = pending
        while body and not body[-1].strip():
            body.pop()
        if not body:
            self.skipped.skip("system message")
            return None
        if len(body) > 1 and body[-1].startswith("引用:"):
            body = body[:-1]  # the quoted message is someone else's words
        text = "\n".join(body)
        text, attachments = _placeholder(text)
        return make_record(
            "wechat", conversation, speaker, text, _time_text(stamp), None, None, is_group,
            attachments, f"{path}:{number}",
        )  # fmt: skip

    def _exporter_txt(self, path: Path, lines: Iterator[tuple[int, str]]) -> Iterator[ChatRecord]:
        conversation = _conversation(path)
        pending: tuple[int, str, str] | None = None
        body: list[str] = BoundedLines()
        lookahead, is_group = _group_lookahead(lines, _EXPORTER_HEADER, 1)
        for number, line in chain(lookahead, lines):
            match = _EXPORTER_HEADER.fullmatch(line)
            if match is None:
                title = _EXPORTER_TITLE.fullmatch(line.strip()) if pending is None else None
                if title:
                    conversation = title.group("name").strip()
                elif pending is not None:
                    body.append(line)
                continue
            if pending is not None:
                yield self._exporter_record(path, pending, body, conversation, is_group)
            pending, body = (number, match.group("name"), match.group("time")), BoundedLines(match.group("text"))
        if pending is not None:
            yield self._exporter_record(path, pending, body, conversation, is_group)

    @staticmethod
    def _exporter_record(
        path: Path, pending: tuple[int, str, str], body: list[str], conversation: str, group: bool
    ) -> ChatRecord:
        number, speaker, stamp = pending
        while len(body) > 1 and not body[-1].strip():
            body.pop()
        text, attachments = _placeholder("\n".join(body))
        return make_record(
            "wechat", conversation, speaker, text, _time_text(stamp), None, None, group,
            attachments, f"{path}:{number}",
        )  # fmt: skip


def _group_lookahead(
    lines: Iterator[tuple[int, str]], header: re.Pattern[str], name_group: int
) -> tuple[list[tuple[int, str]], bool]:
    """Read ahead (bounded) and call the chat a group when more than two people wrote in it.

    A header counts only when words follow it, so system lines ("你撤回了一条消息") are not
    taken for names.
    """
    lookahead: list[tuple[int, str]] = []
    names: set[str] = set()
    last_name: str | None = None
    for number, line in lines:
        lookahead.append((number, line))
        match = header.fullmatch(line)
        if match:
            last_name = match.group(name_group)
            if name_group == 1:  # one-line layout: the words are on the header line
                names.add(last_name)
        elif last_name is not None and line.strip():
            names.add(last_name)
            last_name = None
        if len(lookahead) >= _LOOKAHEAD or len(names) > 2:
            break
    return lookahead, len(names) > 2


def _placeholder(text: str) -> tuple[str, tuple[str, ...]]:
    """"[图片]" and friends stand for media: no words, one attachment of that kind."""
    kind = _PLACEHOLDERS.get(text.strip())
    return ("", (kind,)) if kind else (text, ())
