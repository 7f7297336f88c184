"""kill -9 during imports, many times at random moments: the bundle always verifies, each file is
either wholly in it or not at all, and running the import again completes it.

The moment of each kill is drawn in the work, not in time: the child says when it reaches the
drawn message (or the end of a file, where the commit happens), and is killed right then. A kill
drawn in seconds after start-up landed anywhere on a loaded machine (mostly before any file was
done, so the last, unkilled run had to import everything: it once ran past its 300 s timeout)."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from companion.consent import new_record
from companion.persona.bundle import keys as keys_module
from companion.persona.bundle.maintenance import journal_summaries, verify_bundle
from companion.persona.bundle.store import Bundle, PersonaCard, new_bundle_id

SECRET = b"kill-test-passphrase"
FILES = 8
PAIRS_PER_FILE = 250  # 500 messages a file: enough to be killed inside a file, or at its commit
KILLS = 8
MESSAGES = 6000  # in the WhatsApp export of the CLI test (~2 s of import on an idle core)

# Imports FILES generated exports, one transaction each, like `companion persona import` does.
IMPORTER = f"""
import datetime as dt, itertools, sys
from pathlib import Path
from companion.persona.bundle.importer import import_records
from companion.persona.bundle.store import Bundle
from companion.persona.ingest.records import ChatRecord

KILL_AT = int(sys.argv[2]) if len(sys.argv) > 2 else -1  # the message (of this run) to say "at" at
counter = itertools.count()

def export(n):
    start = dt.datetime(2015, 1, 1) + dt.timedelta(days=400 * n)
    for i in range({PAIRS_PER_FILE}):
        t = start + dt.timedelta(hours=i)
        for record in (ChatRecord("whatsapp", f"chat{{n}}", "Ann", f"question {{n}}-{{i}} about the garden?", t),
                       ChatRecord("whatsapp", f"chat{{n}}", "Rose", f"answer {{n}}-{{i}}: the roses, love.",
                                  t + dt.timedelta(minutes=1))):
            if next(counter) == KILL_AT:  # the last message of a file: the kill lands in its commit
                print("at", KILL_AT, flush=True)
            yield record

with Bundle.open(Path(sys.argv[1]), {SECRET!r}) as bundle:
    print("importing", flush=True)
    for n in range({FILES}):
        import_records(bundle, export(n), filename=f"chat{{n}}.txt", file_sha256=f"{{n:064x}}", fmt="whatsapp",
                       speaker="Rose", redactor=lambda text: text, progress=False)
print("done")
"""


@pytest.fixture(autouse=True)
def cheap_key_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bundles made here store a light argon2id cost (it is read from the bundle at every open):
    the ~20 opens of a test (each child, each check) cost ~1 s of two cores apiece otherwise,
    minutes on a loaded machine, and the key derivation is not what these tests are about."""
    monkeypatch.setattr(keys_module, "ARGON2_TIME_COST", 1)
    monkeypatch.setattr(keys_module, "ARGON2_MEMORY_KIB", 8 * 1024)


def check_consistent(folder: Path) -> int:
    """Verify the bundle; every journalled file is wholly present; returns the files done."""
    with Bundle.open(folder, SECRET) as bundle:
        report = verify_bundle(bundle)
        assert report.ok, report.checks
        summaries = journal_summaries(bundle)
        expected_records = sum(int(s["kept"]) + int(s["contexts"]) for s in summaries)  # type: ignore[call-overload]
        assert bundle.count("records") == expected_records
        assert bundle.count("reply_pairs") == len(summaries) * PAIRS_PER_FILE
        assert set(bundle.consent().source_hashes) == {s["sha256"] for s in summaries}  # type: ignore[union-attr]
        return len(summaries)


@pytest.mark.integration  # kills real processes again and again: too slow for the fast lane
def test_kill_minus_nine_at_random_points_never_corrupts(tmp_path: Path) -> None:
    folder = tmp_path / "rose"
    consent = new_record(persona_name="Rose", authorised_by="Ann", relationship="child", status="deceased",
                         audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=new_bundle_id())
    Bundle.create(folder, SECRET, PersonaCard("Rose", "Rose", "en", ("I forget.",)), consent).close()
    script = tmp_path / "importer.py"
    script.write_text(IMPORTER)
    rng = random.Random(20261122)
    progress, done_files = [], 0
    for kill in range(KILLS):
        left = (FILES - done_files) * 2 * PAIRS_PER_FILE  # messages this run will read
        # Every other kill at the end of a file (its commit), the others anywhere in the work.
        at = (rng.randrange(1, FILES - done_files + 1) * 2 * PAIRS_PER_FILE - 1) if kill % 2 else rng.randrange(left)
        process = subprocess.Popen([sys.executable, str(script), str(folder), str(at)], stdout=subprocess.PIPE)
        assert process.stdout is not None
        assert process.stdout.readline() == b"importing\n", "the importer did not start"
        assert process.stdout.readline() == f"at {at}\n".encode(), "the importer ended before the kill"
        process.send_signal(signal.SIGKILL)  # right now, while it carries on with its work
        process.communicate(timeout=120)  # reaped, its pipe read to the end and closed
        done_files = check_consistent(folder)
        progress.append(done_files)
    done = subprocess.run([sys.executable, str(script), str(folder)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.split() == ["importing", "done"], done.stderr
    assert check_consistent(folder) == FILES
    assert progress == sorted(progress), progress  # files done never go backwards
    with Bundle.open(folder, SECRET) as bundle:
        assert bundle.count("records") == FILES * PAIRS_PER_FILE * 2
        statuses = json.dumps(journal_summaries(bundle))
        assert statuses.count('"imported"') == FILES


PROGRESS = re.compile(rb"importing [^\r\n]*?: *(\d+) msg")


def imported_at_least(process: subprocess.Popen[bytes], count: int) -> bool:
    """Wait until the import's progress bar on stderr has passed ``count`` messages (True), or the
    process ended first (False). Its start-up and pace do not matter: this waits for the bar."""
    assert process.stderr is not None
    seen = b""
    while True:
        chunk = os.read(process.stderr.fileno(), 4096)
        if not chunk:
            return False
        seen = seen[-256:] + chunk
        counts = PROGRESS.findall(seen)
        if counts and int(counts[-1]) >= count:
            return True


@pytest.mark.integration  # kills real processes again and again: too slow for the fast lane
def test_kill_minus_nine_during_the_cli_import_of_a_whatsapp_export(tmp_path: Path) -> None:
    """The same through `companion persona import` with the real WhatsApp parser and redaction."""
    from bench.make_export import write_export

    export = write_export(tmp_path / "WhatsApp Chat with Grandma Rose.txt", MESSAGES)
    folder = tmp_path / "rose"
    consent = new_record(persona_name="Rose", authorised_by="Tom", relationship="grandchild", status="deceased",
                         audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=new_bundle_id())
    Bundle.create(folder, SECRET, PersonaCard("Rose", "Rose", "en", ("I forget.",)), consent).close()
    key = tmp_path / "key"
    key.write_bytes(SECRET)
    command = [sys.executable, "-m", "companion", "persona", "import", str(folder), "--format", "whatsapp",
               "--speaker", "Grandma Rose", "--no-index", "--key-file", str(key), str(export)]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    rng = random.Random(7)
    for _ in range(4):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # A random point of the work, told by the progress bar (it redraws every 0.5 s of wall time).
        assert imported_at_least(process, rng.randrange(int(0.8 * MESSAGES))), process.communicate(timeout=120)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=120)  # reaped, its pipe read to the end and closed
        with Bundle.open(folder, SECRET) as bundle:
            assert verify_bundle(bundle).ok
            journal = journal_summaries(bundle)
            assert bundle.count("records") == sum(int(s["kept"]) + int(s["contexts"]) for s in journal)  # type: ignore[call-overload]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with Bundle.open(folder, SECRET) as bundle:
        assert verify_bundle(bundle).ok
        (summary,) = journal_summaries(bundle)
        assert summary["kept"] > 0.35 * MESSAGES and bundle.count("reply_pairs") == summary["pairs"]
