"""QQ message-manager TXT export: 消息分组/消息对象 headers, Name(QQ) and Name<mail> senders."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from companion.persona.ingest import detect_format
from companion.persona.ingest.qq import QQParser
from unit.ingest_helpers import (
    EXPORTS,
    fuzz_test,
    mutated,
    origin_line,
    parse_error,
    random_bytes,
    view,
)

SAMPLE = EXPORTS / "qq" / "全部消息记录.txt"
D = datetime


def test_classic_export_with_friend_and_group_sections() -> None:
    parser = QQParser()
    records = list(parser.parse(SAMPLE))
    g = "相亲相爱一家人"
    assert [view(r) for r in records] == [
        ("奶奶", "吃饭了吗？", D(2012, 3, 4, 12, 34, 56), (), False, "奶奶", None, None),
        ("小明", "吃了，奶奶你呢？\n今天学校食堂有红烧肉😋", D(2012, 3, 4, 12, 35, 10), (), False, "奶奶", None, None),
        ("奶奶", "", D(2012, 3, 4, 12, 40), ("image",), False, "奶奶", None, None),
        ("奶奶", "早点睡，别熬夜 :)", D(2012, 3, 5, 7, 5, 9), (), False, "奶奶", None, None),
        ("大伯", "新年快乐！Happy New Year 🎆", D(2013, 1, 1, 0, 0, 1), (), True, g, None, None),
        ("奶奶", "新年好！大家身体健康", D(2013, 1, 1, 0, 1), (), True, g, None, None),
    ]  # fmt: skip
    assert [origin_line(r) for r in records] == ["9", "12", "16", "22", "31", "34"]
    assert parser.skipped == {"system message": 1}
    assert all(r.source == "qq" for r in records)


def test_gbk_export_without_headers(tmp_path: Path) -> None:
    path = tmp_path / "奶奶.txt"
    path.write_bytes("2012-03-04 12:34:56 奶奶(10001234)\n吃饭了吗？\n\n".encode("gbk"))
    assert detect_format(path) == "qq"
    (record,) = QQParser().parse(path)
    assert (record.speaker, record.text, record.conversation) == ("奶奶", "吃饭了吗？", "奶奶")


def test_date_header_lines_end_a_message(tmp_path: Path) -> None:
    path = tmp_path / "奶奶.txt"
    path.write_text("日期：2012-03-04\n\n2012-03-04 12:34:56 奶奶(10001234)\n晚安\n\n日期：2012-03-05\n\n"
                    "2012-03-05 08:00:00 奶奶(10001234)\n早安\n", encoding="utf-8")  # fmt: skip
    assert [(r.text, r.time) for r in QQParser().parse(path)] == [
        ("晚安", D(2012, 3, 4, 12, 34, 56)), ("早安", D(2012, 3, 5, 8, 0)),
    ]


def test_detected_as_qq() -> None:
    assert detect_format(SAMPLE) == "qq"


def test_stray_text_before_messages_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "qq.txt"
    error = parse_error(QQParser(), path, "消息记录\n\nsomething else\n")
    assert error.where == f"{path}, line 3"


def test_impossible_date_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "qq.txt"
    error = parse_error(QQParser(), path, "2012-13-40 12:34:56 奶奶(10001234)\nhi\n")
    assert error.where == f"{path}, line 1"


test_fuzz_random_bytes = fuzz_test(QQParser, random_bytes, "qq.txt")
test_fuzz_mutated_export = fuzz_test(QQParser, mutated(SAMPLE.read_bytes()), "qq.txt")
