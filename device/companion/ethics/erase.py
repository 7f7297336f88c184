"""Erasing a persona for good (`persona erase`, `care goodbye`): its bundle, then what was derived from it.

The bundle is crypto-shredded (persona/bundle/maintenance.py), the files derived from it outside
the bundle are removed (persona/traces.py), and the persona's opted-in transcripts are dropped
from the generation log's folder (they name no persona: their utterance ids are its).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def drop_transcripts(log_dir: Path, persona_id: str) -> int:
    """Transcripts name no persona: their utterance ids are this persona's in the generation log."""
    from .genlog import LOG_NAME, TRANSCRIPT_NAME

    transcripts = log_dir / TRANSCRIPT_NAME
    if not transcripts.is_file():
        return 0
    ours = set()
    try:
        for line in (log_dir / LOG_NAME).read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("persona_id") == persona_id:
                ours.add(entry.get("utterance_id"))
    except OSError:
        return 0
    kept, dropped = [], 0
    for line in transcripts.read_text(encoding="utf-8").splitlines():
        try:
            utterance = json.loads(line).get("utterance_id")
        except (ValueError, AttributeError):
            utterance = None
        if utterance in ours:
            dropped += 1
        else:
            kept.append(line)
    if dropped:
        from ..persona.bundle.keys import shred_file

        tmp = transcripts.with_name(f".{transcripts.name}.tmp")
        tmp.write_text("".join(k + "\n" for k in kept), encoding="utf-8")
        shred_file(transcripts)
        tmp.replace(transcripts)
    return dropped


def erase_persona(settings: Any, persona_dir: Path, *, reason: str = "owner request") -> tuple[list[str], list[Path]]:
    """Crypto-shred the bundle (if not already) and remove every derived file; (bundle files, traces).

    Needs no passphrase. Running it on an erased bundle still removes what an older erase left."""
    from ..persona.bundle.maintenance import erase_bundle
    from ..persona.bundle.store import ERASED_FILE
    from ..persona.traces import remove_traces
    from .gate import persona_id

    persona_dir = Path(persona_dir)
    bundle_id = persona_id(persona_dir)  # the key file's id, or the erased marker's
    removed: list[str] = []
    if not (persona_dir / ERASED_FILE).exists():
        removed = erase_bundle(persona_dir, reason=reason)
    traces = remove_traces(settings, persona_dir, bundle_id=bundle_id, names=(persona_dir.resolve().name,))
    dropped = drop_transcripts(Path(settings.ethics.log_path), bundle_id)
    if dropped:
        logger.info("removed %d transcripts of persona %s", dropped, bundle_id)
    if traces:
        from ..persona.bundle.store import audit

        audit(persona_dir, f"removed {len(traces)} derived files outside the bundle (caches, training leftovers)")
    return removed, traces
