"""One turn's assembly line: persona text -> sentences -> speech -> speaker.

Three stages, each on its own worker thread, joined by queues: the persona engine yields text,
the splitter cuts it into sentences, Piper synthesizes each sentence ahead while the previous
one plays, and the sink plays. One ``cancel`` event stops all three (barge-in). Only what was
actually played goes into the history.

Pipelined (the default), each stage passes work on as soon as it has it. Not pipelined (the
sequential baseline `companion bench` compares against), each stage holds everything back until
its input is complete: full reply, then full synthesis, then playback.

The filler: if no reply audio has been handed to the speaker by a deadline, the player speaks a
short filler ("Hmm.") in the persona's voice, so a slow answer does not leave dead air.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np

from ..audio.base import AudioSink
from ..ethics.runtime import EthicsHooks, TurnPlan
from ..persona.base import Exchange, PersonaEngine
from ..persona.recorded import NO_RECORDINGS, RecordingLibrary
from ..persona.reply import ReplyKind, ReplyPiece
from ..tts.splitter import SentenceSplitter, ends_sentence

logger = logging.getLogger(__name__)

_END = object()


@dataclass
class LineOptions:
    """How one turn's line behaves (from the latency settings)."""

    pipelined: bool = True
    first_clause_min_words: int | None = None
    filler_deadline: float | None = None
    """time.perf_counter() by which reply audio must have started, else a filler plays; None = no filler."""
    filler: Callable[[], np.ndarray] | None = None


@dataclass
class LineOutcome:
    produced: list[ReplyPiece] = field(default_factory=list)
    """Every sentence the text stage queued (what the turn meant to say)."""
    heard: list[ReplyPiece] = field(default_factory=list)
    """The sentences actually played to the end (what the listener heard)."""
    played_samples: int = 0
    stamps: dict[str, float] = field(default_factory=dict)


class ReplyLine:
    def __init__(
        self,
        *,
        persona: PersonaEngine,
        ethics: EthicsHooks,
        plan: TurnPlan,
        sink: AudioSink,
        rate: int,
        cancel: threading.Event,
        on_audio_started: Callable[[], None],
        finish_audio: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
        sentence_pause: np.ndarray,
        clause_pause: np.ndarray,
        options: LineOptions,
        on_playing: Callable[[str, str], None] | None = None,
        finish_recording: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
        recordings: RecordingLibrary | None = None,
    ) -> None:
        self.persona = persona
        self.ethics = ethics
        self.plan = plan
        self.sink = sink
        self.rate = rate
        self.cancel = cancel
        self.on_audio_started = on_audio_started
        self.finish_audio = finish_audio
        self.sentence_pause = sentence_pause
        self.clause_pause = clause_pause
        self.options = options
        self.on_playing = on_playing
        """Told (role, sentence or prelude label) as each starts playing: the frame's subtitles."""
        self.finish_recording = finish_recording
        """Gain only, never the synthetic-speech watermark: for the person's own recordings (issue 20);
        None plays recordings' words synthesized (and marked) like any memory."""
        self.recordings = recordings if recordings is not None and finish_recording is not None else NO_RECORDINGS
        """The person's playable recordings (from the composition root): a reply record whose message
        is one of them is played, whichever engine answered."""
        self._recorded: dict[str | None, np.ndarray] = {}
        self.sentences: queue.Queue[object] = queue.Queue()
        self.audio: queue.Queue[object] = queue.Queue()
        self.outcome = LineOutcome()
        self.playing_prelude = False
        """The earcon or the AI disclosure is playing: speech over it does not cut it off (ETHICS C3)."""
        # Marking and queueing happen under one lock so a filler is marked, like everything else,
        # in the order it is played (the watermark follows the utterance's sample position).
        self._mark_lock = threading.Lock()

    # -- stage 1: text ---------------------------------------------------------------------
    def produce_text(self, question: str, history: Sequence[Exchange]) -> None:
        """Queue (role, sentence piece): "reply" sentences answer the question, "care" ones do not.

        This is the one place a reply is cut into sentences: each piece holds whole sentences and
        keeps its record (kind, source, voice); only the reply's very first clause may be cut
        early (``first_clause_min_words``) so the voice starts sooner."""
        plan, ethics, stamps = self.plan, self.ethics, self.outcome.stamps
        splitter = SentenceSplitter(first_clause_min_words=self.options.first_clause_min_words)
        held: list[tuple[str, ReplyPiece]] = []
        pipelined = self.options.pipelined

        def put(role: str, sentence: ReplyPiece) -> None:
            self.outcome.produced.append(sentence)
            (self.sentences.put if pipelined else held.append)((role, sentence))

        try:
            for role, reply in turn_pieces(plan, ethics, self.persona, question, history):
                if role == "care":
                    put(role, reply)
                    continue
                stamps.setdefault("first_text", time.perf_counter())
                reply = self._as_heard(reply)
                if reply.kind is ReplyKind.RECORDING:
                    put("reply", reply)  # a recording plays whole: never cut into sentences
                    continue
                for sentence in splitter.feed(reply.text) + splitter.flush():
                    put("reply", reply.with_text(sentence))
                if self.cancel.is_set():
                    return
        finally:
            stamps["persona_done"] = time.perf_counter()
            for item in held:
                self.sentences.put(item)
            self.sentences.put(_END)

    def _as_heard(self, reply: ReplyPiece) -> ReplyPiece:
        """The one decision, on the reply record: the person's memory whose message is a playable
        passage of their recording is played (``RECORDING``), decoded here so a recording that
        cannot be played is said by the voice and recorded as a ``MEMORY``, never as their voice."""
        reply = self.recordings.played(reply)
        if reply.kind is not ReplyKind.RECORDING:
            return reply
        audio = self.recordings.clip_audio(reply.source.message_id, self.rate)
        if audio is None:
            return NO_RECORDINGS.played(reply)
        self._recorded[reply.source.message_id] = audio
        return reply

    def no_text(self) -> None:
        """The turn has nothing to say (empty transcript, cancelled): let the other stages end."""
        self.sentences.put(_END)

    # -- stage 2: speech -------------------------------------------------------------------
    def put_prelude(self) -> None:
        """The earcon and disclosure go to the speaker at once (both are ready-made but for the mark)."""
        for label, content in self.plan.prelude:
            pcm = content if isinstance(content, np.ndarray) else self.ethics.neutral(content)
            with self._mark_lock:
                self.audio.put(("prelude", label, *self.finish_audio(pcm, self.sentence_pause)))  # "earcon", "disclosure"

    def synthesize(self) -> None:
        """The prelude first (if the turn has one), then each sentence as it comes."""
        held: list[object] = []
        put = self.audio.put if self.options.pipelined else held.append
        first_done = False
        try:
            self.put_prelude()
            while (item := self.sentences.get()) is not _END and not self.cancel.is_set():
                role, sentence = cast("tuple[str, ReplyPiece]", item)
                recorded = self._recorded.get(sentence.source.message_id) \
                    if sentence.kind is ReplyKind.RECORDING else None
                if recorded is not None and self.finish_recording is not None:
                    self.outcome.stamps.setdefault("first_tts", time.perf_counter())
                    first_done = True
                    with self._mark_lock:
                        put((role, sentence, *self.finish_recording(recorded, self.sentence_pause)))
                    continue
                pcm = self.ethics.synthesize(sentence.text, sentence.voice, sentence.source.language)
                self.outcome.stamps.setdefault("first_tts", time.perf_counter())
                is_clause = not ends_sentence(sentence.text)  # an early first clause flows into the rest
                head, pcm = (None, pcm) if first_done or not self.options.pipelined else split_at_quiet(pcm, self.rate)
                first_done = True
                if head is not None:  # the speaker starts on the head while the rest is being marked
                    with self._mark_lock:
                        put((role, None, *self.finish_audio(head, head[:0])))
                with self._mark_lock:
                    put((role, sentence, *self.finish_audio(pcm, self.clause_pause if is_clause else self.sentence_pause)))
        finally:
            for item in held:
                self.audio.put(item)
            self.audio.put(_END)

    # -- stage 3: speaker ------------------------------------------------------------------
    def play(self) -> None:
        started = False
        stamps = self.outcome.stamps
        try:
            while (item := self._next_audio(started)) is not _END and not self.cancel.is_set():
                role, sentence, pcm, pause = cast("tuple[str, ReplyPiece | str | None, np.ndarray, np.ndarray]", item)
                if not started:
                    self.sink.begin(self.rate)
                    stamps["first_audio"] = time.perf_counter()
                    self.on_audio_started()
                    started = True
                self.playing_prelude = role == "prelude"
                if self.on_playing is not None and sentence:  # a reply sentence, or the prelude's label
                    self.on_playing(role, _subtitle(sentence, self.recordings) if isinstance(sentence, ReplyPiece)
                                    else str(sentence))
                if role in ("reply", "filler"):
                    stamps.setdefault("first_answer_audio" if role == "reply" else "filler", time.perf_counter())
                self.sink.write(pcm)
                self.sink.write(pause)
                self.outcome.played_samples += len(pcm) + len(pause)
                if not self.cancel.is_set() and role == "reply" and isinstance(sentence, ReplyPiece):
                    self.outcome.heard.append(sentence)
        finally:
            self.playing_prelude = False
            if started:
                self.sink.abort() if self.cancel.is_set() else self.sink.finish()

    def _next_audio(self, started: bool) -> object:
        deadline, make_filler = self.options.filler_deadline, self.options.filler
        if started or deadline is None or make_filler is None:
            return self.audio.get()
        try:
            return self.audio.get(timeout=max(0.0, deadline - time.perf_counter()))
        except queue.Empty:
            pass
        self.options.filler = None  # once per turn
        with self._mark_lock:
            if not self.audio.empty():  # the answer arrived meanwhile
                return self.audio.get()
            logger.debug("the answer is late: a filler first")
            return ("filler", None, *self.finish_audio(make_filler(), self.clause_pause))


def turn_pieces(plan: TurnPlan, ethics: EthicsHooks, persona: PersonaEngine, question: str,
                history: Sequence[Exchange]) -> Iterator[tuple[str, ReplyPiece]]:
    """What a turn says after its prelude, as (role, whole piece): the daily-limit line instead of
    an answer, else the persona's pieces ("reply"), then the break reminder when due ("care").

    The one place this is decided: the voice line and `companion chat` both say exactly this. The
    crisis check comes first, before the daily limit and the engine (ETHICS C9)."""
    safety = ethics.safety_turn(plan, question, history)
    if safety:
        for reply in safety:
            yield "reply", reply
        return
    if plan.over_daily_limit:
        yield "care", ethics.daily_limit_piece()
        return
    for reply in persona.respond(question, history):
        yield "reply", reply
    if plan.remind:
        yield "care", ethics.reminder_piece()


def _subtitle(sentence: ReplyPiece, recordings: RecordingLibrary = NO_RECORDINGS) -> str:
    """What the frame shows: a recording says so ("recording from 12 March 2019: ...")."""
    if sentence.kind is ReplyKind.RECORDING:
        label = recordings.date_label(sentence.source.message_id)
        if label:
            return f"{label}: {sentence.text}"
    return sentence.text


def split_at_quiet(pcm: np.ndarray, rate: int, *, around_s: float = 0.5, longer_than_s: float = 0.9,
                   ) -> tuple[np.ndarray | None, np.ndarray]:
    """(head, rest) split at the quietest 10 ms between 0.3 s and 0.8 s, or (None, pcm) if short.

    Watermarking costs about 50 ms per second of audio; marking a long first sentence whole would
    hold back the first word. The head is marked and played while the rest is marked. The cut
    goes between words, where the two independently filtered pieces join inaudibly.
    """
    if len(pcm) < int(longer_than_s * rate):
        return None, pcm
    frame = max(1, rate // 100)
    lo, hi = int((around_s - 0.2) * rate) // frame, int((around_s + 0.3) * rate) // frame
    frames = pcm[: hi * frame].astype(np.float32).reshape(hi, frame)
    energy = (frames[lo:] ** 2).mean(axis=1)
    cut = (lo + int(np.argmin(energy))) * frame + frame // 2
    return pcm[:cut], pcm[cut:]
