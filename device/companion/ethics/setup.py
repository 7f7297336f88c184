"""The ethics layer as the composition root builds it: guard the persona, hooks, start-up checks.

app.py calls these three functions, so every way of running the pipeline (live, converse, demo)
goes through the same guardrails, the same hooks and the same start-up refusal.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings
from ..persona.base import PersonaEngine
from ..tts.base import SpeechSynthesizer
from .care import CareState
from .crisis import CrisisClasses, CrisisDetector
from .crisis_learned import LearnedCrisis, fit_into_models, load_or_fit
from .crisis_neighbours import SHIPPED as NEIGHBOURS_SHIPPED
from .crisis_neighbours import NeighbourVote, embed_into_models, load_or_embed
from .disclosure import disclosure_language
from .genlog import GenerationLog
from .guardrails import GuardedPersona, guard
from .runtime import EthicsHooks
from .safety import SafetyCheck
from .semantic import Embedder, SemanticCues
from .settings import check_ethics_settings, help_line

if TYPE_CHECKING:
    from ..persona.multilingual import SharedMultilingual

logger = logging.getLogger(__name__)


def persona_id(settings: Settings) -> str:
    """A stable, content-free id from the persona's consent record (gate.persona_id)."""
    from .gate import persona_id as id_of

    return id_of(settings.persona.path)


def neutral_voice_languages(settings: Settings) -> frozenset[str]:
    """Language families the neutral voice speaks, read from its Piper config ("en" when unknown).

    Guardrail answers are written in a language this voice can say (C3, C9)."""
    from ..tts.espeak import ESPEAK_PREFIX, VOICES

    if settings.tts.neutral_voice.startswith(ESPEAK_PREFIX):  # espeak-ng (e.g. cmn, Mandarin): see tts/espeak.py
        voice = settings.tts.neutral_voice[len(ESPEAK_PREFIX):]
        return frozenset({next((lang for lang, v in VOICES.items() if v == voice), voice)})
    folder = settings.paths.models / settings.tts.neutral_voice
    for config in sorted(folder.glob("*.onnx.json")):
        try:
            data = json.loads(config.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            logger.warning("cannot read the neutral voice config %s (%s): assuming English", config, exc)
            break
        from ..models.user_voice import voice_language

        return frozenset({voice_language(data) or "en"})
    return frozenset({"en"})


def guard_persona(settings: Settings, persona: PersonaEngine, *, embedder: Embedder | None = None,
                  semantic: SemanticCues | None = None) -> GuardedPersona:
    """``embedder``: the persona's loaded sentence embedder, shared by the semantic cue check;
    ``semantic``: that check already built (one for several engines, as `persona eval` guards each)."""
    if isinstance(persona, GuardedPersona):
        return persona
    ethics = settings.ethics
    languages = neutral_voice_languages(settings)
    if "zh" not in languages:
        logger.info("neutral voice %s speaks %s only: no registry package ships a Chinese Piper voice, so "
                    "answers to Chinese speech in the neutral voice are in English", settings.tts.neutral_voice,
                    ", ".join(sorted(languages)))
    return guard(persona, crisis_template=ethics.crisis_message, help_number=help_line(ethics),
                 emergency_contact=ethics.emergency_contact, neutral_languages=languages,
                 semantic=semantic if semantic is not None else semantic_cues(settings, embedder))


def semantic_cues(settings: Settings, embedder: Embedder | None = None) -> SemanticCues | None:
    """The semantic backstop on the installed embedding model; None (rules only) without it."""
    from ..errors import CompanionError
    from ..persona.embedder import SentenceEmbedder

    if embedder is not None:
        return SemanticCues(embedder)
    model_dir = settings.paths.models / settings.persona.embedding_model
    try:
        return SemanticCues(SentenceEmbedder(model_dir / "model.onnx", model_dir / "tokenizer.json", threads=1))
    except CompanionError as exc:
        logger.warning("no semantic cue check (%s): cues are matched by the rules only", exc)
        return None


CRISIS_MODEL = "embed-use-multilingual"
"""The multilingual sentence model the crisis classes use (the same one Chinese search uses)."""


def crisis_model(models_dir: Path, embedder: Embedder | None = None,
                 multilingual: SharedMultilingual | None = None) -> CrisisClasses | None:
    """The crisis exemplar classes over the installed multilingual embedder; None (rules only) without it.
    ``embedder``: that model already loaded (a Chinese persona searches with it), shared, not loaded again;
    else ``multilingual``'s (the process's one copy); else a copy loaded here."""
    from ..errors import CompanionError
    from ..persona.multilingual import MultilingualEmbedder

    try:
        if embedder is None:
            embedder = (multilingual.get() if multilingual is not None
                        else MultilingualEmbedder(models_dir / CRISIS_MODEL, threads=1))
        return CrisisClasses(embedder)
    except CompanionError as exc:
        logger.warning("no crisis model (%s): crisis cues are matched by the rules only", exc)
        return None


def learned_crisis(embedder: Embedder, cache_dir: Path | None, models_dir: Path | None = None) -> LearnedCrisis | None:
    """The learned crisis layer (crisis_learned.py) over ``embedder`` (the multilingual model): the fit made at
    install (in ``models_dir``), else one fitted once and cached in ``cache_dir``; None (rules and exemplars
    only) when it cannot be built."""
    fingerprint = getattr(embedder, "fingerprint", None)
    try:
        model = load_or_fit(embedder, cache_dir, fingerprint if isinstance(fingerprint, str) else None,
                            models_dir=models_dir)
    except Exception as exc:  # a broken model must not stop the service: the rules and exemplars remain
        logger.warning("no learned crisis layer (%s): the rules and exemplar classes remain", exc)
        return None
    return LearnedCrisis(embedder, model)


def crisis_neighbours(embedder: Embedder, cache_dir: Path | None, models_dir: Path | None = None) -> NeighbourVote | None:
    """The nearest-training-rows vote (crisis_neighbours.py) over ``embedder``: the rows embedded at install
    (in ``models_dir``), else embedded once and cached in ``cache_dir``; None when it cannot be built."""
    fingerprint = getattr(embedder, "fingerprint", None)
    try:
        matrix = load_or_embed(embedder, cache_dir, fingerprint if isinstance(fingerprint, str) else None,
                               models_dir=models_dir)
    except Exception as exc:  # a broken model must not stop the service: the other layers remain
        logger.warning("no crisis neighbour vote (%s): the rules, exemplars and learned layer remain", exc)
        return None
    return NeighbourVote(embedder, matrix)


def prepare_learned_crisis(models_dir: Path) -> Path | None:
    """Fit the learned crisis layer into the models dir (after `companion models install`); None when the
    multilingual model is not installed (the service then runs on the rules and exemplars)."""
    from ..persona.multilingual import MultilingualEmbedder

    try:
        embedder = MultilingualEmbedder(models_dir / CRISIS_MODEL, threads=1)
    except Exception as exc:  # not installed or broken: doctor says so; the rules remain
        logger.warning("crisis classifier not fitted (%s)", exc)
        return None
    if NEIGHBOURS_SHIPPED:
        embed_into_models(embedder, embedder.fingerprint, models_dir)
    return fit_into_models(embedder, embedder.fingerprint, models_dir)


ENGLISH_CRISIS_MODEL = "embed-minilm"
"""The English embedder whose exemplar classes (semantic.py) give the detector a second opinion."""


def crisis_detector(settings: Settings, embedder: Embedder | None = None,
                    english: SemanticCues | None = None, *,
                    multilingual: SharedMultilingual | None = None) -> CrisisDetector:
    """Rules, the multilingual model, and the English MiniLM classes as a second opinion (loaded once,
    shared by every pipeline built on the models).

    ``embedder``: the persona's loaded embedder (model ``settings.persona.embedding_model``): used in place
    of loading MiniLM or the multilingual model a second time (~25 MB each). ``english``: the guard's
    MiniLM classes (``GuardedPersona.semantic``), shared as they are. ``multilingual``: the process's one
    multilingual model (an English persona's synonym check uses it too: ~120 MB a copy); without it (and
    without a multilingual ``embedder``) a copy is loaded here."""
    from ..errors import CompanionError
    from ..persona.embedder import SentenceEmbedder

    persona_embedder, name = embedder, settings.persona.embedding_model
    if name != ENGLISH_CRISIS_MODEL:  # the persona's model is not MiniLM: nothing of it to share here
        english = None
    try:
        if english is None:
            if embedder is None or name != ENGLISH_CRISIS_MODEL:
                folder = settings.paths.models / ENGLISH_CRISIS_MODEL
                embedder = SentenceEmbedder(folder / "model.onnx", folder / "tokenizer.json", threads=1)
            english = SemanticCues(embedder)
    except CompanionError as exc:
        logger.warning("no English crisis classes (%s): the multilingual model and the rules remain", exc)
    shared = persona_embedder if name == CRISIS_MODEL else None
    model = crisis_model(settings.paths.models, shared, multilingual)
    learned = learned_crisis(model.embedder, settings.paths.cache, settings.paths.models) if model is not None else None
    neighbours = (crisis_neighbours(model.embedder, settings.paths.cache, settings.paths.models)
                  if model is not None and NEIGHBOURS_SHIPPED else None)
    return CrisisDetector(model, english=english, learned=learned, neighbours=neighbours)


def shared_models(persona: GuardedPersona) -> tuple[Embedder | None, SemanticCues | None]:
    """The embedder and MiniLM classes a guarded persona already holds (for crisis_detector);
    nothing when its semantic check is not the sentence-model one (rules only, or a test's)."""
    semantic = persona.semantic
    if isinstance(semantic, SemanticCues):
        return semantic.embedder, semantic
    return None, None


def safety_check(settings: Settings, persona: PersonaEngine, detector: CrisisDetector | None = None) -> SafetyCheck:
    """The crisis check each turn starts with (C9): the detector, with these settings' help line and contact."""
    ethics = settings.ethics
    return SafetyCheck(detector or crisis_detector(settings), name=persona.name or persona.display_name,
                       help_number=help_line(ethics), emergency_contact=ethics.emergency_contact,
                       crisis_template=ethics.crisis_message, neutral_languages=neutral_voice_languages(settings))


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
                persona: PersonaEngine, hashes: dict[str, str], detector: CrisisDetector | None = None,
                neutral_by_language: dict[str, SpeechSynthesizer] | None = None, language: str = "en") -> EthicsHooks:
    """``detector``: the loaded crisis detector (loaded here when not given); ``neutral_by_language``: extra neutral
    voices by language (e.g. "zh": a Mandarin voice) for disclosure and crisis texts in that language;
    ``language``: the listener's (persona's) language, the disclosure's when a neutral voice speaks it."""
    ethics = settings.ethics
    voices = neutral_voice_languages(settings) | frozenset(neutral_by_language or {})
    name = persona.name or persona.display_name
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
        safety=safety_check(settings, persona, detector),
        neutral_by_language=neutral_by_language,
        disclosure_language=disclosure_language(language, voices),
    )


def carry_over_folder_name_state(care: CareState, pid: str, folder_name: str) -> None:
    """Care state was once keyed by the folder's name: a persona paused or retired that way stays
    so under its consent id (moved once, so `care resume` then works on the new id)."""
    if folder_name == pid:
        return
    if care.is_retired(folder_name) and not care.is_retired(pid):
        care.retire(pid)
    elif care.is_paused(folder_name):
        if not care.is_paused(pid):
            care.pause(pid)
        care.resume(folder_name)


def check_can_start(settings: Settings) -> None:
    """Refuse to start (one clear error) for ethics settings the ethics layer refuses, a paused or
    retired persona, or without consent."""
    check_ethics_settings(settings.ethics)
    care = CareState(settings.ethics.log_path)
    pid = persona_id(settings)
    carry_over_folder_name_state(care, pid, settings.persona.path.resolve().name)
    care.check_may_speak(pid)
    from .gate import check_persona_consent

    check_persona_consent(settings.persona.path)
