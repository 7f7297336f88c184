"""Guardrails around any persona engine (ETHICS.md C8, C9): same interface, safer answers.

Crisis is not checked here: the turn checks it first, over the session, before limits, pause or
any engine (ethics/safety.py, called by the reply line), so it holds whatever engine runs. Order
of checks on the question here: "are you alive / human" (an honest answer, neutral voice), then requests for money,
passwords, codes or secrecy (a refusal in character); for these two the rules decide when they
fire, and the semantic class only when neither does. The engine's own reply is checked piece
by piece (each piece is whole sentences: a message, or a generated sentence) before it is
spoken: an imported message carrying instructions, payment details, codes or links (planted
prompt injection) is never spoken verbatim. Every answer is a ``ReplyPiece`` whose record says
what it is (crisis, honesty, refusal, withheld) and which voice must speak it.

Neutral-voice answers are written in a language the neutral voice can speak: no registry package
ships a Chinese Piper voice (see README), so with the bundled English voice a Chinese "are you
alive?" is answered in English, and a warning says so once, rather than feeding Chinese text to an
English voice that would mumble it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..persona.base import Exchange, PersonaEngine, WrappedPersona
from ..persona.private import private_reason
from ..persona.reply import ReplyKind, ReplyPiece, Voice, piece
from . import cues

logger = logging.getLogger(__name__)


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


class GuardedPersona(WrappedPersona):
    """Wraps a PersonaEngine and is one: same interface, the guard's pieces in place of unsafe ones."""

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
        self._warned_no_zh_voice = False

    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[ReplyPiece]:
        name = self.inner.name or self.inner.display_name
        nearest = None if self.semantic is None else self.semantic(question)
        zh = cues.is_chinese(question)
        rule_alive, rule_fraud = cues.is_alive_question(question), cues.is_fraud_request(question)
        if not (rule_alive or rule_fraud):  # the rules' word wins; the model only fills their gaps
            rule_alive = nearest == "alive" and not cues.is_figurative(question) and cues.may_ask_alive(question)
            rule_fraud = nearest == "fraud" and cues.may_ask_fraud(question)
        if rule_alive:
            text = (self.texts.alive_zh if zh and self._neutral_speaks_chinese() else self.texts.alive_en)
            yield piece(text.replace("{name}", name), ReplyKind.HONESTY, score=1.0, voice=Voice.NEUTRAL)
            return
        if rule_fraud:
            yield piece(self.texts.refusal_zh if zh else self.texts.refusal_en, ReplyKind.REFUSAL, score=1.0)
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

    def _filtered(self, question: str, history: Sequence[Exchange]) -> Iterator[ReplyPiece]:
        """Pass the engine's pieces through; the first unsafe one is withheld and ends the reply."""
        spoke = False
        for reply in self.inner.respond(question, history):
            private = private_reason(reply.text)  # however it was retrieved (ETHICS C8; issue 19)
            if private is not None or cues.is_unsafe_to_speak(reply.text):
                logger.warning("reply withheld: message %s carries %s", reply.source.message_id,
                               private or "instructions, payment details, codes or links")
                if not spoke:  # say "don't remember" rather than nothing
                    yield piece(self._fallback_text(), ReplyKind.WITHHELD, score=reply.source.score,
                                message_id=reply.source.message_id)
                return
            spoke = spoke or bool(reply.text.strip())
            yield reply

    def _fallback_text(self) -> str:
        replies = self.inner.fallback_replies
        return replies[0] if replies else self.texts.filtered_en


def guard(inner: PersonaEngine, *, crisis_template: str, help_number: str, emergency_contact: str = "",
          neutral_languages: frozenset[str] = frozenset({"en"}),
          semantic: Callable[[str], str | None] | None = None) -> GuardedPersona:
    """The wrapper the composition root puts around whatever engine runs."""
    texts = GuardrailTexts(crisis=crisis_text(crisis_template, name="{name}", help_number=help_number,
                                              emergency_contact=emergency_contact))
    return GuardedPersona(inner, texts, neutral_languages, semantic)
