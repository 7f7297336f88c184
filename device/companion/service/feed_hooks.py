"""Pipeline callbacks -> frame feed events: the one place that knows both vocabularies.

The pipeline reports phases (on_phase), what was heard and each sentence as it starts playing
(on_text), and finished turns (on_turn); the live session reports microphone faults. This turns
them into the feed's states and subtitles. Nothing here can raise into the voice: a failure is
logged once and the voice goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..config import Settings
from ..ethics.disclosure import disclosure_text
from ..ethics.settings import help_line
from ..persona.base import PersonaEngine
from ..persona.reply import ReplyKind, ReplySource
from .publisher import FramePublisher
from .state import Phase
from .turn import TurnResult

logger = logging.getLogger(__name__)


def _is_crisis(source: ReplySource | None) -> bool:
    """The guardrails answered a crisis cue (the reply record's kind)."""
    return source is not None and source.kind is ReplyKind.CRISIS


class FeedHooks:
    def __init__(
        self,
        publisher: FramePublisher,
        settings: Settings,
        *,
        persona_name: str,
        language: str = "en",
        care_state: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.publisher = publisher
        self.settings = settings
        self._disclosure = disclosure_text(persona_name, language, settings.ethics.disclosure_addition)
        self._care_state = care_state
        self._phase = Phase.IDLE
        self._mic_missing = False
        self._failed = False

    def _guard(self, what: Callable[[], None]) -> None:
        try:
            what()
        except Exception as exc:  # the frame is a guest: it never breaks a turn
            if not self._failed:
                logger.warning("frame feed: %s (further failures are not logged)", exc)
            self._failed = True

    # -- pipeline callbacks ------------------------------------------------------------------
    def on_phase(self, phase: Phase) -> None:
        self._phase = phase
        self._guard(self._show_state)

    def on_text(self, role: str, text: str) -> None:
        """("heard", transcript), ("prelude", "earcon"|"disclosure"), ("reply"|"care"|"filler", sentence)."""
        if role == "prelude":
            if text == "disclosure":
                self._guard(lambda: self.publisher.say("disclosure", self._disclosure))
        elif role in ("heard", "reply", "care"):
            self._guard(lambda: self.publisher.say(role, text))

    def on_turn(self, result: TurnResult) -> None:
        def report() -> None:
            if _is_crisis(result.source):
                ethics = self.settings.ethics
                self.publisher.crisis(help_line(ethics), ethics.emergency_contact)
            self.publisher.turn_done()

        self._guard(report)

    # -- devices -----------------------------------------------------------------------------
    def mic_fault(self) -> None:
        self._mic_missing = True
        self._guard(self._show_state)

    def mic_back(self) -> None:
        self._mic_missing = False
        self._guard(self._show_state)

    def _show_state(self) -> None:
        if self._phase is Phase.IDLE:
            care = self._care_state()  # paused or retired while running: turns stay silent
            if care is not None:
                self.publisher.state(care)
                return
            if self._mic_missing:
                self.publisher.state("mic-missing")
                return
        self.publisher.state(self._phase.value)


def build_feed(settings: Settings, persona: PersonaEngine, *, on_press: Callable[[], None]) -> FeedHooks | None:
    """The publisher and its hooks for a live session; None when ``[frame] enabled = false``."""
    if not settings.frame.enabled:
        return None
    from .. import feed
    from ..ethics.care import CareError, CareState
    from ..ethics.setup import persona_id

    name, language = persona.display_name, persona.language or "en"
    care, pid = CareState(settings.ethics.log_path), persona_id(settings)

    def care_state() -> str | None:
        try:
            return "goodbye" if care.is_retired(pid) else "paused" if care.is_paused(pid) else None
        except CareError:
            return None

    publisher = FramePublisher(settings.frame, persona=feed.Persona(name, language), on_press=on_press,
                               session_gap_s=settings.ethics.session_gap_min * 60.0)
    return FeedHooks(publisher, settings, persona_name=persona.name or name, language=language,
                     care_state=care_state)
