"""Issue 19 item 4: encodings read right (BOM, declaration, UTF-8, else the decoding that reads
as language), bad characters replaced, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.persona.ingest import parse_export
from companion.persona.ingest._common import choose_encoding, clean_text, open_text

PT = "12/03/2021, 10:01 - Avó: Fiz chouriço e pão de ló para o almoço, querida.\n"
FR = "12/03/2021, 10:02 - Mamie: Ma chérie, les crêpes étaient délicieuses à Noël.\n"
ZH = "2012-03-04 12:34:56 奶奶(10001234)\n吃饭了吗？今天天气很好，记得多穿衣服。\n\n"


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (PT * 3, "cp1252", "cp1252"),
        (FR, "cp1252", "cp1252"),
        ("Fiz chouriço", "cp1252", "cp1252"),
        (ZH * 3, "gbk", "gb18030"),
        ("吃饭了吗", "gb18030", "gb18030"),
        ("吃飯了嗎？今天天氣很好，記得多穿衣服。", "big5", "big5"),
        (PT, "utf-8", "utf-8"),
        (ZH, "utf-8-sig", "utf-8-sig"),
        (PT, "utf-16", "utf-16"),
    ],
)
def test_encoding_is_the_one_that_reads_as_language(text: str, encoding: str, expected: str) -> None:
    assert choose_encoding(text.encode(encoding), complete=True) == expected


def test_cp1252_is_not_read_as_gbk(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Avó.txt"
    path.write_bytes((PT * 5).encode("cp1252"))
    texts = [r.text for r in parse_export(path)]
    assert texts[0] == "Fiz chouriço e pão de ló para o almoço, querida." and "鏾" not in "".join(texts)


def test_ascii_start_does_not_decide_the_encoding(tmp_path: Path) -> None:
    """The first accented letters may come after the first 64 KiB."""
    path = tmp_path / "chat.txt"
    ascii_part = "12/03/2021, 10:00 - Ann: hello there, how are you today?\n" * 2000
    path.write_bytes((ascii_part + PT).encode("cp1252"))
    with open_text(path) as handle:
        assert handle.encoding == "cp1252"


def test_xml_declaration_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "sms.xml"
    path.write_bytes('<?xml version="1.0" encoding="windows-1252"?>\n<smses count="1">'
                     '<sms protocol="0" address="+15551234567" date="1609459200000" type="1" '
                     'body="Avó fez chouriço" read="1" status="-1" contact_name="Avó" /></smses>'.encode("cp1252"))
    assert [r.text for r in parse_export(path)] == ["Avó fez chouriço"]


def test_lone_surrogate_in_telegram_json_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text('{"name": "Rose", "type": "personal_chat", "id": 1, "messages": ['
                    '{"id": 1, "type": "message", "date": "2021-03-12T09:15:00", "from": "Rose", '
                    '"text": "hi \\ud83d there \\ud83d\\ude00"}]}', encoding="utf-8")
    [record] = list(parse_export(path))
    assert record.text == "hi \ufffd there \U0001F600"
    record.text.encode("utf-8")  # storable


def test_clean_text_keeps_ordinary_text() -> None:
    assert clean_text("奶奶 😀 ok") == "奶奶 😀 ok"


def test_bad_bytes_in_jsonl_are_replaced(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    line = json.dumps({"time": "2021-01-01T10:00:00", "speaker": "Rose", "text": "hello"}).encode()
    path.write_bytes(line + b"\n" + line.replace(b"hello", b"he\xffllo") + b"\n")
    assert [r.text for r in parse_export(path)][0] == "hello"
