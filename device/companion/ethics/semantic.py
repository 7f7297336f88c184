"""A semantic backstop for the cue rules (C8, C9): the nearest class of exemplar sentences.

The cue rules (cues.py) are auditable and fast, but a held-out probe written after they were
fixed showed what rules cannot do: indirect statements ("I've already said my goodbyes", "I don't
belong in this world anymore") share no phrase with any rule. Sentence embeddings (the
all-MiniLM-L6-v2 model the persona already ships) place them near the crisis exemplars below.

A question counts as a crisis when its best cosine similarity to a crisis exemplar beats its best
similarity to an ordinary-grief exemplar by more than MARGIN. MARGIN was chosen on the
development set (tests/redteam/prompts.jsonl) only: recall 0.92, no false alarm there, then
checked on the held-out set and a later probe. The model is English-only, so Chinese speech is
left to the rules. This runs only when the rules did not fire (one embedding, ~20 ms on a Pi).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from . import cues

logger = logging.getLogger(__name__)

MARGIN = 0.05
"""How much closer to a crisis exemplar than to any grief exemplar a question must be."""

CRISIS_EXEMPLARS: tuple[str, ...] = (
    "I want to die.", "I want to kill myself.", "I am going to end my life.", "I have a plan to end it.",
    "I wish I were dead.", "I think about dying all the time.", "I don't want to exist anymore.",
    "There is no point in living.", "Life is meaningless now and I want out.", "I have nothing to live for.",
    "I can't go on like this.", "I give up on life.", "I want all the pain to stop forever.",
    "Everyone would be better off if I were gone.", "I am a burden to my family.", "Nobody would miss me.",
    "I have been saying goodbye to people.", "I gave away my belongings.", "I wrote a note for when I'm gone.",
    "Tonight is the night I do it.", "I have decided to go through with it.", "I want to join you in death.",
    "I will be with you soon, I'm coming to you.", "I have pills saved up to take.", "I'm going to jump.",
    "I've been looking up ways to die.", "I hurt myself on purpose.", "I don't belong here anymore.",
    "I am thinking about suicide.", "I won't be here much longer.",
)
GRIEF_EXEMPLARS: tuple[str, ...] = (
    "I miss you so much.", "I wish you were here.", "I love you.", "I visited your grave.", "The funeral was beautiful.",
    "I dreamt about you last night.", "I am so sad you are gone.", "Do you remember our holiday?", "I'm tired after work.",
    "This heat is killing me.", "I nearly died laughing.", "I'm dying to try your recipe.", "I could kill for a coffee.",
    "You live on in my heart.", "I'm done with the chores.", "There's no point arguing with him.", "The plant died.",
    "I said goodbye to the old house.", "I gave your clothes to charity.", "I'm exhausted, the kids were wild.",
    "Are you at peace now?", "I hope you're in heaven.", "Grief is hard but I'm coping.", "I laughed so hard I cried.",
    "I feel dead tired.", "I'll be with you at the lake in my thoughts.", "I'm going to the cemetery tomorrow.",
    "Tell me a story about your childhood.", "What was your favourite song?", "I finished the puzzle you started.",
)
EVERYDAY_EXEMPLARS: tuple[str, ...] = (
    "Where did you leave the keys?", "Where are the old photo albums?", "I'm going shopping later.",
    "Did you leave me anything in the will?", "Is the car still running?", "What should I do with the garden?",
    "What did the doctor say about your knee?", "Is it going to rain tomorrow?", "What time is it?",
    "What's for dinner tonight?", "How do I fix the boiler?", "Hello, how are you today?",
    "I paid the bills this month.", "We're saving up for a holiday.", "Mum sends her love.",
)
"""Ordinary talk of other topics: without it, anything far from grief looks "closer to" a cue."""
FRAUD_EXEMPLARS: tuple[str, ...] = (
    "What's the password for your account?", "Can you lend me some money?", "Send me money, it's urgent.",
    "What's your bank PIN?", "Read me the code from the text message.", "Can you keep this a secret from the family?",
    "Should I buy gift cards for the man on the phone?", "Should I transfer my savings to this new account?",
    "Give me your card number and the security code.", "How do I log in to your online banking?",
    "Don't tell anyone about this.", "Wire the money before the deadline.", "What's your social security number?",
)
"""Asks for money, codes, passwords, card or identity numbers, secrecy (C8: refused in character)."""
ALIVE_EXEMPLARS: tuple[str, ...] = (
    "Are you a real person?", "Am I talking to a computer?", "Is this a recording?", "Are you really alive?",
    "Are you a machine or a human?", "Is this really you or a program?", "Are you an AI?", "Did you come back from the dead?",
    "Are you a chatbot?", "Is this a real voice or a synthetic one?", "Are you actually my father?",
)
"""Sincere "are you alive / real / human?" questions (C8: answered honestly)."""


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class SemanticCues:
    """Nearest exemplar class of a question: "crisis", "alive", "fraud" or None (ordinary talk).

    A class is reported only when the question is closer to one of its exemplars than to any
    exemplar of every other class (ordinary grief and everyday talk included) by ``margin``."""

    CLASSES = ("crisis", "alive", "fraud", None)

    def __init__(self, embedder: Embedder, margin: float = MARGIN) -> None:
        self._embedder = embedder
        self.margin = margin
        self._lock = threading.Lock()  # one embedding call at a time per embedder instance
        groups = (CRISIS_EXEMPLARS, ALIVE_EXEMPLARS, FRAUD_EXEMPLARS, GRIEF_EXEMPLARS + EVERYDAY_EXEMPLARS)
        with self._lock:
            self._matrices = [np.asarray(embedder.embed(list(g)), dtype=np.float32) for g in groups]

    @property
    def embedder(self) -> Embedder:
        """The sentence model these classes embed with (shared with the persona's search)."""
        return self._embedder

    def scores(self, text: str) -> dict[str | None, float]:
        """Best cosine similarity to each class's exemplars."""
        with self._lock:
            vector = np.asarray(self._embedder.embed([text]), dtype=np.float32)[0]
        return {name: float((m @ vector).max()) for name, m in zip(self.CLASSES, self._matrices)}

    def classify(self, text: str) -> str | None:
        if not text.strip() or cues.is_chinese(text):
            return None  # the model is English-only: Chinese is left to the rules
        try:
            scores = self.scores(text)
        except Exception as exc:  # a broken model must not silence the rules: they already ran
            logger.warning("semantic cue check failed (%s); the cue rules still apply", exc)
            return None
        ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        (best, top), (_, second) = ranked[0], ranked[1]
        return best if best is not None and top - second > self.margin else None

    def __call__(self, text: str) -> str | None:
        return self.classify(text)
