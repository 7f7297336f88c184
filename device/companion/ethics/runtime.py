"""What the turn runner asks of the ethics layer, per turn: one object, so turn.py stays small.

Per turn: a new utterance id (watermark payload = provenance id = log id), a watermark marker
continuous over everything played in the turn, the earcon + disclosure when due (C3), the daily
limit and the long-session reminder (C10), the voice each reply must use (neutral for crisis
answers, C9), and one content-free generation-log record at the end (C11).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..audio.convert import resample
from ..config import EthicsSettings
from ..persona.base import Exchange
from ..persona.reply import ReplyKind, ReplyPiece, ReplySource, Voice, piece
from ..tts.base import SpeechSynthesizer
from . import care as care_texts
from .care import CareState
from .crisis import CrisisDetector, CrisisState
from .disclosure import DisclosurePolicy, disclosure_text, earcon
from .genlog import GenerationLog, new_utterance_id, utterance_hex
from .safety import SafetyCheck
from .settings import help_line
from .watermark import UtteranceMarker
from .wmkey import device_key

logger = logging.getLogger(__name__)


@dataclass
class TurnPlan:
    """What one turn must do besides answering."""

    utterance_id: int
    marker: UtteranceMarker
    prelude: list[tuple[str, np.ndarray | str]] = field(default_factory=list)
    """(label, pcm or neutral-voice text) played before the reply: earcon, disclosure sentence."""
    disclosed: bool = False
    over_daily_limit: bool = False
    remind: bool = False
    silent: bool = False
    """Paused or retired while running (`companion care pause`): the turn plays nothing, unless the
    crisis check finds a crisis (it runs first on every path, ETHICS C9)."""
    started: float = 0.0
    new_session: bool = False
    """The turn opens a new session (first turn, or after the session gap): the history, the
    recent turns and the crisis state start afresh."""
    crisis: CrisisState = field(default_factory=CrisisState)
    """The session's crisis state: as the turn found it, then as the crisis check left it."""
    safety: list[ReplyPiece] | None = None
    """What the crisis check said this turn (empty: nothing); None until it has run."""

    @property
    def utterance_hex(self) -> str:
        return utterance_hex(self.utterance_id)


class EthicsHooks:
    def __init__(
        self,
        settings: EthicsSettings,
        *,
        tts: SpeechSynthesizer,
        neutral_tts: SpeechSynthesizer | None = None,
        persona_name: str = "this person",
        persona_id: str = "unknown",
        model_hashes: Mapping[str, str] | None = None,
        log: GenerationLog | None = None,
        care: CareState | None = None,
        clock: Callable[[], float] = time.time,
        watermark_key: bytes | None = None,
        safety: SafetyCheck | None = None,
        neutral_by_language: Mapping[str, SpeechSynthesizer] | None = None,
        disclosure_language: str = "en",
    ) -> None:
        self.settings = settings
        # Looked up now, so a device whose key cannot be read refuses to start, not mid-turn.
        self.watermark_key = watermark_key if watermark_key is not None else device_key(settings.log_path).secret
        self.tts = tts
        self.neutral_tts = neutral_tts or tts
        self.persona_name = persona_name
        self.persona_id = persona_id
        self.model_hashes = dict(model_hashes or {})
        self.log = log
        self.care = care
        self.clock = clock
        # No hooks without a crisis check (C9): without a model, the auditable rules still run.
        self.safety = safety or SafetyCheck(CrisisDetector(), name=persona_name, help_number=help_line(settings),
                                            emergency_contact=settings.emergency_contact,
                                            crisis_template=settings.crisis_message)
        """The crisis check every turn starts with; None only in tests of other things."""
        self.neutral_by_language = dict(neutral_by_language or {})
        """Neutral voices by language ("zh": a Mandarin voice); the default neutral voice speaks the rest."""
        self.policy = DisclosurePolicy(
            interval_s=settings.disclosure_interval_min * 60.0, session_gap_s=settings.session_gap_min * 60.0
        )
        self._reminded_session: float | None = None
        self._lock = threading.Lock()
        # Synthesized once, here: the disclosure must not delay the first reply of each session.
        self._earcon = earcon(self.rate)
        self.disclosure_language = disclosure_language
        """The language of the fixed disclosure sentence; a neutral voice for it speaks it (C3)."""
        self.disclosure_text = disclosure_text(persona_name, disclosure_language, settings.disclosure_addition)
        """The disclosure sentence as text (spoken in the neutral voice; printed by `companion chat`)."""
        self._disclosure = self.neutral(self.disclosure_text, disclosure_language)

    @property
    def rate(self) -> int:
        return self.tts.sample_rate

    def marker(self, utterance_id: int) -> UtteranceMarker:
        """A watermark marker for one utterance, keyed by this device's secret."""
        return UtteranceMarker(utterance_id, self.rate, key=self.watermark_key)

    def neutral(self, text: str, language: str | None = None) -> np.ndarray:
        """Speech in the neutral (non-cloned) voice for ``language``, at the reply's sample rate."""
        tts = self.neutral_by_language.get(language or "", self.neutral_tts)
        pcm = tts.synthesize(text)
        return resample(pcm, tts.sample_rate, self.rate)

    def synthesize(self, text: str, voice: Voice, language: str | None = None) -> np.ndarray:
        return self.neutral(text, language) if voice is Voice.NEUTRAL else self.tts.synthesize(text)

    def start_turn(self, crisis: CrisisState | None = None) -> TurnPlan:
        """Called when a triggered turn has a transcript; never without a trigger (C10).

        ``crisis`` is the session's crisis state as the pipeline keeps it; a new session drops it."""
        now = self.clock()
        uid = new_utterance_id()
        if self.care is not None and (self.care.is_paused(self.persona_id) or self.care.is_retired(self.persona_id)):
            logger.info("persona %s is paused: silent unless the crisis check finds a crisis", self.persona_id)
            with self._lock:
                new_session = self.policy.new_session(now)
            return TurnPlan(utterance_id=uid, marker=self.marker(uid), silent=True, started=now,
                            new_session=new_session, crisis=CrisisState() if new_session else crisis or CrisisState())
        with self._lock:
            new_session = self.policy.new_session(now)
            disclose = self.policy.turn(now)
            session_start = self.policy._session_start
            session_len = self.policy.session_length(now)
        plan = TurnPlan(utterance_id=uid, marker=self.marker(uid), started=now, new_session=new_session,
                        crisis=CrisisState() if new_session else crisis or CrisisState())
        if disclose:
            plan.disclosed = True
            plan.prelude.append(("earcon", self._earcon))
            plan.prelude.append(("disclosure", self._disclosure))
        limit = self.settings.daily_limit_min * 60.0
        if self.care is not None and limit > 0 and self.care.usage_today(dt.date.fromtimestamp(now)) >= limit:
            plan.over_daily_limit = True
        reminder = self.settings.reminder_after_min * 60.0
        if reminder > 0 and session_len >= reminder and self._reminded_session != session_start:
            self._reminded_session = session_start
            plan.remind = True
        return plan

    def safety_turn(self, plan: TurnPlan, question: str, history: Sequence[Exchange]) -> list[ReplyPiece]:
        """The crisis check, first on every path of a turn: what to say instead of anything else
        (empty: go on). Reads the session's recent turns (none when this turn opens a session) and
        updates ``plan.crisis``. Runs once per turn."""
        if plan.safety is not None:
            return plan.safety
        if not question.strip():
            plan.safety = []
            return plan.safety
        recent = [] if plan.new_session else [h.question for h in history]
        pieces, assessment = self.safety.turn(question, recent, plan.crisis, plan.started)
        plan.crisis, plan.safety = assessment.state, pieces
        return pieces

    def finish_turn(self, plan: TurnPlan, *, source: ReplySource | None, audio_s: float,
                    question: str = "", reply: str = "") -> None:
        if self.care is not None and audio_s > 0:
            self.care.add_usage(audio_s, dt.date.fromtimestamp(plan.started))
        if self.log is None:
            return
        self.log.record(
            plan.utterance_id,
            persona_id=self.persona_id,
            kind=source.kind.value if source is not None else "none",
            models=self.model_hashes,
            disclosure=plan.disclosed,
            voice=(source.voice if source is not None else Voice.PERSONA).value,
            conversation_s=round(audio_s, 3),
            now=plan.started,
        )
        if question or reply:
            self.log.transcript(plan.utterance_id, question, reply, now=plan.started)

    @staticmethod
    def daily_limit_piece() -> ReplyPiece:
        return piece(care_texts.DAILY_LIMIT_TEXT, ReplyKind.CARE, score=1.0, voice=Voice.NEUTRAL)

    @staticmethod
    def reminder_piece() -> ReplyPiece:
        return piece(care_texts.REMINDER_TEXT, ReplyKind.CARE, score=1.0, voice=Voice.NEUTRAL)
