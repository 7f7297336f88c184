"""iMessage chat.db: handles, chats, Apple-epoch dates, attributedBody-only messages."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.persona.ingest import ExportFormatError, detect_format
from companion.persona.ingest.imessage import IMessageParser, apple_time, typedstream_text
from unit.ingest_helpers import EXPORTS, FUZZ, fuzz_test, mutated, parse_cleanly, random_bytes, utc, view

SAMPLES = EXPORTS / "imessage"
D = datetime
LONG = "This is a long message kept only in attributedBody, as macOS Ventura does: " + " ".join(
    ["我们一起去看海吧 🌊"] * 6
)


def build(directory: Path, script: str) -> Path:
    """Make a chat.db from one of the SQL samples."""
    path = directory / "chat.db"
    db = sqlite3.connect(path)
    db.executescript((SAMPLES / script).read_text(encoding="utf-8"))
    db.commit()
    db.close()
    return path


def test_modern_chat_db(tmp_path: Path) -> None:
    path = build(tmp_path, "chat_db.sql")
    parser = IMessageParser()
    with utc():
        records = list(parser.parse(path))
    p, g = "+14155550123", "Chen family"
    assert [view(r) for r in records] == [
        (p, "Hi Grandpa! Are you free Sunday?", D(2023, 6, 1, 12, 0), (), False, p, "A1", None),
        ("Me", "Always free for you, kiddo 😄", D(2023, 6, 1, 12, 1), (), False, p, "A2", None),
        ("Me", "Bring your mother's lemon cake recipe\nthe one with poppy seeds", D(2023, 6, 1, 12, 2), (),
         False, p, "A3", "A1"),
        (p, "", D(2023, 6, 1, 12, 4), ("~/Library/Messages/Attachments/ab/11/AT1/IMG_1234.HEIC",), False, p, "A5",
         None),
        ("mei.chen@example.com", "外公，生日快乐！🎂", D(2023, 6, 15, 12, 0), (), True, g, "B1", None),
        ("Me", LONG, D(2023, 6, 15, 12, 1), (), True, g, "B2", None),
    ]  # fmt: skip
    assert parser.skipped == {"reaction": 1, "unreadable attributedBody": 1, "system message": 1}
    assert records[0].origin == f"{path}:message#1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chat.db"]  # opened immutable: no -wal/-shm


def test_legacy_chat_db_with_second_dates(tmp_path: Path) -> None:
    path = build(tmp_path, "chat_db_legacy.sql")
    with utc():
        records = list(IMessageParser().parse(path))
    p = "+14155550123"
    assert [view(r) for r in records] == [
        (p, "Merry Christmas Dad 🎄", D(2016, 12, 25, 0, 0), (), False, p, "L1", None),
        ("Me", "Merry Christmas, son. Drive carefully.", D(2016, 12, 25, 0, 2), (), False, p, "L2", None),
    ]  # fmt: skip


def test_detected_as_imessage(tmp_path: Path) -> None:
    assert detect_format(build(tmp_path, "chat_db.sql")) == "imessage"


def test_apple_time_seconds_and_nanoseconds() -> None:
    with utc():
        assert apple_time(0) is None
        assert apple_time(707_313_600) == D(2023, 6, 1, 12, 0)
        assert apple_time(707_313_600_000_000_000) == D(2023, 6, 1, 12, 0)


def test_typedstream_text_lengths() -> None:
    prefix = b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x08NSString\x01\x94\x84\x01+"
    assert typedstream_text(prefix + b"\x02hi\x86") == "hi"
    text = "x" * 300
    assert typedstream_text(prefix + b"\x81" + (300).to_bytes(2, "little") + text.encode()) == text
    assert typedstream_text(prefix + b"\x10short") is None  # length beyond the blob
    assert typedstream_text(b"no string here") is None
    assert typedstream_text(None) is None


def test_other_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (id INTEGER)")
    db.commit()
    db.close()
    with pytest.raises(ExportFormatError, match="not an iMessage chat.db") as error:
        list(IMessageParser().parse(path))
    assert "other.db" in error.value.message


def _base_database() -> bytes:
    db = sqlite3.connect(":memory:")
    db.executescript((SAMPLES / "chat_db_legacy.sql").read_text(encoding="utf-8"))
    db.execute("ALTER TABLE message ADD COLUMN attributedBody BLOB")
    data = db.serialize()
    db.close()
    return data


BASE = _base_database()


@FUZZ
@given(blob=st.binary(max_size=300), text=st.none() | st.text(max_size=40), date=st.integers(-(2**63), 2**63 - 1))
def test_fuzz_message_rows(blob: bytes, text: str | None, date: int) -> None:
    db = sqlite3.connect(":memory:")
    db.deserialize(BASE)
    db.execute("INSERT INTO message (ROWID, guid, text, attributedBody, date, handle_id) VALUES (9, 'F', ?, ?, ?, 1)",
               (text, blob, date))  # fmt: skip
    db.execute("INSERT INTO chat_message_join VALUES (1, 9)")
    db.commit()
    data = db.serialize()
    db.close()
    parse_cleanly(IMessageParser, data, "chat.db")


@FUZZ
@given(data=random_bytes)
def test_fuzz_random_bytes(data: bytes) -> None:
    parse_cleanly(IMessageParser, b"SQLite format 3\x00" + data, "chat.db")


def _sample_bytes() -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        return build(Path(directory), "chat_db.sql").read_bytes()


test_fuzz_mutated_database = fuzz_test(IMessageParser, mutated(_sample_bytes()), "chat.db")
