"""SMS Backup & Restore XML: sms and mms, sent/received, surrogate-pair emoji, group MMS."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.persona.ingest import detect_format
from companion.persona.ingest.sms import SmsBackupParser, fix_surrogates
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

SAMPLE = EXPORTS / "sms" / "sms-20240101090000.xml"
D = datetime


def test_backup_with_sms_and_mms() -> None:
    parser = SmsBackupParser()
    with utc():
        records = list(parser.parse(SAMPLE))
    assert [view(r) for r in records] == [
        ("Tom", "Hi Mum, landed safely ✈️", D(2023, 11, 14, 22, 13, 20), (), False, "Tom", None, None),
        ("Me", "Thank goodness! Love you 😊\nCall me tomorrow.", D(2023, 11, 14, 22, 14, 20), (), False,
         "Tom", None, None),
        ("10086", "您的话费余额为 12.50 元。", D(2023, 11, 14, 22, 16, 20), (), False, "10086", None, None),
        ("Tom", "The view from the hotel", D(2023, 11, 14, 22, 17, 20), ("IMG_0042.jpg",), False, "Tom",
         None, None),
        ("+447700900789", "大家好！", D(2023, 11, 14, 22, 18, 20), (), True, "Tom, Mei", None, None),
    ]  # fmt: skip
    assert [origin_line(r) for r in records] == ["5", "6", "8", "9", "20"]
    assert parser.skipped == {"draft or unsent message": 1}


def test_detected_as_sms() -> None:
    assert detect_format(SAMPLE) == "sms"


def test_surrogate_pairs_are_joined_even_across_read_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert fix_surrogates("a&#55357;&#56842;b&#xD83D;&#xDE0A;") == "a&#128522;b&#128522;"
    assert fix_surrogates("lone &#55357; here") == "lone &#65533; here"
    import companion.persona.ingest.sms as sms

    monkeypatch.setattr(sms, "_CHUNK", 7)  # every pair and every UTF-8 character gets split
    with utc():
        records = list(SmsBackupParser().parse(SAMPLE))
    assert records[1].text == "Thank goodness! Love you 😊\nCall me tomorrow."
    assert records[2].text == "您的话费余额为 12.50 元。"


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("<smses><sms type='1' body='x'", "broken XML"),
        ("<?xml version='1.0'?><!DOCTYPE smses [<!ENTITY a 'aaaa'>]><smses/>", "DOCTYPE"),
        ("<html><body/></html>", "not <smses>"),
        ("", "broken XML|no <smses>"),
    ],
)
def test_bad_backups_fail_cleanly(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "sms.xml"
    error = parse_error(SmsBackupParser(), path, content, match=match)
    assert "sms.xml" in error.message


def test_a_bogus_declared_encoding_is_ignored(tmp_path: Path) -> None:
    """Found by fuzzing: the file is read as UTF-8 whatever its declaration says."""
    path = tmp_path / "sms.xml"
    path.write_text("<?xml version='1.0' encoding='yes' ?><smses><sms type='1' body='hé' date='1' address='1' />"
                    "</smses>", encoding="utf-8")
    assert [r.text for r in SmsBackupParser().parse(path)] == ["hé"]


def test_broken_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "sms.xml"
    error = parse_error(
        SmsBackupParser(),
        path,
        "<smses>\n<sms type='1' body='ok' date='1' />\n<sms type='1' body='bad & x' />\n</smses>",
    )
    assert error.where == f"{path}, line 3"


attribute = st.sampled_from(["1", "2", "3", "", "null", "-5", "99999999999999999999", "1700000000000"]) | st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="<&\"\x00"), max_size=10
)


@FUZZ
@given(rows=st.lists(st.tuples(attribute, attribute, attribute, attribute), max_size=6))
def test_fuzz_structured_rows(rows: list[tuple[str, str, str, str]]) -> None:
    body = "".join(
        f'<sms address="{a}" type="{b}" date="{c}" body="{d}" contact_name="{a}" />' for a, b, c, d in rows
    )
    parse_cleanly(SmsBackupParser, f"<smses>{body}</smses>".encode("utf-8", "surrogatepass"), "sms.xml")


test_fuzz_random_bytes = fuzz_test(SmsBackupParser, random_bytes, "sms.xml")
test_fuzz_mutated_backup = fuzz_test(SmsBackupParser, mutated(SAMPLE.read_bytes()), "sms.xml")
