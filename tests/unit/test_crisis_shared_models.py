"""The crisis detector shares the persona's loaded sentence model instead of loading its own copy
(issue 14): MiniLM for the English second opinion, the multilingual model for the crisis classes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from companion.config import Settings
from companion.ethics.guardrails import guard
from companion.ethics.semantic import SemanticCues
from companion.ethics.setup import crisis_detector, shared_models
from support.replies import ScriptedEngine


class CountingEmbedder:
    """A stand-in sentence model (no model files are read in a unit test); counts what it embeds."""

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.calls += 1
        rng = np.random.default_rng(abs(hash(tuple(texts))) % 2**32)
        vectors = rng.normal(size=(len(texts), 8)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def settings(tmp_path: Path, model: str) -> Settings:
    base = Settings()
    return replace(base, paths=replace(base.paths, models_dir=str(tmp_path)),
                   persona=replace(base.persona, embedding_model=model))


def test_a_minilm_persona_shares_its_classes_with_the_crisis_detector(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    guard_classes = SemanticCues(embedder)
    guarded = guard(ScriptedEngine("Hello."), crisis_template="Call {help_number}.", help_number="988",
                    semantic=guard_classes)
    shared = shared_models(guarded)
    assert shared == (embedder, guard_classes)
    detector = crisis_detector(settings(tmp_path, "embed-minilm"), *shared)
    assert detector.english is guard_classes  # no second MiniLM (none is installed in tmp_path either)
    assert detector.model is None  # no multilingual model installed: rules and the English classes remain


def test_a_multilingual_persona_shares_its_embedder_with_the_crisis_classes(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    detector = crisis_detector(settings(tmp_path, "embed-use-multilingual"), embedder)
    assert detector.model is not None and detector.model._embedder is embedder
    assert detector.learned is not None and detector.learned._embedder is embedder  # the learned layer shares it too
    assert detector.english is None  # MiniLM is not installed here, and the persona's model is not MiniLM


def test_a_guard_on_the_rules_alone_shares_nothing() -> None:
    rules_only = guard(ScriptedEngine("Hello."), crisis_template="Call {help_number}.", help_number="988")
    assert shared_models(rules_only) == (None, None)
    other = guard(ScriptedEngine("Hello."), crisis_template="Call {help_number}.", help_number="988",
                  semantic=lambda question: None)  # a semantic check with no sentence model behind it
    assert shared_models(other) == (None, None)
