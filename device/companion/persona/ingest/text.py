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

from ._common import SkipCounter, head_text, numbered_lines, open_text
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


class TextParser:
    """Parses a letter/note/memory file into one record per file or per dated section."""

    name = "text"

    def __init__(self, speaker: str = "") -> None:
        self.speaker = speaker
        self.skipped = SkipCounter()

    def sniff(self, path: Path) -> bool:
        if path.suffix.lower() not in SUFFIXES:
            return False
        return "\x00" not in head_text(path, 4096)

    def parse(self, path: Path) -> Iterator[ChatRecord]:
        title = path.stem
        start_line, moment = 1, None
        body: list[str] = []
        with open_text(path) as handle:
            for number, line in numbered_lines(handle, path):
                heading = section_date(line) if len(line) < 160 else None
                if heading is None:
                    body.append(line)
                    continue
                record = self._record(path, title, start_line, moment, body)
                if record is not None:
                    yield record
                start_line, moment, body = number, heading, []
                match = _DATE_LINE.fullmatch(line.strip())
                if match and match.group("title"):
                    body.append(match.group("title").strip())
        record = self._record(path, title, start_line, moment, body)
        if record is not None:
            yield record

    def _record(
        self, path: Path, title: str, line: int, moment: datetime | None, body: list[str]
    ) -> ChatRecord | None:
        text = "\n".join(body).strip()
        if not text:
            if body:
                self.skipped.skip("empty section")
            return None
        return make_record(
            "text", title, self.speaker, text, moment, f"{path.name}:{line}", None, False, (),
            f"{path}:{line}",
        )  # fmt: skip
