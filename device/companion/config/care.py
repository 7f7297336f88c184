"""Settings for the ethics layer (ETHICS.md) and for what may reach the logs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .check import check


@dataclass(frozen=True)
class PrivacySettings:
    """What may end up in logs."""

    log_transcripts: bool = False
    """Log what was heard and answered (the journal keeps it); off unless the owner opts in."""

    def validate(self, where: str) -> None:
        """A switch: the loader has checked its type, there is nothing more to check."""


@dataclass(frozen=True)
class EthicsSettings:
    """Disclosure, crisis help, grief-safety and the generation log (ETHICS.md C3, C9-C11).

    There is deliberately no switch to turn the disclosure off: validation refuses an empty one.
    """

    disclosure: str = ""
    """Retired: the disclosure sentence is fixed per language (ethics/disclosure.py) and cannot be
    replaced. A configured value other than the fixed English sentence is refused with a pointer
    to ``disclosure_addition``."""
    disclosure_addition: str = ""
    """A sentence spoken after the fixed disclosure (e.g. "Walter's family set this up in 2026.");
    it may add to the disclosure, never contradict it; {name} is the persona."""
    disclosure_interval_min: float = 120.0
    """Repeat the disclosure after this much continuous use; at most 120 minutes."""
    session_gap_min: float = 30.0
    """A turn after this long without one starts a new session (and a new disclosure)."""
    country: str = ""
    """Where the device is (ISO 3166 code, e.g. "GB"): picks the national crisis line (ethics/helplines.py)."""
    help_number: str = ""
    """The crisis help line spoken when crisis cues are heard; "" = the national line of ``country``
    (988, the US line, when neither is set: `companion doctor` warns)."""
    emergency_contact: str = ""
    """A trusted person to call, e.g. "your sister Anna, 555 0100"; "" to leave it out."""
    crisis_message: str = (
        "I am an AI, not {name}, and I am stepping out of the role because what you said worries me. "
        "Please call {help_number} now{contact}. You deserve help, and you do not have to face this alone."
    )
    """Spoken in the neutral voice; {name}, {help_number} and {contact} (", or <contact>") are filled in."""
    daily_limit_min: float = 0.0
    """Optional daily limit of conversation time; 0 means no limit."""
    reminder_after_min: float = 60.0
    """After this long in one session, a gentle reminder to take a break; 0 turns the reminder off."""
    keep_transcripts: bool = False
    """Keep transcripts of conversations in the log folder (off unless the owner opts in)."""
    transcript_retention_days: int = 30
    """Transcripts older than this are deleted at start-up."""
    log_dir: str = ""
    """Generation log and care state; "" means $XDG_STATE_HOME/companion."""

    def validate(self, where: str) -> None:
        """Ranges and shapes; the disclosure's wording and the crisis line are checked by the ethics
        layer that owns them (ethics/settings.py), at start-up and by `companion doctor`."""
        check(len(self.disclosure_addition) <= 300, f"{where}.disclosure_addition", "must be at most 300 characters")
        check(0.0 < self.disclosure_interval_min <= 120.0, f"{where}.disclosure_interval_min", "must be in (0, 120] minutes")
        check(1.0 <= self.session_gap_min <= 1440.0, f"{where}.session_gap_min", "must be 1-1440 minutes")
        check("{help_number}" in self.crisis_message, f"{where}.crisis_message", "must include {help_number}")
        check(0.0 <= self.daily_limit_min <= 1440.0, f"{where}.daily_limit_min", "must be 0-1440 minutes")
        check(0.0 <= self.reminder_after_min <= 1440.0, f"{where}.reminder_after_min", "must be 0-1440 minutes")
        check(1 <= self.transcript_retention_days <= 3650, f"{where}.transcript_retention_days", "must be 1-3650 days")

    @property
    def log_path(self) -> Path:
        if self.log_dir:
            return Path(self.log_dir).expanduser()
        base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        return Path(base) / "companion"
