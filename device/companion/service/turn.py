"""One turn: transcript -> persona -> sentences -> speech -> speaker (see reply_line.py).

The transcript may already be on its way: the pipeline starts transcribing speculatively when
the speaker pauses, and hands that future over when the pause turns out to be the end.

The ethics layer (ethics/runtime.py) hooks in here so live mode and `converse` behave alike:
every turn gets an utterance id, everything it plays is watermarked as one continuous mark,
the earcon and disclosure open each session, guardrail answers go to the neutral voice, and
one content-free record goes to the generation log.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..asr.base import SpeechRecognizer
from ..audio.base import AudioSink
from ..config import EthicsSettings, LatencySettings
from ..ethics.crisis import CrisisState
from ..ethics.runtime import EthicsHooks, TurnPlan
from ..events import SpeechEnded, Transcript, Trigger
from ..persona.base import Exchange, PersonaEngine
from ..persona.recorded import RecordingLibrary
from ..persona.reply import ReplyPiece, ReplySource, main_source, reply_text
from ..tts.base import SpeechSynthesizer
from .reply_line import LineOptions, ReplyLine

logger = logging.getLogger(__name__)

FILLERS = ("Hmm.", "Well,", "Oh,", "Mm.")
"""Said in the persona's voice when the answer would start late; short, and neutral in meaning."""


@dataclass
class TurnResult:
    trigger: Trigger
    transcript: str
    reply: str = ""
    """What was actually played (all of it, unless interrupted)."""
    source: ReplySource | None = None
    """What the reply was (memory, fallback, crisis, ...), from its record; None if nothing was said."""
    pieces: tuple[ReplyPiece, ...] = ()
    """The sentences played, each with its record (kind, message id, score, voice)."""
    interrupted: bool = False
    utterance_id: str | None = None
    """The watermark payload / provenance id / generation-log id of what was played."""
    disclosed: bool = False
    """The earcon and disclosure were played before the reply."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds: audio_s, hangover_s, asr_s, persona_first_text_s, persona_s,
    tts_first_audio_s, first_audio_s (endpoint -> first reply sample), turn_latency_s."""
    stamps: dict[str, float] = field(default_factory=dict)
    """time.perf_counter() of: endpoint, transcript, first_text, first_audio (any reply audio),
    first_answer_audio (the persona's words), filler (if one played)."""
    speculative: bool = False
    """The transcript came from the speculative transcription started at the pause."""
    crisis: CrisisState | None = None
    """The session's crisis state after this turn (for the next turn); None if the turn had no plan."""
    new_session: bool = False
    """This turn opened a session (earlier turns belong to another conversation)."""

    def to_dict(self) -> dict[str, object]:
        return {
            "trigger": self.trigger.value,
            "transcript": self.transcript,
            "reply": self.reply,
            "reply_source": None if self.source is None else self.source.to_dict(),
            "interrupted": self.interrupted,
            "utterance_id": self.utterance_id,
            "disclosed": self.disclosed,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


class FillerBank:
    """The fillers, synthesized once in the persona's voice and taken in turn (no "Hmm." twice running)."""

    def __init__(self, tts: SpeechSynthesizer) -> None:
        self._tts = tts
        self._pcm: list[np.ndarray] = []
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Synthesize them now (at start-up), so playing one costs nothing when it matters."""
        with self._lock:
            if not self._pcm:
                self._pcm = [self._tts.synthesize(text) for text in FILLERS]

    def next(self) -> np.ndarray:
        self.prepare()
        return self._pcm[next(self._turn) % len(self._pcm)]


class TurnRunner:
    def __init__(
        self,
        asr: SpeechRecognizer,
        persona: PersonaEngine,
        tts: SpeechSynthesizer,
        *,
        output_gain: float = 1.0,
        sentence_pause_s: float = 0.15,
        ethics: EthicsHooks | None = None,
        latency: LatencySettings | None = None,
        fillers: FillerBank | None = None,
        on_text: Callable[[str, str], None] | None = None,
        recordings: RecordingLibrary | None = None,
    ) -> None:
        self.asr = asr
        self.persona = persona
        self.tts = tts
        # No way around the ethics layer: without one, the defaults still mark and disclose.
        self.ethics = ethics or EthicsHooks(EthicsSettings(), tts=tts, persona_name=persona.display_name)
        self.latency = latency or LatencySettings()
        self._gain = output_gain
        self._pause = np.zeros(int(sentence_pause_s * tts.sample_rate), dtype=np.int16)
        self._clause_pause = np.zeros(int(min(sentence_pause_s, 0.05) * tts.sample_rate), dtype=np.int16)
        self.fillers = fillers or FillerBank(tts)
        self.on_text = on_text
        """Told ("heard", transcript) and then (role, sentence) as each starts playing (the frame feed)."""
        self.recordings = recordings
        """The person's playable recordings (the composition root's): played whichever engine answers."""
        self._line: ReplyLine | None = None

    @property
    def disclosing(self) -> bool:
        """The current turn is playing its earcon or AI disclosure, which speech must not cut off."""
        line = self._line
        return line is not None and line.playing_prelude

    async def run(
        self,
        utterance: SpeechEnded,
        trigger: Trigger,
        history: Sequence[Exchange],
        sink: AudioSink,
        cancel: threading.Event,
        on_audio_started: Callable[[], None] = lambda: None,
        transcript: Awaitable[Transcript] | None = None,
        crisis: CrisisState | None = None,
    ) -> TurnResult:
        """Answer one utterance; ``transcript`` is a transcription already under way, if any;
        ``crisis`` is the session's crisis state (the result carries the next one)."""
        t_end = time.perf_counter()
        latency = self.latency
        timings: dict[str, float] = {"audio_s": len(utterance.pcm) / utterance.rate, "hangover_s": utterance.hangover}
        result = TurnResult(trigger=trigger, transcript="", timings=timings, stamps={"endpoint": t_end})
        line: ReplyLine | None = None
        plan: TurnPlan | None = None
        stages: list[asyncio.Task[None]] = []
        if latency.prelude_during_asr:  # the earcon can start while the question is transcribed
            plan = self._plan(result, crisis)
            line = self._start_line(plan, result, sink, cancel, on_audio_started, utterance)
            if line is not None:
                stages = _start(line.synthesize, line.play)
        try:
            heard = await self._transcribe(utterance, transcript)
        except BaseException:
            if line is not None:
                cancel.set()
                line.no_text()
                await asyncio.gather(*stages, return_exceptions=True)
            raise
        result.speculative = transcript is not None
        result.stamps["transcript"] = time.perf_counter()
        timings["asr_s"] = result.stamps["transcript"] - t_end
        result.transcript = heard.text
        logger.info("heard %d words", len(heard.text.split()))
        if self.on_text is not None and heard.text.strip():
            self.on_text("heard", heard.text)
        nothing_to_say = not heard.text.strip() or cancel.is_set()
        if line is None and not nothing_to_say:
            plan = plan or self._plan(result, crisis)
            if plan.silent and self.ethics.safety_turn(plan, heard.text, history):
                plan.silent = False  # paused, but a crisis is answered all the same (C9)
            result.crisis = plan.crisis
            line = self._start_line(plan, result, sink, cancel, on_audio_started, utterance)
            if line is not None:
                stages = _start(line.synthesize, line.play)
        if line is None:
            return result
        if nothing_to_say:
            line.no_text()
        else:
            if line.plan.new_session:  # after the session gap the conversation starts afresh
                history = ()
            stages += _start(functools.partial(line.produce_text, heard.text, history))
        t_persona = time.perf_counter()
        outcomes = await asyncio.gather(*stages, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                cancel.set()
                raise outcome
        self._finish(result, line, cancel, t_persona)
        result.crisis = line.plan.crisis
        await asyncio.to_thread(
            self.ethics.finish_turn, line.plan, source=result.source,
            audio_s=line.outcome.played_samples / self.tts.sample_rate + timings["audio_s"],
            question=heard.text, reply=result.reply,
        )
        timings["total_s"] = time.perf_counter() - t_end
        return result

    async def _transcribe(self, utterance: SpeechEnded, speculative: Awaitable[Transcript] | None) -> Transcript:
        if speculative is not None:
            try:
                return await speculative
            except Exception as exc:  # the real transcription below will say what is wrong
                logger.warning("the speculative transcription failed (%s); transcribing again", exc)
        return await asyncio.to_thread(self.asr.transcribe, utterance.pcm, utterance.rate)

    def _plan(self, result: TurnResult, crisis: CrisisState | None) -> TurnPlan:
        plan = self.ethics.start_turn(crisis)
        result.new_session, result.crisis = plan.new_session, plan.crisis
        return plan

    def _start_line(
        self, plan: TurnPlan, result: TurnResult, sink: AudioSink, cancel: threading.Event,
        on_audio_started: Callable[[], None], utterance: SpeechEnded,
    ) -> ReplyLine | None:
        """Build the turn's line for its plan; None if the turn stays silent."""
        if plan.silent:
            return None
        result.utterance_id, result.disclosed = plan.utterance_hex, plan.disclosed
        result.new_session = plan.new_session
        latency = self.latency
        options = LineOptions(
            pipelined=latency.pipelined,
            first_clause_min_words=latency.first_clause_min_words if latency.early_first_clause else None,
        )
        if latency.filler:
            speech_end = result.stamps["endpoint"] - utterance.hangover
            options.filler_deadline = speech_end + latency.filler_after_s
            options.filler = self.fillers.next

        def finish_audio(pcm: np.ndarray, pause: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """Gain, then the watermark (continuous over the turn, pauses included)."""
            if self._gain != 1.0:
                pcm = np.clip(pcm.astype(np.float32) * self._gain, -32768, 32767).astype(np.int16)
            return plan.marker.mark(pcm), plan.marker.mark(pause)

        def finish_recording(pcm: np.ndarray, pause: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """The person's real recording: gain only, never marked as synthetic (ETHICS, issue 20);
            the mark's clock still advances, so what is synthesized after it stays one mark."""
            if self._gain != 1.0:
                pcm = np.clip(pcm.astype(np.float32) * self._gain, -32768, 32767).astype(np.int16)
            plan.marker.mark(np.zeros(len(pcm), dtype=np.int16))
            return pcm, plan.marker.mark(pause)

        self._line = ReplyLine(
            persona=self.persona, ethics=self.ethics, plan=plan, sink=sink, rate=self.tts.sample_rate, cancel=cancel,
            on_audio_started=on_audio_started, finish_audio=finish_audio, sentence_pause=self._pause,
            clause_pause=self._clause_pause, options=options, on_playing=self.on_text,
            finish_recording=finish_recording, recordings=self.recordings,
        )
        return self._line

    def _finish(self, result: TurnResult, line: ReplyLine, cancel: threading.Event, t_persona: float) -> None:
        stamps, timings = line.outcome.stamps, result.timings
        result.stamps.update({k: v for k, v in stamps.items() if k not in ("persona_done", "first_tts")})
        result.pieces = tuple(line.outcome.heard)
        result.reply = reply_text(result.pieces)
        result.source = main_source(line.outcome.produced)
        result.interrupted = cancel.is_set()
        t_end = result.stamps["endpoint"]
        if "first_text" in stamps:
            timings["persona_first_text_s"] = stamps["first_text"] - t_persona
        timings["persona_s"] = stamps.get("persona_done", t_persona) - t_persona
        if "first_tts" in stamps:
            timings["tts_first_audio_s"] = stamps["first_tts"] - t_end
        if "first_audio" in stamps:
            timings["first_audio_s"] = stamps["first_audio"] - t_end
            timings["turn_latency_s"] = result.timings["hangover_s"] + timings["first_audio_s"]
        if "first_answer_audio" in stamps:
            timings["answer_latency_s"] = result.timings["hangover_s"] + stamps["first_answer_audio"] - t_end


def _start(*jobs: Callable[[], None]) -> list[asyncio.Task[None]]:
    """Each job on a worker thread, running from now on (not only once awaited)."""
    loop = asyncio.get_running_loop()
    return [loop.create_task(asyncio.to_thread(job)) for job in jobs]
