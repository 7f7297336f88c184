"""Set-up that respects people's time (issue 19, item 8): each answer of `persona create` is checked
when given and only it is asked again; a past --valid-until is refused; `persona consent renew`;
`verify` tells an expired consent from a damaged bundle; `converse --key-file`."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from companion import cli
from companion.cli import main
from companion.config import settings_from_args
from companion.consent import new_record
from companion.persona.bundle.store import Bundle, PersonaCard, new_bundle_id

PASS = "family passphrase"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture()
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[str], list[str]]]:
    """(answers typed at the prompts, passphrases typed at getpass), consumed in order."""
    answers: list[str] = []
    secrets: list[str] = []
    monkeypatch.setattr("sys.stdin", FakeTerminal())
    monkeypatch.setattr("builtins.input", lambda prompt="": answers.pop(0))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": secrets.pop(0))
    yield answers, secrets


def test_each_wrong_answer_is_asked_again_and_nothing_else(tmp_path: Path, terminal: tuple[list[str], list[str]],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    answers, secrets = terminal
    answers += ["y", "maybe", "deceased", "Ann Smith", "neighbour", "Child", " , ", "Ann, Tom",
                "31/12/2031", "2001-01-01", "2031-12-31", "n", "yes"]  # "n": no family memory across sessions
    secrets += [PASS, "family passfrase", PASS, PASS]  # a typo in the repeat: only the passphrase again
    assert main(["persona", "create", "Rose Smith", "--dir", str(tmp_path / "rose")]) == 0
    assert answers == [] and secrets == []
    err = capsys.readouterr().err
    assert "status must be living or deceased, not 'maybe'; please answer again" in err
    assert "'neighbour' may not authorise" in err and "spouse, partner, child" in err
    assert "'31/12/2031' is not a date (write it as YYYY-MM-DD" in err
    assert "2001-01-01, is in the past" in err
    assert "the two passphrases differ; type the passphrase again" in err
    with Bundle.open(tmp_path / "rose", PASS.encode()) as bundle:
        record = bundle.check_consent(listener="Tom")
    assert (record.authorised_by, record.relationship, record.valid_until) == ("Ann Smith", "child", "2031-12-31")
    assert record.audience == ("Ann", "Tom")


def test_three_wrong_answers_end_with_one_clear_error(tmp_path: Path, terminal: tuple[list[str], list[str]],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    answers, _ = terminal
    answers += ["y", "deceased", "Ann", "neighbour", "friend", "carer"]
    assert main(["persona", "create", "Rose", "--dir", str(tmp_path / "rose")]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("companion: error: no valid answer for --relationship after 3 tries")
    assert answers == [] and not (tmp_path / "rose").exists()


@pytest.mark.parametrize("flags, error", [
    (["--valid-until", "2001-01-01"], "2001-01-01, is in the past"),
    (["--valid-until", "next year"], "'next year' is not a date"),
    (["--status", "deceased", "--relationship", "neighbour"], "'neighbour' may not authorise"),
    (["--status", "living", "--relationship", "child"], "relationship must be 'self'"),
])
def test_a_wrong_flag_is_refused_before_any_question(tmp_path: Path, terminal: tuple[list[str], list[str]],
                                                     capsys: pytest.CaptureFixture[str], flags: list[str],
                                                     error: str) -> None:
    assert terminal == ([], [])  # nothing typed: a question asked would fail the test with IndexError
    assert main(["persona", "create", "Rose", "--dir", str(tmp_path / "rose"), *flags]) == 1
    assert error in capsys.readouterr().err
    assert not (tmp_path / "rose").exists()


@pytest.fixture()
def expired(tmp_path: Path) -> tuple[Path, Path]:
    """A bundle whose consent ran out (signed on this device, intact)."""
    consent = new_record(persona_name="Rose", authorised_by="Ann", relationship="child", status="deceased",
                         audience=["household"], valid_until="2024-06-30", owner_is_adult=True,
                         bundle_id=new_bundle_id(), now=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    folder = tmp_path / "rose"
    Bundle.create(folder, PASS.encode(), PersonaCard("Rose", "Rose", "en", ("I forget.",)), consent).close()
    key = tmp_path / "key"
    key.write_text(PASS + "\n")
    return folder, key


def test_verify_says_expired_and_how_to_renew_and_renew_works(expired: tuple[Path, Path],
                                                               capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO())
    folder, key = expired
    k = ["--key-file", str(key)]
    assert main(["persona", "verify", str(folder), *k]) == 1
    captured = capsys.readouterr()
    assert "FAIL" not in captured.out and "ok   consent signature: valid" in captured.out
    assert "the bundle is intact, but the consent expired on 2024-06-30" in captured.err
    assert f"companion persona consent renew {folder} --valid-until" in captured.err
    assert "backup" not in captured.err

    assert main(["persona", "consent", "renew", str(folder), "--valid-until", "2020-01-01", "--confirm", *k]) == 1
    assert "is in the past" in capsys.readouterr().err
    assert main(["persona", "consent", "renew", str(folder), "--valid-until", "2099-12-31", *k]) == 1
    assert "consent not renewed" in capsys.readouterr().err  # the authoriser must confirm
    assert main(["persona", "consent", "renew", str(folder), "--valid-until", "2099-12-31", "--confirm", *k]) == 0
    assert "may be used until 2099-12-31" in capsys.readouterr().out
    assert main(["persona", "verify", str(folder), *k]) == 0
    capsys.readouterr()
    assert main(["persona", "show", str(folder), "--json", *k]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["consent_state"] == "valid" and shown["consent"]["valid_until"] == "2099-12-31"
    assert "renewed" in shown["consent"]["notes"] and shown["consent"]["audience"] == ["household"]
    assert "consent renewed until 2099-12-31" in (folder / "AUDIT.log").read_text()


def test_a_changed_consent_is_not_renewed(expired: tuple[Path, Path], capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO())
    folder, key = expired
    with Bundle.open(folder, PASS.encode()) as bundle, bundle.transaction():
        record = json.loads(bundle.db.execute("SELECT record FROM consent").fetchone()[0])
        record["audience"] = ["anyone at all"]
        bundle.db.execute("UPDATE consent SET record = ?", (json.dumps(record),))
    assert main(["persona", "consent", "renew", str(folder), "--no-end-date", "--confirm", "--key-file",
                 str(key)]) == 1
    assert "signature is invalid" in capsys.readouterr().err


def test_converse_takes_the_bundle_key_file(tmp_path: Path) -> None:
    args = cli.build_parser().parse_args(["converse", "--persona", str(tmp_path), "--key-file", "/etc/k",
                                          "--input", "q.wav", "--output", "r.wav"])
    settings = settings_from_args(args)
    assert settings.persona.key_file == "/etc/k" and settings.persona.dir == str(tmp_path)
