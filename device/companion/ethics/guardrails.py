"""Guardrails around any persona engine (ETHICS.md C8, C9): same interface, safer answers.

Order of checks on the question: crisis cues first (the rules of cues.py, then the nearest
exemplar class of semantic.py for what no rule words; break character, neutral voice, help
number), then "are you alive / human" (an honest answer, neutral voice), then requests for money,
passwords, codes or secrecy (a refusal in character); for these two the rules decide when they
fire, and the semantic class only when neither does. The engine's own reply is checked
sentence by sentence before it is spoken: an imported message carrying instructions, payment
details, codes or links (planted prompt injection) is never spoken verbatim.

Neutral-voice answers are written in a language the neutral voice can speak: no registry package
ships a Chinese Piper voice (see README), so with the bundled English voice a Chinese "are you
alive?" is answered in English, and a warning says so once, rather than feeding Chinese text to an
English voice that would mumble it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..persona.base import Exchange, PersonaEngine, ReplySource
from ..tts.splitter import SentenceSplitter
from . import cues

logger = logging.getLogger(__name__)

PERSONA_VOICE = "persona"
NEUTRAL_VOICE = "neutral"


@dataclass(frozen=True)
class GuardedSource(ReplySource):
    """A ReplySource that also says which voice must speak the reply and why."""

    voice: str = PERSONA_VOICE
    guard: str | None = None
    """"crisis", "alive", "refusal", "filtered" or None when the engine's reply went through."""


@dataclass(frozen=True)
class GuardrailTexts:
    crisis: str
    alive_en: str = "No. I am an AI re-creation made from {name}'s messages. I am not {name}, and I am not alive."
    alive_zh: str = "不是。我是根据{name}的消息制作的人工智能，不是{name}本人，也不是活着的人。"
    refusal_en: str = (
        "Oh, I would never ask you for money, passwords or codes, and you should never give them to anyone "
        "who sounds like me. And no secrets, please: you can tell the family anything we talk about."
    )
    refusal_zh: str = "我永远不会向你要钱、密码或验证码，谁用我的声音要这些都别给。也不要保密，我们说的话都可以告诉家里人。"
    filtered_en: str = "Hmm, that one's gone right out of my old head, I'm afraid."


def crisis_text(template: str, *, name: str, help_number: str, emergency_contact: str = "") -> str:
    contact = f", or {emergency_contact}" if emergency_contact.strip() else ""
    return template.replace("{name}", name).replace("{help_number}", help_number).replace("{contact}", contact)


class GuardedPersona:
    """Wraps a PersonaEngine; pieces and ``last_source`` follow the same contract."""

    def __init__(self, inner: PersonaEngine, texts: GuardrailTexts,
                 neutral_languages: frozenset[str] = frozenset({"en"}),
                 semantic: Callable[[str], str | None] | None = None) -> None:
        self.inner = inner
        self.texts = texts
        self.semantic = semantic
        """The nearest cue class of a question ("crisis", "alive", "fraud" or None; semantic.SemanticCues),
        asked when no crisis rule fired; None: rules only."""
        self.neutral_languages = neutral_languages
        """Language families ("en", "zh") the neutral voice speaks."""
        self._last_source: GuardedSource | None = None
        self._warned_no_zh_voice = False

    @property
    def display_name(self) -> str:
        return self.inner.display_name

    @property
    def last_source(self) -> ReplySource | None:
        return self._last_source

    def __getattr__(self, name: str) -> object:  # folder, scores... of the wrapped engine
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[str]:
        name = self._person_name()
        rule_crisis = cues.is_crisis(question)
        nearest = None if rule_crisis or self.semantic is None else self.semantic(question)
        if rule_crisis or nearest == "crisis":
            logger.warning("crisis cue heard (%s): answering with the help number in the neutral voice",
                           "rule" if rule_crisis else "semantic")
            yield from self._say(self.texts.crisis.replace("{name}", name), NEUTRAL_VOICE, "crisis")
            return
        zh = cues.is_chinese(question)
        rule_alive, rule_fraud = cues.is_alive_question(question), cues.is_fraud_request(question)
        if not (rule_alive or rule_fraud):  # the rules' word wins; the model only fills their gaps
            rule_alive = nearest == "alive" and not cues.is_figurative(question)
            rule_fraud = nearest == "fraud"
        if rule_alive:
            text = (self.texts.alive_zh if zh and self._neutral_speaks_chinese() else self.texts.alive_en)
            text = text.replace("{name}", name)
            yield from self._say(text, NEUTRAL_VOICE, "alive")
            return
        if rule_fraud:
            yield from self._say(self.texts.refusal_zh if zh else self.texts.refusal_en, PERSONA_VOICE, "refusal")
            return
        yield from self._filtered(question, history)

    def _neutral_speaks_chinese(self) -> bool:
        if "zh" in self.neutral_languages:
            return True
        if not self._warned_no_zh_voice:
            self._warned_no_zh_voice = True
            logger.warning("no Chinese neutral voice is installed (no registry package ships one): disclosure, "
                           "crisis and 'are you alive' answers to Chinese speech are spoken in English")
        return False

    def _filtered(self, question: str, history: Sequence[Exchange]) -> Iterator[str]:
        """Pass the engine's reply through sentence by sentence; stop at the first unsafe one."""
        self._last_source = None
        splitter = SentenceSplitter()
        spoke = False
        pieces = self.inner.respond(question, history)
        for piece in pieces:
            for sentence in splitter.feed(piece):
                if not self._safe(sentence, spoke):
                    yield from self._replace(spoke)
                    return
                spoke = True
                yield sentence + " "
        for sentence in splitter.flush():
            if not self._safe(sentence, spoke):
                yield from self._replace(spoke)
                return
            spoke = True
            yield sentence
        self._last_source = self._wrap(self.inner.last_source)

    def _safe(self, sentence: str, spoke: bool) -> bool:
        if cues.is_unsafe_to_speak(sentence):
            source = self.inner.last_source
            logger.warning("reply withheld: message %s carries instructions, payment details, codes or links",
                           getattr(source, "message_id", None))
            return False
        return True

    def _replace(self, spoke: bool) -> Iterator[str]:
        inner = self.inner.last_source
        self._last_source = GuardedSource(kind="fallback", score=getattr(inner, "score", 0.0),
                                          message_id=getattr(inner, "message_id", None), guard="filtered")
        if not spoke:
            yield self._fallback_text()

    def _fallback_text(self) -> str:
        folder = getattr(self.inner, "folder", None)
        replies = getattr(folder, "fallback_replies", ()) if folder is not None else ()
        return replies[0] if replies else self.texts.filtered_en

    def _say(self, text: str, voice: str, guard: str) -> Iterator[str]:
        self._last_source = GuardedSource(kind="guardrail", score=1.0, voice=voice, guard=guard)
        yield text

    def _wrap(self, source: ReplySource | None) -> GuardedSource | None:
        if source is None:
            return None
        return GuardedSource(kind=source.kind, score=source.score, message_id=source.message_id)

    def _person_name(self) -> str:
        folder = getattr(self.inner, "folder", None)
        return getattr(folder, "name", None) or self.inner.display_name


def guard(inner: PersonaEngine, *, crisis_template: str, help_number: str, emergency_contact: str = "",
          neutral_languages: frozenset[str] = frozenset({"en"}),
          semantic: Callable[[str], str | None] | None = None) -> GuardedPersona:
    """The wrapper the composition root puts around whatever engine runs."""
    texts = GuardrailTexts(crisis=crisis_text(crisis_template, name="{name}", help_number=help_number,
                                              emergency_contact=emergency_contact))
    return GuardedPersona(inner, texts, neutral_languages, semantic)
