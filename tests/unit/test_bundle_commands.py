"""`companion persona ...` in-process: the interactive consent walk-through, adults-only, no bundle
without consent, show/verify/add-photo/erase, and one-line errors."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.cli import main
from companion.persona.bundle.store import Bundle


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture()
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Answers typed at the prompts, in order; passphrases come from getpass."""
    answers: list[str] = []
    monkeypatch.setattr("sys.stdin", FakeTerminal())
    monkeypatch.setattr("builtins.input", lambda prompt="": answers.pop(0))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "family passphrase")
    yield answers


def test_interactive_create_walks_through_consent(tmp_path: Path, terminal: list[str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    terminal += ["y", "deceased", "Ann Smith", "child", "Ann, Tom", "2031-12-31", "y", "yes"]
    assert main(["persona", "create", "Rose Smith", "--dir", str(tmp_path / "rose")]) == 0
    assert terminal == []
    with Bundle.open(tmp_path / "rose", b"family passphrase") as bundle:
        record = bundle.check_consent(listener="Tom")
    assert (record.authorised_by, record.relationship, record.status) == ("Ann Smith", "child", "deceased")
    assert record.audience == ("Ann", "Tom") and record.valid_until == "2031-12-31" and record.owner_is_adult
    assert record.family_memory  # asked, and allowed
    assert "Persona set-up is for adults only" in capsys.readouterr().err


@pytest.mark.parametrize("answers, error", [
    (["n"], "adults only"),
    (["y", "deceased", "Ann", "neighbour", "household", "", "y"], "no valid answer for --relationship"),
    (["y", "living", "household", "", "n", "no"], "consent not confirmed"),
])
def test_no_bundle_without_consent(tmp_path: Path, terminal: list[str], capsys: pytest.CaptureFixture[str],
                                   answers: list[str], error: str) -> None:
    terminal += answers
    assert main(["persona", "create", "Rose", "--dir", str(tmp_path / "rose")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert error in err[-1] and err[-1].startswith("companion: error:")
    assert not (tmp_path / "rose").exists()


def test_non_interactive_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO())  # not a terminal
    key = tmp_path / "key"
    key.write_text("family passphrase\n")
    folder = str(tmp_path / "rose")
    assert main(["persona", "create", "Rose", "--dir", folder, "--status", "living", "--audience", "household",
                 "--adult", "--confirm", "--key-file", str(key)]) == 0
    assert main(["persona", "create", "Rose", "--dir", folder, "--status", "living", "--audience", "household",
                 "--adult", "--confirm", "--key-file", str(key)]) == 1  # never over an existing bundle
    assert main(["persona", "show", folder]) == 1
    assert "no persona key" in capsys.readouterr().err
    assert main(["persona", "show", folder, "--key-file", str(key), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["consent"]["relationship"] == "self" and shown["consent_state"] == "valid"

    photo = tmp_path / "lake.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    assert main(["persona", "add-photo", folder, str(photo), "--key-file", str(key)]) == 1  # no caption
    assert main(["persona", "add-photo", folder, str(photo), "--caption", "At the lake", "--key-file", str(key)]) == 0
    assert main(["persona", "verify", folder, "--key-file", str(key)]) == 0
    assert "ok   photos: 1 photos" in capsys.readouterr().out

    assert main(["persona", "erase", folder]) == 1  # needs --yes without a terminal
    assert Path(folder, "keys.json").exists()
    assert main(["persona", "erase", folder, "--yes"]) == 0
    assert sorted(p.name for p in Path(folder).iterdir()) == ["AUDIT.log", "ERASED"]
    capsys.readouterr()
    assert main(["persona", "show", folder, "--key-file", str(key)]) == 1
    assert "erased" in capsys.readouterr().err


def test_a_damaged_database_is_one_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from companion.consent import new_record
    from companion.persona.bundle.importer import import_records
    from companion.persona.bundle.store import PersonaCard, new_bundle_id
    from companion.persona.ingest.records import ChatRecord

    key = tmp_path / "key"
    key.write_text("family passphrase")
    consent = new_record(persona_name="Rose", authorised_by="Ann", relationship="child", status="deceased",
                         audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=new_bundle_id())
    with Bundle.create(tmp_path / "b", b"family passphrase", PersonaCard("Rose", "Rose", "en", ("?",)), consent) as b:
        records = [ChatRecord("sms", "c", "Rose" if i % 2 else "Ann", f"message number {i} " * 20) for i in range(600)]
        import_records(b, records, filename="x", file_sha256="a" * 64, fmt="sms", speaker="Rose",
                       redactor=lambda t: t, progress=False)
    db = tmp_path / "b" / "persona.db"
    data = bytearray(db.read_bytes())
    assert len(data) > 40_000
    data[20_000:20_100] = bytes(100)  # a damaged page in the middle
    db.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["persona", "verify", str(tmp_path / "b"), "--key-file", str(key)]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("companion: error:"), err
    assert "damaged" in err[0] or "FAIL page authentication" in captured.out
    assert main(["persona", "show", str(tmp_path / "b"), "--key-file", str(key)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "damaged" in err[0], err


def test_start_up_asks_for_a_bundle_passphrase_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from companion.persona.bundle.keys import prompt_secret

    typed: list[str] = []
    monkeypatch.setattr("sys.stdin", FakeTerminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt="": typed.append(prompt) or "family passphrase")
    name = "persona bundle /srv/rose"
    assert prompt_secret(name) == prompt_secret(name) == b"family passphrase"  # memories, then voice and LM
    assert len(typed) == 1
    prompt_secret("new", confirm=True)  # a new passphrase is always typed (twice), never remembered
    prompt_secret("new", confirm=True)
    assert len(typed) == 5
