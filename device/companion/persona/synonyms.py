"""Does a memory speak to a question's word in other words? ("hurt" for "injure", "mom" for "mum").

The answerability check (answerable.py) asks a memory to speak to most of a question's rare
words. Done by word stems, a paraphrase in other words fails it: "Did you ever injure yourself
on the job?" against "Did you ever get hurt at work?" covers nothing, and the right memory is
declined. Sentence similarity cannot settle it either (it cannot tell "Ireland" from "abroad").

A word's meaning on its own can: the multilingual Universal Sentence Encoder (already installed
for Chinese personas) embeds single words well enough to separate synonyms from neighbours.
Measured on the English dev personas' words (tests/bench/listen_dev.py): injure/hurt 0.76,
mum/mom 0.91, toddler/kid 0.78, job/work 0.88, carpentry/carpenter 0.78, against
comic/book 0.53, Ireland/abroad 0.46, train/travel 0.58, apartment/houses 0.52,
play/instrument 0.51. MiniLM separates them less well (injure/hurt 0.62, Ireland/abroad
0.51) and costs four times as much a word. Single words cost ~1-3 ms each here, so words are
embedded only when a check needs them and kept (bounded) for the next question.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from ..fairlock import background

logger = logging.getLogger(__name__)

SYNONYM = 0.68
"""Two words at least this similar (USE, one word each) say the same thing (see the module doc)."""
CACHE_WORDS = 50_000
"""At most this many word vectors are kept (512 floats each: ~100 MB at most)."""
WARM_WORDS = 20_000
"""At most this many of the persona's words are embedded ahead, in the background, at load."""
WARM_CHUNK = 64
"""Words per embedding call while warming (the lock is let go between chunks, so a question never waits long)."""


class WordEmbedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class WordMatcher:
    """Single-word similarity with a bounded cache of word vectors (thread-safe)."""

    def __init__(self, embedder: WordEmbedder, threshold: float = SYNONYM) -> None:
        self._embedder = embedder
        self.threshold = threshold
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    @property
    def embedder(self) -> WordEmbedder:
        """The model words are embedded with (the multilingual one, shared with the crisis check)."""
        return self._embedder

    def _embed(self, words: Iterable[str]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(w.lower() for w in words))
        with self._lock:
            missing = [w for w in wanted if w not in self._vectors]
            if missing:
                if len(self._vectors) + len(missing) > CACHE_WORDS:
                    self._vectors.clear()  # rare (a huge bundle): start again rather than grow
                for word, vector in zip(missing, self._embedder.embed(missing)):
                    self._vectors[word] = vector
            return {w: self._vectors[w] for w in wanted}

    def warm(self, texts: Iterable[str], *, most: int = WARM_WORDS) -> threading.Thread:
        """Embed the content words of ``texts`` (at most ``most``) on a background thread, a chunk at
        a time, so a question's check rarely waits for a memory's words. Speed only: a word not yet
        embedded when asked for is embedded then, so the answers are the same either way."""
        from .words import focus_words

        words: dict[str, None] = {}
        for text in texts:
            for word in focus_words(text).split():
                if word.isascii():
                    words[word] = None
            if len(words) >= most:
                break
        vocabulary = list(words)[:most]

        def run() -> None:
            try:
                with background():  # a turn's own embeddings (its crisis check, on the same model) go first
                    for start in range(0, len(vocabulary), WARM_CHUNK):
                        self._embed(vocabulary[start:start + WARM_CHUNK])
            except Exception as exc:  # noqa: BLE001  (speed only: the check embeds on demand instead)
                logger.warning("word vectors not prepared ahead: %s", exc)

        thread = threading.Thread(target=run, name="persona-words", daemon=True)
        thread.start()
        return thread

    def speaks_to(self, word: str, memory_words: Sequence[str]) -> bool:
        """Whether one of ``memory_words`` says what ``word`` says (a synonym or another form)."""
        if not memory_words:
            return False
        vectors = self._embed([word, *memory_words])
        own = vectors[word.lower()]
        best = max(float(own @ vectors[w.lower()]) for w in memory_words)
        return best >= self.threshold


def meets_unseen(unseen: Sequence[str], memory_words: Sequence[str], matcher: WordMatcher | None) -> bool:
    """Every name the question says that the persona never wrote (answerable.unseen_names:
    "America", "London") is said by the memory in other words ("Majorca" does not say "America");
    True when there are none, or no word meaning is loaded (a non-English persona: nothing changes)."""
    if not unseen or matcher is None:
        return True
    return all(matcher.speaks_to(word, memory_words) for word in unseen)
