"""The persona remembers what the family told it, from one session to the next (with consent).

Within a session the history holds what was said (conversation.py). Across sessions, and only
when the consent record allows it (``family_memory``), ``RememberingPersona`` keeps a small,
bounded memory of the listeners' names and their news ("I'm pregnant", "I got the nurse job"),
sealed in the bundle (bundle/family.py), and uses it for one thing: a question about the
listener or the conversation that this session cannot answer ("Do you remember what I told
you?", "What's my name?") is answered from it, in the person's way of addressing the family
("You told me you got the nurse job, kiddo."). It says back only the listener's own words;
it never states anything about the person. Feelings are not kept (they belong to their
moment), nor anything private (private.py), nor what a crisis check answered (that never
reaches the persona).
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from ..consent import ConsentRecord
from .base import Exchange, PersonaEngine, WrappedPersona
from .bundle.family import NAME, NEWS, FamilyFile, Told, bounded
from .conversation import hear, recall, reflect, second_person
from .private import private_reason
from .reply import ReplyKind, ReplyPiece, piece
from .understand import Intent, understand

logger = logging.getLogger(__name__)

EARLIER = re.compile(r"\b(?:last time|yesterday|the other day|last (?:week|month|night|year)|before|earlier|"
                     r"previously|a while (?:ago|back)|other time)\b|上次|以前|那天", re.IGNORECASE)
"""A question about an earlier conversation: the family memory is asked before this session's."""
_NAME_Q = re.compile(r"\bname\b|who am i|who i am|know me|remember me|我叫什么|我是谁", re.IGNORECASE)
_WORD_Q = re.compile(r"\bmy ([a-z]+)\b", re.IGNORECASE)
NEWS_SAID_BACK = 2
"""How many of the latest pieces of news one answer says back."""


class FamilyMemory:
    """The remembered entries of one persona, in memory and sealed on disk (thread-safe)."""

    def __init__(self, file: FamilyFile, *, clock: Callable[[], float] = time.time) -> None:
        self.file = file
        self.clock = clock
        self._lock = threading.Lock()
        self._entries = file.load()
        self._on_disk = file.exists()

    def entries(self) -> list[Told]:
        with self._lock:
            self._sync()
            return list(self._entries)

    def _sync(self) -> None:
        """The file was cleared (`persona memory --clear`) while running: forget what was held too."""
        if self._on_disk and not self.file.exists():
            logger.info("family memory was cleared: forgetting it")
            self._entries, self._on_disk = [], False

    def add(self, kind: str, said: str, listener: str | None) -> bool:
        """Remember one name or piece of news (not twice); False when it was known already."""
        said = " ".join(said.split())
        if not said:
            return False
        at = _dt.datetime.fromtimestamp(self.clock(), _dt.timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            self._sync()
            key = (kind, said.casefold(), (listener or "").casefold())
            if any((t.kind, t.said.casefold(), (t.listener or "").casefold()) == key for t in self._entries):
                return False
            self._entries = bounded([t for t in self._entries if not (kind == NAME and t.kind == NAME and
                                                                     t.said.casefold() == said.casefold())]
                                    + [Told(kind, said, listener, at)])
            self._write()
        return True

    def name_news(self, said: Sequence[str], listener: str) -> None:
        """The listener gave their name after telling news this session: the news was theirs."""
        wanted = {" ".join(s.split()).casefold() for s in said}
        with self._lock:
            changed = [Told(t.kind, t.said, listener, t.at) if t.kind == NEWS and t.listener is None
                       and t.said.casefold() in wanted else t for t in self._entries]
            if changed != self._entries:
                self._entries = changed
                self._write()

    def _write(self) -> None:
        try:
            self.file.save(self._entries)
            self._on_disk = True
        except OSError as exc:  # a read-only bundle folder: remembered for this run only
            logger.warning("cannot write the family memory (%s); it lasts until the device restarts", exc)


class RememberingPersona(WrappedPersona):
    """A PersonaEngine around another that keeps and uses the family memory."""

    def __init__(self, inner: PersonaEngine, memory: FamilyMemory, *, address: str = "") -> None:
        self.inner = inner
        self.memory = memory
        self.address = address

    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[ReplyPiece]:
        session = recall(history)
        heard = hear(question, session)
        self._remember(heard.intent, heard.text, heard.listener_name, session.listener_name, history)
        if heard.intent is Intent.LISTENER_QUESTION:
            said = self.recalled(heard.text, session.listener_name, history)
            if said is not None:
                return iter((piece(said, ReplyKind.REFLECTION, score=1.0),))
        return self.inner.respond(question, history)

    def _remember(self, intent: Intent, text: str, given_name: str | None, session_name: str | None,
                  history: Sequence[Exchange]) -> None:
        if intent is Intent.INTRODUCTION and given_name:
            self.memory.add(NAME, given_name, given_name)
            earlier = [e.question for e in history if understand(e.question).intent is Intent.NEWS]
            if earlier:
                self.memory.name_news(earlier, given_name)
        elif intent is Intent.NEWS and private_reason(text) is None:
            self.memory.add(NEWS, text, session_name)

    def recalled(self, question: str, listener: str | None, history: Sequence[Exchange]) -> str | None:
        """The answer from earlier sessions, or None (this session's memory answers, or nothing does)."""
        session = recall(history)
        told_now = tuple(t for t in session.told if understand(t).intent is not Intent.INTRODUCTION)
        if not EARLIER.search(question) and reflect(question, replace(session, told=told_now), self.address):
            return None  # this session holds it (a name given is not news)
        entries = self.memory.entries()
        tail = f", {self.address}" if self.address else ""
        if _NAME_Q.search(question):
            if listener:
                return None
            names = list(dict.fromkeys(t.said for t in entries if t.kind == NAME))[-3:]
            if len(names) == 1:
                return f"You're {names[0]}, aren't you{tail}?"
            if names:
                return f"Are you {', '.join(names[:-1])} or {names[-1]}{tail}?"
            return None
        news = [t for t in entries if t.kind == NEWS]
        if listener:
            news = [t for t in news if t.listener is None or t.listener.casefold() == listener.casefold()]
        if not news:
            return None
        asked = _WORD_Q.search(question)
        if asked and asked.group(1).lower() not in ("news", "name"):
            matching = [t for t in news if re.search(rf"\b{re.escape(asked.group(1))}", t.said, re.IGNORECASE)]
            news = matching or news
        latest = news[-NEWS_SAID_BACK:][::-1]
        if listener is None and len({t.listener for t in news if t.listener}) > 1:  # whose news? say who said it
            return " ".join(f"{t.listener or 'Someone'} told me, \u201c{t.said.rstrip()}\u201d" for t in latest)
        said = ", and ".join(second_person(t.said) for t in latest)
        return f"You told me {said}{tail}."


def with_family_memory(engine: PersonaEngine, persona_dir: Path, *, key_file: str | Path | None = None,
                       address: str = "", clock: Callable[[], float] = time.time) -> PersonaEngine:
    """``engine`` inside a RememberingPersona when the persona is a bundle whose consent allows a
    family memory; else ``engine`` as it is (a plain folder, or no consent: nothing is kept)."""
    consent = engine.consent
    if not (isinstance(consent, ConsentRecord) and consent.family_memory):
        return engine
    from .bundle.family import open_family_file
    from .bundle.keys import read_secret, unlock
    from .bundle.store import is_bundle

    if not is_bundle(Path(persona_dir)):
        return engine
    secret = read_secret(settings_key_file=key_file or None, prompt_name=f"persona bundle {persona_dir}")
    keys = unlock(Path(persona_dir), secret)
    memory = FamilyMemory(open_family_file(Path(persona_dir), keys.bundle_id, keys.data_key), clock=clock)
    logger.info("family memory on (consent allows it): %d entries", len(memory.entries()))
    return RememberingPersona(engine, memory, address=address)
