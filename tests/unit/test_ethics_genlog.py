"""The generation log (C11): ids and model hashes, never content; transcripts only by opt-in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.ethics.genlog import GenerationLog, new_utterance_id


def test_a_record_has_ids_and_hashes_and_no_words(tmp_path: Path) -> None:
    log = GenerationLog(tmp_path)
    uid = new_utterance_id()
    log.record(uid, persona_id="walter", kind="message", models={"tts": "ab" * 32}, disclosure=True)
    log.transcript(uid, "what was your favourite spot", "Heron Point")
    [line] = log.path.read_text().splitlines()
    entry = json.loads(line)
    assert entry["utterance_id"] == f"{uid:08x}" and entry["persona_id"] == "walter"
    assert entry["models"] == {"tts": "ab" * 32} and "time" in entry
    assert "Heron" not in line and "favourite" not in line
    assert not (tmp_path / "transcripts.jsonl").exists()  # not opted in
    assert log.find(f"{uid:08x}") == entry


def test_content_fields_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        GenerationLog(tmp_path).record(1, persona_id="p", kind="message", models={}, reply="hello")


def test_opted_in_transcripts_are_pruned_after_the_retention(tmp_path: Path) -> None:
    log = GenerationLog(tmp_path, keep_transcripts=True, retention_days=7)
    log.transcript(1, "old question", "old reply", now=1_000_000.0)
    log.transcript(2, "new question", "new reply", now=1_000_000.0 + 6 * 86400)
    assert log.prune_transcripts(now=1_000_000.0 + 8 * 86400) == 1
    text = (tmp_path / "transcripts.jsonl").read_text()
    assert "new reply" in text and "old reply" not in text
    GenerationLog(tmp_path, keep_transcripts=False)  # opting out drops what was kept
    assert (tmp_path / "transcripts.jsonl").read_text() == ""
