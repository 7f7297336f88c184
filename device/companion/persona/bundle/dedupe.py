"""One chat is one chat: the same message from another export of the same conversation is not added again.

A newer export under another file name, or the same chat exported from an Android phone, an
iPhone and Telegram, names the conversation differently, keeps seconds or not, and writes
emoji, apostrophes and direction marks its own way. What stays the same is who said it, the
minute, and the words: a message's key is (the persona or the other speaker's name, the wall-clock
minute, the normalised text). A message whose key matches one already in the bundle from another
import is that message (the import claims it instead of adding a copy); repeats within one file
("ok", "ok") stay, matched one for one against the earlier export's.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from typing import Any

PERSONA = "\x00persona"
"""The persona's messages match whatever name an export gives them (--speaker chose them)."""

KEYS_SCHEMA = """
CREATE TABLE IF NOT EXISTS message_keys(
    key BLOB NOT NULL,                   -- sha256 of (speaker, minute, normalised text)
    record_id INTEGER NOT NULL,
    PRIMARY KEY (key, record_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS message_keys_by_record ON message_keys(record_id);
"""

_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufe00-\ufe0f\ufeff]")
_EDITED = re.compile(r"\s*<(?:this message was edited|edited)>\s*$", re.IGNORECASE)
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
                         "\u2026": "...", "\u2013": "-", "\u2014": "-"})


def normalise_text(text: str) -> str:
    """The words as a reader sees them: no direction marks or emoji variation selectors, one
    kind of quote and space, no case, no "edited" marker."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).translate(_QUOTES)
    text = _EDITED.sub("", text)
    return " ".join(text.split()).casefold()


def minute(time: str | None) -> str:
    """The wall-clock minute of an ISO time (an aware time in local wall-clock time), "" for none."""
    if not time:
        return ""
    try:
        moment = datetime.fromisoformat(time)
    except ValueError:
        return time[:16]
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M")


def message_key(role: str, speaker: str, time: str | None, text: str) -> bytes:
    who = PERSONA if role == "persona" else " ".join(speaker.split()).casefold()
    payload = "\x1f".join((who, minute(time), normalise_text(text)))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).digest()


def ensure_message_keys(bundle: Any) -> None:
    """Create the key table if this bundle predates it, with a key for every record it holds."""
    db = bundle.db
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'message_keys'").fetchone():
        return
    with bundle.transaction():
        for statement in KEYS_SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        rows = db.execute("SELECT id, role, speaker, time, text FROM records")
        while batch := rows.fetchmany(2000):
            db.executemany("INSERT OR IGNORE INTO message_keys(key, record_id) VALUES (?, ?)",
                           [(message_key(role, speaker, time, text), rid) for rid, role, speaker, time, text in batch])


def same_message(db: Any, key: bytes, import_id: str) -> int | None:
    """A record with this key that this import has not claimed yet (so repeats match one for one)."""
    row = db.execute(
        "SELECT k.record_id FROM message_keys k WHERE k.key = ? AND NOT EXISTS (SELECT 1 FROM record_imports m "
        "WHERE m.record_id = k.record_id AND m.import_id = ?) LIMIT 1", (key, import_id)).fetchone()
    return None if row is None else int(row[0])


def add_key(db: Any, key: bytes, record_id: int) -> None:
    db.execute("INSERT OR IGNORE INTO message_keys(key, record_id) VALUES (?, ?)", (key, record_id))
