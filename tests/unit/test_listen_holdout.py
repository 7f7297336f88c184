"""The held-out listening set (tests/bench/listen_holdout.py) is well formed: every expected answer
names a message the persona really has, and the sets are as large as issue 13 asks. This checks
the set, not the engine; it never asks the engine anything."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench import listen_holdout, listen_sets

ROOT = Path(__file__).resolve().parents[2]
WALTER_MESSAGES = ROOT / "device" / "companion" / "personas" / "walter" / "messages.jsonl"


def walter_messages() -> dict[str, str]:
    rows = [json.loads(line) for line in WALTER_MESSAGES.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return {r["id"]: r.get("context", "") for r in rows}


def test_sizes_and_no_overlap() -> None:
    for persona in (listen_holdout.WALTER, listen_holdout.JUNE):
        answerable, absent = persona["answerable"], persona["absent"]
        assert isinstance(answerable, dict) and isinstance(absent, list)
        assert len(answerable) >= 25 and len(absent) >= 20
        assert not set(answerable) & set(absent)
        assert len(set(absent)) == len(absent)


def test_walter_expected_ids_exist_and_questions_are_not_stored_ones() -> None:
    messages = walter_messages()
    stored = {c.strip().lower() for c in messages.values()}
    answerable = listen_holdout.WALTER["answerable"]
    assert isinstance(answerable, dict)
    for question, pattern in answerable.items():
        hits = [i for i in messages if re.search(pattern, i)]
        assert hits, f"{question!r}: {pattern} names no message of Walter's"
        assert question.strip().lower() not in stored, f"{question!r} is a stored question, not a paraphrase"


def test_june_expected_words_are_in_her_replies_and_questions_are_not_sams() -> None:
    replies = [text for who, text in listen_sets.JUNE_CHAT if who == "Nana June"]
    asked = {text.strip().lower() for who, text in listen_sets.JUNE_CHAT if who != "Nana June"}
    answerable = listen_holdout.JUNE["answerable"]
    assert isinstance(answerable, dict)
    for question, pattern in answerable.items():
        assert any(re.search(pattern, r) for r in replies), f"{question!r}: {pattern} matches none of June's replies"
        assert question.strip().lower() not in asked
