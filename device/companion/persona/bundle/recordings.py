"""Recordings inside the persona bundle: the same SQLCipher database, so the same encryption.

A recording's bytes are kept exactly as the export carried them (an .opus voice note, an .mp4
video's file): never re-encoded, never written anywhere but the encrypted database, and decoded
from memory (PyAV reads bytes) whenever they are needed. Its transcript is cut into passages;
each passage the person's voice says is a record and a reply pair like a message (so the memory
index finds it), and ``recording_passages`` says which part of which recording says it.

The tables are created on first use (``ensure_tables``): a bundle made before recordings existed
gains them the first time recordings are imported, and nothing else in the schema changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

RECORDINGS_SCHEMA = """
CREATE TABLE IF NOT EXISTS recordings(
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,          -- of the file's bytes: the same note imported twice is one recording
    filename TEXT NOT NULL,               -- its name in the export (PTT-20200101-WA0001.opus)
    source TEXT NOT NULL,                 -- whatsapp, telegram, imessage, folder
    conversation TEXT NOT NULL,
    speaker TEXT NOT NULL,                -- who sent it, as the export says ("" for loose files)
    time TEXT,                            -- when it was sent (ISO), or the file's date
    message_origin TEXT NOT NULL,         -- the message it was attached to (export file:line), "" for loose files
    context TEXT,                         -- what the other person had said just before (redacted), if anything
    data BLOB NOT NULL,                   -- the file's bytes, as exported
    duration_s REAL NOT NULL,
    status TEXT NOT NULL,                 -- pending | done | failed
    whose TEXT NOT NULL,                  -- persona | other | unchecked (speaker similarity)
    similarity REAL,
    embedding BLOB,                       -- float32 speaker embedding (who is speaking), once computed
    transcript TEXT NOT NULL DEFAULT '',
    segments TEXT NOT NULL DEFAULT '[]',  -- JSON [[start_s, end_s, text], ...] from the recogniser
    added TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS recording_passages(
    pair_id INTEGER PRIMARY KEY REFERENCES reply_pairs(id),
    recording_id INTEGER NOT NULL REFERENCES recordings(id),
    start_s REAL NOT NULL,
    end_s REAL NOT NULL,
    playable INTEGER NOT NULL             -- 0 when the words had to be redacted: then only the text is used
);
"""


def ensure_tables(db: Any) -> None:
    """Create the recording tables if this bundle has none yet (idempotent; inside a transaction),
    with the table saying which import brought each recording (recording_claims.py)."""
    from .imports import EARLIER
    from .recording_claims import create_claims

    for statement in RECORDINGS_SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    create_claims(db, EARLIER)


def has_tables(db: Any) -> bool:
    row = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'recordings'").fetchone()
    return bool(row[0])


@dataclass(frozen=True)
class Segment:
    """A stretch of a recording and the words said in it."""

    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True)
class StoredRecording:
    """One recording's row, without its bytes (those are read only when needed)."""

    id: int
    sha256: str
    filename: str
    source: str
    conversation: str
    speaker: str
    time: str | None
    message_origin: str
    duration_s: float
    status: str
    whose: str
    similarity: float | None
    transcript: str
    segments: tuple[Segment, ...]


_COLUMNS = ("id, sha256, filename, source, conversation, speaker, time, message_origin, duration_s, status, whose,"
            " similarity, transcript, segments")


def _row(row: Any) -> StoredRecording:
    segments = tuple(Segment(float(a), float(b), str(t)) for a, b, t in json.loads(row[13] or "[]"))
    return StoredRecording(int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6], row[7], float(row[8]),
                           row[9], row[10], None if row[11] is None else float(row[11]), row[12], segments)


def recordings(db: Any, *, status: str | None = None) -> list[StoredRecording]:
    """Every recording (or those with ``status``), oldest first."""
    if not has_tables(db):
        return []
    if status is None:
        rows = db.execute(f"SELECT {_COLUMNS} FROM recordings ORDER BY id")
    else:
        rows = db.execute(f"SELECT {_COLUMNS} FROM recordings WHERE status = ? ORDER BY id", (status,))
    return [_row(r) for r in rows]


def recording_bytes(db: Any, recording_id: int) -> bytes:
    row = db.execute("SELECT data FROM recordings WHERE id = ?", (recording_id,)).fetchone()
    if row is None:
        raise KeyError(recording_id)
    return bytes(row[0])


def set_embedding(db: Any, recording_id: int, embedding: Any) -> None:
    import numpy as np

    db.execute("UPDATE recordings SET embedding = ? WHERE id = ?",
               (np.asarray(embedding, dtype=np.float32).tobytes(), recording_id))


def embeddings(db: Any) -> dict[int, Any]:
    """Speaker embeddings of every recording that has one, by recording id."""
    import numpy as np

    if not has_tables(db):
        return {}
    return {int(i): np.frombuffer(blob, dtype=np.float32)
            for i, blob in db.execute("SELECT id, embedding FROM recordings WHERE embedding IS NOT NULL")}


def recording_context(db: Any, recording_id: int) -> str | None:
    row = db.execute("SELECT context FROM recordings WHERE id = ?", (recording_id,)).fetchone()
    return None if row is None else row[0]


def find_by_sha(db: Any, sha256: str) -> int | None:
    if not has_tables(db):
        return None
    row = db.execute("SELECT id FROM recordings WHERE sha256 = ?", (sha256,)).fetchone()
    return None if row is None else int(row[0])


def add_recording(db: Any, *, sha256: str, filename: str, source: str, conversation: str, speaker: str,
                  time: str | None, message_origin: str, context: str | None, data: bytes, duration_s: float,
                  added: str) -> int:
    """Store a recording's bytes (pending transcription); call inside a transaction."""
    ensure_tables(db)
    cursor = db.execute(
        "INSERT INTO recordings(sha256, filename, source, conversation, speaker, time, message_origin, context, data,"
        " duration_s, status, whose, added) VALUES (?,?,?,?,?,?,?,?,?,?, 'pending', 'unchecked', ?)",
        (sha256, filename, source, conversation, speaker, time, message_origin, context, data, duration_s, added),
    )
    return int(cursor.lastrowid)


def finish_recording(db: Any, recording_id: int, *, status: str, whose: str, similarity: float | None,
                     segments: list[Segment]) -> None:
    """Store what transcription and the voice check found; call inside a transaction."""
    db.execute(
        "UPDATE recordings SET status = ?, whose = ?, similarity = ?, transcript = ?, segments = ? WHERE id = ?",
        (status, whose, similarity, " ".join(s.text for s in segments).strip(),
         json.dumps([[round(s.start_s, 3), round(s.end_s, 3), s.text] for s in segments], ensure_ascii=False),
         recording_id),
    )


def add_passage(db: Any, pair_id: int, recording_id: int, start_s: float, end_s: float, playable: bool) -> None:
    db.execute("INSERT OR REPLACE INTO recording_passages(pair_id, recording_id, start_s, end_s, playable)"
               " VALUES (?,?,?,?,?)", (pair_id, recording_id, start_s, end_s, int(playable)))


@dataclass(frozen=True)
class Passage:
    """The part of a recording that says one reply pair's answer."""

    pair_id: int
    recording_id: int
    start_s: float
    end_s: float
    time: str | None
    text: str | None = None
    """The words of its reply pair (what the memory says)."""


def playable_passages(db: Any) -> list[Passage]:
    """The passages of the person's own recordings that may be played as they are."""
    if not has_tables(db):
        return []
    rows = db.execute(
        "SELECT p.pair_id, p.recording_id, p.start_s, p.end_s, r.time, q.answer FROM recording_passages p"
        " JOIN recordings r ON r.id = p.recording_id JOIN reply_pairs q ON q.id = p.pair_id"
        " WHERE p.playable = 1 AND r.whose = 'persona' AND r.status = 'done' ORDER BY p.pair_id")
    return [Passage(int(a), int(b), float(c), float(d), t, text) for a, b, c, d, t, text in rows]
