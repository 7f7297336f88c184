"""A retrieval persona that answers from a bundle's reply pairs (the person's own words).

The bundle is unlocked, its consent checked (C1: no persona loads without a valid, signed
record), the memory index brought up to date and decrypted into RAM, and the database closed
again: the running service holds the words and vectors in memory only.
"""

from __future__ import annotations

import datetime as _dt
import logging
from pathlib import Path
from typing import Any

from ..recorded import NO_RECORDINGS, load_library, message_id
from ..folder import PersonaFolder, PersonaMessage
from ..retrieval import DEFAULT_MIN_SCORE, RetrievalPersona
from .index import load_index
from .keys import BundleError, read_secret
from .store import Bundle, database_errors_as_bundle_errors

logger = logging.getLogger(__name__)


def load_bundle_persona(
    path: Path,
    embedder: Any,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    key_file: str | Path | None = None,
    secret: bytes | None = None,
    now: _dt.datetime | None = None,
    play_recordings: bool = True,
) -> RetrievalPersona:
    """Unlock, check consent, load the memory index, and build the engine.

    ``embedder`` may be a function of the card's language returning (embedder, min_score), for
    callers that pick the model by the persona's language (retrieval.load_retrieval_persona)."""
    if secret is None:
        secret = read_secret(settings_key_file=key_file or None, prompt_name=f"persona bundle {path}")
    with database_errors_as_bundle_errors(Path(path)), Bundle.open(path, secret) as bundle:
        consent = bundle.check_consent(now=now)
        card = bundle.card
        if not hasattr(embedder, "embed"):
            embedder, min_score = embedder(card.language)
        index = load_index(bundle, embedder, progress=False)
        # the person's recorded passages, played instead of synthesized (issue 20); the composition
        # root hands them to the reply line (persona.recordings)
        library = load_library(bundle) if play_recordings else NO_RECORDINGS
        bundle_id = bundle.bundle_id
    if not index.answers:
        raise BundleError("the persona bundle has no messages yet", where=str(path),
                          hint="import some with `companion persona import`")
    messages = tuple(
        PersonaMessage(id=message_id(bundle_id, pair_id) if message_id(bundle_id, pair_id) in library
                       else f"pair-{pair_id}", text=answer, context=context, time=time, source=source)
        for pair_id, context, answer, time, source in zip(
            index.pair_ids.tolist(), index.contexts, index.answers, index.times, index.sources
        )
    )
    folder = PersonaFolder(
        path=Path(path), name=card.name, display_name=card.display_name, description="",
        language=card.language, fallback_replies=card.fallback_replies, messages=messages,
    )
    logger.info("persona bundle loaded: %d reply pairs, %d distinct texts", len(messages), len(index.matrix))
    persona = RetrievalPersona(
        folder, embedder, min_score=min_score, index=(index.matrix, index.context_rows, index.answer_rows)
    )
    persona.consent = consent  # the ethics gate re-checks it (expiry) at every session
    persona.recordings = library
    return persona
