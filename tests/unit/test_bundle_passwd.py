"""`companion persona passwd`: the data key is re-wrapped under a new passphrase, atomically.

The data is not re-encrypted; the old passphrase stops working; a wrong old passphrase changes
nothing; a crash (or kill -9) at any point leaves exactly one of the two passphrases working and
the bundle verifying.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from companion.atomicfile import leftovers
from companion.cli import main
from companion.consent import new_record
from companion.persona.bundle import keys as keys_module
from companion.persona.bundle.importer import import_records
from companion.persona.bundle.keys import KEYS_FILE, BundleError, WrongKeyError, change_secret
from companion.persona.bundle.maintenance import erase_bundle, verify_bundle
from companion.persona.bundle.store import DB_FILE, Bundle, PersonaCard, new_bundle_id
from companion.persona.ingest.records import ChatRecord

OLD = b"old passphrase one"
NEW = b"new passphrase two"


def make_bundle(folder: Path, secret: bytes = OLD, messages: int = 50) -> None:
    consent = new_record(persona_name="Rose", authorised_by="Ann", relationship="child", status="deceased",
                         audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=new_bundle_id())
    with Bundle.create(folder, secret, PersonaCard("Rose", "Rose", "en", ("I forget.",)), consent) as bundle:
        start = dt.datetime(2020, 5, 1, 9, 0)
        records = []
        for i in range(messages):
            t = start + dt.timedelta(hours=i)
            records.append(ChatRecord("whatsapp", "Rose", "Ann", f"how is the garden {i}?", t))
            records.append(ChatRecord("whatsapp", "Rose", "Rose", f"the roses are out {i}, love", t))
        import_records(bundle, iter(records), filename="chat.txt", file_sha256="ab" * 32, fmt="whatsapp",
                       speaker="Rose", redactor=lambda text: text, progress=False)


def opens(folder: Path, secret: bytes) -> bool:
    """True when ``secret`` unlocks the bundle (which then must verify), False for WrongKeyError."""
    try:
        bundle = Bundle.open(folder, secret)
    except WrongKeyError:
        return False
    with bundle:
        report = verify_bundle(bundle)
        assert report.ok, report.checks
        assert bundle.count("records") == 100
    return True


@pytest.fixture()
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheaper argon2id for the many unlocks here; the parameters are stored per key file."""
    monkeypatch.setattr(keys_module, "ARGON2_TIME_COST", 1)
    monkeypatch.setattr(keys_module, "ARGON2_MEMORY_KIB", 8 * 1024)


def test_new_passphrase_opens_old_does_not_and_data_is_untouched(tmp_path: Path, fast_kdf: None) -> None:
    folder = tmp_path / "rose"
    make_bundle(folder)
    database = (folder / DB_FILE).read_bytes()
    before = (folder / KEYS_FILE).read_text()
    change_secret(folder, OLD, NEW)
    assert (folder / DB_FILE).read_bytes() == database  # the data key did not change: nothing re-encrypted
    assert (folder / KEYS_FILE).read_text() != before
    assert opens(folder, NEW)
    assert not opens(folder, OLD)
    assert not leftovers(folder / KEYS_FILE)


def test_wrong_old_passphrase_changes_nothing(tmp_path: Path, fast_kdf: None) -> None:
    folder = tmp_path / "rose"
    make_bundle(folder)
    before = (folder / KEYS_FILE).read_bytes()
    with pytest.raises(WrongKeyError, match="wrong passphrase"):
        change_secret(folder, b"not the passphrase", NEW)
    with pytest.raises(BundleError, match="at least 8"):
        change_secret(folder, OLD, b"short")
    assert (folder / KEYS_FILE).read_bytes() == before
    assert opens(folder, OLD) and not opens(folder, NEW)


def test_cli_changes_it_and_says_which_key_files_to_update(
    tmp_path: Path, fast_kdf: None, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "rose"
    make_bundle(folder)
    (tmp_path / "old.key").write_bytes(OLD + b"\n")
    (tmp_path / "new.key").write_bytes(NEW + b"\n")
    args = ["persona", "passwd", str(folder), "--key-file", str(tmp_path / "old.key"),
            "--new-key-file", str(tmp_path / "new.key")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "old one no longer unlocks it" in out
    assert str(tmp_path / "old.key") in out and "/etc/companion/persona.key" in out
    assert opens(folder, NEW) and not opens(folder, OLD)
    before = (folder / KEYS_FILE).read_bytes()
    assert main(args) == 1  # old.key is now the wrong passphrase: one line, nothing changed
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("companion: error: wrong passphrase"), err
    assert (folder / KEYS_FILE).read_bytes() == before


def test_same_or_missing_new_passphrase_is_refused(
    tmp_path: Path, fast_kdf: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "rose"
    make_bundle(folder)
    (tmp_path / "old.key").write_bytes(OLD)
    base = ["persona", "passwd", str(folder), "--key-file", str(tmp_path / "old.key")]
    assert main([*base, "--new-key-file", str(tmp_path / "old.key")]) == 1
    assert "same as the current" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", open(os.devnull))  # not a terminal: no prompt
    assert main(base) == 1
    assert "no new passphrase" in capsys.readouterr().err
    assert opens(folder, OLD)


class _Crash(Exception):
    pass


def test_a_crash_at_every_step_leaves_exactly_one_passphrase_working(
    tmp_path: Path, fast_kdf: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stop the re-wrap before each file-system call it makes: the state a kill there leaves."""
    calls = ("open", "write", "fsync", "close", "replace")
    originals: dict[str, Callable[..., object]] = {name: getattr(os, name) for name in calls}
    template = tmp_path / "template"
    make_bundle(template)
    step = 0
    while True:
        folder = tmp_path / f"crash{step}"
        subprocess.run(["cp", "-a", str(template), str(folder)], check=True)
        counter = {"n": 0}

        def crash_at(name: str, at: int = step, counter: dict[str, int] = counter) -> Callable[..., object]:
            def call(*args: object, **kwargs: object) -> object:
                if counter["n"] == at:
                    raise _Crash(f"crash before {name}")
                counter["n"] += 1
                return originals[name](*args, **kwargs)

            return call

        for name in calls:
            monkeypatch.setattr(os, name, crash_at(name))
        try:
            change_secret(folder, OLD, NEW)
            finished = True
        except _Crash:
            finished = False
        finally:
            for name in calls:
                monkeypatch.setattr(os, name, originals[name])
        old_works, new_works = opens(folder, OLD), opens(folder, NEW)
        assert old_works != new_works, f"step {step}: old={old_works} new={new_works}"
        if finished:
            assert new_works
            break
        step += 1
    assert step >= 5  # open, write, fsync, close and replace were each interrupted


def test_after_an_interrupted_passwd_erase_still_shreds_every_wrapped_key(tmp_path: Path, fast_kdf: None) -> None:
    folder = tmp_path / "rose"
    make_bundle(folder)
    for name in (f".{KEYS_FILE}.4242-0a1b2c3d.tmp", f".{KEYS_FILE}.tmp"):  # as a kill before rename (now; older versions)
        (folder / name).write_bytes((folder / KEYS_FILE).read_bytes())
    erase_bundle(folder)
    assert not (folder / KEYS_FILE).exists() and not leftovers(folder / KEYS_FILE)


PASSWD_TIMEOUT_S = 120


@pytest.mark.integration  # kills real processes again and again: too slow for the fast lane
def test_kill_minus_nine_during_cli_passwd(tmp_path: Path) -> None:
    """Real kills of `companion persona passwd` at random moments (real argon2id parameters)."""
    folder = tmp_path / "rose"
    make_bundle(folder)
    secrets = [OLD]
    current = OLD
    rng = random.Random(20261122)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    outcomes = []
    for attempt in range(6):
        candidate = f"passphrase number {attempt}".encode()
        (tmp_path / "cur.key").write_bytes(current)
        (tmp_path / "new.key").write_bytes(candidate)
        command = [sys.executable, "-m", "companion", "persona", "passwd", str(folder),
                   "--key-file", str(tmp_path / "cur.key"), "--new-key-file", str(tmp_path / "new.key")]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 1.6))  # a run takes ~1.3 s here: most kills land inside it
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=PASSWD_TIMEOUT_S)
        old_works, new_works = opens(folder, current), opens(folder, candidate)
        assert old_works != new_works, f"attempt {attempt}: old={old_works} new={new_works}"
        outcomes.append(new_works)
        if new_works:
            current = candidate
            secrets.append(candidate)
    assert all(not opens(folder, secret) for secret in secrets if secret != current)
    (tmp_path / "cur.key").write_bytes(current)
    (tmp_path / "new.key").write_bytes(NEW)
    done = subprocess.run([sys.executable, "-m", "companion", "persona", "passwd", str(folder),
                           "--key-file", str(tmp_path / "cur.key"), "--new-key-file", str(tmp_path / "new.key")],
                          env=env, capture_output=True, text=True, timeout=PASSWD_TIMEOUT_S)
    assert done.returncode == 0, done.stderr
    assert opens(folder, NEW) and not opens(folder, current)
