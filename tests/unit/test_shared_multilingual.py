"""One multilingual model per process (persona synonyms or search, and the crisis check): loaded
once by whichever part asks first, a failure reported to every part without reading the files again."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from companion.errors import ModelError
from companion.persona import multilingual
from companion.persona.multilingual import SharedMultilingual


class Loaded:
    """Stands in for the model (no model files are read in a unit test); counts the loads."""

    made = 0

    def __init__(self, model_dir: Path, threads: int = 1) -> None:
        type(self).made += 1
        self.model_dir, self.threads = model_dir, threads


def test_every_part_gets_the_same_model_loaded_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(multilingual, "MultilingualEmbedder", Loaded)
    Loaded.made = 0
    shared = SharedMultilingual(tmp_path, threads=3)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(shared.get())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Loaded.made == 1 and len(got) == 4 and all(g is got[0] for g in got)
    model = shared.get()
    assert isinstance(model, Loaded) and model.model_dir == tmp_path / multilingual.MODEL_NAME and model.threads == 3


def test_a_missing_model_fails_once_and_every_part_hears_it(tmp_path: Path) -> None:
    shared = SharedMultilingual(tmp_path)
    with pytest.raises(ModelError, match="not found") as first:
        shared.get()
    assert "models install" in str(first.value)
    (tmp_path / multilingual.MODEL_NAME).mkdir()  # not looked at again: the first answer stands
    with pytest.raises(ModelError, match="not found") as second:
        shared.get()
    assert second.value is first.value


def test_the_crisis_detector_and_the_synonyms_take_the_shared_model(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    from companion.ethics.setup import crisis_model
    from companion.persona.embedding_choice import word_matcher

    class Words:
        def embed(self, texts):  # type: ignore[no-untyped-def]
            vectors = np.eye(8, dtype=np.float32)
            return vectors[[len(t) % 8 for t in texts]]

    embedder = Words()
    shared = SharedMultilingual(tmp_path)
    monkeypatch.setattr(shared, "get", lambda: embedder)
    matcher = word_matcher(tmp_path, "en", 2, shared)
    model = crisis_model(tmp_path, None, shared)  # nothing installed in tmp_path: only the shared one can serve
    assert matcher is not None and matcher.embedder is embedder
    assert model is not None and model.embedder is embedder
    assert word_matcher(tmp_path, "zh", 2, shared) is None  # synonyms are for English personas only
