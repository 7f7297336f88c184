"""Generic CSV/JSONL with a column mapping (``--map time=Date,speaker=From,text=Body``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.persona.ingest import ColumnMapping, ExportFormatError, detect_format, parse_export
from companion.persona.ingest.tabular import CsvParser, JsonlParser
from unit.ingest_helpers import (
    EXPORTS,
    FUZZ,
    fuzz_test,
    mutated,
    origin_line,
    parse_cleanly,
    parse_error,
    random_bytes,
    utc,
    view,
)

SAMPLES = EXPORTS / "generic"
D = datetime
FORUM_MAP = "time=Date,speaker=From,text=Body,conversation=Thread,time_format=%d.%m.%Y %H:%M"


def test_column_mapping_parse() -> None:
    assert ColumnMapping.parse("time=Date,speaker=From,text=Body") == ColumnMapping(
        text="Body", speaker="From", time="Date"
    )
    assert ColumnMapping.parse("text=t,is_group=yes").is_group is True
    for bad in ("time=Date", "colour=Red,text=x", "text", "text="):
        with pytest.raises(ExportFormatError, match="mapping"):
            ColumnMapping.parse(bad)


def test_csv_with_mapping_and_time_format() -> None:
    parser = CsvParser(FORUM_MAP)
    records = list(parser.parse(SAMPLES / "forum_export.csv"))
    assert [view(r) for r in records] == [
        ("Oma Lotte", "Hast du gegessen? 🍲", D(2019, 4, 3, 18, 30), (), False, "Lotte", None, None),
        ("Jonas", "Ja, Oma!\nNudeln mit Tomatensoße", D(2019, 4, 3, 18, 32), (), False, "Lotte", None, None),
        ("Oma Lotte", "Guten Morgen, mein Schatz", D(2019, 4, 4, 7, 0), (), False, "Lotte", None, None),
    ]  # fmt: skip
    assert [origin_line(r) for r in records] == ["2", "3", "5"]
    assert parser.skipped == {"empty message": 1}
    assert all(r.source == "csv" for r in records)


def test_csv_guessed_columns_iso_and_unix_times_and_replies() -> None:
    with utc():
        records = list(parse_export(SAMPLES / "guessed_columns.csv", "auto"))
    c = "guessed_columns"
    assert [view(r) for r in records] == [
        ("Grandpa Li", "今天钓到一条大鱼！🐟", D(2020, 8, 1, 10, 0), (), False, c, "m1", None),
        ("Amy", "Wow, how big?", D(2020, 8, 1, 2, 3), (), False, c, "m2", "m1"),
        ("Grandpa Li", "This big 👐", D(2020, 8, 1, 2, 5), (), False, c, "m3", "m2"),
    ]  # fmt: skip


def test_jsonl_with_mapping_and_millisecond_times() -> None:
    with utc():
        records = list(parse_export(SAMPLES / "messages.jsonl", "jsonl",
                                    mapping="time=ts,speaker=author,text=content,conversation=chat"))  # fmt: skip
    assert [view(r) for r in records] == [
        ("Grandpa Li", "Going fishing at dawn 🎣", D(2020, 8, 1, 1, 40), (), False, "Amy", None, None),
        ("Amy", "Bring me a fish!\nA small one.", D(2020, 8, 1, 1, 41), (), False, "Amy", None, None),
        ("Grandpa Li", "钓鱼要有耐心。", None, (), False, "Amy", None, None),
    ]  # fmt: skip
    assert [origin_line(r) for r in records] == ["1", "2", "4"]


def test_semicolon_and_tab_delimiters(tmp_path: Path) -> None:
    for delimiter in (";", "\t"):
        path = tmp_path / "x.csv"
        path.write_text(delimiter.join(["From", "Body"]) + "\n" + delimiter.join(["Ann", "Hallo, Welt"]) + "\n",
                        encoding="utf-8")  # fmt: skip
        (record,) = CsvParser("speaker=From,text=Body").parse(path)
        assert (record.speaker, record.text) == ("Ann", "Hallo, Welt")


def test_detection() -> None:
    assert detect_format(SAMPLES / "forum_export.csv") == "csv"
    assert detect_format(SAMPLES / "messages.jsonl") == "jsonl"


def test_no_text_column_asks_for_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    error = parse_error(CsvParser(), path, "a,b\n1,2\n", match="--map")
    assert error.where == f"{path}, line 1"


def test_mapping_naming_a_missing_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    error = parse_error(
        CsvParser("text=Text,speaker=From"),
        path,
        "Date,From,Body\n2020-01-01,Ann,hi\n",
        match="no column 'Text'",
    )
    assert error.where == f"{path}, line 1"


def test_bad_time_and_bad_json_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    error = parse_error(CsvParser(), path, "time,text\n2020-01-01,ok\nyesterday,bad\n", match="time")
    assert error.where == f"{path}, line 3"
    path = tmp_path / "x.jsonl"
    error = parse_error(JsonlParser(), path, '{"text": "a"}\n[1]\n', match="object")
    assert error.where == f"{path}, line 2"


test_fuzz_random_bytes_csv = fuzz_test(CsvParser, random_bytes, "x.csv")
test_fuzz_random_bytes_jsonl = fuzz_test(JsonlParser, random_bytes, "x.jsonl")
test_fuzz_mutated_csv = fuzz_test(
    lambda: CsvParser(FORUM_MAP),
    mutated((SAMPLES / "forum_export.csv").read_bytes()),
    "x.csv",
)
test_fuzz_mutated_jsonl = fuzz_test(
    lambda: JsonlParser("time=ts,speaker=author,text=content"),
    mutated((SAMPLES / "messages.jsonl").read_bytes()),
    "x.jsonl",
)


cell = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)


@FUZZ
@given(rows=st.lists(st.fixed_dictionaries({"time": cell, "speaker": cell, "text": cell, "id": cell}), max_size=5))
def test_fuzz_structured_jsonl(rows: list[dict]) -> None:  # type: ignore[type-arg]
    import json

    data = "\n".join(json.dumps(row) for row in rows).encode()
    parse_cleanly(JsonlParser, data, "x.jsonl")
