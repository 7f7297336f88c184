"""Loading a retrieval persona: a plain folder or an encrypted bundle, with its embedder, word
matcher and the answer route's background work started off the first question's path.

Apart from the engine (retrieval.py) because it composes models and storage, not replies."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .embedding_choice import DEFAULT_MIN_SCORE, EMBED_MODEL_NAME, embedding_for_language, load_embedder, word_matcher
from .folder import load_persona_folder

if TYPE_CHECKING:
    from .multilingual import SharedMultilingual
    from .retrieval import RetrievalPersona


def load_retrieval_persona(
    persona_dir: Path,
    models_dir: Path,
    cache_dir: Path | None,
    *,
    model_name: str = EMBED_MODEL_NAME,
    min_score: float = DEFAULT_MIN_SCORE,
    threads: int = 2,
    key_file: str | Path | None = None,
    play_recordings: bool = True,
    multilingual: SharedMultilingual | None = None,
) -> RetrievalPersona:
    """Load the persona (a plain folder, or an encrypted bundle unlocked with ``key_file`` /
    the credential / a prompt) and the installed embedding model, and build the engine.

    ``multilingual``: the process's one multilingual model (the composition root's, also the crisis
    detector's), used for synonyms and non-English search; without it a copy is loaded here."""
    from .bundle.store import is_bundle
    from .retrieval import RetrievalPersona

    if is_bundle(Path(persona_dir)):
        from .bundle.engine import load_bundle_persona

        def for_language(language: str) -> tuple[Any, float]:  # the card (and its language) is in the bundle
            name, score = embedding_for_language(language, model_name, min_score)
            return load_embedder(models_dir, name, threads, multilingual), score

        persona = load_bundle_persona(Path(persona_dir), for_language, min_score=min_score, key_file=key_file,
                                      play_recordings=play_recordings)
    else:
        folder = load_persona_folder(Path(persona_dir))
        name, min_score = embedding_for_language(folder.language, model_name, min_score)
        persona = RetrievalPersona(folder, load_embedder(models_dir, name, threads, multilingual),
                                   min_score=min_score, cache_dir=cache_dir)
    matcher = word_matcher(models_dir, persona.language, threads, multilingual)
    if matcher is not None:
        matcher.warm(f"{m.context or ''} {m.text}" for m in persona.folder.messages)
    persona.use_synonyms(matcher)
    if persona._floor is not None:
        persona._floor.warm()  # off the first question's path
    if persona._generated is not None:
        persona._generated.warm()
    return persona
