"""Issue 19 items 4-5: read right or refuse clearly (no silent "letter", --date-order, --map
applies or is refused), and bounded texts (passages, line and message limits)."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest

from companion.cli import main
from companion.persona.bundle.importer import import_records
from companion.persona.bundle.pairing import SKIP_TOO_LONG
from companion.persona.ingest import ExportFormatError, parse_export
from companion.persona.ingest.records import ChatRecord
from companion.persona.ingest.text import MAX_PASSAGE_CHARS, TextParser, split_passage

WHATSAPP = "".join(f"03/04/21, 09:{m:02d} - {'Rose' if m % 2 else 'Ann'}: message {m}\n" for m in range(10))


def test_json_saved_as_txt_is_not_a_letter(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text(json.dumps([{"from": "Rose", "text": "hello"}]), encoding="utf-8")
    with pytest.raises(ExportFormatError, match="looks like JSON") as error:
        list(parse_export(path, "auto", speaker="Rose"))
    assert "--force" in (error.value.hint or "")
    forced = list(TextParser(speaker="Rose", force=True).parse(path))
    assert len(forced) == 1


def test_format_text_on_a_whatsapp_export_names_whatsapp(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Rose.txt"
    path.write_text(WHATSAPP, encoding="utf-8")
    with pytest.raises(ExportFormatError, match="WhatsApp") as error:
        list(parse_export(path, "text", speaker="Rose"))
    assert "--format whatsapp" in (error.value.hint or "")


@pytest.mark.parametrize(
    "content, what",
    [
        ("a,b,c\n1,2,3\n4,5,6\n7,8,9\n", "table"),
        ("<?xml version='1.0'?><notes><n>hi</n></notes>", "XML"),
        ("[12.03.21 09:15] Rose: hi\n[12.03.21 09:16] Ann: ho\n[12.03.21 09:17] Rose: x\n[x] y\n", "WhatsApp"),
        ("12.03.2021 09:15 <Rose> hi\n12.03.2021 09:16 <Ann> ho\n12.03.2021 09:17 <Rose> x\nmore\n", "chat export"),
    ],
)
def test_other_shapes_are_named(tmp_path: Path, content: str, what: str) -> None:
    path = tmp_path / "note.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExportFormatError, match=what):
        list(TextParser(speaker="Rose").parse(path))


def test_a_real_letter_with_commas_and_dates_is_a_letter(tmp_path: Path) -> None:
    path = tmp_path / "letter.txt"
    path.write_text("Dear Tom,\n\nOn 12/03/1961, at 10:00, we married, my love, in Leeds.\n"
                    "Then, in 1965, you were born, and we were happy, so happy.\n\nLove, Grandma", encoding="utf-8")
    assert len(list(TextParser(speaker="Rose").parse(path))) == 1


def test_date_order_applies_to_whatsapp_and_is_refused_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Rose.txt"
    path.write_text(WHATSAPP, encoding="utf-8")
    assert next(iter(parse_export(path, "auto", date_order="mdy"))).time.month == 3
    assert next(iter(parse_export(path, "auto", date_order="dmy"))).time.month == 4
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear Tom, hello.", encoding="utf-8")
    with pytest.raises(ExportFormatError, match="--date-order does not apply"):
        parse_export(letter, "auto", date_order="dmy", speaker="Rose")


def test_map_is_refused_for_whatsapp(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Rose.txt"
    path.write_text(WHATSAPP, encoding="utf-8")
    with pytest.raises(ExportFormatError, match="--map does not apply") as error:
        parse_export(path, "auto", mapping="text=Body")
    assert "csv" in (error.value.hint or "")


def test_cli_import_refuses_map_for_whatsapp(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO())
    key = tmp_path / "key"
    key.write_text("family passphrase\n")
    folder = str(tmp_path / "rose")
    assert main(["persona", "create", "Rose", "--dir", folder, "--status", "living", "--audience", "household",
                 "--adult", "--confirm", "--key-file", str(key)]) == 0
    chat = tmp_path / "WhatsApp Chat with Ann.txt"
    chat.write_text(WHATSAPP, encoding="utf-8")
    capsys.readouterr()
    assert main(["persona", "import", folder, str(chat), "--speaker", "Rose", "--map", "text=Body",
                 "--key-file", str(key), "--no-index"]) == 1
    assert "--map does not apply" in capsys.readouterr().err
    assert main(["persona", "import", folder, str(chat), "--speaker", "Rose", "--date-order", "mdy",
                 "--key-file", str(key), "--no-index", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["kept"] == 5


def test_split_passage_prefers_paragraphs_then_sentences() -> None:
    text = ("First paragraph. " * 40).strip() + "\n\n" + "Second one here. " * 200
    head, rest = split_passage(text, 1000)
    assert head.endswith("First paragraph.") and rest.startswith("Second")
    head, rest = split_passage("Word " * 1000, 1000)
    assert len(head) <= 1000 and head.endswith("Word") and rest.startswith("Word")


def test_a_huge_single_line_letter_becomes_passages_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "letter.txt"
    sentence = "I remember the summer we spent by the sea, and how you laughed at the gulls. "
    with open(path, "w", encoding="utf-8") as handle:
        for _ in range(130_000):  # ~10 MB on one line
            handle.write(sentence)
    tracemalloc.start()
    count = longest = 0
    for record in TextParser(speaker="Rose").parse(path):
        count += 1
        longest = max(longest, len(record.text))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert longest <= MAX_PASSAGE_CHARS and count >= 10_000_000 // MAX_PASSAGE_CHARS
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_a_chat_line_over_the_limit_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with Rose.txt"
    path.write_text(WHATSAPP + "03/04/21, 10:00 - Rose: " + "x" * 1_100_000 + "\n", encoding="utf-8")
    with pytest.raises(ExportFormatError, match="longer than 1,000,000") as error:
        list(parse_export(path))
    assert "line 11" in error.value.where


def test_an_overlong_message_is_skipped_and_counted(tmp_path: Path) -> None:
    from companion.consent import new_record
    from companion.persona.bundle.store import Bundle, PersonaCard, new_bundle_id

    bundle_id = new_bundle_id()
    consent = new_record(persona_name="Rose", authorised_by="Rose", relationship="self", status="living",
                         audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=bundle_id)
    card = PersonaCard(name="Rose", display_name="Rose", language="en", fallback_replies=("I forget.",))
    with Bundle.create(tmp_path / "b", b"passphrase-123", card, consent) as bundle:
        records = [ChatRecord("csv", "c", "Rose", "x " * 15_000), ChatRecord("csv", "c", "Rose", "hello")]
        summary = import_records(bundle, records, filename="m.csv", file_sha256="b" * 64, fmt="csv",
                                 speaker="Rose", progress=False)
    assert summary.kept == 1 and summary.skipped[SKIP_TOO_LONG] == 1


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=120, deadline=1000, derandomize=True)
@given(st.text(alphabet=st.sampled_from("ab c.。\n!?长"), max_size=3000), st.integers(20, 400))
def test_passages_are_bounded_and_lose_nothing(text: str, limit: int) -> None:
    pieces, rest = [], text
    while rest:
        head, rest = split_passage(rest, limit)
        assert len(head) <= limit
        pieces.append(head)
        if not head and not rest.strip():
            break
    assert "".join("".join(pieces).split()) == "".join(text.split())
