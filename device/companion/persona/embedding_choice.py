"""Which sentence embedder (and decline threshold) a persona is searched with, and loading it.

English personas keep all-MiniLM-L6-v2; other languages get the multilingual USE model, which is
also the one English personas use for single-word meaning (synonyms.py). The process's one
multilingual model (the composition root's, shared with the crisis detector) is used when given.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelError
from .embedder import SentenceEmbedder
from .synonyms import WordMatcher

if TYPE_CHECKING:
    from .multilingual import SharedMultilingual

logger = logging.getLogger(__name__)

EMBED_MODEL_NAME = "embed-minilm"
DEFAULT_MIN_SCORE = 0.45
"""Measured on the demo persona: paraphrased in-domain questions scored >= 0.61, unrelated ones
median 0.31 (4 of 25 above 0.45, each with a passable in-character answer); see the integration test."""
MULTILINGUAL_MIN_SCORE = 0.52
"""The decline threshold for personas searched with the multilingual embedder (plus the lexical
signal for Chinese): the setting's default (DEFAULT_MIN_SCORE) is calibrated for MiniLM."""


def word_matcher(models_dir: Path, language: str, threads: int,
                 multilingual: SharedMultilingual | None = None) -> WordMatcher | None:
    """Single-word meaning for an English persona (synonyms.py), from the installed multilingual model."""
    from .multilingual import MODEL_NAME

    if language.lower().split("-")[0] != "en":
        return None
    try:
        return WordMatcher(load_embedder(models_dir, MODEL_NAME, threads, multilingual))
    except ModelError as exc:  # answers still work, by shared words only
        logger.warning("no synonyms for the persona's answer check (%s); run `companion models install`", exc)
        return None


def embedding_for_language(language: str, model_name: str = EMBED_MODEL_NAME,
                           min_score: float = DEFAULT_MIN_SCORE) -> tuple[str, float]:
    """The embedding model and decline threshold for a persona in ``language``: English (and any
    persona whose settings name another model) keeps ``model_name``; a non-English persona with
    the default English model gets the multilingual one and its calibrated threshold (unless
    ``min_score`` was set away from the English default)."""
    from .multilingual import MODEL_NAME

    if language.lower().split("-")[0] == "en":
        return model_name, min_score
    name = MODEL_NAME if model_name == EMBED_MODEL_NAME else model_name
    return name, MULTILINGUAL_MIN_SCORE if name == MODEL_NAME and min_score == DEFAULT_MIN_SCORE else min_score


def load_embedder(models_dir: Path, model_name: str, threads: int,
                  multilingual: SharedMultilingual | None = None) -> Any:
    """``multilingual``: the shared multilingual model, used (not loaded again) when ``model_name`` is it."""
    from .multilingual import MODEL_NAME, MultilingualEmbedder

    model_dir = Path(models_dir) / model_name
    if model_name == MODEL_NAME:
        return multilingual.get() if multilingual is not None else MultilingualEmbedder(model_dir, threads=threads)
    return SentenceEmbedder(model_dir / "model.onnx", model_dir / "tokenizer.json", threads=threads)
