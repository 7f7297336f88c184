"""Load and validate a persona folder: a card (persona.toml) and the person's words (messages.jsonl).

The folder is written by families by hand or by an export script, so every mistake must come
back as one PersonaError that names the file and line, never as a traceback. The format is
documented in ``companion/personas/README.md``.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PersonaError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

logger = logging.getLogger(__name__)

CARD_FILE = "persona.toml"
MESSAGES_FILE = "messages.jsonl"

_CARD_REQUIRED = ("name", "display_name", "description", "language", "fallback_replies")
_CARD_OPTIONAL = ("greeting", "address", "kind_replies")
KIND_REPLY_KEYS = ("news", "feeling", "greeting", "farewell", "thanks", "listener", "advice")
"""Kinds of line a card may give in-character replies for, used when the messages hold none of that kind."""
_MESSAGE_KEYS = ("id", "text", "context", "time", "source")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_MAX_FALLBACKS = 8
_FORMAT_HINT = "see companion/personas/README.md for the persona folder format"


@dataclass(frozen=True)
class PersonaMessage:
    """One thing the person actually said or wrote, with what it was answering."""

    id: str
    text: str
    context: str | None = None
    time: str | None = None
    source: str | None = None

    def to_json(self) -> str:
        """The record as one messages.jsonl line (absent optional fields left out)."""
        record = {"id": self.id, "text": self.text}
        for key in ("context", "time", "source"):
            value = getattr(self, key)
            if value is not None:
                record[key] = value
        return json.dumps(record, ensure_ascii=False)


@dataclass(frozen=True)
class PersonaFolder:
    """A validated persona: the card fields and the messages, in file order."""

    path: Path
    name: str
    display_name: str
    description: str
    language: str
    fallback_replies: tuple[str, ...]
    messages: tuple[PersonaMessage, ...]
    greeting: str | None = None
    address: str | None = None
    """How the person addressed the family ("kiddo"); None: found from their messages."""
    kind_replies: Mapping[str, tuple[str, ...]] | None = None
    """In-character lines per kind of line (news, feeling, ...) for when no message of that kind exists."""


def load_persona_folder(path: Path) -> PersonaFolder:
    """Read and validate ``persona.toml`` and ``messages.jsonl`` in ``path``."""
    path = Path(path)
    if not path.is_dir():
        raise PersonaError(
            "persona folder not found",
            where=str(path),
            hint="set persona.dir to a folder holding persona.toml and messages.jsonl",
        )
    card = _load_card(path / CARD_FILE)
    messages = _load_messages(path / MESSAGES_FILE)
    logger.debug("loaded persona %r: %d messages from %s", card["name"], len(messages), path)
    return PersonaFolder(
        path=path,
        name=card["name"],
        display_name=card["display_name"],
        description=card["description"],
        language=card["language"],
        fallback_replies=tuple(card["fallback_replies"]),
        messages=messages,
        greeting=card.get("greeting"),
        address=card.get("address"),
        kind_replies={k: tuple(v) for k, v in card.get("kind_replies", {}).items()} or None,
    )


def parse_messages(lines: Iterable[str], source_name: str) -> tuple[PersonaMessage, ...]:
    """Parse messages.jsonl lines; pure, so it can be tested on arbitrary input.

    Blank lines and lines starting with ``#`` are skipped; anything else must be one JSON
    object. Line numbers in errors count from 1 over all lines given.
    """
    messages: list[PersonaMessage] = []
    first_line_of: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source_name}, line {number}"
        message = _parse_record(line, where)
        if message.id in first_line_of:
            raise PersonaError(
                f"duplicate message id {message.id!r} (first used on line {first_line_of[message.id]})",
                where=where,
                hint="give every message a unique id",
            )
        first_line_of[message.id] = number
        messages.append(message)
    return tuple(messages)


def _parse_record(line: str, where: str) -> PersonaMessage:
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise PersonaError(f"not valid JSON: {_short(exc)}", where=where, hint=_FORMAT_HINT) from None
    if not isinstance(record, dict):
        raise PersonaError(
            f"each line must be a JSON object, got {type(record).__name__}", where=where, hint=_FORMAT_HINT
        )
    unknown = sorted(set(record) - set(_MESSAGE_KEYS))
    if unknown:
        raise PersonaError(
            f"unknown field(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(_MESSAGE_KEYS)}",
            where=where,
            hint=_FORMAT_HINT,
        )
    message_id = _text_field(record, "id", where, required=True)
    text = _text_field(record, "text", where, required=True)
    time = _text_field(record, "time", where, required=False)
    if time is not None and not _is_iso_time(time):
        raise PersonaError(f"'time' is not an ISO date: {time!r}", where=where, hint="use e.g. 2019-07-04")
    return PersonaMessage(
        id=message_id,  # type: ignore[arg-type]  # required fields are never None
        text=text,  # type: ignore[arg-type]
        context=_text_field(record, "context", where, required=False),
        time=time,
        source=_text_field(record, "source", where, required=False),
    )


def _text_field(record: Mapping[str, Any], key: str, where: str, *, required: bool) -> str | None:
    """A string field: non-empty, valid Unicode; optional ones may be absent or null."""
    value = record.get(key)
    if value is None:
        if required:
            raise PersonaError(f"missing required field {key!r}", where=where, hint=_FORMAT_HINT)
        return None
    if not isinstance(value, str):
        raise PersonaError(f"{key!r} must be a string, got {type(value).__name__}", where=where, hint=_FORMAT_HINT)
    if not value.strip():
        raise PersonaError(f"{key!r} must not be empty", where=where, hint=_FORMAT_HINT)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PersonaError(f"{key!r} holds an invalid character (a lone surrogate)", where=where) from None
    return value


def _is_iso_time(value: str) -> bool:
    for parse in (_dt.date.fromisoformat, _dt.datetime.fromisoformat):
        try:
            parse(value)
            return True
        except ValueError:
            continue
    return False


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _read(path: Path, what: str) -> bytes:
    """The file's bytes; a PersonaError naming ``what`` and where when it is missing or unreadable."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise PersonaError(f"{what} missing", where=str(path), hint=_FORMAT_HINT) from None
    except OSError as exc:
        raise PersonaError(f"cannot read {what}: {exc.strerror}", where=str(path)) from None


def _load_card(path: Path) -> dict[str, Any]:
    where = str(path)
    raw = _read(path, "persona card")
    try:
        card = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PersonaError("persona card is not UTF-8 text", where=where, hint="save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise PersonaError(f"invalid TOML: {exc}", where=where, hint=_FORMAT_HINT) from None

    unknown = sorted(set(card) - set(_CARD_REQUIRED) - set(_CARD_OPTIONAL))
    if unknown:
        allowed = ", ".join(_CARD_REQUIRED + _CARD_OPTIONAL)
        raise PersonaError(f"unknown key(s) {', '.join(unknown)}; allowed: {allowed}", where=where)
    missing = [key for key in _CARD_REQUIRED if key not in card]
    if missing:
        raise PersonaError(f"missing required key(s) {', '.join(missing)}", where=where, hint=_FORMAT_HINT)
    for key in ("name", "display_name", "description", "language", "greeting", "address"):
        if key in card:
            _check_card_string(card[key], key, where)
    if not _LANGUAGE_RE.match(card["language"]):
        raise PersonaError(
            f"language must be a language code like \"en\", got {card['language']!r}", where=where
        )
    fallbacks = card["fallback_replies"]
    if not isinstance(fallbacks, list) or not 1 <= len(fallbacks) <= _MAX_FALLBACKS:
        raise PersonaError(
            f"fallback_replies must be a list of 1-{_MAX_FALLBACKS} strings (2-4 recommended)", where=where
        )
    for index, reply in enumerate(fallbacks):
        _check_card_string(reply, f"fallback_replies[{index}]", where)
    kind_replies = card.get("kind_replies", {})
    if not isinstance(kind_replies, dict):
        raise PersonaError("kind_replies must be a table like [kind_replies] news = [\"...\"]", where=where,
                           hint=_FORMAT_HINT)
    for kind, lines in kind_replies.items():
        if kind not in KIND_REPLY_KEYS:
            raise PersonaError(f"unknown kind_replies key {kind!r}; allowed: {', '.join(KIND_REPLY_KEYS)}", where=where)
        if not isinstance(lines, list) or not 1 <= len(lines) <= _MAX_FALLBACKS:
            raise PersonaError(f"kind_replies.{kind} must be a list of 1-{_MAX_FALLBACKS} strings", where=where)
        for index, line in enumerate(lines):
            _check_card_string(line, f"kind_replies.{kind}[{index}]", where)
    return card


def _check_card_string(value: object, key: str, where: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise PersonaError(f"{key} must be a non-empty string", where=where, hint=_FORMAT_HINT)


def _load_messages(path: Path) -> tuple[PersonaMessage, ...]:
    where = str(path)
    raw = _read(path, "messages file")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    lines: list[str] = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            raise PersonaError(
                "line is not UTF-8 text", where=f"{where}, line {number}", hint="save the file as UTF-8"
            ) from None
    messages = parse_messages(lines, where)
    if not messages:
        raise PersonaError("no messages", where=where, hint="add at least one line with the person's words")
    return messages
