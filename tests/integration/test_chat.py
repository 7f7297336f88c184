"""`companion chat` as a user runs it: a subprocess with stdin lines, the real embedder and guardrails."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def chat(args: list[str], env: dict[str, str], data: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "companion", "chat", *args], env=env, input=data,
                          capture_output=True, timeout=600)


def test_a_text_conversation_with_the_demo_persona(cli_env: dict[str, str]) -> None:
    lines = ["Hi grandpa!", "My name is Lucy.", "Tell me about your truck.", "How old is it?", "What's my name?",
             "Have you ever been to Japan?", "What was your father's first name?", "I got engaged last night!",
             "I want to end my life"]
    done = chat(["--json"], cli_env, "\n".join(lines).encode() + b"\n")
    assert done.returncode == 0, done.stderr.decode()
    replies = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert len(replies) == len(lines)
    assert all({"reply", "kind", "message_id", "score", "latency_ms"} <= set(r) for r in replies)
    assert replies[0]["disclosure"] and "AI re-creation" in replies[0]["disclosure"]
    assert replies[1]["disclosure"] is None
    assert replies[2]["kind"] == "memory" and replies[2]["message_id"] == "cars-02"
    assert replies[3]["kind"] == "memory" and replies[3]["message_id"].startswith("cars-")  # the truck's, not his age
    assert replies[4]["kind"] == "reflection" and "Lucy" in replies[4]["reply"]
    assert replies[5]["kind"] == "fallback" and replies[5]["message_id"] is None
    assert replies[6]["kind"] not in ("honesty", "refusal", "crisis")
    assert replies[7]["kind"] == "memory"
    assert replies[8]["kind"] == "crisis"


def test_bad_input_gets_one_clear_line_each(cli_env: dict[str, str]) -> None:
    data = b"\n" + b"a" * 10_000 + b"\n" + b"\xc3\x28 not utf-8\n" + b"Goodnight grandpa\n"
    done = chat([], cli_env, data)
    err = done.stderr.decode()
    assert done.returncode == 1 and "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("companion chat: line")] == [
        "companion chat: line 1 is empty; type what you want to say (Ctrl-D ends the chat)",
        "companion chat: line 2 is too long (more than 2000 characters); say it in shorter lines",
        "companion chat: line 3 is not UTF-8 text; send UTF-8",
    ]
    assert "Grandpa Walt:" in done.stdout.decode()  # the good line was still answered


def test_a_locked_bundle_without_a_key_is_one_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    bundle, key = tmp_path / "rose", tmp_path / "rose.key"
    key.write_text("a long family passphrase\n")
    created = subprocess.run(
        [sys.executable, "-m", "companion", "persona", "create", "Grandma Rose", "--dir", str(bundle), "--status",
         "deceased", "--authorised-by", "Tom", "--relationship", "grandchild", "--audience", "household", "--adult",
         "--confirm", "--fallback", "Oh, I don't remember that, love."],
        env=dict(cli_env, COMPANION_PERSONA_KEY_FILE=str(key)), capture_output=True, text=True, timeout=600,
        stdin=subprocess.DEVNULL)
    assert created.returncode == 0, created.stderr
    env = {k: v for k, v in cli_env.items() if k != "COMPANION_PERSONA_KEY_FILE"}
    done = chat(["--persona", str(bundle)], env, b"Hello\n")
    err = done.stderr.decode().strip()
    assert done.returncode == 1 and "Traceback" not in err
    assert err.count("\n") == 0 and err.startswith("companion: error:") and "key" in err
