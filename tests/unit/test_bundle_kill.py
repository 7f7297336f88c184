"""kill -9 during imports, many times at random moments: the bundle always verifies, each file is
either wholly in it or not at all, and running the import again completes it."""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from companion.consent import new_record
from companion.persona.bundle.maintenance import journal_summaries, verify_bundle
from companion.persona.bundle.store import Bundle, PersonaCard, new_bundle_id

SECRET = b"kill-test-passphrase"
FILES = 8
PAIRS_PER_FILE = 4000
KILLS = 8

# Imports FILES generated exports, one transaction each, like `companion persona import` does.
IMPORTER = f"""
import datetime as dt, sys
from pathlib import Path
from companion.persona.bundle.importer import import_records
from companion.persona.bundle.store import Bundle
from companion.persona.ingest.records import ChatRecord

def export(n):
    start = dt.datetime(2015, 1, 1) + dt.timedelta(days=400 * n)
    for i in range({PAIRS_PER_FILE}):
        t = start + dt.timedelta(hours=i)
        yield ChatRecord("whatsapp", f"chat{{n}}", "Ann", f"question {{n}}-{{i}} about the garden?", t)
        yield ChatRecord("whatsapp", f"chat{{n}}", "Rose", f"answer {{n}}-{{i}}: the roses, love.", t + dt.timedelta(minutes=1))

with Bundle.open(Path(sys.argv[1]), {SECRET!r}) as bundle:
    print("importing", flush=True)  # the test kills from here on, not while Python is still starting
    for n in range({FILES}):
        import_records(bundle, export(n), filename=f"chat{{n}}.txt", file_sha256=f"{{n:064x}}", fmt="whatsapp",
                       speaker="Rose", redactor=lambda text: text, progress=False)
print("done")
"""


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
    progress = []
    for _ in range(KILLS):
        process = subprocess.Popen([sys.executable, str(script), str(folder)], stdout=subprocess.PIPE)
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 120)  # its start-up can take seconds when loaded
        assert ready and process.stdout.readline() == b"importing\n", "the importer did not start"
        time.sleep(rng.uniform(0.0, 2.2))  # not a wait for anything: a random moment of the import to kill at
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)  # reaped, its pipe read to the end and closed
        progress.append(check_consistent(folder))
    done = subprocess.run([sys.executable, str(script), str(folder)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.split() == ["importing", "done"], done.stderr
    assert check_consistent(folder) == FILES
    assert progress == sorted(progress), progress  # files done never go backwards
    with Bundle.open(folder, SECRET) as bundle:
        assert bundle.count("records") == FILES * PAIRS_PER_FILE * 2
        statuses = json.dumps(journal_summaries(bundle))
        assert statuses.count('"imported"') == FILES


def started_importing(process: subprocess.Popen[bytes], timeout: float = 120.0) -> bool:
    """Wait for the import's progress bar ("importing <file>") on stderr: the work has begun."""
    assert process.stderr is not None
    seen, deadline = b"", time.monotonic() + timeout
    while b"importing" not in seen:
        ready, _, _ = select.select([process.stderr], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(process.stderr.fileno(), 4096) if ready else b""
        if not chunk:
            return False  # timed out, or the process ended first
        seen = seen[-64:] + chunk
    return True


@pytest.mark.integration  # kills real processes again and again: too slow for the fast lane
def test_kill_minus_nine_during_the_cli_import_of_a_whatsapp_export(tmp_path: Path) -> None:
    """The same through `companion persona import` with the real WhatsApp parser and redaction."""
    from bench.make_export import write_export

    export = write_export(tmp_path / "WhatsApp Chat with Grandma Rose.txt", 15_000)
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
        assert started_importing(process), "the import did not start"
        time.sleep(rng.uniform(0.0, 2.0))  # not a wait for anything: a random moment of the import to kill at
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)  # reaped, its pipe read to the end and closed
        with Bundle.open(folder, SECRET) as bundle:
            assert verify_bundle(bundle).ok
            journal = journal_summaries(bundle)
            assert bundle.count("records") == sum(int(s["kept"]) + int(s["contexts"]) for s in journal)  # type: ignore[call-overload]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with Bundle.open(folder, SECRET) as bundle:
        assert verify_bundle(bundle).ok
        (summary,) = journal_summaries(bundle)
        assert summary["kept"] > 5000 and bundle.count("reply_pairs") == summary["pairs"]
