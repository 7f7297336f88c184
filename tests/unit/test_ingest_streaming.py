"""Parsers stream: memory does not grow with the export's size, and nothing is written anywhere."""

from __future__ import annotations

import json
import shutil
import sys
import tracemalloc
from pathlib import Path

import pytest

from companion.persona.ingest import detect_format, make_parser
from unit.ingest_helpers import EXPORTS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from make_export import write_export  # noqa: E402


def _peak_while_parsing(fmt: str, path: Path) -> tuple[int, int]:
    parser = make_parser(fmt)
    tracemalloc.start()
    try:
        count = sum(1 for _ in parser.parse(path))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def test_whatsapp_memory_does_not_grow_with_the_export(tmp_path: Path) -> None:
    small = write_export(tmp_path / "WhatsApp Chat with Rose.txt", messages=2_000)
    _, small_peak = _peak_while_parsing("whatsapp", small)
    large = write_export(tmp_path / "WhatsApp Chat with Tom.txt", messages=6_000)
    count, large_peak = _peak_while_parsing("whatsapp", large)
    assert count > 5_800
    assert large_peak < small_peak * 1.5, (small_peak, large_peak)


def _telegram_export(path: Path, messages: int) -> Path:
    message = {"id": 0, "type": "message", "date": "2021-06-01T08:05:12", "from": "Rose", "from_id": "user1",
               "text": ["Good morning, love ☀️ ", {"type": "bold", "text": "see you soon"}]}  # fmt: skip
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"name": "Rose", "type": "personal_chat", "id": 1, "messages": [')
        out.write(",".join(json.dumps(dict(message, id=i), ensure_ascii=False) for i in range(messages)))
        out.write("]}")
    return path


def test_telegram_memory_does_not_grow_with_the_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import companion.persona.ingest._jsonstream as jsonstream

    monkeypatch.setattr(jsonstream, "_CHUNK", 8 * 1024)
    _, small_peak = _peak_while_parsing("telegram", _telegram_export(tmp_path / "small.json", 1_000))
    large = _telegram_export(tmp_path / "result.json", 4_000)
    count, large_peak = _peak_while_parsing("telegram", large)
    assert count == 4_000
    assert large_peak < small_peak * 1.5, (small_peak, large_peak)
    assert large_peak < large.stat().st_size / 4


def test_parsing_writes_nothing(tmp_path: Path) -> None:
    copy = tmp_path / "exports"
    shutil.copytree(EXPORTS, copy)
    before = {p: p.stat().st_mtime_ns for p in copy.rglob("*")}
    forum = {"mapping": "time=Date,speaker=From,text=Body,time_format=%d.%m.%Y %H:%M"}
    for path in sorted(p for p in copy.rglob("*") if p.is_file() and p.suffix != ".sql" and p.name != "users.json"):
        list(make_parser(detect_format(path), **(forum if "forum" in path.name else {})).parse(path))
    assert {p: p.stat().st_mtime_ns for p in copy.rglob("*")} == before
