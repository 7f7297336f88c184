"""Letters, notes and memories as .txt/.md: one record per file or per dated section."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from companion.persona.ingest import detect_format, parse_export
from companion.persona.ingest.text import TextParser, section_date
from unit.ingest_helpers import (
    EXPORTS,
    fuzz_test,
    mutated,
    random_bytes,
    random_text,
    view,
)

SAMPLES = EXPORTS / "letters"
D = datetime
ROSE = "Grandma Rose"


def test_one_letter_is_one_record() -> None:
    (record,) = TextParser(speaker=ROSE).parse(SAMPLES / "letter_to_tom.txt")
    assert view(record) == (
        ROSE,
        "Dear Tom,\n\nI hope this letter finds you well. The garden is full of sunflowers 🌻 this year,\n"
        "and I think of you every time I water them.\n\nRemember: always be kind, and call your mother.\n\n"
        "Love,\nGrandma Rose",
        None, (), False, "letter_to_tom", "letter_to_tom.txt:1", None,
    )  # fmt: skip
    assert record.source == "text"


def test_diary_splits_at_dated_sections() -> None:
    records = list(TextParser(speaker=ROSE).parse(SAMPLES / "diary.md"))
    c = "diary"
    assert [view(r) for r in records] == [
        (ROSE, "# My garden diary\n\nThese are my notes for the grandchildren.", None, (), False, c,
         "diary.md:1", None),
        (ROSE, 'The first tulips\n\nThe tulips came up today. Tom (age 4) asked if they were "hot dogs for bees".',
         D(1998, 5, 12), (), False, c, "diary.md:5", None),
        (ROSE, "First day of school for Mei. 她哭了一下，然后就开心地跑进去了。", D(2001, 9, 1), (), False, c,
         "diary.md:9", None),
        (ROSE, "Planted three apple trees with Grandpa.\nHe said we would eat apple pie in five years.",
         D(2003, 3, 15), (), False, c, "diary.md:13", None),
        (ROSE, "（重复的一天）我们一起包了饺子 🥟", D(1998, 5, 12), (), False, c, "diary.md:17", None),
    ]  # fmt: skip


def test_auto_passes_the_speaker_to_letters() -> None:
    assert detect_format(SAMPLES / "diary.md") == "text"
    records = list(parse_export(SAMPLES / "letter_to_tom.txt", "auto", speaker=ROSE, mapping=None))
    assert records[0].speaker == ROSE


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2019-05-01", D(2019, 5, 1)),
        ("## May 12, 1998", D(1998, 5, 12)),
        ("**3rd March 2004** - Spring", D(2004, 3, 3)),
        ("1998年5月12日", D(1998, 5, 12)),
        ("2019-02-30", None),
        ("I wrote this on 2019-05-01", None),
        ("12 Smarch 1998", None),
    ],
)
def test_section_date(line: str, expected: datetime | None) -> None:
    assert section_date(line) == expected


def test_empty_file_gives_no_records(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_text("\n\n", encoding="utf-8")
    assert list(TextParser().parse(path)) == []


test_fuzz_random_bytes = fuzz_test(TextParser, random_bytes, "note.txt")
test_fuzz_random_text = fuzz_test(TextParser, random_text, "note.md")
test_fuzz_mutated_diary = fuzz_test(TextParser, mutated((SAMPLES / "diary.md").read_bytes()), "diary.md")
