"""The composition root: the one place that turns settings into real objects.

Models are loaded once (Whisper, Piper and the persona embedder take seconds) and shared by
every pipeline built from them; tests and commands pass their own sources, sinks and pin
factories through the same functions instead of patching internals.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..asr.base import SpeechRecognizer
from ..audio.base import AudioSink, AudioSource
from ..config import Settings
from ..models.store import ModelStore
from ..persona.base import PersonaEngine
from ..tts.base import SpeechSynthesizer
from ..vad.endpointer import Endpointer
from ..vad.webrtc import WebRtcVad
from ..wake.base import WakeWordDetector
from .bargein import build_barge_in
from .pipeline import VoicePipeline
from .state import ConversationStateMachine, Phase
from .threads import plan_threads
from .turn import FillerBank, TurnResult, TurnRunner

logger = logging.getLogger(__name__)


@dataclass
class LoadedModels:
    asr: SpeechRecognizer
    tts: SpeechSynthesizer
    persona: PersonaEngine
    wake: WakeWordDetector | None
    load_times: dict[str, float] = field(default_factory=dict)
    neutral_tts: SpeechSynthesizer | None = None
    """The non-cloned voice for disclosures and crisis answers; None when it is ``tts`` itself."""
    model_hashes: dict[str, str] = field(default_factory=dict)
    fillers: FillerBank | None = None
    """Short fillers in the persona's voice, synthesized once at load time."""
    voice: str = ""
    """What speaks the persona's replies: the installed clone's location, or the bundled voice's name."""
    language: str = "en"
    """The persona's language family (the disclosure is spoken in it)."""
    neutral_voice: str = ""
    """What speaks disclosures and crisis answers (a Piper model name, or espeak-ng:<voice>)."""


def load_models(settings: Settings, *, with_wake: bool) -> LoadedModels:
    """Check every needed model against the manifest, then load each once."""
    from ..asr.whisper import FasterWhisperRecognizer
    from ..persona.retrieval import load_retrieval_persona
    from ..ethics.setup import check_can_start, guard_persona, model_hashes

    check_can_start(settings)  # consent, pause, goodbye: refuse before spending seconds on models
    from .languages import load_synthesizer, model_dirs, persona_language, plan_speech

    # Hear, speak and search in the persona's language (refuses, naming the model to install).
    plan = plan_speech(settings, persona_language(settings))
    settings = plan.apply(settings)
    for warning in plan.warnings:
        logger.warning("%s", warning)
    store = ModelStore(settings.paths.models)
    names = [settings.asr.model, settings.tts.voice, settings.persona.embedding_model, settings.tts.neutral_voice]
    if with_wake:
        names.append(settings.wake.model)
    dirs = model_dirs(store, names)  # cheap check; hashes are checked on install
    times: dict[str, float] = {}
    threads = plan_threads(settings.latency.threads, engine=settings.persona.engine)

    t = time.perf_counter()
    asr = FasterWhisperRecognizer(
        dirs[settings.asr.model],
        language=settings.asr.language,
        beam_size=settings.asr.beam_size,
        threads=settings.asr.threads or threads.asr,
    )
    asr.warm_up()
    times["asr_load_s"] = time.perf_counter() - t

    t = time.perf_counter()
    # The persona's verified clone speaks its replies (a bundle's is decrypted into memory only);
    # disclosures and crisis answers always get the bundled neutral voice (ETHICS C3, C9).
    from ..voice.installed import load_persona_voice

    clone = load_persona_voice(settings.persona.path, enabled=settings.voice.speak_with_clone,
                               key_file=settings.persona.key_file, length_scale=settings.tts.length_scale,
                               threads=threads.tts)
    tts = clone or load_synthesizer(store.models_dir, settings.tts.voice, length_scale=settings.tts.length_scale,
                                    threads=threads.tts)
    neutral_tts = None
    if clone is not None or settings.tts.neutral_voice != settings.tts.voice:
        neutral_tts = load_synthesizer(store.models_dir, settings.tts.neutral_voice, threads=threads.tts)
    fillers = FillerBank(tts)
    if settings.latency.filler:
        fillers.prepare()
    times["tts_load_s"] = time.perf_counter() - t

    t = time.perf_counter()
    persona = load_retrieval_persona(
        settings.persona.path,
        store.models_dir,
        cache_dir=settings.paths.cache / "persona",
        model_name=settings.persona.embedding_model,
        min_score=settings.persona.min_score,
        key_file=settings.persona.key_file,
    )
    embedder = persona.embedder
    if settings.persona.engine != "retrieval":  # the LM engine phrases answers from the retrieved words
        from ..persona.lm.loader import build_engine

        if not settings.persona.lm_threads:
            settings = replace(settings, persona=replace(settings.persona, lm_threads=threads.lm))
        persona = build_engine(settings, persona, cache_prefix=settings.latency.lm_prefix_cache)
    persona = guard_persona(settings, persona, embedder=embedder)
    times["persona_load_s"] = time.perf_counter() - t

    wake = None
    if with_wake:
        from ..wake.micro import MicroWakeWordDetector

        t = time.perf_counter()
        wake = MicroWakeWordDetector(
            dirs[settings.wake.model], threshold=settings.wake.threshold, refractory_s=settings.wake.refractory_s
        )
        times["wake_load_s"] = time.perf_counter() - t
    logger.info("models loaded: %s", {k: round(v, 2) for k, v in times.items()})
    hashes = model_hashes(store.models_dir, dirs)
    if clone is not None:
        hashes["persona-voice"] = clone.sha256  # the generation log names the clone that spoke (C11)
    return LoadedModels(asr=asr, tts=tts, persona=persona, wake=wake, load_times=times, neutral_tts=neutral_tts,
                        model_hashes=hashes, voice=clone.source if clone is not None else settings.tts.voice,
                        fillers=fillers, language=plan.language, neutral_voice=settings.tts.neutral_voice)


def build_pipeline(
    settings: Settings,
    models: LoadedModels,
    *,
    source: AudioSource,
    sink: AudioSink,
    follow_up: bool = True,
    use_wake: bool = True,
    on_turn: Callable[[TurnResult], None] | None = None,
    on_phase: Callable[[Phase], None] | None = None,
) -> VoicePipeline:
    from ..ethics.setup import build_hooks

    vad = WebRtcVad(settings.vad.aggressiveness, frame_ms=settings.audio.block_ms)
    sink, barge_in = build_barge_in(  # speech over the reply stops it (echo-cancelled) or the mic is gated
        settings.barge_in, sink, frame_ms=settings.audio.block_ms, aggressiveness=settings.vad.aggressiveness
    )
    latency = settings.latency
    endpointer = Endpointer(
        settings.vad,
        frame_samples=vad.frame_samples,
        short_turn=(latency.short_turn_s, latency.short_turn_hangover_s) if latency.short_turn_endpointing else None,
        pause_after_s=latency.speculative_after_s if latency.speculative_asr else None,
    )
    return VoicePipeline(
        source=source,
        sink=sink,
        vad=vad,
        endpointer=endpointer,
        turns=TurnRunner(
            models.asr,
            models.persona,
            models.tts,
            output_gain=settings.audio.output_gain,
            sentence_pause_s=settings.tts.sentence_pause_s,
            latency=latency,
            fillers=models.fillers,
            ethics=build_hooks(settings, tts=models.tts, neutral_tts=models.neutral_tts, persona=models.persona,
                               hashes=models.model_hashes, language=models.language),
        ),
        state=ConversationStateMachine(
            no_speech_timeout_s=settings.vad.no_speech_timeout_s,
            follow_up_s=settings.conversation.follow_up_s if follow_up else 0.0,
        ),
        wake=models.wake if use_wake else None,
        history_turns=settings.conversation.history_turns,
        on_turn=on_turn,
        on_phase=on_phase,
        barge_in=barge_in,
    )


async def converse_file(
    settings: Settings, models: LoadedModels, question: Path, reply: Path, *, wake: bool = False
) -> tuple[TurnResult, dict[str, Any]]:
    """One turn from a WAV question to a WAV reply, through the live pipeline.

    By default the turn starts with the file, like a button press; with ``wake`` the pipeline
    starts idle and the recording must begin with the wake word, exactly as live.
    """
    from ..audio.wavfile import WavFileSink, WavFileSource
    from ..errors import AudioError

    source = WavFileSource(
        question, block_ms=settings.audio.block_ms, trailing_silence_s=settings.vad.hangover_s + 1.0
    )
    sink = WavFileSink(reply)
    if wake and models.wake is None:
        raise ValueError("converse with wake=True needs models loaded with the wake word")
    pipeline = build_pipeline(settings, models, source=source, sink=sink, follow_up=False, use_wake=wake)
    try:
        results = await pipeline.run(start_listening=not wake, max_turns=1, fail_fast=True)
    finally:
        source.close()
    if not results:
        hint = "check the recording is not silent"
        if wake:
            hint = "the recording must start with the wake word; " + hint
        raise AudioError("no speech found in the question", where=str(question), hint=hint)
    sink.close()
    if results[0].utterance_id:  # C4: no file leaves without its C2PA manifest and AIGC label
        from ..ethics.provenance import label_file

        label_file(reply, results[0].utterance_id, settings.ethics.log_path)
    stats = pipeline.stats.to_dict()
    stats["reply_rate"] = sink.rate or models.tts.sample_rate
    return results[0], stats


def create_button(settings: Settings, pin_factory: Any = None) -> Any:
    if not settings.button.enabled:
        return None
    from ..hw.button import GpioButton

    return GpioButton(settings.button, pin_factory=pin_factory)
