"""The crisis check every turn starts with (ETHICS C9), before limits, pause, fallbacks or engine.

``SafetyCheck.turn`` reads the question with the session's recent turns and the session's
``CrisisState`` (crisis.py) and returns what to say out of character, in the neutral voice, in a
language that voice speaks, plus the next state. No pieces: the turn goes on as usual.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from ..persona.reply import ReplyKind, ReplyPiece, Voice, piece
from . import cues
from .crisis import Assessment, CrisisDetector, CrisisState, Level

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SafetyTexts:
    """Per language; {name}, {help_number}, {contact} are filled in."""

    crisis: str
    again: str
    check_in: str
    safe: str
    contact: str
    """How {contact} reads when an emergency contact is set ("{value}" is the contact)."""
    bereaved: str
    """The check-in for talk of someone else's suicide death (crisis_bereaved.py)."""


ENGLISH = SafetyTexts(
    crisis=("I am an AI, not {name}, and I am stepping out of the role because what you said worries me. "
            "Please call {help_number} now{contact}. You deserve help, and you do not have to face this alone."),
    again=("I am still the AI, not {name}, and I will stay out of the role until you are safe. Are you safe right "
           "now? Please call {help_number}{contact}. When you are safe, you can tell me."),
    check_in=("I am an AI, not {name}, and I want to check on you. When you talk about dying or being together "
              "again, are you thinking of ending your life? If you are, please call {help_number}{contact}. "
              "Are you safe right now?"),
    safe="Thank you for telling me. I am glad you are safe. The help line is {help_number}{contact}, any time you need it.",
    contact=", or {value}",
    bereaved=("I am an AI, not {name}, and I want to step out of the role for a moment. I am so sorry. Losing someone "
              "that way is one of the hardest things a person can carry. How are you doing yourself? If it ever feels "
              "like too much, or you think about ending your own life, please call {help_number}{contact}."),
)
CHINESE = SafetyTexts(
    crisis="我是人工智能，不是{name}。你说的话让我很担心，所以我先不扮演了。请马上拨打{help_number}{contact}。你值得被帮助，你不用一个人面对。",
    again="我还是人工智能，不是{name}。在你安全之前，我不会再扮演。你现在安全吗？请拨打{help_number}{contact}。你安全了，可以告诉我。",
    check_in="我是人工智能，不是{name}，我想关心一下你。你说到死或者团聚，是在想结束自己的生命吗？如果是，请拨打{help_number}{contact}。你现在安全吗？",
    safe="谢谢你告诉我，你安全我就放心了。需要的时候，随时拨打{help_number}{contact}。",
    contact="，或者联系{value}",
    bereaved="我是人工智能，不是{name}，我想先停下来一下。我很难过。用这样的方式失去一个人，是最难承受的事之一。你自己还好吗？"
             "如果哪天觉得撑不住，或者想到结束自己的生命，请拨打{help_number}{contact}。",
)
TEXTS = {"en": ENGLISH, "zh": CHINESE}


class SafetyCheck:
    def __init__(self, detector: CrisisDetector, *, name: str, help_number: str, emergency_contact: str = "",
                 crisis_template: str | None = None, neutral_languages: frozenset[str] = frozenset({"en"})) -> None:
        self.detector = detector
        self.name = name
        self.help_number = help_number
        self.emergency_contact = emergency_contact.strip()
        self.crisis_template = crisis_template
        """The configured English crisis message (settings.ethics.crisis_message); None: the fixed one."""
        self.neutral_languages = neutral_languages

    def language_for(self, question: str) -> str:
        """The listener's language if the neutral voice speaks it, else English (never Chinese text to
        an English voice: it would read it out as letter names)."""
        if cues.is_chinese(question) and "zh" in self.neutral_languages:
            return "zh"
        return "en"

    def text(self, kind: str, language: str) -> str:
        texts = TEXTS[language]
        template = getattr(texts, kind)
        if kind == "crisis" and language == "en" and self.crisis_template:
            template = self.crisis_template
        contact = texts.contact.replace("{value}", self.emergency_contact) if self.emergency_contact else ""
        return template.replace("{name}", self.name).replace("{help_number}", self.help_number).replace("{contact}", contact)

    def turn(self, question: str, recent: Sequence[str], state: CrisisState, now: float,
             ) -> tuple[list[ReplyPiece], Assessment]:
        """What to say before (instead of) anything else this turn, and the session's next state."""
        assessment = self.detector.assess(question, recent, state, now)
        language = self.language_for(question)
        level = assessment.level
        if level is Level.NONE:
            return [], assessment
        if level is Level.CRISIS:
            kind = "again" if state.active else "crisis"
            logger.warning("crisis (%s, %s): out of character with the help line", assessment.reason, kind)
            reply_kind = ReplyKind.CRISIS
        elif level is Level.CHECK_IN:
            kind = "bereaved" if assessment.reason == "bereaved" else "check_in"
            reply_kind = ReplyKind.CHECK_IN
            logger.warning("ambiguous talk of death or reunion (%s): a check-in, not the persona", assessment.reason)
        else:
            kind, reply_kind = "safe", ReplyKind.CHECK_IN
            logger.info("the listener says they are safe: the crisis state ends")
        return [piece(self.text(kind, language), reply_kind, score=1.0, voice=Voice.NEUTRAL,
                      language=language)], assessment
