"""The composition root loads the multilingual model once: an English persona's synonym check and
the crisis detector (its exemplar classes and learned layer) embed with the same instance, and that
instance gives the same vectors when both call it at once (the warm-up thread and a turn)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path

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


def test_persona_eval_loads_each_sentence_model_once(test_settings: Settings, monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    """`persona eval` (every engine through the crisis check and the guardrails, as the device
    speaks): the persona's synonyms and the crisis check share one multilingual model, and the
    persona's MiniLM serves the guardrails' and the crisis check's English classes."""
    from companion.ethics.spoken import as_spoken
    from companion.persona.embedder import SentenceEmbedder
    from companion.persona.eval import run_eval
    from companion.persona.multilingual import MultilingualEmbedder

    loads: Counter[str] = Counter()
    for model in (MultilingualEmbedder, SentenceEmbedder):
        def counting(self, *args, _init=model.__init__, _name=model.__name__, **kwargs):  # type: ignore[no-untyped-def]
            loads[_name] += 1
            _init(self, *args, **kwargs)

        monkeypatch.setattr(model, "__init__", counting)
    persona = tmp_path / "walter"
    persona.mkdir()
    (persona / "persona.toml").write_bytes((DEMO_PERSONA_DIR / "persona.toml").read_bytes())
    lines = (DEMO_PERSONA_DIR / "messages.jsonl").read_text().splitlines(keepends=True)
    (persona / "messages.jsonl").write_text("".join(lines[:40]))  # what is counted is the loads, not the answers
    settings = replace(test_settings, paths=replace(test_settings.paths, cache_dir=str(tmp_path / "cache")),
                       persona=replace(test_settings.persona, lm_model="lm-not-built-here"))  # retrieval only
    report = run_eval(persona, settings, spoken=as_spoken, progress=False)
    assert set(report["engines"]) == {"retrieval"} and report["engines"]["retrieval"]["harmless_rate"] >= 0.0
    assert loads == {"MultilingualEmbedder": 1, "SentenceEmbedder": 1}, loads
