"""WhatsApp text exports: Android/iOS styles, 12/24 h, date order, multi-line, media, zip."""

from __future__ import annotations

import io
import logging
import stat
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from companion.persona.ingest import ExportFormatError, detect_format, parse_export
from companion.persona.ingest.archive import ArchiveLimits, SafeZip
from companion.persona.ingest.whatsapp import WhatsAppParser
from unit.ingest_helpers import (
    EXPORTS,
    fuzz_test,
    mutated,
    origin_line,
    parse_error,
    random_bytes,
    view,
)

SAMPLES = EXPORTS / "whatsapp"
D = datetime


def _parse(path: Path, **options: object) -> tuple[list, WhatsAppParser]:  # type: ignore[type-arg]
    parser = WhatsAppParser(**options)  # type: ignore[arg-type]
    return list(parser.parse(path)), parser


def test_android_24h_day_first_with_media_multiline_and_system_lines() -> None:
    records, parser = _parse(SAMPLES / "WhatsApp Chat with Grandma Rose.txt")
    c = "Grandma Rose"
    assert [view(r) for r in records] == [
        ("Grandma Rose", "Good morning sweetheart ☀️", D(2021, 3, 12, 9, 15), (), False, c, None, None),
        ("Tom", "Morning Gran! How's the knee?", D(2021, 3, 12, 9, 16), (), False, c, None, None),
        ("Grandma Rose", "Much better, thank you.\nI walked to the bakery and back 🥖\n"
         "Don't tell your mother I had two buns 😂", D(2021, 3, 12, 9, 20), (), False, c, None, None),
        ("Tom", "", D(2021, 3, 12, 9, 21), ("media",), False, c, None, None),
        ("Grandma Rose", "The tulips are out!", D(2021, 3, 13, 18, 5), ("IMG-20210313-WA0004.jpg",),
         False, c, None, None),
        ("Tom", "好漂亮！ Beautiful 🌷", D(2021, 3, 13, 18, 6), (), False, c, None, None),
    ]  # fmt: skip
    assert [origin_line(r) for r in records] == ["2", "3", "4", "7", "9", "11"]
    assert records[0].origin.startswith(str(SAMPLES / "WhatsApp Chat with Grandma Rose.txt"))
    assert all(r.source == "whatsapp" for r in records)
    assert parser.skipped == {"system message": 2, "deleted message": 1}


def test_android_12h_month_first_with_narrow_no_break_space() -> None:
    records, parser = _parse(SAMPLES / "WhatsApp Chat with Tom.txt")
    assert [view(r) for r in records] == [
        ("Tom", "Did you get home OK?", D(2021, 1, 5, 21, 3), (), False, "Tom", None, None),
        ("Grandma Rose", "Yes dear, safe and sound.", D(2021, 1, 5, 21, 10), (), False, "Tom", None, None),
        ("Grandma Rose", "Can't sleep. Thinking of Grandpa.", D(2021, 1, 14, 0, 1), (), False, "Tom", None, None),
        ("Tom", "Want me to call? 📞", D(2021, 1, 14, 12, 30), (), False, "Tom", None, None),
    ]  # fmt: skip
    assert parser.skipped == {"system message": 1}


def test_ambiguous_dates_take_the_order_under_which_time_runs_forward() -> None:
    records, _ = _parse(SAMPLES / "android_ambiguous.txt")
    assert [r.time for r in records] == [
        D(2020, 1, 10, 10, 0), D(2020, 1, 11, 10, 5), D(2020, 2, 2, 11, 0), D(2020, 2, 3, 8, 30),
    ]
    forced, _ = _parse(SAMPLES / "android_ambiguous.txt", date_order="mdy")
    assert [r.time for r in forced][:2] == [D(2020, 10, 1, 10, 0), D(2020, 11, 1, 10, 5)]


def test_ios_12h_month_first_with_omitted_media() -> None:
    records, _ = _parse(SAMPLES / "ios_12h_mdy.txt")
    c = "ios_12h_mdy"
    assert [view(r) for r in records] == [
        ("Tom", "Are you coming on Sunday?", D(2021, 1, 5, 21, 3, 7), (), False, c, None, None),
        ("Rose", "Of course!\nBring the kids.", D(2021, 1, 5, 21, 4, 12), (), False, c, None, None),
        ("Rose", "", D(2021, 1, 13, 8, 0), ("image",), False, c, None, None),
        ("Tom", "", D(2021, 1, 13, 8, 1, 30), ("sticker",), False, c, None, None),
    ]  # fmt: skip


IOS_EXPECTED = [
    ("Mei", "奶奶，你好吗？", D(2022, 7, 14, 20, 1, 2), ()),
    ("Grandma Rose", "我很好，谢谢！\nMissing you lots ❤️", D(2022, 7, 14, 20, 3, 45), ()),
    ("Mei", "", D(2022, 7, 14, 20, 5, 10), ("00000012-PHOTO-2022-07-14-20-05-10.jpg",)),
    ("Grandma Rose", "What a lovely photo 😍", D(2022, 7, 15, 7, 30), ()),
]


def test_ios_day_first_with_lrm_system_line_and_attached_file() -> None:
    records, parser = _parse(SAMPLES / "ios_zip" / "_chat.txt")
    assert [(r.speaker, r.text, r.time, r.attachments) for r in records] == IOS_EXPECTED
    assert parser.skipped == {"system message": 1}


def test_group_chat_is_marked_from_group_system_lines() -> None:
    records, parser = _parse(SAMPLES / "WhatsApp Chat with Family.txt")
    assert [(r.speaker, r.text, r.is_group, r.conversation) for r in records] == [
        ("Rose", "Welcome everyone to the family group! 🎄", True, "Family"),
        ("Tom", "Hi all", True, "Family"),
        ("Mei", "大家好！圣诞快乐", True, "Family"),
    ]
    assert parser.skipped == {"system message": 3}


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zip_export_reads_the_chat_member(tmp_path: Path) -> None:
    chat = (SAMPLES / "ios_zip" / "_chat.txt").read_bytes()
    path = _zip(tmp_path / "WhatsApp Chat - Mei.zip", {
        "_chat.txt": chat, "00000012-PHOTO-2022-07-14-20-05-10.jpg": b"\xff\xd8\xff" + bytes(100),
    })  # fmt: skip
    assert detect_format(path) == "whatsapp"
    records = list(parse_export(path))
    assert [(r.speaker, r.text, r.time, r.attachments) for r in records] == IOS_EXPECTED
    assert {r.conversation for r in records} == {"Mei"}
    assert records[0].origin == f"{path}!_chat.txt:2"


def test_android_zip_with_media_names_the_chat_after_the_member(tmp_path: Path) -> None:
    chat = (SAMPLES / "WhatsApp Chat with Grandma Rose.txt").read_bytes()
    path = _zip(tmp_path / "export.zip", {
        "WhatsApp Chat with Grandma Rose.txt": chat, "IMG-20210313-WA0004.jpg": b"\xff\xd8\xff",
    })  # fmt: skip
    records = list(WhatsAppParser().parse(path))
    assert len(records) == 6 and {r.conversation for r in records} == {"Grandma Rose"}


def test_zip_without_a_chat_file_is_refused(tmp_path: Path) -> None:
    path = _zip(tmp_path / "photos.zip", {"a.txt": b"x", "b.txt": b"y"})
    with pytest.raises(ExportFormatError, match="which file in the archive"):
        list(WhatsAppParser().parse(path))


def test_zip_path_traversal_members_are_skipped_with_one_line_each(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    """An unsafe member name is never opened or extracted; the chat beside it is still read (issue 20)."""
    chat = (SAMPLES / "ios_zip" / "_chat.txt").read_bytes()
    expected = [(r.speaker, r.text, r.time) for r in WhatsAppParser().parse(_zip(tmp_path / "bad.zip", {"_chat.txt": chat}))]
    assert expected
    for bad in ("../evil.txt", "/etc/evil.txt", "media/../../evil.txt", "C:/evil.txt"):
        path = _zip(tmp_path / "bad.zip", {"_chat.txt": chat, bad: b"x"})
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            assert [(r.speaker, r.text, r.time) for r in WhatsAppParser().parse(path)] == expected
            assert detect_format(path) == "whatsapp"
        lines = [r.getMessage() for r in caplog.records if bad in r.getMessage()]
        assert lines and all("skipping the archive member" in line and "bad.zip" in line for line in lines)
        with SafeZip(path) as archive:
            assert bad not in archive.names()
            with pytest.raises(ExportFormatError, match="refusing the archive member"):
                archive.open(bad)


def test_zip_symlink_member_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_chat.txt", (SAMPLES / "ios_zip" / "_chat.txt").read_bytes())
        info = zipfile.ZipInfo("photo.jpg")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    with caplog.at_level(logging.WARNING):
        assert list(WhatsAppParser().parse(path))
    assert any("symbolic link" in r.getMessage() for r in caplog.records)
    with SafeZip(path) as archive:
        assert archive.names() == ["_chat.txt"]


def test_zip_bomb_is_refused_by_ratio_and_by_bytes_read(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "bomb.zip", {"_chat.txt": b"0" * (20 * 1024 * 1024)})
    with pytest.raises(ExportFormatError, match="zip bomb"):
        list(WhatsAppParser().parse(bomb))
    # sizes the archive declares are not trusted: the bytes actually read are counted too
    small = _zip(tmp_path / "small.zip", {"_chat.txt": (SAMPLES / "ios_zip" / "_chat.txt").read_bytes() * 50})
    limits = ArchiveLimits(max_member_bytes=4096, max_ratio=10_000)
    with pytest.raises(ExportFormatError, match="unpacks to more than"):
        list(WhatsAppParser(limits=limits).parse(small))


def test_zip_limits_on_members_and_total_size(tmp_path: Path) -> None:
    many = _zip(tmp_path / "many.zip", {f"m{i}.txt": b"x" for i in range(30)})
    with pytest.raises(ExportFormatError, match="members"):
        list(WhatsAppParser(limits=ArchiveLimits(max_members=10)).parse(many))
    with pytest.raises(ExportFormatError, match="unpacks to"):
        list(WhatsAppParser(limits=ArchiveLimits(max_total_bytes=10)).parse(many))


def test_not_whatsapp_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    error = parse_error(WhatsAppParser(), path, "just some notes\n12/03/2021, 09:15 - A: hi\n")
    assert error.where == f"{path}, line 1"


def test_bad_bytes_are_replaced_not_fatal(tmp_path: Path) -> None:
    """Issue 19: bad characters are replaced, never a traceback and never a refused file."""
    path = tmp_path / "chat.txt"
    path.write_bytes("12/03/2021, 09:15 - A: olá\n".encode() * 3 + b"12/03/2021, 09:16 - A: \xff\xfe bad\n")
    records = list(WhatsAppParser().parse(path))
    assert [r.text for r in records][:3] == ["olá"] * 3
    assert records[3].text.endswith(" bad") and len(records) == 4


def test_chinese_locale_system_lines_and_media(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("[2021/3/12 上午9:15:00] 奶奶: \u200e消息和通话已进行端到端加密。\n"
                    "[2021/3/12 上午9:16:00] 奶奶: 早上好\n"
                    "2021/3/12 上午9:17 - 小明: <省略影音内容>\n"
                    "2021/3/12 上午9:18 - 小明: 此消息已删除\n", encoding="utf-8")  # fmt: skip
    parser = WhatsAppParser()
    assert [(r.speaker, r.text, r.attachments) for r in parser.parse(path)] == [
        ("奶奶", "早上好", ()), ("小明", "", ("media",)),
    ]
    assert parser.skipped == {"system message": 1, "deleted message": 1}


def test_system_line_with_a_colon_is_not_a_message(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text('20/12/2020, 10:00 - Rose changed the subject from "Xmas" to "Xmas: the plan"\n'
                    "20/12/2020, 10:01 - Rose: Hello\n", encoding="utf-8")  # fmt: skip
    parser = WhatsAppParser()
    assert [(r.speaker, r.text) for r in parser.parse(path)] == [("Rose", "Hello")]
    assert parser.skipped == {"system message": 1}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("31.12.20, 21:41 - Anna: Frohes neues Jahr", D(2020, 12, 31, 21, 41)),
        ("2020-12-31, 21:41 - Anna: iso", D(2020, 12, 31, 21, 41)),
        ("[31/12/2020 21:41:05] Anna: no comma", D(2020, 12, 31, 21, 41, 5)),
        ("12/31/2020, 9:41 p.m. - Anna: dotted pm", D(2020, 12, 31, 21, 41)),
        ("12/31/20, 12:05 AM - Anna: midnight", D(2020, 12, 31, 0, 5)),
        ("2020/12/31 下午9:41 - Anna: 新年快乐", D(2020, 12, 31, 21, 41)),
        ("[2020/12/31 上午12:05:09] Anna: 凌晨", D(2020, 12, 31, 0, 5, 9)),
        ("2020/12/31 中午12:30 - Anna: 午饭", D(2020, 12, 31, 12, 30)),
    ],
)
def test_locale_variants(tmp_path: Path, line: str, expected: datetime) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(line + "\n", encoding="utf-8")
    (record,) = WhatsAppParser().parse(path)
    assert (record.speaker, record.time) == ("Anna", expected)


test_fuzz_random_bytes = fuzz_test(WhatsAppParser, random_bytes, "WhatsApp Chat with X.txt")
test_fuzz_mutated_android = fuzz_test(
    WhatsAppParser,
    mutated((SAMPLES / "WhatsApp Chat with Grandma Rose.txt").read_bytes()),
    "WhatsApp Chat with X.txt",
)
test_fuzz_mutated_ios = fuzz_test(WhatsAppParser, mutated((SAMPLES / "ios_12h_mdy.txt").read_bytes()), "chat.txt")


def _zip_bytes(chat: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", chat)
    return buffer.getvalue()


test_fuzz_mutated_zip = fuzz_test(
    WhatsAppParser,
    mutated(_zip_bytes((SAMPLES / "ios_zip" / "_chat.txt").read_bytes())),
    "export.zip",
)
