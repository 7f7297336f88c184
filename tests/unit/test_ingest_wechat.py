"""WeChat exports: MemoTrace/WeChatMsg CSV and TXT, WechatExporter TXT."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest

from companion.persona.ingest import detect_format
from companion.persona.ingest.wechat import CSV_COLUMNS, WeChatParser
from unit.ingest_helpers import (
    EXPORTS,
    fuzz_test,
    mutated,
    origin_line,
    parse_error,
    random_bytes,
    view,
)

SAMPLES = EXPORTS / "wechat"
D = datetime
C = "奶奶"


def test_memotrace_csv() -> None:
    parser = WeChatParser()
    records = list(parser.parse(SAMPLES / "奶奶_utf8.csv"))
    assert [view(r) for r in records] == [
        ("奶奶", "早上好！今天天气真好 ☀️", D(2023, 5, 1, 8, 1), (), False, C, "2", None),
        ("小明", "奶奶早！\n我今天要考试，有点紧张😅", D(2023, 5, 1, 8, 2), (), False, C, "3", None),
        ("奶奶", "", D(2023, 5, 1, 8, 3), ("image",), False, C, "4", None),
        ("奶奶", "别紧张，你一定行的！加油💪", D(2023, 5, 1, 8, 4), (), False, C, "5", None),
        ("小明", "谢谢奶奶，考完给你打电话", D(2023, 5, 1, 9, 3, 20), (), False, C, "6", None),
        ("奶奶", "", D(2023, 5, 1, 9, 4, 20), ("sticker",), False, C, "7", None),
    ]  # fmt: skip
    assert [origin_line(r) for r in records] == ["3", "4", "6", "7", "8", "9"]
    assert parser.skipped == {"system message": 1, "call": 1}


def test_memotrace_csv_group_is_detected_from_senders(tmp_path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for local_id, sender in enumerate(("wxid_a", "wxid_b", "wxid_c"), 1):
        writer.writerow([local_id, "9", "1", "0", "0", "1682899200", "2", f"hi {sender}",
                         "2023-05-01 08:00:00", "", sender.upper(), sender])  # fmt: skip
    path = tmp_path / "家人群_utf8.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    records = list(WeChatParser().parse(path))
    assert [(r.speaker, r.is_group, r.conversation) for r in records] == [
        ("WXID_A", True, "家人群"), ("WXID_B", True, "家人群"), ("WXID_C", True, "家人群"),
    ]


PYWXDUMP = SAMPLES / "pywxdump" / "wxid_rose01_0_5001.csv"


def test_pywxdump_csv_with_users_json() -> None:
    parser = WeChatParser()
    records = list(parser.parse(PYWXDUMP))
    assert [view(r) for r in records] == [
        ("奶奶", "早上好！今天天气真好 ☀️", D(2023, 5, 1, 8, 1), (), False, C, "7301000000000000002", None),
        ("小明", "奶奶早！\n我今天要考试，有点紧张😅", D(2023, 5, 1, 8, 2), (), False, C, "7301000000000000003",
         None),
        ("奶奶", "别紧张，你一定行的", D(2023, 5, 1, 8, 3), ("voice",), False, C, "7301000000000000004", None),
        ("奶奶", "", D(2023, 5, 1, 8, 4), ("image",), False, C, "7301000000000000005", None),
        ("小明", "谢谢奶奶，考完给你打电话", D(2023, 5, 1, 9, 3, 20), (), False, C, "7301000000000000006", None),
    ]  # fmt: skip
    assert [origin_line(r) for r in records] == ["3", "4", "6", "8", "9"]
    assert parser.skipped == {"system message": 2, "unsupported message type": 1}


def test_pywxdump_csv_without_users_json_keeps_wxids(tmp_path: Path) -> None:
    path = tmp_path / "12345@chatroom_0_10.csv"
    path.write_text("id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime\n"
                    "1,9,文本,0,wxid_a,12345@chatroom,大家好,,2023-05-01 08:00:00\n"
                    "2,10,文本,1,我,12345@chatroom,好,,2023-05-01 08:01:00\n", encoding="utf-8")  # fmt: skip
    assert detect_format(path) == "wechat"
    assert [(r.speaker, r.text, r.is_group, r.conversation) for r in WeChatParser().parse(path)] == [
        ("wxid_a", "大家好", True, "12345@chatroom"), ("Me", "好", True, "12345@chatroom"),
    ]


def test_memotrace_txt() -> None:
    parser = WeChatParser()
    records = list(parser.parse(SAMPLES / "奶奶.txt"))
    assert [view(r) for r in records] == [
        ("奶奶", "早上好！今天天气真好 ☀️", D(2023, 5, 1, 8, 1), (), False, C, None, None),
        ("小明", "奶奶早！\n我今天要考试，有点紧张😅", D(2023, 5, 1, 8, 2), (), False, C, None, None),
        ("奶奶", "", D(2023, 5, 1, 8, 3), ("image",), False, C, None, None),
        ("小明", "谢谢奶奶，考完给你打电话", D(2023, 5, 1, 9, 3, 20), (), False, C, None, None),
        ("奶奶", "好的。\n\n记得吃早饭。", D(2023, 5, 1, 9, 5), (), False, C, None, None),
    ]  # fmt: skip
    assert [origin_line(r) for r in records] == ["3", "6", "10", "13", "17"]
    assert parser.skipped == {"system message": 1}


def test_wechatexporter_txt() -> None:
    records = list(WeChatParser().parse(SAMPLES / "wechatexporter.txt"))
    assert [view(r) for r in records] == [
        ("奶奶", "早上好！今天天气真好 ☀️", D(2023, 5, 1, 8, 1), (), False, C, None, None),
        ("小明", "奶奶早！\n我今天要考试，有点紧张😅", D(2023, 5, 1, 8, 2), (), False, C, None, None),
        ("奶奶", "", D(2023, 5, 1, 8, 3), ("image",), False, C, None, None),
        ("奶奶", "Good luck, my dear 🍀", D(2023, 5, 1, 8, 4), (), False, C, None, None),
    ]  # fmt: skip


def test_gbk_encoded_txt_is_read(tmp_path: Path) -> None:
    path = tmp_path / "奶奶.txt"
    text = (SAMPLES / "奶奶.txt").read_text(encoding="utf-8").replace("☀️", "").replace("😅", "")
    path.write_bytes(text.encode("gb18030"))
    records = list(WeChatParser().parse(path))
    assert records[1].text == "奶奶早！\n我今天要考试，有点紧张"


@pytest.mark.parametrize("name", ["奶奶_utf8.csv", "奶奶.txt", "wechatexporter.txt", "pywxdump/wxid_rose01_0_5001.csv"])
def test_detected_as_wechat(name: str) -> None:
    assert detect_format(SAMPLES / name) == "wechat"


def test_unknown_layout_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    error = parse_error(WeChatParser(), path, "\n\nhello there\n")
    assert error.where == f"{path}, line 3"


def test_broken_csv_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x_utf8.csv"
    error = parse_error(
        WeChatParser(),
        path,
        ",".join(CSV_COLUMNS) + "\n1,3,1,0,0,1,2,\"" + "x" * 200_000 + "\",2023-05-01 08:00:00,,A,a\n",
        match="broken CSV",
    )
    assert "x_utf8.csv" in error.message


test_fuzz_random_bytes = fuzz_test(WeChatParser, random_bytes, "奶奶.txt")
test_fuzz_mutated_csv = fuzz_test(WeChatParser, mutated((SAMPLES / "奶奶_utf8.csv").read_bytes()), "奶奶_utf8.csv")
test_fuzz_mutated_pywxdump_csv = fuzz_test(WeChatParser, mutated(PYWXDUMP.read_bytes()), "wxid_rose01_0_5001.csv")
test_fuzz_mutated_memotrace_txt = fuzz_test(WeChatParser, mutated((SAMPLES / "奶奶.txt").read_bytes()), "奶奶.txt")
test_fuzz_mutated_exporter_txt = fuzz_test(
    WeChatParser,
    mutated((SAMPLES / "wechatexporter.txt").read_bytes()),
    "wechatexporter.txt",
)
