"""The memory index is built a window at a time (issue 19, item 5): every pair text gets its vector,
a stopped run resumes, and no more than the window's texts are held at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from companion.persona.bundle import index
from companion.persona.bundle.importer import import_records
from companion.persona.bundle.index import build_index, load_index
from companion.persona.ingest.records import ChatRecord
from unit.test_bundle_review import TextEmbedder, make_bundle


class Stop(Exception):
    pass


class Watching(TextEmbedder):
    """Counts what it is asked to embed, and can stop the run after some batches (a kill)."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.calls = 0
        self.texts: list[str] = []
        self.stop_after = stop_after

    def embed(self, texts: list[str]) -> np.ndarray:
        if self.stop_after is not None and self.calls >= self.stop_after:
            raise Stop
        self.calls += 1
        self.texts += texts
        return super().embed(texts)


def test_windows_embed_each_text_once_resume_and_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "WINDOW_TEXTS", 40)
    monkeypatch.setattr(index, "BATCH", 16)
    t0 = dt.datetime(2022, 1, 1)
    records = []
    for i in range(300):
        records.append(ChatRecord("sms", "c", "Ann", f"question {i % 120}?", t0 + dt.timedelta(hours=i)))
        records.append(ChatRecord("sms", "c", "Rose", f"answer {i}", t0 + dt.timedelta(hours=i, minutes=1)))
    with make_bundle(tmp_path / "rose") as bundle:
        import_records(bundle, records, filename="x", file_sha256="a" * 64, fmt="sms", speaker="Rose",
                       redactor=lambda t: t, progress=False)
        distinct = {text for pair in bundle.pairs() for text in pair[1:3] if text}
        stopped = Watching(stop_after=5)
        with pytest.raises(Stop):
            build_index(bundle, stopped, progress=False)
        assert bundle.count("vectors") == len(stopped.texts) > 0  # what finished is kept
        rest = Watching()
        stats = build_index(bundle, rest, progress=False)
        assert len(rest.texts) == len(set(rest.texts)) == len(distinct) - len(stopped.texts)  # none twice
        assert not set(rest.texts) & set(stopped.texts) and stats.texts == len(distinct) == 420
        again = Watching()
        assert build_index(bundle, again, progress=False).embedded_now == 0 and again.calls == 0
        loaded = load_index(bundle, TextEmbedder())
        assert loaded.matrix.shape == (420, 8) and loaded.matrix.dtype == np.float32
        row = loaded.answer_rows[0]
        expected = TextEmbedder().embed([loaded.answers[0]])[0]
        assert np.allclose(loaded.matrix[row], expected, atol=1e-3)


def test_a_window_holds_at_most_its_texts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "WINDOW_TEXTS", 30)
    held = []
    real = index._missing

    def watch(bundle, window):  # type: ignore[no-untyped-def]
        held.append(len(window))
        return real(bundle, window)

    monkeypatch.setattr(index, "_missing", watch)
    t0 = dt.datetime(2022, 1, 1)
    records = [ChatRecord("sms", "c", "Rose" if i % 2 else "Ann", f"message {i}", t0 + dt.timedelta(hours=i))
               for i in range(400)]
    with make_bundle(tmp_path / "rose") as bundle:
        import_records(bundle, records, filename="x", file_sha256="b" * 64, fmt="sms", speaker="Rose",
                       redactor=lambda t: t, progress=False)
        build_index(bundle, TextEmbedder(), progress=False)
        assert bundle.count("vectors") == 400
    assert len(held) > 10 and max(held) <= 30 + 1  # a pair adds at most two texts past the mark
