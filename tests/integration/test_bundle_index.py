"""The memory index step with the real MiniLM model: killed with SIGKILL mid-way it keeps the
batches it committed, the bundle verifies, and the next run finishes only what is missing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from companion.consent import new_record
from companion.persona.bundle.index import BATCH
from companion.persona.bundle.maintenance import verify_bundle
from companion.persona.bundle.store import Bundle, PersonaCard, new_bundle_id

pytestmark = pytest.mark.integration

SECRET = b"index-test-passphrase"


def test_a_killed_index_resumes_where_it_stopped(cli_env: dict[str, str], tmp_path: Path) -> None:
    from bench.make_export import write_export

    export = write_export(tmp_path / "chat.txt", 600)
    folder = tmp_path / "rose"
    consent = new_record(persona_name="Rose", authorised_by="Tom", relationship="grandchild", status="deceased",
                         audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=new_bundle_id())
    Bundle.create(folder, SECRET, PersonaCard("Rose", "Rose", "en", ("I forget.",)), consent).close()
    key = tmp_path / "key"
    key.write_bytes(SECRET)
    env = dict(cli_env, COMPANION_PERSONA_KEY_FILE=str(key))
    base = [sys.executable, "-m", "companion", "persona"]
    imported = subprocess.run(base + ["import", str(folder), "--speaker", "Grandma Rose", "--no-index", str(export)],
                              env=env, capture_output=True, text=True, timeout=300)
    assert imported.returncode == 0, imported.stderr

    child = subprocess.Popen(base + ["index", str(folder)], env=env, stderr=subprocess.PIPE)
    assert child.stderr is not None
    seen = b""
    deadline = time.monotonic() + 300
    while f"{BATCH}/".encode() not in seen and time.monotonic() < deadline:  # the first batch is committed
        chunk = os.read(child.stderr.fileno(), 4096)
        if not chunk:
            break
        seen += chunk
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stderr.close()

    with Bundle.open(folder, SECRET) as bundle:
        assert verify_bundle(bundle).ok
        partial = bundle.count("vectors")
        needed = len({t for pair in bundle.db.execute("SELECT context, answer FROM reply_pairs") for t in pair if t})
    assert BATCH <= partial < needed, (partial, needed)

    done = subprocess.run(base + ["index", str(folder)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"{needed} texts, {needed - partial} embedded now" in done.stdout
    with Bundle.open(folder, SECRET) as bundle:
        assert bundle.count("vectors") == needed and verify_bundle(bundle).ok
