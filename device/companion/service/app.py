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
from typing import TYPE_CHECKING, Any, cast

from ..asr.base import SpeechRecognizer
from ..audio.base import AudioSink, AudioSource
from ..config import Settings
from ..models.store import ModelStore
from ..persona.base import PersonaEngine
from ..persona.recorded import NO_RECORDINGS, RecordingLibrary
from ..tts.base import SpeechSynthesizer
from ..vad.endpointer import Endpointer
from ..vad.webrtc import WebRtcVad
from ..wake.base import WakeWordDetector
from .bargein import build_barge_in
from .pipeline import VoicePipeline
from .state import ConversationStateMachine, Phase
from .threads import plan_threads
from .turn import FillerBank, TurnResult, TurnRunner

if TYPE_CHECKING:
    from ..ethics.crisis import CrisisDetector
    from ..ethics.guardrails import GuardedPersona
    from ..persona.lm.engine import LmPersona
    from ..persona.multilingual import SharedMultilingual

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
    lm: LmPersona | None = None
    """The language-model engine inside ``persona`` (for its per-turn stats), None for retrieval."""
    crisis: CrisisDetector | None = None
    """The crisis detector each turn starts with (rules + multilingual model), loaded once."""
    language: str = "en"
    """The persona's language family (the disclosure is spoken in it)."""
    neutral_voice: str = ""
    """What speaks disclosures and crisis answers (a Piper model name, or espeak-ng:<voice>)."""
    recordings: RecordingLibrary = NO_RECORDINGS
    """The person's playable recordings: the reply line plays them, whichever engine answers."""


def load_models(settings: Settings, *, with_wake: bool) -> LoadedModels:
    """Check every needed model against the manifest, then load each once."""
    from ..asr.whisper import FasterWhisperRecognizer
    from ..ethics.setup import check_can_start, crisis_detector, model_hashes, shared_models

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
    whisper = FasterWhisperRecognizer(
        dirs[settings.asr.model],
        language=settings.asr.language,
        beam_size=settings.asr.beam_size,
        threads=settings.asr.threads or threads.asr,
    )
    whisper.warm_up()
    asr = remote_asr(settings, whisper)
    times["asr_load_s"] = time.perf_counter() - t

    t = time.perf_counter()
    # The persona's verified clone speaks its replies (a bundle's is decrypted into memory only);
    # disclosures and crisis answers always get the bundled neutral voice (ETHICS C3, C9).
    from ..persona.cloned_voice import load_persona_voice

    clone = load_persona_voice(settings.persona.path, enabled=settings.voice.speak_with_clone,
                               key_file=settings.persona.key_file, length_scale=settings.tts.length_scale,
                               threads=threads.tts)
    tts = clone or load_synthesizer(store.models_dir, settings.tts.voice, length_scale=settings.tts.length_scale,
                                    threads=threads.tts)
    neutral_tts = None
    if clone is not None or settings.tts.neutral_voice != settings.tts.voice:
        neutral_tts = load_synthesizer(store.models_dir, settings.tts.neutral_voice, threads=threads.tts)
    if settings.tts.uri:  # the home server speaks the replies; disclosures stay with the local neutral voice
        neutral_tts = neutral_tts or tts
        tts = remote_tts(settings, tts)
    fillers = FillerBank(tts)
    if settings.latency.filler:
        fillers.prepare()
    times["tts_load_s"] = time.perf_counter() - t

    t = time.perf_counter()
    from ..persona.multilingual import SharedMultilingual

    multilingual = SharedMultilingual(store.models_dir)  # one copy: persona (synonyms or search) and crisis check
    guarded, lm, recordings = load_guarded_persona(settings, store, lm_threads=threads.lm, multilingual=multilingual)
    times["persona_load_s"] = time.perf_counter() - t
    t = time.perf_counter()
    # the persona's loaded models, not second copies
    crisis = crisis_detector(settings, *shared_models(guarded), multilingual=multilingual)
    times["crisis_load_s"] = time.perf_counter() - t

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
    voice = clone.source if clone is not None else settings.tts.voice
    for stage, uri in (("asr", settings.asr.uri), ("tts", settings.tts.uri), ("persona", settings.persona.uri)):
        if uri:  # the generation log says which server may have heard or spoken (C11)
            hashes[f"{stage}-home-server"] = uri
    if settings.tts.uri:
        voice = f"{settings.tts.remote_voice or 'the default voice'} on {settings.tts.uri} (fall-back: {voice})"
    return LoadedModels(asr=asr, tts=tts, persona=guarded, wake=wake, load_times=times, neutral_tts=neutral_tts,
                        crisis=crisis, model_hashes=hashes, voice=voice, fillers=fillers, lm=lm,
                        language=plan.language, neutral_voice=settings.tts.neutral_voice, recordings=recordings)


def load_guarded_persona(settings: Settings, store: ModelStore, *, lm_threads: int, remote: bool = True,
                         multilingual: SharedMultilingual | None = None,
                         ) -> tuple[GuardedPersona, LmPersona | None, RecordingLibrary]:
    """The configured persona engine inside the guardrails (also what `companion serve` answers
    with), the language-model engine inside it (None for retrieval), and the person's playable
    recordings (for the reply line, whichever engine answers). ``multilingual``: the process's one
    multilingual model (the crisis detector's too); without it the persona loads its own when needed.

    With [persona] uri (and ``remote``) the home server answers and the local engine is its
    fall-back; the guardrails wrap the remote engine, so the crisis check, honesty and refusals
    and the unsafe-reply filter run on the device whatever the server says."""
    from ..ethics.setup import guard_persona
    from ..persona.retrieval import load_retrieval_persona

    persona = load_retrieval_persona(
        settings.persona.path,
        store.models_dir,
        cache_dir=settings.paths.cache / "persona",
        model_name=settings.persona.embedding_model,
        min_score=settings.persona.min_score,
        key_file=settings.persona.key_file,
        play_recordings=settings.persona.play_recordings,
        multilingual=multilingual,
    )
    embedder = persona.embedder
    engine: PersonaEngine = persona
    lm = None
    if settings.persona.engine != "retrieval":  # the LM engine phrases answers from the retrieved words
        from ..persona.lm.loader import build_engine

        if not settings.persona.lm_threads:
            settings = replace(settings, persona=replace(settings.persona, lm_threads=lm_threads))
        engine = build_engine(settings, persona, cache_prefix=settings.latency.lm_prefix_cache)
        lm = None if engine is persona else cast("LmPersona", engine)  # "auto" may choose retrieval
    if remote and settings.persona.uri:
        engine = remote_persona(settings, engine)
    from ..persona.remember import with_family_memory

    # what the family told it, across sessions (only when the consent allows it)
    engine = with_family_memory(engine, settings.persona.path, key_file=settings.persona.key_file,
                                address=persona.catalogue.address)
    return guard_persona(settings, engine, embedder=embedder), lm, persona.recordings


def remote_persona(settings: Settings, local: PersonaEngine) -> PersonaEngine:
    """`companion serve` on the home server, with ``local`` as fall-back; refused without consent."""
    from ..remote.link import parse_uri
    from ..ethics.home_server import check_home_server_allowed
    from ..persona.wyoming_client import WyomingPersona

    check_home_server_allowed(settings.persona.path, settings.persona.key_file, record=local.consent)
    net = settings.network
    return WyomingPersona(parse_uri(settings.persona.uri, "persona.uri"), local,
                          timeout_s=settings.persona.remote_timeout_s, connect_timeout_s=net.connect_timeout_s,
                          retry_after_s=net.retry_after_s, history_turns=settings.conversation.history_turns)


def remote_asr(settings: Settings, local: SpeechRecognizer) -> SpeechRecognizer:
    """The home server's recogniser with ``local`` as fall-back, when [asr] uri is set."""
    if not settings.asr.uri:
        return local
    from ..asr.wyoming_client import WyomingRecognizer
    from ..remote.link import parse_uri

    net = settings.network
    return WyomingRecognizer(parse_uri(settings.asr.uri, "asr.uri"), local, language=settings.asr.language,
                             timeout_s=settings.asr.remote_timeout_s, connect_timeout_s=net.connect_timeout_s,
                             retry_after_s=net.retry_after_s)


def remote_tts(settings: Settings, local: SpeechSynthesizer) -> SpeechSynthesizer:
    """The home server's voice with ``local`` as fall-back, when [tts] uri is set."""
    if not settings.tts.uri:
        return local
    from ..remote.link import parse_uri
    from ..tts.wyoming_client import WyomingSynthesizer

    net = settings.network
    return WyomingSynthesizer(parse_uri(settings.tts.uri, "tts.uri"), local, voice=settings.tts.remote_voice,
                              timeout_s=settings.tts.remote_timeout_s, connect_timeout_s=net.connect_timeout_s,
                              retry_after_s=net.retry_after_s)


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
    on_text: Callable[[str, str], None] | None = None,
    echo_tail_s: float = 0.0,
) -> VoicePipeline:
    """``echo_tail_s``: the speaker is heard by the mic that long after a reply (live mode)."""
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
            # The neutral voice the models were loaded with (a Chinese persona's is Mandarin): the
            # disclosure and crisis texts are written in a language it speaks.
            ethics=build_hooks(replace(settings, tts=replace(settings.tts, neutral_voice=models.neutral_voice))
                               if models.neutral_voice else settings,
                               tts=models.tts, neutral_tts=models.neutral_tts, persona=models.persona,
                               hashes=models.model_hashes, detector=models.crisis, language=models.language),
            on_text=on_text,
            recordings=models.recordings,
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
        echo_tail_s=echo_tail_s,
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
