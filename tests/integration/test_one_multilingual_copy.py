"""The composition root loads the multilingual model once: an English persona's synonym check and
the crisis detector (its exemplar classes and learned layer) embed with the same instance, and that
instance gives the same vectors when both call it at once (the warm-up thread and a turn)."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest
from companion.config import DEMO_PERSONA_DIR, Settings
from companion.ethics.setup import crisis_detector, shared_models
from companion.models.store import ModelStore
from companion.persona.multilingual import SharedMultilingual
from companion.service.app import load_guarded_persona


@pytest.fixture(scope="module")
def shared(shared_multilingual: SharedMultilingual) -> SharedMultilingual:
    return shared_multilingual  # the session's one copy (the composition root is handed it)


def test_the_persona_and_the_crisis_detector_share_one_model(test_settings: Settings,
                                                             shared: SharedMultilingual) -> None:
    settings = replace(test_settings, persona=replace(test_settings.persona, dir=str(DEMO_PERSONA_DIR), engine="retrieval"))
    guarded, _, _ = load_guarded_persona(settings, ModelStore(settings.paths.models), lm_threads=1,
                                         multilingual=shared)
    detector = crisis_detector(settings, *shared_models(guarded), multilingual=shared)
    persona = guarded.inner
    while not hasattr(persona, "catalogue"):  # inside the family-memory wrapper: the retrieval engine
        persona = persona.inner
    matcher = persona.catalogue.synonyms
    assert matcher is not None and matcher.embedder is shared.get()  # the synonym check's model
    assert detector.model is not None and detector.model.embedder is shared.get()  # the crisis classes'
    assert detector.learned is not None and detector.learned._embedder is shared.get()  # the learned layer's


def test_two_threads_at_once_get_what_each_would_alone(shared: SharedMultilingual) -> None:
    model = shared.get()
    words = [f"{w}" for w in ("garden", "hurt", "injure", "kitchen", "mum", "mom", "job", "work")] * 8
    turns = ["I don't want to be here anymore.", "我今天去公园散步了。", "The roses are out."] * 4
    alone_words, alone_turns = model.embed(words), [model.embed([t]) for t in turns]
    results: dict[str, object] = {}
    start = threading.Barrier(2)

    def warm() -> None:
        start.wait()
        results["words"] = [model.embed(words[i:i + 8]) for i in range(0, len(words), 8)]

    def check() -> None:
        start.wait()
        results["turns"] = [model.embed([t]) for t in turns]

    threads = [threading.Thread(target=warm), threading.Thread(target=check)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert np.allclose(np.concatenate(results["words"]), alone_words, atol=1e-6)  # type: ignore[arg-type]
    for got, alone in zip(results["turns"], alone_turns):  # type: ignore[call-overload]
        assert np.allclose(got, alone, atol=1e-6)
