"""The ethics layer as the composition root builds it: guard the persona, hooks, start-up checks.

app.py calls these three functions, so every way of running the pipeline (live, converse, demo)
goes through the same guardrails, the same hooks and the same start-up refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from ..config import Settings
from ..persona.base import PersonaEngine
from ..tts.base import SpeechSynthesizer
from .care import CareState
from .genlog import GenerationLog
from .guardrails import GuardedPersona, guard
from .runtime import EthicsHooks

logger = logging.getLogger(__name__)


def persona_id(settings: Settings) -> str:
    """A stable, content-free id: the persona folder's name."""
    return settings.persona.path.resolve().name


def guard_persona(settings: Settings, persona: PersonaEngine) -> GuardedPersona:
    if isinstance(persona, GuardedPersona):
        return persona
    ethics = settings.ethics
    return guard(persona, crisis_template=ethics.crisis_message, help_number=ethics.help_number,
                 emergency_contact=ethics.emergency_contact)


def model_hashes(models_dir: Path, names: Iterable[str]) -> dict[str, str]:
    """sha256 of every model file, from the install records (not re-hashed: that takes seconds)."""
    from ..models.store import read_record

    hashes: dict[str, str] = {}
    for name in dict.fromkeys(names):
        try:
            record = read_record(models_dir / name)
        except Exception as exc:  # a model loaded from elsewhere (tests): log it as unknown
            logger.debug("no install record for %s: %s", name, exc)
            hashes[name] = "unknown"
            continue
        for path, entry in sorted(record["files"].items()):
            if path.endswith((".onnx", ".bin", ".tflite", ".gguf")):
                hashes[name] = str(entry.get("sha256", "unknown"))
                break
        else:
            hashes[name] = "unknown"
    return hashes


def build_hooks(settings: Settings, *, tts: SpeechSynthesizer, neutral_tts: SpeechSynthesizer | None,
                persona: PersonaEngine, hashes: dict[str, str]) -> EthicsHooks:
    ethics = settings.ethics
    folder = getattr(persona, "folder", None)
    name = getattr(folder, "name", None) or persona.display_name
    return EthicsHooks(
        ethics,
        tts=tts,
        neutral_tts=neutral_tts,
        persona_name=name,
        persona_id=persona_id(settings),
        model_hashes=hashes,
        log=GenerationLog(ethics.log_path, keep_transcripts=ethics.keep_transcripts,
                          retention_days=ethics.transcript_retention_days),
        care=CareState(ethics.log_path),
    )


def check_can_start(settings: Settings) -> None:
    """Refuse to start (one clear error) for a paused or retired persona, or without consent."""
    CareState(settings.ethics.log_path).check_may_speak(persona_id(settings))
    from .gate import check_persona_consent

    check_persona_consent(settings.persona.path)
