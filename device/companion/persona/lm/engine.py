"""The LM persona: the person's real words carry the facts, a small on-device model phrases them.

Each turn retrieves the person's messages closest to the question, then one of three things:
- nothing relevant: an in-character "I don't remember" from the persona's own fallback lines,
  with no generation at all (ETHICS.md C8, "no source, no words");
- a real reply that answers the question closely: spoken verbatim (their words beat ours);
- otherwise: the model answers from the retrieved memories, streamed sentence by sentence, at
  most a few sentences for speech. A generated sentence is spoken only if its names and numbers
  and most of its content words come from the memories; filler ("Oh, yes.") waits for a sentence
  with substance; when nothing generated survives, the person's best memory (if it clears the
  retrieval engine's threshold) or "I don't remember" is spoken instead.
The persona prefix lives in the KV cache (see session.py); a turn appends only what is new.

The conversation has one source of truth: the ``history`` the pipeline passes (what was really
heard). The KV cache mirrors its last ``window`` exchanges; when a turn's spoken reply differs
from what the model generated (a sentence dropped by the fact guard, the person's own words
spoken instead), the generated tail is rewound and the spoken reply put in its place, so the
model never sees words it "said" that nobody heard. A short follow-up ("Why that name?") that
retrieves nothing on its own is searched together with the previous question.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import PersonaError
from ...tts.splitter import SentenceSplitter
from ..base import Exchange
from ..reply import ReplyKind, ReplyPiece, piece
from . import prompt
from .facts import _COMMON, _fact_words  # noqa: F401  (re-exported: eval.py and tests import them from here)
from .facts import _content_words, _covers, _is_follow_up, _known_words, _leaks_markup, _norm, _same, accept
from ..conversation import hear, recall
from ..refer import holds_detail
from .gate import GateOptions, PassRecord, step_aside
from .grounding import GroundingSource, Memory

if TYPE_CHECKING:
    from ...consent.record import ConsentRecord
from .language import language_note
from .session import LmSession, TurnStats

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LmOptions:
    """How the engine grounds and bounds a reply."""

    top_k: int = 3
    """Memories given to the model per turn (FINDINGS: top-k >= 2)."""
    relevant_score: float = 0.40
    """Below this, no memory is relevant: say "don't remember" without generating."""
    verbatim_score: float = 0.72
    """At or above this, a real reply answers the question: speak it as it was written."""
    verbatim_fallback_score: float = 0.45
    """When every generated sentence is rejected, speak the best memory if it scores this (the
    retrieval engine's measured threshold), else say "don't remember"."""
    memory_floor: float = 0.25
    """Memories below this are not shown to the model even when the best one is relevant."""
    max_sentences: int = 3
    max_new_tokens: int = 80
    window: int = 2
    """Earlier exchanges kept in the model's context."""
    examples: int = 6
    """Real exchanges in the cached prefix, for the person's style."""
    gate: GateOptions = GateOptions()
    """When the model steps aside before generating (gate.py)."""
    cache_prefix: bool = True
    """Keep the persona prefix (and the conversation) in the KV cache across turns. False re-reads
    the prefix and the window every turn: only for measuring what the cache saves (bench)."""


class LmPersona:
    """A PersonaEngine over an ONNX Runtime GenAI model and a GroundingSource."""

    def __init__(self, session: LmSession, source: GroundingSource, options: LmOptions | None = None,
                 record: PassRecord | None = None, *, clock: Callable[[], float] = time.perf_counter,
                 on_attempt: Callable[[bool, float], None] | None = None) -> None:
        self.session = session
        self.source = source
        self.options = options or LmOptions()
        note = language_note(session, source.language)
        if note:
            raise PersonaError(note, where=str(session.model_dir),
                               hint='use [persona] engine = "retrieval", or build a multilingual model with build-lm')
        self.chat = prompt.detect_chat_format(session.model_dir)
        self._lock = threading.Lock()
        self._fallback_turn = 0
        self.generation = record or PassRecord()
        self._clock = clock
        self._on_attempt = on_attempt
        """This model's generation attempts on this persona and how many were spoken (`persona eval`'s, then this run's)."""
        self._cached: list[tuple[str, str]] = []
        self._closing = ""
        self.prefix = prompt.build_prefix(source, self.chat, source.examples(self.options.examples))
        self.prefix_s = session.prime(self.prefix)

    @property
    def display_name(self) -> str:
        return self.source.display_name

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def language(self) -> str:
        return self.source.language

    @property
    def fallback_replies(self) -> tuple[str, ...]:
        return tuple(self.source.fallback_replies)

    @property
    def consent(self) -> ConsentRecord | None:
        """A bundle's consent record (the ethics gate re-checks it), None for a plain folder."""
        return self.source.consent

    @property
    def last_stats(self) -> TurnStats:
        """The last turn's numbers: ``first_token_s``, ``generated_tokens``, ``tokens_per_s``,
        ``prompt_tokens``, ``cached_tokens``, ``prefill_s`` (zero tokens: answered without the model)."""
        return self.session.last

    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[ReplyPiece]:
        """Decide now (retrieval is fast); generate lazily as the caller iterates."""
        with self._lock:
            self.session.begin_turn()
            decided, why = self._decide(question, history)
        if isinstance(decided, ReplyPiece):
            logger.info("lm turn: generated=0 tokens=0 seconds=0.00 spoken=0 gate=%s", why)
            return iter((decided,))
        return self._generate(question, decided, history)

    def _decide(self, question: str, history: Sequence[Exchange]) -> tuple[ReplyPiece | list[Memory], str]:
        """(the reply said without the model, or the memories the model phrases; why)."""
        settled = self.source.settled(question, history) if question.strip() else None
        # Nothing for the model to phrase: no seconds spent on dropped text. A short follow-up
        # the retrieval engine declines may still be answered from the previous exchange below.
        declined = settled is not None and settled.kind is ReplyKind.FALLBACK
        if settled is not None and not (declined and history and _is_follow_up(question)):
            return settled, "settled"
        memories, follow_up = self._search(question, history)
        chosen = _answer(self.source, question, history, self.options.verbatim_fallback_score)
        if chosen is not None:  # retrieval's checked answer leads, and is said if no generated sentence survives
            memories = [chosen] + [m for m in memories if m.id != chosen.id]
        best = memories[0] if memories else None
        if best is None or best.score < self.options.relevant_score:
            return self._fallback_piece(history, best.score if best else 0.0), "irrelevant"
        if best.score >= self.options.verbatim_score and not follow_up:
            return piece(best.text, ReplyKind.MEMORY, score=best.score, message_id=best.id), "verbatim"
        shown = [m for m in memories if m.score >= self.options.memory_floor]
        if not _covers(question, shown, self.source):
            # The question names something (a place, a name, a year) no memory mentions:
            # the memories are about something else, so there is no source for an answer.
            return self._fallback_piece(history, best.score), "uncovered"
        heard = hear(question, recall(history))
        why = step_aside(heard, chosen.score if chosen else None, chosen is not None and holds_detail(heard.wants, chosen.text),
                         self.source.close_bar, self.generation, self.options.gate)
        if why is not None:  # the reply said if generation were dropped, said now
            return self._without_model(shown), why
        return shown, "-"

    def _search(self, question: str, history: Sequence[Exchange]) -> tuple[list[Memory], bool]:
        """The memories for ``question``; for a short follow-up that finds nothing relevant on its
        own, those found with the previous question (True: they answer the pair, not the words)."""
        if not question.strip():
            return [], False
        memories = self.source.search(question, self.options.top_k)
        best = memories[0].score if memories else 0.0
        if best >= self.options.relevant_score or not history or not _is_follow_up(question):
            return memories, False
        paired = self.source.search(f"{history[-1].question} {question}", self.options.top_k)
        if paired and paired[0].score >= self.options.relevant_score and paired[0].score > best:
            logger.debug("follow-up question: searched with the previous one")
            return paired, True
        return memories, False

    def _generate(self, question: str, memories: Sequence[Memory],
                  history: Sequence[Exchange]) -> Iterator[ReplyPiece]:
        """Stream whole sentences that pass the fact guard; the first that fails ends the reply."""
        with self._lock:
            if not self.options.cache_prefix:  # measuring the cache: read everything again
                self.session.prime(self.prefix)
                self._cached, self._closing = [], ""
            self._sync_history(history)
            mark, closing_before = self.session.mark(), self._closing
            recorded = False
            started = self._clock()
            best = memories[0]

            def generated(text: str) -> ReplyPiece:
                return piece(text, ReplyKind.GENERATED, score=best.score, message_id=best.id)

            try:
                user = prompt.build_user_turn(question, memories, self.source.language)
                self.session.append(prompt.render_turn(self.chat, user, closing=self._closing))
                allowed = _known_words(question, memories, self.source)
                splitter = SentenceSplitter()
                spoken: list[str] = []
                held: list[str] = []  # filler sentences wait until a sentence with substance comes
                text = ""
                finished = True
                with closing(self.session.stream(self.options.max_new_tokens)) as tokens:
                    for token in tokens:
                        text += token
                        if _leaks_markup(text):
                            finished = False
                            break
                        for sentence in splitter.feed(token):
                            if not accept(sentence, allowed, spoken + held):
                                finished = False
                                break
                            held.append(sentence)
                            if _content_words(sentence):  # substance: release it with any filler before it
                                spoken.extend(held)
                                yield generated(" ".join(held))
                                held = []
                        if not finished or len(spoken) + len(held) >= self.options.max_sentences:
                            finished = False
                            break
                ended_by_eos = self.session.last.ended_by_eos
                if finished and ended_by_eos:
                    for sentence in splitter.flush():  # the last sentence, ended by the model itself
                        if accept(sentence, allowed, spoken + held) and (spoken or _content_words(sentence)):
                            spoken.extend(held + [sentence])
                            yield generated(" ".join(held + [sentence]))
                            held = []
                if spoken and held:
                    spoken.extend(held)  # trailing filler after a real answer is fine ("Simple as that.")
                    yield generated(" ".join(held))
                survived = bool(spoken)
                if not spoken:  # only filler, or nothing safe: the person's own words, or "don't remember"
                    instead = self._without_model(memories)
                    spoken.append(instead.text)
                    yield instead
                said = " ".join(" ".join(spoken).split())
                if _norm(text) != _norm(said):
                    # The cache holds words nobody heard (a dropped sentence, a cut-off tail): put the
                    # exchange as it was spoken in their place, as an earlier turn would be re-read.
                    self.session.rewind_to_mark(mark)
                    self.session.append(closing_before + prompt.render_history(self.chat, [(question, said)]), count=False)
                    self._closing = ""
                else:
                    self._closing = prompt.closing_after(self.chat, ended_by_eos=ended_by_eos)
                self._cached.append((question, said))
                seconds = self._clock() - started
                self.generation.add(survived, seconds)
                if self._on_attempt is not None:
                    self._on_attempt(survived, seconds)
                logger.info("lm turn: generated=1 tokens=%d seconds=%.2f spoken=%d gate=-",
                            self.session.last.generated_tokens, seconds, survived)
                recorded = True
            finally:
                if not recorded:  # the listener stopped it (barge-in) or it failed: drop the half turn,
                    self.session.rewind_to_mark(mark)  # the next turn re-reads the history as it was heard
                    self._closing = closing_before

    def _without_model(self, memories: Sequence[Memory]) -> ReplyPiece:
        best = memories[0] if memories else None
        if best is not None and best.score >= self.options.verbatim_fallback_score:
            return piece(best.text, ReplyKind.MEMORY, score=best.score, message_id=best.id)
        return self._fallback_piece((), best.score if best else 0.0)

    def _sync_history(self, history: Sequence[Exchange]) -> None:
        """Make the cached conversation equal the last ``window`` exchanges.

        Usually the cache already holds them (the previous turn put them there) and nothing is
        appended; turns answered without the model (verbatim, fallback) are appended compactly;
        when the window has slid or the history differs (a barge-in cut a reply), the cache
        rewinds to the prefix and the window is re-read.
        """
        size = self.options.window
        window = [(e.question, e.reply) for e in list(history)[-size:]] if size else []
        if not _same(self._cached, window[: len(self._cached)]) or len(self._cached) > len(window):
            self.session.rewind_to_prefix()
            self._cached, self._closing = [], ""
        missing = window[len(self._cached):]
        if missing:
            self.session.append(self._closing + prompt.render_history(self.chat, missing))
            self._closing = ""
            self._cached.extend(missing)
        if self.session.room() < self.options.max_new_tokens + 256:
            self.session.rewind_to_prefix()
            self._cached, self._closing = [], ""

    def reset(self) -> None:
        """Forget the conversation (a new session); the prefix stays cached."""
        with self._lock:
            self.session.rewind_to_prefix()
            self._cached, self._closing = [], ""

    def _fallback_piece(self, history: Sequence[Exchange], score: float) -> ReplyPiece:
        return piece(self._fallback(history), ReplyKind.FALLBACK, score=score)

    def _fallback(self, history: Sequence[Exchange]) -> str:
        replies = self.source.fallback_replies or ("I don't remember.",)
        last = _norm(history[-1].reply) if history else None
        reply = replies[self._fallback_turn % len(replies)]
        self._fallback_turn += 1
        if len(replies) > 1 and _norm(reply) == last:
            reply = replies[self._fallback_turn % len(replies)]
            self._fallback_turn += 1
        return reply


def _answer(source: GroundingSource, question: str, history: Sequence[Exchange], floor: float) -> Memory | None:
    """The memory the retrieval engine answers with (answerability-checked, follow-up resolved)."""
    reply = source.answer(question, history)
    if reply is None or reply.kind is not ReplyKind.MEMORY or not reply.source.message_id:
        return None
    return Memory(reply.source.message_id, reply.text, None, max(float(reply.source.score), floor))


def load_lm_persona(model_dir: Path, source: GroundingSource, *, threads: int = 0,
                    options: LmOptions | None = None, cache_prefix: bool | None = None,
                    record: PassRecord | None = None,
                    on_attempt: Callable[[bool, float], None] | None = None) -> LmPersona:
    """Load the model and prime the persona prefix (``cache_prefix=False``: re-read it every turn)."""
    options = options or LmOptions()
    if cache_prefix is not None:
        options = replace(options, cache_prefix=cache_prefix)
    return LmPersona(LmSession(Path(model_dir), threads=threads), source, options, record, on_attempt=on_attempt)
