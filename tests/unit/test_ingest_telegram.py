"""Telegram Desktop JSON: single-chat and full-account exports, text strings and entity lists."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.persona.ingest import detect_format
from companion.persona.ingest.telegram import TelegramParser, entity_text
from unit.ingest_helpers import EXPORTS, FUZZ, fuzz_test, mutated, parse_cleanly, parse_error, random_bytes, view

SAMPLES = EXPORTS / "telegram"
D = datetime


def test_single_chat_export() -> None:
    parser = TelegramParser()
    records = list(parser.parse(SAMPLES / "result.json"))
    c, cid = "Grandma Rose", "4815162342"
    assert [view(r) for r in records] == [
        ("Grandma Rose", "Good morning, love ☀️", D(2021, 6, 1, 8, 5, 12), (), False, c, f"{cid}:102", None),
        ("Tom", "Morning Gran! Did you see the news? https://example.org/garden", D(2021, 6, 1, 8, 6, 40),
         (), False, c, f"{cid}:103", f"{cid}:102"),
        ("Grandma Rose", "Yes!\nThe community garden won a prize 🏆\n我们的花园得奖了！", D(2021, 6, 1, 8, 10),
         (), False, c, f"{cid}:104", f"{cid}:103"),
        ("Grandma Rose", "The roses", D(2021, 6, 1, 8, 11), ("photo_1@01-06-2021_08-11-00.jpg",), False, c,
         f"{cid}:105", None),
        ("Tom", "", D(2021, 6, 1, 8, 13), ("sticker",), False, c, f"{cid}:107", None),
        ("user333", "Hello from a deleted account", D(2021, 6, 2, 21, 0), (), False, c, f"{cid}:108", None),
    ]  # fmt: skip
    assert parser.skipped == {"system message": 1, "forwarded message": 1}
    assert records[0].origin == f"{SAMPLES / 'result.json'}:Grandma Rose#102"
    assert all(r.source == "telegram" for r in records)


def test_full_account_export_with_groups_saved_and_left_chats() -> None:
    parser = TelegramParser()
    records = list(parser.parse(SAMPLES / "full_account_result.json"))
    assert [view(r) for r in records] == [
        ("Rose", "Happy Valentine's, my dear boy 💌", D(2022, 2, 14, 10, 0), (), False, "Tom", "111:1", None),
        ("Tom", "Love you Gran ❤️", D(2022, 2, 14, 10, 2), (), False, "Tom", "111:2", "111:1"),
        ("Mei", "大家好 👋", D(2022, 3, 1, 9, 1), (), True, "Cousins 👨‍👩‍👧", "999:2", None),
        ("Rose", "Remember: buy seeds", D(2022, 4, 1, 7, 0), (), False, "Saved Messages", "222:7", None),
        ("Rose", "I loved the ending!", D(2019, 9, 9, 19, 9, 9), (), True, "Book club", "555:3", None),
    ]  # fmt: skip
    assert parser.skipped == {"system message": 1}


def test_streaming_across_tiny_read_chunks_gives_the_same_records(monkeypatch: pytest.MonkeyPatch) -> None:
    import companion.persona.ingest._jsonstream as jsonstream

    names = ("result.json", "full_account_result.json")
    expected = {name: list(TelegramParser().parse(SAMPLES / name)) for name in names}
    monkeypatch.setattr(jsonstream, "_CHUNK", 5)  # every string, number and literal gets split
    for name, records in expected.items():
        assert list(TelegramParser().parse(SAMPLES / name)) == records


def test_compact_single_line_export(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text(json.dumps(json.loads((SAMPLES / "result.json").read_text(encoding="utf-8"))), encoding="utf-8")
    assert detect_format(path) == "telegram"
    assert len(list(TelegramParser().parse(path))) == 6


def test_detected_as_telegram() -> None:
    assert detect_format(SAMPLES / "result.json") == "telegram"
    assert detect_format(SAMPLES / "full_account_result.json") == "telegram"


def test_entity_text_accepts_strings_and_entity_lists() -> None:
    assert entity_text("plain") == "plain"
    assert entity_text(["a", {"type": "bold", "text": "b"}, {"type": "x"}, 3]) == "ab"
    assert entity_text(None) == ""


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ('{"name": "x", "messages": [', "invalid JSON"),
        ("[1, 2]", "no top-level object"),
        ('{"about": "x"}', "neither"),
        ('{"name": "x", "messages": 5}', "not a list"),
        ('{"name": "x", "messages": [5]}', "not an object"),
        ("[" * 100_000 + "]" * 100_000, "no top-level"),
        ('{"messages": [' + "[" * 100_000 + "]" * 100_000 + "]}", "nested too deeply"),
        ('{"name": "x", "messages": []} trailing', "extra data"),
        ('{"name": "x", "messages": [{"id": 1}', "invalid JSON"),
    ],
)
def test_broken_exports_fail_cleanly(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "result.json"
    error = parse_error(TelegramParser(), path, content, match=match)
    assert "result.json" in error.message


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    error = parse_error(TelegramParser(), path, '{\n "name": "x",\n "messages": [\n  {"id": 1,,}\n ]\n}')
    assert error.where == f"{path}, line 4"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=8,
)
message = st.fixed_dictionaries(
    {"id": json_values, "type": st.sampled_from(["message", "service"]) | json_values},
    optional={
        "date": st.sampled_from(["2021-01-01T00:00:00", "nonsense", ""]) | json_values,
        "date_unixtime": st.sampled_from(["1609459200", "nan", "1e400", "-1e30"]) | json_values,
        "from": json_values, "from_id": json_values, "text": json_values,
        "reply_to_message_id": json_values, "photo": json_values, "file": json_values,
        "media_type": json_values, "forwarded_from": json_values,
    },
)  # fmt: skip


@FUZZ
@given(chat=st.fixed_dictionaries({"name": json_values, "type": json_values, "id": json_values,
                                   "messages": st.lists(message, max_size=3)}))  # fmt: skip
def test_fuzz_structured_chats(chat: dict) -> None:  # type: ignore[type-arg]
    parse_cleanly(TelegramParser, json.dumps(chat).encode(), "result.json")


test_fuzz_random_bytes = fuzz_test(TelegramParser, random_bytes, "result.json")


test_fuzz_mutated_export = fuzz_test(TelegramParser, mutated((SAMPLES / "result.json").read_bytes()), "result.json")
