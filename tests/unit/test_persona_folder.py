"""The persona folder parser: every mistake is a PersonaError naming file and line, never a crash."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.errors import PersonaError
from companion.persona.folder import PersonaMessage, load_persona_folder, parse_messages

DEMO_DIR = Path(__file__).resolve().parents[2] / "device" / "companion" / "personas" / "walter"
SOURCE = "people/ann/messages.jsonl"

CARD = """\
name = "Ann"
display_name = "Aunt Ann"
description = "Ann kept bees."
language = "en"
fallback_replies = ["I don't recall, dear.", "That one escapes me."]
"""


def _line_of(error: PersonaError) -> int:
    match = re.fullmatch(re.escape(SOURCE) + r", line (\d+)", error.where or "")
    assert match, f"error does not name file and line: {error.message!r}"
    return int(match.group(1))


def _write_folder(path: Path, card: str = CARD, messages: str | bytes = '{"id": "a", "text": "Hello, dear."}\n') -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "persona.toml").write_text(card, encoding="utf-8")
    data = messages.encode("utf-8") if isinstance(messages, str) else messages
    (path / "messages.jsonl").write_bytes(data)
    return path


# -- parse_messages: examples ------------------------------------------------------------------


def test_parses_all_fields_and_skips_blank_and_comment_lines() -> None:
    lines = [
        "# exported 2021",
        "",
        '{"id": "m1", "text": "Morning!", "context": "Hi grandpa", "time": "2019-07-04", "source": "sms"}',
        "   ",
        '  {"id": "m2", "text": "Night night.", "context": null}  ',
    ]
    assert parse_messages(lines, SOURCE) == (
        PersonaMessage(id="m1", text="Morning!", context="Hi grandpa", time="2019-07-04", source="sms"),
        PersonaMessage(id="m2", text="Night night."),
    )


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('["id", "text"]', "JSON object"),
        ("42", "JSON object"),
        ('{"id": "x"}', "missing required field 'text'"),
        ('{"text": "hello"}', "missing required field 'id'"),
        ('{"id": "x", "text": "   "}', "'text' must not be empty"),
        ('{"id": 7, "text": "hello"}', "'id' must be a string"),
        ('{"id": "x", "text": "hi", "txt": "typo"}', "unknown field(s) 'txt'"),
        ('{"id": "x", "text": "hi", "time": "last tuesday"}', "not an ISO date"),
        ('{"id": "x", "text": "hi", "context": ""}', "'context' must not be empty"),
        ('{"id": "x", "text": "\\ud800"}', "invalid character"),
        ("[" * 100_000, "not valid JSON"),
    ],
)
def test_bad_line_names_file_and_line(line: str, fragment: str) -> None:
    lines = ["# header", '{"id": "ok", "text": "fine"}', line]
    with pytest.raises(PersonaError) as caught:
        parse_messages(lines, SOURCE)
    assert _line_of(caught.value) == 3
    assert fragment in caught.value.message


def test_duplicate_id_names_both_lines() -> None:
    lines = ['{"id": "a", "text": "one"}', "", '{"id": "a", "text": "two"}']
    with pytest.raises(PersonaError) as caught:
        parse_messages(lines, SOURCE)
    assert _line_of(caught.value) == 3
    assert "duplicate message id 'a'" in caught.value.message and "line 1" in caught.value.message


# -- parse_messages: properties ----------------------------------------------------------------


@settings(max_examples=300)
@given(st.lists(st.text(max_size=80), max_size=8))
def test_arbitrary_lines_parse_or_fail_with_file_and_line(lines: list[str]) -> None:
    try:
        messages = parse_messages(lines, SOURCE)
    except PersonaError as error:
        number = _line_of(error)
        assert 1 <= number <= len(lines)
        offending = lines[number - 1].strip()
        assert offending and not offending.startswith("#")
    else:
        assert len(messages) <= len(lines)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
_record_like = st.fixed_dictionaries(
    {},
    optional={key: _json_values for key in ("id", "text", "context", "time", "source", "extra")},
)


@settings(max_examples=300)
@given(st.lists(_json_values | _record_like, min_size=1, max_size=6))
def test_arbitrary_json_values_parse_or_fail_with_file_and_line(values: list[object]) -> None:
    lines = [json.dumps(value) for value in values]
    try:
        parse_messages(lines, SOURCE)
    except PersonaError as error:
        assert 1 <= _line_of(error) <= len(lines)


_non_blank = st.text(min_size=1, max_size=60).filter(lambda s: s.strip() != "")
_messages = st.lists(
    st.builds(
        PersonaMessage,
        id=_non_blank,
        text=_non_blank,
        context=st.none() | _non_blank,
        time=st.none() | st.dates().map(lambda d: d.isoformat()) | st.datetimes().map(lambda d: d.isoformat()),
        source=st.none() | st.sampled_from(["sms", "letter", "voicemail"]) | _non_blank,
    ),
    max_size=8,
    unique_by=lambda m: m.id,
)


@given(_messages, st.lists(st.sampled_from(["", "   ", "# a comment", "#"]), max_size=8), st.booleans())
def test_valid_records_round_trip(messages: list[PersonaMessage], fillers: list[str], ascii_only: bool) -> None:
    lines: list[str] = []
    for index, message in enumerate(messages):
        lines.extend(fillers[index : index + 1])
        lines.append(message.to_json() if not ascii_only else json.dumps(json.loads(message.to_json())))
    assert parse_messages(lines, SOURCE) == tuple(messages)


# -- load_persona_folder -----------------------------------------------------------------------


def test_demo_persona_is_complete_and_speakable() -> None:
    folder = load_persona_folder(DEMO_DIR)
    assert (folder.name, folder.display_name, folder.language) == ("Walter", "Grandpa Walt", "en")
    assert 2 <= len(folder.fallback_replies) <= 4 and folder.greeting
    assert len(folder.messages) >= 300
    assert sum(m.context is not None for m in folder.messages) >= 0.9 * len(folder.messages)
    for message in folder.messages:
        assert message.text.isascii() and message.text.isprintable(), message.id
        assert not re.search(r"[*_#`<>\[\]]|https?:", message.text), message.id


def test_loads_a_minimal_folder_with_bom(tmp_path: Path) -> None:
    folder = load_persona_folder(_write_folder(tmp_path, messages=b'\xef\xbb\xbf{"id": "a", "text": "Hi."}\r\n'))
    assert folder.display_name == "Aunt Ann" and folder.greeting is None
    assert folder.messages == (PersonaMessage(id="a", text="Hi."),)


@pytest.mark.parametrize(
    ("card", "fragment"),
    [
        (CARD + 'favourite_colour = "blue"\n', "unknown key(s) favourite_colour"),
        (CARD.replace('language = "en"\n', ""), "missing required key(s) language"),
        (CARD.replace('"Aunt Ann"', '""'), "display_name must be a non-empty string"),
        (CARD.replace('"en"', '"English"'), "language must be a language code"),
        (CARD.replace('["I don\'t recall, dear.", "That one escapes me."]', "[]"), "fallback_replies must be a list"),
        (CARD.replace('"That one escapes me."', "3"), "fallback_replies[1] must be a non-empty string"),
        ('name = "Ann"\nname = "Bo"\n', "invalid TOML"),
    ],
)
def test_bad_card_is_a_persona_error(tmp_path: Path, card: str, fragment: str) -> None:
    with pytest.raises(PersonaError) as caught:
        load_persona_folder(_write_folder(tmp_path, card=card))
    assert fragment in caught.value.message
    assert caught.value.where == str(tmp_path / "persona.toml")


def test_missing_pieces_are_persona_errors(tmp_path: Path) -> None:
    with pytest.raises(PersonaError, match="persona folder not found"):
        load_persona_folder(tmp_path / "nobody")
    (tmp_path / "messages.jsonl").write_text('{"id": "a", "text": "x"}\n')
    with pytest.raises(PersonaError, match="persona card missing"):
        load_persona_folder(tmp_path)
    (tmp_path / "messages.jsonl").unlink()
    (tmp_path / "persona.toml").write_text(CARD)
    with pytest.raises(PersonaError, match="messages file missing"):
        load_persona_folder(tmp_path)


def test_messages_file_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "messages.jsonl"
    _write_folder(tmp_path, messages=b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "caf\xe9"}\n')
    with pytest.raises(PersonaError, match="not UTF-8") as caught:
        load_persona_folder(tmp_path)
    assert caught.value.where == f"{path}, line 2"
    _write_folder(tmp_path, messages='# only a comment\n\n')
    with pytest.raises(PersonaError, match="no messages"):
        load_persona_folder(tmp_path)
    _write_folder(tmp_path, messages='{"id": "a", "text": "ok"}\n\n{"id": "b" "text": "x"}\n')
    with pytest.raises(PersonaError) as caught:
        load_persona_folder(tmp_path)
    assert caught.value.where == f"{path}, line 3"
