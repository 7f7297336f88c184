"""QQ message manager ("消息管理器") TXT export (and, through qq_mht, its MHT export).

The classic layout::

    消息记录（此消息记录为文本格式，不支持重新导入）

    ================================================================
    消息分组:我的好友
    ================================================================
    消息对象:奶奶
    ================================================================

    2012-03-04 12:34:56 奶奶(12345678)
    吃饭了吗？

An "export all" file repeats the 消息分组/消息对象 block for every chat; the group header says
whether it is a group ("我的QQ群", "讨论组"). A sender is ``Name(QQ number)`` or
``Name<e-mail>``; message lines follow until the next header.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ._common import BoundedLines, SkipCounter, format_error, head_text, numbered_lines, open_text, read_head, ymd_hms
from .qq_mht import is_qq_mht, qq_mht_records
from .records import ChatRecord, make_record

logger = logging.getLogger(__name__)

_HEADER = re.compile(
    r"(?P<day>\d{4}-\d{1,2}-\d{1,2}) (?P<time>\d{1,2}:\d{2}:\d{2}) "
    r"(?P<name>[^\n]{0,200}?)(?:\((?P<qq>\d{4,12})\)|<(?P<mail>[^<>\s]{1,100})>)?"
)
_GROUP_LINE = re.compile(r"消息分组[:：](?P<value>.*)")
_TARGET_LINE = re.compile(r"消息对象[:：](?P<value>.*)")
_DATE_HEADER = re.compile(r"日期[:：]\s*\d{4}-\d{1,2}-\d{1,2}")
_DATE_ONLY = re.compile(r"(?:日期[:：]\s*)?\d{4}-\d{1,2}-\d{1,2}")
_TITLE = "消息记录"
_TITLE_PREFIX = re.compile(r"^【[^】]{1,20}】")
_SYSTEM_SPEAKERS = frozenset({"系统消息", "系统提示"})
_PLACEHOLDERS = {"[图片]": "image", "[表情]": "sticker", "[语音]": "voice", "[视频]": "video",
                 "[文件]": "file", "[闪照]": "image"}  # fmt: skip


def _is_group_folder(value: str) -> bool:
    return "群" in value or "讨论组" in value


class QQParser:
    """Parses a QQ message-manager TXT export into ChatRecords."""

    name = "qq"

    def __init__(self) -> None:
        self.skipped = SkipCounter()

    def sniff(self, path: Path) -> bool:
        if is_qq_mht(read_head(path, 4096)):
            return True
        head = head_text(path, 8192)
        if _TITLE in head[:200] or "消息对象:" in head or "消息对象：" in head:
            return True
        lines = [line for line in head.splitlines()[:10] if line.strip()]
        return any(
            (m := _HEADER.fullmatch(line)) is not None and (m.group("qq") or m.group("mail"))
            for line in lines
        )

    def parse(self, path: Path) -> Iterator[ChatRecord]:
        if is_qq_mht(read_head(path, 4096)):
            yield from qq_mht_records(path, self.skipped)
            return
        conversation = path.stem
        is_group = False
        pending: tuple[int, datetime, str, str] | None = None
        body: list[str] = BoundedLines()
        with open_text(path) as handle:
            for number, line in numbered_lines(handle, path):
                stripped = line.strip().lstrip("\ufeff")
                match = _HEADER.fullmatch(stripped) if stripped[:2].isdigit() else None
                if match is None:
                    section = self._section(stripped) if stripped[:1] in ("=", "消", "日") else None
                    if section is None:
                        if pending is not None:
                            body.append(line)
                        elif not self._preamble(stripped):
                            raise format_error(
                                "expected a QQ message header (date time Name(QQ number))",
                                path,
                                number,
                                hint="check --format, or export again from the QQ message manager",
                            )
                        continue
                    kind, value = section
                    if pending is not None:
                        record = self._record(path, pending, body, conversation, is_group)
                        if record is not None:
                            yield record
                        pending, body = None, BoundedLines()
                    if kind == "group":
                        is_group = _is_group_folder(value)
                    elif kind == "target":
                        conversation = value or path.stem
                    continue
                if pending is not None:
                    record = self._record(path, pending, body, conversation, is_group)
                    if record is not None:
                        yield record
                moment = ymd_hms(f"{match.group('day')} {match.group('time')}")
                if moment is None:
                    raise format_error(f"invalid date or time in {stripped[:40]!r}", path, number)
                account = match.group("qq") or match.group("mail") or ""
                name = _TITLE_PREFIX.sub("", match.group("name").strip())  # 【管理员】 in groups
                pending, body = (number, moment, name or account, account), BoundedLines()
        if pending is not None:
            record = self._record(path, pending, body, conversation, is_group)
            if record is not None:
                yield record
    @staticmethod
    def _preamble(line: str) -> bool:
        """Lines allowed before the first message: blank, the title, a bare date."""
        return not line or line.startswith(_TITLE) or bool(_DATE_ONLY.fullmatch(line))

    @staticmethod
    def _section(line: str) -> tuple[str, str] | None:
        """A header line of the export: ("group", value), ("target", value), ("rule", "")."""
        if line.startswith("=====") or _DATE_HEADER.fullmatch(line):
            return ("rule", "")
        match = _GROUP_LINE.fullmatch(line)
        if match:
            return ("group", match.group("value").strip())
        match = _TARGET_LINE.fullmatch(line)
        if match:
            return ("target", match.group("value").strip())
        return None

    def _record(
        self,
        path: Path,
        pending: tuple[int, datetime, str, str],
        body: list[str],
        conversation: str,
        is_group: bool,
    ) -> ChatRecord | None:
        number, moment, speaker, account = pending
        while body and not body[-1].strip():
            body.pop()
        if speaker in _SYSTEM_SPEAKERS:
            self.skipped.skip("system message")
            return None
        text = "\n".join(body)
        kind = _PLACEHOLDERS.get(text.strip())
        attachments: tuple[str, ...] = (kind,) if kind else ()
        if kind:
            text = ""
        if not text and not attachments:
            self.skipped.skip("empty message")
            return None
        return make_record(
            "qq", conversation, speaker, text, moment, None, None, is_group, attachments,
            f"{path}:{number}", (account,) if account and account != speaker else (),
        )  # fmt: skip
