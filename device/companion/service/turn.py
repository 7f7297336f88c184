"""One turn: transcript -> persona -> sentences -> speech -> speaker, overlapped.

Three worker threads form a small assembly line joined by queues: the persona engine yields
text, the splitter cuts it into sentences, Piper synthesizes each sentence ahead while the
previous one plays, and the sink plays. One ``cancel`` event stops all three (button barge-in).
History keeps only the sentences that were actually played.

The ethics layer (ethics/runtime.py) hooks in here so live mode and `converse` behave alike:
every turn gets an utterance id, everything it plays is watermarked as one continuous mark,
the earcon and disclosure open each session, guardrail answers go to the neutral voice, and
one content-free record goes to the generation log.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..asr.base import SpeechRecognizer
from ..audio.base import AudioSink
from ..config import EthicsSettings
from ..ethics.runtime import EthicsHooks
from ..events import SpeechEnded, Transcript, Trigger
from ..persona.base import Exchange, PersonaEngine, ReplySource
from ..tts.base import SpeechSynthesizer
from ..tts.splitter import SentenceSplitter

logger = logging.getLogger(__name__)

_END = object()


@dataclass
class TurnResult:
    trigger: Trigger
    transcript: str
    reply: str = ""
    """What was actually played (all of it, unless interrupted)."""
    source: ReplySource | None = None
    interrupted: bool = False
    utterance_id: str | None = None
    """The watermark payload / provenance id / generation-log id of what was played."""
    disclosed: bool = False
    """The earcon and disclosure were played before the reply."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds: audio_s, hangover_s, asr_s, persona_first_text_s, persona_s,
    tts_first_audio_s, first_audio_s (endpoint -> first reply sample), turn_latency_s."""

    def to_dict(self) -> dict[str, object]:
        return {
            "trigger": self.trigger.value,
            "transcript": self.transcript,
            "reply": self.reply,
            "reply_source": None if self.source is None else self.source.__dict__,
            "interrupted": self.interrupted,
            "utterance_id": self.utterance_id,
            "disclosed": self.disclosed,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


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
    ) -> None:
        self.asr = asr
        self.persona = persona
        self.tts = tts
        # No way around the ethics layer: without one, the defaults still mark and disclose.
        self.ethics = ethics or EthicsHooks(EthicsSettings(), tts=tts, persona_name=persona.display_name)
        self._gain = output_gain
        self._pause = np.zeros(int(sentence_pause_s * tts.sample_rate), dtype=np.int16)

    async def run(
        self,
        utterance: SpeechEnded,
        trigger: Trigger,
        history: Sequence[Exchange],
        sink: AudioSink,
        cancel: threading.Event,
        on_audio_started: Callable[[], None] = lambda: None,
    ) -> TurnResult:
        t_end = time.perf_counter()
        timings: dict[str, float] = {"audio_s": len(utterance.pcm) / utterance.rate, "hangover_s": utterance.hangover}
        transcript: Transcript = await asyncio.to_thread(self.asr.transcribe, utterance.pcm, utterance.rate)
        timings["asr_s"] = time.perf_counter() - t_end
        result = TurnResult(trigger=trigger, transcript=transcript.text, timings=timings)
        logger.info("heard %d words", len(transcript.text.split()))
        if not transcript.text.strip() or cancel.is_set():
            return result

        ethics = self.ethics
        plan = ethics.start_turn()
        if plan.silent:
            return result
        result.utterance_id, result.disclosed = plan.utterance_hex, plan.disclosed
        sentences: queue.Queue[object] = queue.Queue()
        audio: queue.Queue[object] = queue.Queue()
        heard: list[str] = []
        played = [0]
        marks: dict[str, float] = {}
        t_persona = time.perf_counter()

        def produce_text() -> None:
            """Queue (role, voice, sentence): "reply" sentences are the persona's, "care" are not."""
            splitter = SentenceSplitter()
            voice: str | None = None
            try:
                if plan.over_daily_limit:
                    sentences.put(("care", "neutral", ethics.daily_limit_text()))
                    return
                for piece in self.persona.respond(transcript.text, history):
                    marks.setdefault("first_text", time.perf_counter())
                    voice = voice or ethics.voice_for(self.persona.last_source)
                    for sentence in splitter.feed(piece):
                        sentences.put(("reply", voice, sentence))
                    if cancel.is_set():
                        return
                for sentence in splitter.flush():
                    sentences.put(("reply", voice or "persona", sentence))
                if plan.remind:
                    sentences.put(("care", "neutral", ethics.reminder_text()))
            finally:
                marks["persona_done"] = time.perf_counter()
                sentences.put(_END)

        def finish_audio(pcm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """Gain, then the watermark (continuous over the turn, pauses included)."""
            if self._gain != 1.0:
                pcm = np.clip(pcm.astype(np.float32) * self._gain, -32768, 32767).astype(np.int16)
            return plan.marker.mark(pcm), plan.marker.mark(self._pause)

        def synthesize() -> None:
            try:
                for label, content in plan.prelude:
                    if cancel.is_set():
                        return
                    pcm = content if isinstance(content, np.ndarray) else ethics.neutral(content)
                    audio.put(("prelude", label, *finish_audio(pcm)))
                while (item := sentences.get()) is not _END and not cancel.is_set():
                    role, voice, sentence = item  # type: ignore[misc]
                    pcm = ethics.synthesize(str(sentence), voice)
                    marks.setdefault("first_tts", time.perf_counter())
                    audio.put((role, sentence, *finish_audio(pcm)))
            finally:
                audio.put(_END)

        def play() -> None:
            started = False
            try:
                while (item := audio.get()) is not _END and not cancel.is_set():
                    role, sentence, pcm, pause = item  # type: ignore[misc]
                    if not started:
                        sink.begin(self.tts.sample_rate)
                        marks["first_audio"] = time.perf_counter()
                        on_audio_started()
                        started = True
                    sink.write(pcm)
                    sink.write(pause)
                    played[0] += len(pcm) + len(pause)
                    if not cancel.is_set() and role == "reply":
                        heard.append(str(sentence))
            finally:
                if started:
                    sink.abort() if cancel.is_set() else sink.finish()

        jobs = [asyncio.to_thread(produce_text), asyncio.to_thread(synthesize), asyncio.to_thread(play)]
        outcomes = await asyncio.gather(*jobs, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                cancel.set()
                raise outcome
        result.reply = " ".join(heard)
        result.source = None if plan.over_daily_limit else self.persona.last_source
        result.interrupted = cancel.is_set()
        await asyncio.to_thread(
            ethics.finish_turn, plan, source=result.source, audio_s=played[0] / self.tts.sample_rate + timings["audio_s"],
            question=transcript.text, reply=result.reply,
        )
        if "first_text" in marks:
            timings["persona_first_text_s"] = marks["first_text"] - t_persona
        timings["persona_s"] = marks.get("persona_done", t_persona) - t_persona
        if "first_tts" in marks:
            timings["tts_first_audio_s"] = marks["first_tts"] - t_end
        if "first_audio" in marks:
            timings["first_audio_s"] = marks["first_audio"] - t_end
            timings["turn_latency_s"] = utterance.hangover + timings["first_audio_s"]
        timings["total_s"] = time.perf_counter() - t_end
        return result
