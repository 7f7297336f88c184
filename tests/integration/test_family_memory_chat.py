"""What the family told the persona, remembered from one session to the next (issue 13 item 4),
through `companion chat` as a user runs it: a consented bundle from a WhatsApp export, two chat
processes (each its own session), the session gap within one chat driven by an injected clock,
`persona show`/`persona memory`, clearing, a bundle whose consent does not allow it, and erase."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CHAT = """\
12/03/2019, 09:15 - Tom: Morning Grandma! How do you make your apple pie?
12/03/2019, 09:17 - Grandma Rose: Cold butter and a pinch of nutmeg, love.
14/03/2019, 20:40 - Tom: Where did you meet Grandpa?
14/03/2019, 20:41 - Grandma Rose: At the dance hall in Leeds, in 1961, love.
15/03/2019, 07:30 - Tom: I passed my exams!
15/03/2019, 07:35 - Grandma Rose: Congratulations, sweetheart! I knew you would.
16/03/2019, 12:00 - Tom: What was your first job?
16/03/2019, 12:04 - Grandma Rose: I worked at the wool mill from fourteen.
17/03/2019, 21:00 - Tom: Goodnight Grandma
17/03/2019, 21:02 - Grandma Rose: Goodnight, love. Sleep tight.
"""


def companion(args: list[str], env: dict[str, str], data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "companion", *args], env=env, input=data or b"",
                          capture_output=True, timeout=600, check=False)


def make_bundle(folder: Path, export: Path, env: dict[str, str], *, remember: bool) -> None:
    created = companion(["persona", "create", "Grandma Rose", "--dir", str(folder), "--status", "deceased",
                         "--authorised-by", "Tom", "--relationship", "grandchild", "--audience", "household",
                         "--adult", "--confirm"] + (["--family-memory"] if remember else []), env)
    assert created.returncode == 0, created.stderr.decode()
    imported = companion(["persona", "import", str(folder), "--speaker", "Grandma Rose", str(export)], env)
    assert imported.returncode == 0, imported.stderr.decode()


def chat(bundle: Path, env: dict[str, str], lines: list[str]) -> list[dict]:
    done = companion(["chat", "--persona", str(bundle), "--json"], env, "\n".join(lines).encode() + b"\n")
    assert done.returncode == 0, done.stderr.decode()
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


def on_disk(folder: Path, needle: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def test_news_told_in_one_session_is_remembered_in_the_next(cli_env: dict[str, str], tmp_path: Path,
                                                            test_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    key = tmp_path / "persona.key"
    key.write_text("a long family passphrase\n")
    export = tmp_path / "WhatsApp Chat with Grandma Rose.txt"
    export.write_text(CHAT, encoding="utf-8")
    env = dict(cli_env, COMPANION_PERSONA_KEY_FILE=str(key))
    bundle = tmp_path / "rose"
    make_bundle(bundle, export, env, remember=True)

    first = chat(bundle, env, ["My name is Tom.", "I got the nurse job!", "Goodnight Grandma"])
    assert first[1]["kind"] == "memory"  # her congratulations, as before
    assert (bundle / "family.sealed").is_file() and on_disk(bundle, "nurse") == []  # sealed, never in plaintext

    second = chat(bundle, env, ["Do you remember what I told you?", "What's my name?"])
    assert second[0]["disclosure"]  # a new session
    assert second[0]["kind"] == "reflection" and second[0]["reply"] == "You told me you got the nurse job, love."
    assert second[1]["kind"] == "reflection" and second[1]["reply"] == "You're Tom, aren't you, love?"

    shown = companion(["persona", "show", str(bundle)], env)
    assert shown.returncode == 0 and "family memory: allowed by the consent; 2 entries" in shown.stdout.decode()
    assert "Tom: I got the nurse job!" in shown.stdout.decode()
    listed = json.loads(companion(["persona", "memory", str(bundle), "--json"], env).stdout)
    assert [(e["kind"], e["said"]) for e in listed["entries"]] == [("name", "Tom"), ("news", "I got the nurse job!")]

    # Within one chat, across the session gap of an injected clock: the history is gone, the memory is not.
    monkeypatch.setenv("XDG_STATE_HOME", cli_env["XDG_STATE_HOME"])  # the consent key the bundle was signed with
    from companion.service.chat import open_chat

    now = [1_900_000_000.0]
    settings = replace(test_settings, persona=replace(test_settings.persona, dir=str(bundle), key_file=str(key)))
    session = open_chat(settings, clock=lambda: now[0])
    assert session.say("We're having a baby!").pieces
    assert "baby" in session.say("What did I just tell you?").reply  # this session's own memory
    now[0] += (settings.ethics.session_gap_min + 1) * 60
    after_gap = session.say("Do you remember what I told you last time?")
    assert after_gap.new_session and session.history[:-1] == []
    assert after_gap.to_dict()["kind"] == "reflection"
    assert after_gap.reply == "You told me you're having a baby, and you got the nurse job, love."

    cleared = companion(["persona", "memory", str(bundle), "--clear"], env)
    assert cleared.returncode == 0 and "cleared" in cleared.stdout.decode()
    assert not (bundle / "family.sealed").exists()
    assert session.say("What did I tell you last time?").to_dict()["kind"] != "reflection"  # forgotten while running
    assert chat(bundle, env, ["Do you remember what I told you?"])[0]["kind"] != "reflection"

    session.say("I got engaged!")
    assert (bundle / "family.sealed").is_file()
    erased = companion(["persona", "erase", str(bundle), "--yes"], env)
    assert erased.returncode == 0 and not (bundle / "family.sealed").exists()  # erase takes it with the rest


def test_nothing_is_kept_when_the_consent_does_not_allow_it(cli_env: dict[str, str], tmp_path: Path) -> None:
    key = tmp_path / "persona.key"
    key.write_text("a long family passphrase\n")
    export = tmp_path / "WhatsApp Chat with Grandma Rose.txt"
    export.write_text(CHAT, encoding="utf-8")
    env = dict(cli_env, COMPANION_PERSONA_KEY_FILE=str(key))
    bundle = tmp_path / "rose"
    make_bundle(bundle, export, env, remember=False)
    chat(bundle, env, ["My name is Tom.", "I got the nurse job!"])
    assert not (bundle / "family.sealed").exists()
    again = chat(bundle, env, ["Do you remember what I told you?"])[0]
    assert again["kind"] != "reflection" and "nurse" not in again["reply"]
    shown = companion(["persona", "show", str(bundle)], env).stdout.decode()
    assert "family memory: not allowed by the consent (nothing is kept); 0 entries" in shown
