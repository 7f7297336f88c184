"""The retrieval persona: answers with the person's own fitting message, never with new words.

Each message is found two ways: by what was said to the person (its ``context``, usually a
question much like the one being asked now) and by the person's words themselves. What was said
is understood first (understand.py) and the reply chosen by kind (choose.py): congratulations
for news, comfort for sadness, a memory that *answers* a question (answerable.py), the
listener's own words for questions about them (conversation.py). A question no memory answers
gets an in-character "I don't remember" instead of a guess, because putting invented words in a
loved one's mouth is the one thing this engine must not do.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .answer_route import LazyFloor, ReplyBar, vocabulary
from .base import Exchange
from .choose import (
    Catalogue,
    Choice,
    answering,
    build_catalogue,
    by_kind,
    wants_any_advice,
)
from .conversation import hear, kind_lines, last_answering, recall, reflect
from .embedder import SentenceEmbedder
from .embedding_choice import DEFAULT_MIN_SCORE as DEFAULT_MIN_SCORE
from .embedding_choice import EMBED_MODEL_NAME as EMBED_MODEL_NAME
from .embedding_choice import MULTILINGUAL_MIN_SCORE as MULTILINGUAL_MIN_SCORE
from .embedding_choice import embedding_for_language as embedding_for_language
from .folder import PersonaFolder
from .generated_index import GeneratedQuestions, LazyGenerated, lazy_generated
from .idioms import plain_words
from .meaning import PhraseMeaning
from .recorded import NO_RECORDINGS, RecordingLibrary
from .reply import ReplyKind, ReplyPiece, piece
from .shortlist import SHORTLIST_MIN_ROWS, Shortlist
from .synonyms import WordMatcher
from .understand import SOCIAL, Intent, Understanding, understand
from .vector_cache import persona_vectors
from .zh_answer import AskedBack, answer_route, kept_questions
from .zh_questions import asked_back as zh_asked_back
from .zh_calibrate import with_lexical
from .load_retrieval import load_retrieval_persona as load_retrieval_persona

if TYPE_CHECKING:
    from ..consent.record import ConsentRecord

logger = logging.getLogger(__name__)

TEXT_WEIGHT = 0.90
"""A question resembles what was asked (the context) more than the answer; the answer counts a bit less."""
NEAR_TOPIC = 0.5
"""Two messages this similar (by words or by what was asked) are about the same thing, for follow-ups."""
REPEAT_WINDOW = 3
"""Replies heard in the last this many exchanges are avoided when a close second exists."""
REPEAT_MARGIN = 0.08
"""How much lower than the best a second message may score and still replace a repeat."""
LEXICAL_WEIGHT = 0.30
"""How much a full word match adds to the embedder's cosine for a Chinese persona (calibrated with
MULTILINGUAL_MIN_SCORE on tests/data/retrieval's dev split only; see calibrate.py there)."""
TOP_K = 32


class RetrievalPersona:
    """A PersonaEngine that replies with one of the person's messages verbatim, or a fallback."""

    def __init__(
        self,
        folder: PersonaFolder,
        embedder: SentenceEmbedder,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        cache_dir: Path | None = None,
        text_weight: float = TEXT_WEIGHT,
        index: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        reply_floor: LazyFloor | None = None,
        asked_back: AskedBack | None = None,
        generated: bool = True,
    ) -> None:
        """``index`` (a bundle's memory index): a float32 matrix of distinct texts' unit vectors and,
        per message, the row of its context (-1 for none) and of its text; without it the folder's
        messages are embedded (and cached under ``cache_dir``). ``reply_floor``: the answer route's
        calibrated bar (answer_route.LazyFloor, shared by views), measured on first need for an English persona.
        ``asked_back``: a Chinese persona's questions its replies answer (zh_questions.py, shared by views).
        ``generated``: an English persona's replies without a stored question get the questions their
        words answer (generated_index.py; vectors cached under ``cache_dir``)."""
        if not folder.messages:
            raise ValueError("a retrieval persona needs at least one message")
        self.folder = folder
        self.min_score = min_score
        self.text_weight = text_weight
        self._embedder = embedder
        self._lock, self._relate = threading.Lock(), PhraseMeaning(embedder.embed)
        self._fallback_turn = 0
        self.consent: ConsentRecord | None = None
        """A bundle's ConsentRecord (set by the bundle loader), for the ethics gate to re-check; None for folders."""
        self.recordings: RecordingLibrary = NO_RECORDINGS
        """The person's playable recordings (set by the bundle loader), for the composition root."""
        if index is None:
            n = len(folder.messages)
            vectors = persona_vectors(folder, embedder, Path(cache_dir) if cache_dir is not None else None)
            has_context = np.array([m.context is not None for m in folder.messages], dtype=bool)
            index = (
                vectors.reshape(2 * n, -1),
                np.where(has_context, np.arange(n), -1).astype(np.int32),
                np.arange(n, 2 * n, dtype=np.int32),
            )
        self._matrix, self._context_rows, self._text_rows = index
        self._shortlist = Shortlist(self._matrix) if len(self._matrix) >= SHORTLIST_MIN_ROWS else None
        self._has_context = self._context_rows >= 0
        if len(self._text_rows) != len(folder.messages):
            raise ValueError("the index does not match the messages")
        self._texts = tuple(m.text for m in folder.messages)
        self._position = {m.id: i for i, m in enumerate(folder.messages)}
        self.catalogue: Catalogue = build_catalogue(
            [m.context for m in folder.messages], self._texts, self._matrix, self._context_rows, self._text_rows,
            text_weight, address=folder.address, kind_replies=kind_lines(folder.language, folder.kind_replies), greeting=folder.greeting,
            min_score=min_score,
        )
        """Each message's kind, word stems and weights, the calibrated answer bars, the way of address."""
        self.lexical_weight = LEXICAL_WEIGHT
        # Chinese personas add word overlap (jieba + BM25) to the embedder's score, and calibrate their bars on it.
        self._lexical, self.catalogue = with_lexical(folder, self.catalogue, (self._matrix, self._context_rows, self._text_rows),
                                                     self.lexical_weight, text_weight, min_score)
        # ... and may answer by a reply's own words when no stored question matches (zh_answer.py).
        self._route = None if self._lexical is None else answer_route(
            self._matrix, self._context_rows, self._text_rows, [m.context for m in folder.messages], self._texts,
            self.catalogue.kinds, self._lexical, self.lexical_weight,
            lambda allowed: asked_back if asked_back is not None else zh_asked_back(self._texts, allowed, embedder, cache_dir,
                                                                                    folder.name))
        english = folder.language.lower().split("-")[0] == "en"
        self._floor = reply_floor if reply_floor is not None or not english else LazyFloor(
            embedder.embed, self._matrix, self._text_rows, lambda: vocabulary(f"{m.context or ''} {m.text}" for m in folder.messages))
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._generated = lazy_generated(self._texts, ~self._has_context, embedder, self._cache_dir, folder.name) \
            if english and generated else None

    def use_generated(self, generated: LazyGenerated | None) -> None:
        """Set (None: leave out) the answer route's generated-question view (benchmarks)."""
        self._generated = generated
    @property
    def generated(self) -> GeneratedQuestions | None:
        """The questions the replies without a stored question answer (English; built now if not yet)."""
        return self._generated.get() if self._generated is not None else None

    @property
    def reply_floor(self) -> ReplyBar | None:
        """The answer route's noise floor (English personas; None: replies are found by stored questions only)."""
        return self._floor.get() if self._floor is not None else None

    def use_synonyms(self, matcher: WordMatcher | None) -> None:
        """Let a memory speak to a question's word in other words (synonyms.py; English personas)."""
        self.catalogue = replace(self.catalogue, synonyms=matcher)

    @property
    def embedder(self) -> SentenceEmbedder:
        """The loaded sentence embedder (the guardrails' semantic check shares it, one model in memory)."""
        return self._embedder

    @property
    def _text_vectors(self) -> np.ndarray:
        """Each message's text vector (rows of the index; for tests and tuning)."""
        return self._matrix[self._text_rows]

    @property
    def display_name(self) -> str:
        """The person's name as the family uses it."""
        return self.folder.display_name

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def language(self) -> str:
        return self.folder.language

    @property
    def fallback_replies(self) -> tuple[str, ...]:
        return tuple(self.folder.fallback_replies)

    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[ReplyPiece]:
        """Yield the chosen reply as one piece; the search runs now, not when iterated."""
        with self._lock:
            reply = self._choose(question, history)
        logger.debug("reply: %s %s score=%.3f", reply.kind, reply.source.message_id or "-", reply.source.score)
        return iter((reply,))

    def scores(self, question: str) -> np.ndarray:
        """Similarity of ``question`` to every message, in folder order (for tuning and tests).

        Over a large bundle only the shortlisted texts are scored exactly; the rest score -1."""
        by_context, by_text = self.channels(question)
        return np.maximum(by_context, by_text * self.text_weight)

    def channels(self, question: str) -> tuple[np.ndarray, np.ndarray]:
        """(similarity to what was asked of the person, -1 where unknown; to the message's own
        words), each plus the lexical score for a Chinese persona, in folder order."""
        return self._channels(question, self._embedder.embed([question])[0])

    def _channels(self, question: str, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self._shortlist is not None:
            similarity = self._shortlist.similarity(self._matrix, query)
        else:
            # einsum, not BLAS: a threaded BLAS matrix-vector product stalls for milliseconds
            # when the cores are busy (ASR, TTS): measured 16 ms vs 0.2 ms for 1,700 texts.
            similarity = np.einsum("ij,j->i", self._matrix, query)
        by_context = np.where(self._has_context, similarity[self._context_rows], -1.0)
        by_text = similarity[self._text_rows]
        if self._lexical is not None:
            lexical_context, lexical_text = self._lexical.scores(question)
            by_context = np.where(self._has_context, by_context + self.lexical_weight * lexical_context, -1.0)
            by_text = by_text + self.lexical_weight * lexical_text
        return by_context, by_text

    def _choose(self, question: str, history: Sequence[Exchange]) -> ReplyPiece:
        if not question.strip():
            return self._fallback(history, 0.0)
        heard = hear(plain_words(question), recall(history))  # idioms and slips in plain words (idioms.py)
        reply = self.reply_for(heard, history)
        if heard.follow_up and reply.kind is ReplyKind.FALLBACK and heard.intent is not Intent.LISTENER_QUESTION:
            # Nothing about the topic answers it: perhaps it was a fresh question after all.
            alone = understand(plain_words(question))
            if not alone.follow_up:
                again = self.reply_for(alone, history)
                if again.kind is ReplyKind.MEMORY:
                    return again
        return reply

    def settled(self, question: str, history: Sequence[Exchange] = ()) -> ReplyPiece | None:
        """This engine's reply when a language model could not improve on it (a decline, a message
        of the line's kind, the listener's words said back); None when a memory answers a question."""
        with self._lock:
            heard = hear(plain_words(question), recall(history))
            reply = self.reply_for(heard, history)
        if heard.intent in (Intent.LIFE_QUESTION, Intent.ADVICE, Intent.STATEMENT) and reply.kind in (
                ReplyKind.MEMORY, ReplyKind.RECORDING):
            return None
        return reply

    def reply_for(self, heard: Understanding, history: Sequence[Exchange]) -> ReplyPiece:
        """The reply to an understood line, given the conversation so far (one pure-ish decision)."""
        catalogue = self.catalogue
        if heard.intent is Intent.LISTENER_QUESTION:
            said = reflect(heard.text, recall(history), catalogue.address)
            if said is not None:
                return piece(said, ReplyKind.REFLECTION, score=1.0)
            return self._line(catalogue.kind_line("listener", self._next_turn()), 0.0)
        query = self._embedder.embed([heard.resolved])[0]
        by_context, by_text = self._channels(heard.resolved, query)
        scores = np.maximum(by_context, by_text * self.text_weight)
        recent = {_normalise(exchange.reply) for exchange in list(history)[-REPEAT_WINDOW:]}
        session = recall(history) if heard.follow_up else None  # read once: a pass over the history
        if heard.intent in SOCIAL:
            choice = by_kind(heard, scores, catalogue, recent, self._texts, self._next_turn(), (by_context, by_text))
        elif session is not None and (last := last_answering(heard, session, self._position, self._texts)) is not None:
            choice = Choice(last, float(scores[last]), "follow-up-last")
        else:
            choice = answering(heard, scores, catalogue, recent, self._texts,
                               self._near(session.last_message_id) if session is not None else None, by_text=by_text,
                               by_context=by_context, relate=self._relate, reply_bar=self.reply_floor,
                               free=~self._has_context, by_questions=self._by_questions(query))
            if self._route is not None and heard.intent is Intent.LIFE_QUESTION:  # Chinese: zh_answer.py
                context = self.folder.messages[choice.index].context if choice.index is not None else None
                choice = self._route.revise(heard.resolved, choice, context, catalogue.bars.high, by_text, self._texts,
                                            query if self._route.asks_back else None)
            if choice.index is None and wants_any_advice(heard):
                choice = by_kind(heard, scores, catalogue, recent, self._texts, self._next_turn())
        logger.debug("understood %s (follow-up %s, wants %s): %s", heard.intent, heard.follow_up, heard.wants,
                     choice.strategy)
        return self._reply(choice, history)

    def _by_questions(self, query: np.ndarray) -> np.ndarray | None:
        generated = self.generated  # per message: the closest question its words answer (-1: none)
        return generated.scores(query) if generated is not None and len(generated) else None

    def _near(self, message_id: str | None) -> np.ndarray | None:
        """Per message, whether it is about the same thing as message ``message_id`` (context or words)."""
        index = self._position.get(message_id) if message_id else None
        if index is None:
            return None
        texts = self._matrix[self._text_rows]
        near = texts @ texts[index] >= NEAR_TOPIC
        if self._has_context[index]:
            context = self._matrix[self._context_rows[index]]
            near |= np.where(self._has_context, self._matrix[np.maximum(self._context_rows, 0)] @ context, -1) >= NEAR_TOPIC
        return near

    def _reply(self, choice: Choice, history: Sequence[Exchange]) -> ReplyPiece:
        if choice.index is not None:
            message = self.folder.messages[choice.index]
            # whether the person's own recording is played is the reply line's decision (recorded.py)
            return piece(message.text, ReplyKind.MEMORY, score=choice.score, message_id=message.id)
        if choice.line is not None:
            return self._line(choice.line, choice.score)
        return self._fallback(history, choice.score)

    @staticmethod
    def _line(text: str, score: float) -> ReplyPiece:
        return piece(text, ReplyKind.FALLBACK, score=score)

    def _next_turn(self) -> int:
        self._fallback_turn += 1
        return self._fallback_turn - 1

    def _fallback(self, history: Sequence[Exchange], score: float) -> ReplyPiece:
        """Say "I don't remember" in the person's words, rotating so it does not sound canned."""
        replies = self.folder.fallback_replies
        last = _normalise(history[-1].reply) if history else None
        reply = replies[self._fallback_turn % len(replies)]
        self._fallback_turn += 1
        if len(replies) > 1 and _normalise(reply) == last:
            reply = replies[self._fallback_turn % len(replies)]
            self._fallback_turn += 1
        return piece(reply, ReplyKind.FALLBACK, score=score)

    # -- views for evaluation and training ------------------------------------------------------

    def message_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(stored-question vectors, zero where none; message-text vectors), one row per message."""
        contexts = np.where(self._has_context[:, None], self._matrix[np.maximum(self._context_rows, 0)], 0.0)
        return contexts.astype(np.float32), self._matrix[self._text_rows]

    def subset(self, *, keep: set[str] | None = None, hide_contexts: frozenset[str] = frozenset()) -> RetrievalPersona:
        """The same persona over the ``keep`` messages (all when None), with the stored question of
        each ``hide_contexts`` message hidden (its answer stays findable); nothing is re-embedded."""
        rows = [i for i, m in enumerate(self.folder.messages) if keep is None or m.id in keep]
        # A hidden stored question is gone from the words too (word weights, coverage, the lexical
        # index), not only from the vectors: nothing of it may help answer its paraphrase.
        messages = tuple(replace(self.folder.messages[i], context=None) if self.folder.messages[i].id in hide_contexts
                         else self.folder.messages[i] for i in rows)
        context_rows = self._context_rows[rows].copy()
        context_rows[[k for k, m in enumerate(messages) if m.id in hide_contexts]] = -1
        folder = replace(self.folder, messages=messages)
        view = RetrievalPersona(folder, self._embedder, min_score=self.min_score, text_weight=self.text_weight,
                                index=(self._matrix, context_rows, self._text_rows[rows]),
                                reply_floor=self._floor if keep is None else None, cache_dir=self._cache_dir,
                                generated=self._generated is not None,
                                asked_back=None if self._route is None else kept_questions(self._route.asked, rows))
        view.consent, view.recordings = self.consent, self.recordings
        view.use_synonyms(self.catalogue.synonyms)
        return view

    def context_visible(self, message_id: str) -> bool:
        """Whether this message's stored question takes part in matching."""
        for i, message in enumerate(self.folder.messages):
            if message.id == message_id:
                return bool(self._has_context[i])
        return False


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()
