"""Letters, notes and memories as plain .txt/.md files: the person's own words, not a chat.

One record per file, or one per dated section when the file is a diary or a collection of
letters: a section starts at a line that is a date ("2019-05-01", "12 May 1998",
"May 12, 1998", "1998年5月12日"), optionally as a Markdown heading ("## 12 May 1998 - Title").
Text before the first dated section is its own record without a time. The speaker is the one
given by the importer (the persona); the parser itself never decides whose words these are.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ._common import SkipCounter, format_error, head_text, open_text
from .records import ChatRecord, make_record

logger = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".markdown", ".text")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?P<month_name>[A-Za-z]{3,9})\.?"
_DATE_LINE = re.compile(
    r"(?:#{1,6}\s*)?(?:[*_]{1,2})?(?:"
    r"(?P<iso_y>\d{4})[-/.](?P<iso_m>\d{1,2})[-/.](?P<iso_d>\d{1,2})"
    r"|(?P<zh_y>\d{4})年(?P<zh_m>\d{1,2})月(?P<zh_d>\d{1,2})[日号]"
    r"|(?P<dm_d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH.replace("month_name", "dm_month") + r",?\s+(?P<dm_y>\d{4})"
    r"|" + _MONTH.replace("month_name", "md_month") + r"\s+(?P<md_d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<md_y>\d{4})"
    r")(?:[*_]{1,2})?(?:\s*(?:[-\u2013\u2014:|]|——)\s*(?P<title>.{0,120}))?\s*"
)


def section_date(line: str) -> datetime | None:
    """The date a section heading line states, or None when the line is not a date heading."""
    match = _DATE_LINE.fullmatch(line.strip())
    if match is None:
        return None
    groups = match.groupdict()
    try:
        if groups["iso_y"]:
            return datetime(int(groups["iso_y"]), int(groups["iso_m"]), int(groups["iso_d"]))
        if groups["zh_y"]:
            return datetime(int(groups["zh_y"]), int(groups["zh_m"]), int(groups["zh_d"]))
        if groups["dm_y"]:
            month = _MONTHS.get(groups["dm_month"].lower())
            return datetime(int(groups["dm_y"]), month, int(groups["dm_d"])) if month else None
        month = _MONTHS.get(groups["md_month"].lower())
        return datetime(int(groups["md_y"]), month, int(groups["md_d"])) if month else None
    except ValueError:
        return None


MAX_PASSAGE_CHARS = 2000
"""A letter is stored as passages of at most this many characters (split at paragraphs, then
sentences, then spaces), so a long letter is many memories, not one giant one."""
_PIECE = 64 * 1024
_SENTENCE_END = re.compile(r"[.!?。！？…](?:[\"'”’)）」』]*)\s*")


def split_passage(text: str, limit: int = MAX_PASSAGE_CHARS) -> tuple[str, str]:
    """(head, rest): ``head`` at most ``limit`` characters, cut at the last paragraph break,
    else sentence end, else space, in its second half; a hard cut only when there is none."""
    if len(text) <= limit:
        return text, ""
    window = text[: limit + 1]
    floor = limit // 2
    cut = window.rfind("\n\n", floor)
    if cut < 0:
        ends = [m.end() for m in _SENTENCE_END.finditer(window, floor) if m.end() <= limit]
        cut = ends[-1] if ends else max(window.rfind(" ", floor), window.rfind("\n", floor))
    if cut <= 0:
        cut = limit
    return text[:cut].rstrip(), text[cut:].lstrip()


class TextParser:
    """Parses a letter/note/memory file into records: one per passage of each dated section.

    Unless ``force`` is set, a file that looks like another format (a chat export, JSON, CSV,
    XML) is refused with a message naming that format: it would otherwise become one long
    "letter" in the person's words.
    """

    name = "text"

    def __init__(self, speaker: str = "", force: bool = False) -> None:
        self.speaker = speaker
        self.force = force
        self.skipped = SkipCounter()

    def sniff(self, path: Path) -> bool:
        if path.suffix.lower() not in SUFFIXES:
            return False
        return "\x00" not in head_text(path, 4096)

    def parse(self, path: Path) -> Iterator[ChatRecord]:
        if not self.force:
            from .registry import resembled_format  # the registry imports this module

            resembled = resembled_format(path)
            if resembled is not None:
                what, fmt = resembled
                raise format_error(
                    f"this file looks like {what}, not a letter or a note",
                    path,
                    hint=(f"import it with --format {fmt}" if fmt else "check the file")
                    + "; to import it as a letter anyway, add --format text --force",
                )
        title = path.stem
        start_line, moment = 1, None
        buffer = ""  # the current section's text not yet yielded: at most a passage and a piece
        piece = 0
        with open_text(path) as handle:
            number = 0
            continued = False
            while line := handle.readline(_PIECE):
                ends = line.endswith("\n")
                if not continued:
                    number += 1
                text = line.rstrip("\r\n") if ends else line
                heading = section_date(text) if not continued and ends and len(text) < 160 else None
                continued = not ends
                if heading is None:
                    buffer += text + ("\n" if ends else "")
                    while len(buffer) > MAX_PASSAGE_CHARS:
                        head, buffer = split_passage(buffer)
                        piece += 1
                        record = self._record(path, title, start_line, moment, head, piece)
                        if record is not None:
                            yield record
                    continue
                record = self._record(path, title, start_line, moment, buffer, piece + 1 if piece else 0)
                if record is not None:
                    yield record
                start_line, moment, buffer, piece = number, heading, "", 0
                match = _DATE_LINE.fullmatch(text.strip())
                if match and match.group("title"):
                    buffer = match.group("title").strip() + "\n"
        record = self._record(path, title, start_line, moment, buffer, piece + 1 if piece else 0)
        if record is not None:
            yield record

    def _record(
        self, path: Path, title: str, line: int, moment: datetime | None, body: str, piece: int = 0
    ) -> ChatRecord | None:
        text = body.strip()
        if not text:
            if body:
                self.skipped.skip("empty section")
            return None
        suffix = f"#{piece}" if piece > 1 else ""
        return make_record(
            "text", title, self.speaker, text, moment, f"{path.name}:{line}{suffix}", None, False, (),
            f"{path}:{line}",
        )  # fmt: skip
