"""The parser registry: --format auto detection, options, clean errors, the fast record maker."""

from __future__ import annotations

import sqlite3
import zipfile
from dataclasses import fields
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.persona.ingest import (
    PARSERS,
    ChatRecord,
    ExportFormatError,
    detect_format,
    make_parser,
    make_record,
    parse_export,
)
from companion.persona.ingest.records import RECORD_FIELDS
from unit.ingest_helpers import EXPORTS, FUZZ, random_bytes, time_limit

EXPECTED = {
    "whatsapp/WhatsApp Chat with Grandma Rose.txt": "whatsapp",
    "whatsapp/WhatsApp Chat with Tom.txt": "whatsapp",
    "whatsapp/ios_12h_mdy.txt": "whatsapp",
    "whatsapp/ios_zip/_chat.txt": "whatsapp",
    "telegram/result.json": "telegram",
    "telegram/full_account_result.json": "telegram",
    "wechat/奶奶_utf8.csv": "wechat",
    "wechat/奶奶.txt": "wechat",
    "wechat/wechatexporter.txt": "wechat",
    "wechat/pywxdump/wxid_rose01_0_5001.csv": "wechat",
    "qq/全部消息记录.txt": "qq",
    "sms/sms-20240101090000.xml": "sms",
    "generic/forum_export.csv": "csv",
    "generic/guessed_columns.csv": "csv",
    "generic/messages.jsonl": "jsonl",
    "letters/diary.md": "text",
    "letters/letter_to_tom.txt": "text",
}


@pytest.mark.parametrize(("name", "fmt"), sorted(EXPECTED.items()))
def test_every_sample_is_detected(name: str, fmt: str) -> None:
    assert detect_format(EXPORTS / name) == fmt


def test_zip_and_sqlite_are_detected(tmp_path: Path) -> None:
    archive = tmp_path / "WhatsApp Chat - Mei.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(EXPORTS / "whatsapp" / "ios_zip" / "_chat.txt", "_chat.txt")
    assert detect_format(archive) == "whatsapp"
    db = tmp_path / "chat.db"
    connection = sqlite3.connect(db)
    connection.executescript((EXPORTS / "imessage" / "chat_db_legacy.sql").read_text(encoding="utf-8"))
    connection.close()
    assert detect_format(db) == "imessage"


def test_every_sample_parses_through_parse_export() -> None:
    for name in EXPECTED:
        mapping = "time=Date,speaker=From,text=Body,time_format=%d.%m.%Y %H:%M" if "forum" in name else None
        records = list(parse_export(EXPORTS / name, "auto", mapping=mapping, speaker="Rose"))
        assert records, name


def test_unknown_file_lists_the_known_formats(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(200))
    with pytest.raises(ExportFormatError) as error:
        detect_format(path)
    assert "photo.jpg" in error.value.message
    for name in PARSERS:
        assert name in error.value.message


def test_missing_file_and_unknown_format_and_option(tmp_path: Path) -> None:
    with pytest.raises(ExportFormatError, match="does not exist"):
        list(parse_export(tmp_path / "nope.txt"))
    with pytest.raises(ExportFormatError, match="not a file"):
        detect_format(tmp_path)
    with pytest.raises(ExportFormatError, match="unknown export format 'viber'"):
        make_parser("viber")
    with pytest.raises(ExportFormatError, match="takes no option"):
        make_parser("telegram", mapping="text=x")


def test_every_parser_has_a_name_and_skip_counter() -> None:
    for name, factory in PARSERS.items():
        parser = factory()
        assert parser.name == name
        assert dict(parser.skipped) == {}


def test_make_record_equals_the_dataclass_constructor() -> None:
    assert tuple(f.name for f in fields(ChatRecord)) == RECORD_FIELDS
    values = ("whatsapp", "chat", "Ann", "hi", datetime(2020, 1, 1), "1", "0", True, ("a.jpg",), "f:1")
    fast, slow = make_record(*values), ChatRecord(*values)
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    with pytest.raises(AttributeError):
        fast.text = "changed"  # type: ignore[misc]


@FUZZ
@given(data=random_bytes, suffix=st.sampled_from([".txt", ".csv", ".json", ".jsonl", ".xml", ".db", ".zip", ".md", ""]))
def test_fuzz_detection_never_crashes(data: bytes, suffix: str) -> None:
    import shutil
    import tempfile

    directory = Path(tempfile.mkdtemp())
    try:
        path = directory / f"export{suffix}"
        path.write_bytes(data)
        with time_limit():
            try:
                fmt = detect_format(path)
            except ExportFormatError as error:
                assert path.name in error.message
                return
            try:
                list(parse_export(path, fmt))
            except ExportFormatError as error:
                assert path.name in error.message
    finally:
        shutil.rmtree(directory, ignore_errors=True)
