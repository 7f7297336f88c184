"""The frame feed: what the voice service tells a display, as versioned JSON lines.

Both sides import only this module: the voice service (service/publisher.py) writes these
events on a Unix socket, the frame (frame/) reads them. One event per line, UTF-8 JSON, at most
``MAX_LINE`` bytes. Every line carries ``"v": VERSION``; a reader skips lines of a newer major
version or of a type it does not know, so the two sides can be updated one at a time.

Service -> frame:
  hello     {persona: {display_name, language}, state, crisis, show_heard}   first line, a snapshot
  state     {state}                  one of STATES
  subtitle  {role, text}             role: reply | care | disclosure | heard; shown while spoken
  clear     {}                       nothing is being said any more
  crisis    {help_line, contact}     shown large until the session ends
  session_end {}                     the conversation session is over (crisis help is hidden)
Frame -> service:
  command   {command: "press"}       the touch-to-talk area: exactly a GPIO button press
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

VERSION = 1
MAX_LINE = 8192
"""Longest accepted line in bytes (a subtitle is one sentence; longer lines are refused)."""
MAX_TEXT = 2000
"""Longest text field in characters; the publisher cuts longer ones (never refuses to speak)."""

STATES = ("idle", "listening", "thinking", "speaking", "paused", "goodbye", "mic-missing")
ROLES = ("reply", "care", "disclosure", "heard")
COMMANDS = ("press",)


class FeedError(ValueError):
    """A line that is not a valid feed event (the reader skips it and logs once)."""


@dataclass(frozen=True)
class Persona:
    display_name: str
    language: str = "en"


@dataclass(frozen=True)
class Crisis:
    help_line: str
    contact: str = ""


@dataclass(frozen=True)
class Hello:
    persona: Persona
    state: str = "idle"
    crisis: Crisis | None = None
    show_heard: bool = False
    type: str = field(default="hello", init=False)


@dataclass(frozen=True)
class State:
    state: str
    type: str = field(default="state", init=False)


@dataclass(frozen=True)
class Subtitle:
    role: str
    text: str
    type: str = field(default="subtitle", init=False)


@dataclass(frozen=True)
class Clear:
    type: str = field(default="clear", init=False)


@dataclass(frozen=True)
class CrisisShown:
    crisis: Crisis
    type: str = field(default="crisis", init=False)


@dataclass(frozen=True)
class SessionEnd:
    type: str = field(default="session_end", init=False)


@dataclass(frozen=True)
class Command:
    command: str
    type: str = field(default="command", init=False)


Event = Hello | State | Subtitle | Clear | CrisisShown | SessionEnd | Command


def encode(event: Event) -> bytes:
    """One line (with its newline); text fields longer than MAX_TEXT are cut, never refused."""
    data = asdict(event)
    if isinstance(event, Subtitle):
        data["text"] = event.text[:MAX_TEXT]
    data["v"] = VERSION
    line = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
    if len(line) > MAX_LINE:  # only absurd names or help lines get here
        raise FeedError(f"event too long ({len(line)} bytes)")
    return line


def decode(line: bytes | str) -> Event | None:
    """The event on one line; None for a newer version or an unknown type; FeedError if malformed."""
    if isinstance(line, str):
        line = line.encode("utf-8", "surrogatepass")
    if len(line) > MAX_LINE:
        raise FeedError(f"line too long ({len(line)} bytes)")
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise FeedError("an event must be a JSON object")
    version = data.get("v")
    if not isinstance(version, int) or isinstance(version, bool):
        raise FeedError("missing version 'v'")
    if version > VERSION:
        return None
    kind = data.get("type")
    if kind == "hello":
        persona = _obj(data, "persona")
        crisis = data.get("crisis")
        return Hello(
            persona=Persona(_str(persona, "display_name"), _str(persona, "language")),
            state=_choice(data, "state", STATES),
            crisis=None if crisis is None else _crisis(crisis),
            show_heard=_bool(data, "show_heard"),
        )
    if kind == "state":
        return State(_choice(data, "state", STATES))
    if kind == "subtitle":
        return Subtitle(_choice(data, "role", ROLES), _str(data, "text"))
    if kind == "clear":
        return Clear()
    if kind == "crisis":
        return CrisisShown(_crisis(_obj(data, "crisis")))
    if kind == "session_end":
        return SessionEnd()
    if kind == "command":
        return Command(_choice(data, "command", COMMANDS))
    if isinstance(kind, str):
        return None  # a type from a later minor change: skip it
    raise FeedError("missing event 'type'")


def _obj(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise FeedError(f"'{key}' must be an object")
    return value


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise FeedError(f"'{key}' must be a string")
    if len(value) > MAX_TEXT:
        raise FeedError(f"'{key}' is too long")
    return value


def _bool(data: dict[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise FeedError(f"'{key}' must be true or false")
    return value


def _choice(data: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = _str(data, key)
    if value not in allowed:
        raise FeedError(f"'{key}' must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _crisis(value: Any) -> Crisis:
    if not isinstance(value, dict):
        raise FeedError("'crisis' must be an object")
    return Crisis(_str(value, "help_line"), _str(value, "contact") if "contact" in value else "")
