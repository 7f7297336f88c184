"""The semantic cue backstop on the real embedding model (all-MiniLM-L6-v2, ONNX).

Statements no cue rule words must still be found, and ordinary grief and everyday talk must not
be: the sentences here are not exemplars of semantic.py nor prompts of the red-team sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.ethics import cues
from companion.ethics.semantic import SemanticCues
from companion.persona.embedder import SentenceEmbedder

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def semantic(models_dir: Path) -> SemanticCues:
    folder = models_dir / "embed-minilm"
    return SemanticCues(SentenceEmbedder(folder / "model.onnx", folder / "tokenizer.json", threads=1))


def test_indirect_crisis_statements_no_rule_words_are_found(semantic: SemanticCues) -> None:
    for text in ("I think my time here is over and I've accepted it.", "Nobody needs me anymore, so I am getting ready to go."):
        assert not cues.is_crisis(text), "pick a sentence the rules miss: this test is about the model"
        assert semantic(text) == "crisis", (text, semantic.scores(text))


def test_ordinary_talk_is_left_alone(semantic: SemanticCues) -> None:
    for text in ("We planted a tree for you in the park.", "Can you tell me how you proposed to Gran?",
                 "The dog still waits by the door for you."):
        assert semantic(text) is None, (text, semantic.scores(text))


def test_chinese_is_left_to_the_rules(semantic: SemanticCues) -> None:
    assert semantic("我想结束一切") is None
