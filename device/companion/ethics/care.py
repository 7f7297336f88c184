"""Grief-safety (ETHICS.md C10): adults-only set-up, pause vs. goodbye, daily limit, reminders.

State lives in a small JSON file next to the generation log so a pause survives restarts and
the daily limit counts the whole day, not one process.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from pathlib import Path

from ..atomicfile import write_atomic
from ..errors import CompanionError

logger = logging.getLogger(__name__)

STATE_NAME = "care.json"

ADULTS_ONLY_TEXT = (
    "companion re-creates a person from their messages. It is meant for adults (18 or older) "
    "who understand that it is an AI and not the person. Are you 18 or older and setting this "
    "up for yourself or another adult?"
)
GOODBYE_TEXT = (
    "Saying goodbye retires this persona for good: its messages, voice and keys are erased and "
    "cannot be recovered. If you only want a break, use `companion care pause` instead."
)
REMINDER_TEXT = "We have been talking for a while. It might be a good moment for a break; I will be here."
DAILY_LIMIT_TEXT = "That is all the time set aside for today. Let us talk again tomorrow."


class PersonaPaused(CompanionError):
    """The owner paused the persona; it stays silent until resumed."""


class CareError(CompanionError):
    pass


class CareState:
    """Paused/retired flags per persona and seconds of conversation per day."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / STATE_NAME
        self._lock = threading.Lock()

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise CareError(f"care state is unreadable: {exc}", where=str(self.path),
                            hint="delete the file to reset pause and daily-limit state") from None

    def _write(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(data, sort_keys=True))

    def pause(self, persona_id: str) -> None:
        with self._lock:
            data = self._read()
            data.setdefault("paused", {})[persona_id] = dt.datetime.now().isoformat(timespec="seconds")
            self._write(data)

    def resume(self, persona_id: str) -> bool:
        with self._lock:
            data = self._read()
            was = data.get("paused", {}).pop(persona_id, None) is not None
            self._write(data)
            return was

    def is_paused(self, persona_id: str) -> bool:
        return persona_id in self._read().get("paused", {})

    def retire(self, persona_id: str) -> None:
        with self._lock:
            data = self._read()
            data.get("paused", {}).pop(persona_id, None)
            data.setdefault("retired", {})[persona_id] = dt.datetime.now().isoformat(timespec="seconds")
            self._write(data)

    def is_retired(self, persona_id: str) -> bool:
        return persona_id in self._read().get("retired", {})

    def check_may_speak(self, persona_id: str) -> None:
        """Raise when the persona is paused or retired (checked before the pipeline starts)."""
        if self.is_retired(persona_id):
            raise CareError(f"persona {persona_id!r} was retired (said goodbye)", where=str(self.path),
                            hint="a retired persona cannot be used again")
        if self.is_paused(persona_id):
            raise PersonaPaused(f"persona {persona_id!r} is paused", where=str(self.path),
                                hint="run `companion care resume` to talk again")

    def add_usage(self, seconds: float, day: dt.date | None = None) -> float:
        """Add conversation time to the day's total; returns the new total."""
        key = (day or dt.date.today()).isoformat()
        with self._lock:
            data = self._read()
            usage = {k: v for k, v in data.get("usage", {}).items() if k >= (dt.date.fromisoformat(key) - dt.timedelta(days=7)).isoformat()}
            usage[key] = float(usage.get(key, 0.0)) + seconds
            data["usage"] = usage
            self._write(data)
            return usage[key]

    def usage_today(self, day: dt.date | None = None) -> float:
        return float(self._read().get("usage", {}).get((day or dt.date.today()).isoformat(), 0.0))
