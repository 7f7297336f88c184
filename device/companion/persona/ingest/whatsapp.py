"""WhatsApp "Export chat" text files (Android and iOS styles), plain or inside the .zip export.

Android: ``31/12/2020, 21:41 - Alice: text`` (or ``12/31/20, 9:41 PM - ...``); iOS:
``[31/12/2020, 21:41:05] Alice: text``. The app writes dates in the phone's locale, so whether
``03/04/21`` is 3 April or 4 March is decided per file: a first pass looks for a day above 12
and, failing that, picks the order under which the dates run forward. Lines that do not start
with a timestamp continue the previous message.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from itertools import chain
from pathlib import Path, PurePosixPath

from ._common import BoundedLines, SkipCounter, format_error, head_text, numbered_lines, open_text
from ._dates import date_parts, order_by_progression, to_date
from ._dates import evidence as evidence_of
from .archive import DEFAULT_LIMITS, ArchiveLimits, SafeZip, is_zip
from .records import ChatRecord, ExportFormatError, make_record

logger = logging.getLogger(__name__)

_HEADER = re.compile(
    r"\u200e?(?P<bracket>\[)?(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4})\.?,?[ \u00a0]"
    r"(?P<zh>上午|下午|中午|晚上|凌晨|早上)?"
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?"
    r"(?:[ \u202f\u00a0]?(?P<ampm>[AaPp])\.?[ \u00a0]?[Mm]\.?)?"
    r"(?(bracket)\][ \u00a0]|[ \u00a0][-\u2013][ \u00a0])(?P<rest>.*)"
)
_LOOKAHEAD_MESSAGES = 2000
_FILE_ATTACHED = re.compile(r"\u200e?(?P<name>[^<>\n]{1,200}?\.\w{1,5}) \(file attached\)")
_IOS_ATTACHED = re.compile(r"\u200e?<attached: (?P<name>[^>\n]{1,300})>")
_OMITTED = re.compile(
    r"\u200e?(?:(?P<kind>image|video|audio|sticker|GIF|document|Contact card) omitted"
    r"|<Media omitted>|<省略影音内容>)"
)
_DELETED = frozenset(
    {"This message was deleted", "You deleted this message", "null", "此消息已删除", "你删除了此消息"}
)
_EDITED_SUFFIX = " <This message was edited>"
_SYSTEM_PHRASES = re.compile(
    r"Messages and calls are end-to-end encrypted|Messages to this (?:group|chat) are now secured"
    r"|security code (?:with .+ )?changed|created (?:group|this group)|changed the subject"
    r"|changed this group's (?:icon|description|settings)|joined using this group's invite link"
    r"| added | removed | left$|You're now an admin|Missed (?:voice|video) call"
    r"|changed their phone number|disappearing messages|is a contact\.$|blocked this contact"
    r"|端到端加密|安全码已更改|创建了群组|创建了此群组|更改了群组|添加了|移除了|退出了群组"
)
_SYSTEM_SPEAKER = re.compile(r" (?:changed|created|added|removed|left|joined|deleted|pinned) ")
_GROUP_CUES = re.compile(
    r"created (?:group|this group)|changed the subject|changed this group's|joined using this group"
    r"|Messages to this group| added | removed | left$"
)
_CHAT_NAME = re.compile(r"WhatsApp[ -]Chat(?: with| mit| avec| con| met| com| -)?\s*(?P<name>.+)$", re.I)


def _conversation_name(path: Path, member: str | None = None) -> str:
    """"WhatsApp Chat with Alice.txt" -> "Alice"; an iOS "_chat.txt" takes the zip's name."""
    for candidate in (PurePosixPath(member).stem if member else None, path.stem):
        if candidate and candidate != "_chat":
            match = _CHAT_NAME.match(candidate)
            return match.group("name").strip() if match else candidate
    return path.parent.name or path.stem


class WhatsAppParser:
    """Parses a WhatsApp text export (or .zip export) into ChatRecords."""

    name = "whatsapp"

    def __init__(self, date_order: str = "auto", limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
        if date_order not in ("auto", "dmy", "mdy"):
            raise ExportFormatError(
                f"unknown date order {date_order!r}", where="--date-order", hint="use auto, dmy or mdy"
            )
        self.date_order = date_order
        self.limits = limits
        self.skipped = SkipCounter()

    # ---- detection -------------------------------------------------------------------------

    def sniff(self, path: Path) -> bool:
        if is_zip(path):
            try:
                with SafeZip(path, self.limits) as archive:
                    member = self._pick_member(archive)
                    with open_text(path, archive.open(member)) as handle:
                        return self._looks_like(handle.read(16384))
            except (ExportFormatError, UnicodeDecodeError):
                return False
        return self._looks_like(head_text(path, 16384))

    @staticmethod
    def _looks_like(text: str) -> bool:
        lines = [line for line in text.splitlines()[:20] if line.strip()]
        hits = sum(1 for line in lines if _HEADER.match(line))
        return bool(lines) and hits >= max(1, len(lines) // 3)

    def _pick_member(self, archive: SafeZip) -> str:
        texts = [n for n in archive.names() if n.lower().endswith(".txt")]
        for name in texts:
            if PurePosixPath(name).name == "_chat.txt":
                return name
        chats = [n for n in texts if _CHAT_NAME.match(PurePosixPath(n).stem)]
        if len(chats) == 1 or (not chats and len(texts) == 1):
            return (chats or texts)[0]
        raise format_error(
            "cannot tell which file in the archive is the chat "
            f"({', '.join(texts[:5]) or 'no .txt file'})",
            archive.path,
            hint="unpack the archive and import the chat .txt file",
        )

    # ---- parsing ---------------------------------------------------------------------------

    def parse(self, path: Path) -> Iterator[ChatRecord]:
        if is_zip(path):
            with SafeZip(path, self.limits) as archive:
                member = self._pick_member(archive)
                label = f"{path}!{member}"
                yield from self._parse(
                    lambda: open_text(Path(label), archive.open(member)),
                    label,
                    _conversation_name(path, member),
                )
        else:
            yield from self._parse(lambda: open_text(path), str(path), _conversation_name(path))

    def _parse(
        self, opener: Callable[[], io.TextIOWrapper], label: str, conversation: str
    ) -> Iterator[ChatRecord]:
        with opener() as handle:
            lookahead, order, is_group = self._look_ahead(numbered_lines(handle, label))
            if order is None:
                order = self._scan_order(opener, label, lookahead)
            # the rest of the file is read straight from the handle: the hot loop of an import
            following = enumerate(handle, lookahead[-1][0] + 1 if lookahead else 1)
            records = self._records(chain(lookahead, following), label, conversation, order, is_group)
            del lookahead  # the chain frees the look-ahead lines once it has passed them
            yield from records

    def _look_ahead(
        self, lines: Iterator[tuple[int, str]]
    ) -> tuple[list[tuple[int, str]], str | None, bool]:
        """Read the first messages (bounded): the date order if they show it, and group cues.

        A group shows itself early: a "created group"/"added" line or a third speaker.
        """
        buffered: list[tuple[int, str]] = []
        speakers: set[str] = set()
        group_cue = False
        evidence = None if self.date_order == "auto" else self.date_order
        headers = 0
        header = _HEADER.match
        for number, line in lines:
            buffered.append((number, line))
            match = header(line)
            if match is None:
                continue
            headers += 1
            rest = match.group("rest")
            name, sep, text = rest.partition(": ")
            if sep and (len(name) > 80 or _SYSTEM_SPEAKER.search(name)):
                sep = ""  # a system line whose text happens to contain ": "
            if sep and len(speakers) < 3:
                speakers.add(name)
            if (not sep or text.startswith("\u200e")) and _GROUP_CUES.search(rest):
                group_cue = True
            if evidence is None:
                evidence = evidence_of(match.group("date"))
            if headers >= _LOOKAHEAD_MESSAGES:
                break
        return buffered, evidence, group_cue or len(speakers) > 2

    def _scan_order(
        self,
        opener: Callable[[], io.TextIOWrapper],
        label: str,
        lookahead: list[tuple[int, str]],
    ) -> str:
        """The date order from the whole file when the first messages did not show it."""
        distinct: list[tuple[int, int, int]] = []
        saw_ampm = False
        last_date = ""
        header = _HEADER.match
        with opener() as handle:
            for _number, line in numbered_lines(handle, label):
                match = header(line)
                if match is None:
                    continue
                saw_ampm = saw_ampm or bool(match.group("ampm"))
                day = match.group("date")
                if day == last_date:
                    continue
                last_date = day
                found = evidence_of(day)
                if found:
                    return found
                if len(distinct) < 5000:
                    try:
                        distinct.append(date_parts(day))
                    except ValueError:
                        continue
        return order_by_progression(distinct, saw_ampm)

    def _records(
        self,
        lines: Iterable[tuple[int, str]],
        label: str,
        conversation: str,
        order: str,
        is_group: bool,
    ) -> Iterator[ChatRecord]:
        header = _HEADER.match
        dates: dict[str, date] = {}
        pending: tuple[int, datetime, str] | None = None
        extra: list[str] = BoundedLines()
        seen_header = False
        last_stamp, last_moment = "", datetime.min
        number = 0
        try:
            for number, line in lines:
                match = header(line)
                if match is None:
                    if pending is not None:
                        extra.append(line.rstrip("\r\n"))
                    elif line.strip() and not seen_header:
                        raise format_error(
                            "this line is not a WhatsApp message (expected a date and time first)",
                            label,
                            number,
                            hint="check --format, or export the chat again from WhatsApp",
                        )
                    continue
                seen_header = True
                if pending is not None:
                    record = self._finish(pending, extra, label, conversation, is_group)
                    if record is not None:
                        yield record
                    extra = BoundedLines()
                rest = match.group(8)
                if rest[-1:] == "\r":
                    rest = rest[:-1]
                stamp = line[: match.start(8)]
                if stamp != last_stamp:
                    last_moment = self._moment(match, dates, order, label, number, line)
                    last_stamp = stamp
                pending = (number, last_moment, rest)
        except UnicodeDecodeError as exc:
            raise format_error(
                f"the export is not valid text ({exc.reason})",
                label,
                number + 1,
                hint="convert the file to UTF-8 and import it again",
            ) from exc
        if pending is not None:
            record = self._finish(pending, extra, label, conversation, is_group)
            if record is not None:
                yield record
        elif not seen_header:
            raise format_error(
                "no WhatsApp messages found", label, hint="check --format, or export the chat again"
            )

    @staticmethod
    def _moment(
        match: re.Match[str], dates: dict[str, date], order: str, label: str, number: int, line: str
    ) -> datetime:
        """The datetime of a message header (dates are cached: a chat has few distinct days)."""
        _bracket, day_text, zh, hour_text, minute_text, second_text, ampm, _rest = match.groups()
        day = dates.get(day_text)
        if day is None:
            try:
                day = to_date(date_parts(day_text), order)
            except ValueError:
                raise format_error(
                    f"invalid date {day_text!r}", label, number,
                    hint="say how the phone wrote dates: --date-order dmy (day first) or --date-order mdy",
                ) from None
            if len(dates) < 100_000:
                dates[day_text] = day
        hour, minute = int(hour_text), int(minute_text)
        second = int(second_text) if second_text else 0
        if ampm:
            hour = hour % 12 + (12 if ampm in "Pp" else 0)
        elif zh:  # Chinese locales: 上午 9:41 (a.m.), 下午 9:41 (p.m.), 中午 12:30 / 1:00 (noon)
            if zh in ("下午", "晚上") or (zh == "中午" and hour < 11):
                hour = hour % 12 + 12
            elif zh in ("上午", "凌晨", "早上"):
                hour %= 12
        try:
            return datetime(day.year, day.month, day.day, hour, minute, second)
        except ValueError:
            raise format_error(f"invalid time in {line[:40]!r}", label, number) from None

    def _finish(
        self,
        pending: tuple[int, datetime, str],
        extra: list[str],
        label: str,
        conversation: str,
        is_group: bool,
    ) -> ChatRecord | None:
        number, moment, rest = pending
        speaker, sep, text = rest.partition(": ")
        if not sep:
            self.skipped.skip("system message")
            return None
        if text.startswith("\u200e") and _SYSTEM_PHRASES.search(text):
            self.skipped.skip("system message")
            return None
        if len(speaker) > 80 or _SYSTEM_SPEAKER.search(speaker):  # 'X changed the subject to "a: b"'
            self.skipped.skip("system message")
            return None
        if extra:
            text = text + "\n" + "\n".join(extra)
        attachments: tuple[str, ...] = ()
        if text.startswith(("<", "\u200e")) or "omitted" in text or "(file attached)" in text:
            text, attachments = self._attachment(text)
        if text in _DELETED:
            self.skipped.skip("deleted message")
            return None
        if text.endswith(_EDITED_SUFFIX):
            text = text[: -len(_EDITED_SUFFIX)]
        return make_record(
            "whatsapp",
            conversation,
            speaker.lstrip("\u200e~\u202f "),
            text,
            moment,
            None,
            None,
            is_group,
            attachments,
            f"{label}:{number}",
        )

    @staticmethod
    def _attachment(text: str) -> tuple[str, tuple[str, ...]]:
        """Split an attachment marker off a message: (remaining text, attachment names)."""
        first, newline, caption = text.partition("\n")
        for pattern in (_IOS_ATTACHED, _FILE_ATTACHED):
            match = pattern.fullmatch(first)
            if match:
                return caption, (match.group("name"),)
        match = _OMITTED.fullmatch(first)
        if match:
            return caption, ((match.group("kind") or "media").lower(),)
        return text, ()
