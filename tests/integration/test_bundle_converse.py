"""A WhatsApp export -> an encrypted, consented bundle -> a spoken conversation with it, all through
the `companion` command with the real parsers, SQLCipher, MiniLM, Whisper and Piper."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CANARY = "CANARY-quince-4471"
PIE = "Cold butter and a pinch of nutmeg, love, and never open the oven door while it bakes."
CHAT = f"""\
12/03/2019, 09:14 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.
12/03/2019, 09:15 - Tom: Morning Grandma! How do you make your apple pie?
12/03/2019, 09:17 - Grandma Rose: {PIE}
12/03/2019, 09:18 - Tom: Thanks!! 👍
13/03/2019, 18:02 - Tom: Did you call the plumber? His number is 07700 900461
13/03/2019, 18:05 - Grandma Rose: Yes, he comes on Tuesday. {CANARY}
14/03/2019, 20:40 - Tom: Where did you meet Grandpa?
14/03/2019, 20:41 - Grandma Rose: At the dance hall in Leeds, in 1961.
14/03/2019, 20:41 - Grandma Rose: He stepped on my feet all night ❤️
15/03/2019, 07:30 - Tom: <Media omitted>
15/03/2019, 07:35 - Grandma Rose: What a lovely photo, sweetheart.
16/03/2019, 12:00 - Tom: What was your first job?
16/03/2019, 12:04 - Grandma Rose: I worked at the wool mill from fourteen,
sweeping floors for two shillings a week.
"""


def companion(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "companion", *args], env=env, capture_output=True, text=True,
                          timeout=600, stdin=subprocess.DEVNULL)


def containing(folder: Path, needle: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def test_import_a_whatsapp_export_and_converse_with_the_bundle(
    speak, cli_env: dict[str, str], tmp_path: Path
) -> None:
    bundle = tmp_path / "rose"
    key = tmp_path / "persona.key"
    key.write_text("a long family passphrase\n")
    export = tmp_path / "WhatsApp Chat with Grandma Rose.txt"
    export.write_text(CHAT, encoding="utf-8")
    env = dict(cli_env, COMPANION_PERSONA_KEY_FILE=str(key))

    # No bundle without consent; then a real one.
    refused = companion(["persona", "create", "Grandma Rose", "--dir", str(bundle), "--status", "deceased",
                         "--authorised-by", "Tom", "--relationship", "grandchild", "--audience", "household",
                         "--adult"], env)
    assert refused.returncode == 1 and "consent not confirmed" in refused.stderr and not bundle.exists()
    created = companion(["persona", "create", "Grandma Rose", "--dir", str(bundle), "--status", "deceased",
                         "--authorised-by", "Tom", "--relationship", "grandchild", "--audience", "household",
                         "--adult", "--confirm", "--fallback", "Oh, I don't remember that, love."], env)
    assert created.returncode == 0, created.stderr

    imported = companion(["persona", "import", str(bundle), "--format", "auto", "--speaker", "grandma rose",
                          "--json", str(export)], env)
    assert imported.returncode == 0, imported.stderr
    summary = json.loads(imported.stdout)
    assert summary["files"][0]["format"] == "whatsapp"
    assert summary["totals"]["kept"] == 6 and summary["totals"]["pairs"] == 5
    assert summary["index"]["texts"] >= 9
    again = companion(["persona", "import", str(bundle), "--speaker", "Grandma Rose", "--json", str(export)], env)
    assert json.loads(again.stdout)["files"][0]["status"] == "already imported"

    verified = companion(["persona", "verify", str(bundle)], env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    shown = json.loads(companion(["persona", "show", str(bundle), "--json"], env).stdout)
    assert shown["consent"]["relationship"] == "grandchild" and shown["signature_ok"]
    assert shown["records_by_speaker"]["Grandma Rose"] == 6 and shown["date_range"][0].startswith("2019-03-12")

    reply_wav = tmp_path / "reply.wav"
    done = companion(["converse", "--persona", str(bundle), "--input", str(speak("How do you make your apple pie?")),
                      "--output", str(reply_wav), "--json"], env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["reply_source"]["kind"] == "memory"
    assert result["reply"].replace(" ", "") == PIE.replace(" ", "")
    assert reply_wav.stat().st_size > 10_000

    # Nothing in clear text on disk: not in the bundle, not in any cache the run wrote.
    for folder in (bundle, Path(cli_env["XDG_CACHE_HOME"])):
        assert containing(folder, CANARY) == [] and containing(folder, "nutmeg") == []
    # Third parties' numbers were redacted before they were stored (C7).
    from companion.persona.bundle.store import Bundle

    with Bundle.open(bundle, key.read_bytes().strip()) as opened:
        stored = [row[0] for row in opened.db.execute("SELECT text FROM records")]
    assert any("plumber" in text for text in stored) and not any("900461" in text for text in stored)

    erased = companion(["persona", "erase", str(bundle), "--yes"], env)
    assert erased.returncode == 0, erased.stderr
    after = companion(["converse", "--persona", str(bundle), "--input", str(speak("How do you make your apple pie?")),
                       "--output", str(tmp_path / "r2.wav")], env)
    assert after.returncode == 1 and after.stderr.strip().count("\n") == 0 and "erased" in after.stderr
