"""Encryption at rest (C6): key hierarchy, wrong passphrase, canary search, key sources, erase."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from companion.cli import main
from companion.consent import new_record
from companion.persona.bundle.importer import import_records
from companion.persona.bundle.keys import KEY_FILE_ENV, BundleError, WrongKeyError, read_secret
from companion.persona.bundle.maintenance import erase_bundle, verify_bundle
from companion.persona.bundle.store import Bundle, PersonaCard, new_bundle_id
from companion.persona.ingest.records import ChatRecord

SECRET = b"correct horse battery"
CANARY = "CANARY-7f3a-zebra-quilt"


def create_bundle(path: Path) -> Bundle:
    bundle_id = new_bundle_id()
    consent = new_record(persona_name="Rose", authorised_by="Ann", relationship="child", status="deceased",
                         audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=bundle_id)
    card = PersonaCard(name="Rose", display_name="Grandma Rose", language="en", fallback_replies=("I forget.",))
    return Bundle.create(path, SECRET, card, consent)


def canary_records(n: int = 300) -> list[ChatRecord]:
    start = dt.datetime(2021, 3, 1, 9, 0)
    records = []
    for i in range(n):
        t = start + dt.timedelta(hours=i)
        records.append(ChatRecord("whatsapp", "Rose", "Ann", f"What did you do today {i}? {CANARY}", t))
        records.append(ChatRecord("whatsapp", "Rose", "Rose", f"I baked bread {i}, love. {CANARY}",
                                  t + dt.timedelta(minutes=2)))
    return records


def files_containing(folder: Path, needle: str) -> list[str]:
    patterns = [needle.encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be")]
    hits = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(p in data for p in patterns):
                hits.append(path.name)
    return hits


def test_canary_is_not_findable_in_any_file_open_or_closed(tmp_path: Path) -> None:
    folder = tmp_path / "rose"
    bundle = create_bundle(folder)
    summary = import_records(bundle, canary_records(), filename="chat.txt", file_sha256="c" * 64, fmt="whatsapp",
                             speaker="Rose", redactor=lambda t: t, progress=False)
    assert summary.kept == 300 and summary.pairs == 300
    # While open, the WAL and shared-memory files exist and hold the fresh pages.
    assert (folder / "persona.db-wal").exists()
    assert files_containing(folder, CANARY) == []
    assert files_containing(folder, "baked bread") == []
    bundle.close()
    assert files_containing(folder, CANARY) == []
    with Bundle.open(folder, SECRET) as reopened:  # and the data really is there
        texts = [row[0] for row in reopened.db.execute("SELECT text FROM records")]
    assert sum(CANARY in t for t in texts) == 600


def test_a_wrong_passphrase_is_one_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    create_bundle(tmp_path / "b").close()
    with pytest.raises(WrongKeyError, match="wrong passphrase"):
        Bundle.open(tmp_path / "b", b"not the passphrase")
    key = tmp_path / "wrong.key"
    key.write_text("not the passphrase\n")
    assert main(["persona", "show", str(tmp_path / "b"), "--key-file", str(key)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("companion: error: wrong passphrase")


def test_key_sources_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    credentials = tmp_path / "creds"
    credentials.mkdir()
    (credentials / "persona-key").write_bytes(b"from-systemd\n")
    (tmp_path / "explicit").write_bytes(b"explicit\r\n")
    (tmp_path / "env").write_bytes(b"from-env")
    (tmp_path / "settings").write_bytes(b"from-settings")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    monkeypatch.setenv(KEY_FILE_ENV, str(tmp_path / "env"))
    assert read_secret(tmp_path / "explicit", settings_key_file=tmp_path / "settings") == b"explicit"
    assert read_secret(None, settings_key_file=tmp_path / "settings") == b"from-systemd"
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    assert read_secret(None, settings_key_file=tmp_path / "settings") == b"from-env"
    monkeypatch.delenv(KEY_FILE_ENV)
    assert read_secret(None, settings_key_file=tmp_path / "settings") == b"from-settings"
    monkeypatch.setattr("sys.stdin", open(os.devnull))  # not a terminal: no prompt, a clear error
    with pytest.raises(BundleError, match="no persona key"):
        read_secret(None)
    (tmp_path / "empty").write_bytes(b"\n")
    with pytest.raises(BundleError, match="empty"):
        read_secret(tmp_path / "empty")


def test_after_erase_nothing_decrypts(tmp_path: Path) -> None:
    folder = tmp_path / "rose"
    bundle = create_bundle(folder)
    import_records(bundle, canary_records(20), filename="c.txt", file_sha256="d" * 64, fmt="whatsapp",
                   speaker="Rose", redactor=lambda t: t, progress=False)
    bundle.close()
    voice_work = folder / "voice" / "dataset"  # `companion voice prepare` keeps the clone's clips here
    voice_work.mkdir(parents=True)
    (voice_work / "clip-0001.wav").write_bytes(b"RIFF" + b"\0" * 64)
    remnants = tmp_path / "remnants"  # what flash storage might keep of the data files
    shutil.copytree(folder, remnants)
    (remnants / "keys.json").unlink()

    removed = erase_bundle(folder)
    assert removed[0] == "keys.json" and "persona.db" in removed and "voice/" in removed
    assert sorted(p.name for p in folder.iterdir()) == ["AUDIT.log", "ERASED"]
    audit = (folder / "AUDIT.log").read_text()
    assert "erased bundle" in audit and CANARY not in audit and "Rose" not in audit
    with pytest.raises(BundleError, match="erased"):
        Bundle.open(folder, SECRET)
    with pytest.raises(BundleError, match="key file is missing"):
        Bundle.open(remnants, SECRET)
    # Putting the old data files back does not help: the data key existed only wrapped in keys.json.
    for name in ("persona.db",):
        shutil.copy(remnants / name, folder / name)
    (folder / "ERASED").unlink()
    with pytest.raises(BundleError):
        Bundle.open(folder, SECRET)


def test_erase_refuses_what_is_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="not a persona bundle"):
        erase_bundle(tmp_path)


def test_verify_detects_a_changed_record_and_a_forged_consent(tmp_path: Path) -> None:
    bundle = create_bundle(tmp_path / "b")
    import_records(bundle, canary_records(5), filename="c.txt", file_sha256="e" * 64, fmt="whatsapp",
                   speaker="Rose", redactor=lambda t: t, progress=False)
    assert verify_bundle(bundle).ok
    bundle.db.execute("UPDATE records SET text = 'I never said this' WHERE id = 2")
    report = verify_bundle(bundle)
    assert not report.ok and any(name == "record hashes" and not ok for name, ok, _ in report.checks)
    bundle.db.execute("UPDATE consent SET record = replace(record, '\"household\"', '\"anyone at all\"')")
    report = verify_bundle(bundle)
    assert any(name == "consent signature" and not ok for name, ok, _ in report.checks)
    bundle.close()
