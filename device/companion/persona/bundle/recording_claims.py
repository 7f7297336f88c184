"""Which import brought each recording, so `persona forget` removes a recording like a message.

A recording is claimed (``recording_imports``) by every import that carried it: the export
whose text import it joins (a WhatsApp zip given to `persona import`), or an import of its own
(`persona add-recordings` of a folder, a Telegram export, a zip whose text was not imported),
journalled with format ``recordings``. The records and reply pairs cut from a recording's
transcript are claimed by the same imports, so the general forget removes them (and their
memory vectors) exactly when the recording goes. Forgetting an import then deletes the
recordings no other import holds (bytes, transcript, passages) and the voice training set drawn
from them, inside the forget's one transaction (a kill leaves all of it or none).

Bundles that held recordings before the claims existed get them on first open: every recording
(and its passages) is claimed by ``earlier``, like the messages before claims.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from . import recordings as store

logger = logging.getLogger(__name__)

RECORDINGS_FORMAT = "recordings"
"""The journal format of an import that brought only recordings."""
TRAINING_SET_META = "voice_dataset"
"""The meta key of the voice training set (voice/recordings/voiceset.py keeps it; its clips in voice_clips)."""

CLAIMS_SCHEMA = """
CREATE TABLE IF NOT EXISTS recording_imports(
    recording_id INTEGER NOT NULL,
    import_id TEXT NOT NULL,             -- as record_imports: the export's sha256, or 'earlier'
    PRIMARY KEY (recording_id, import_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS recording_imports_by_import ON recording_imports(import_id)
"""


def _has_table(db: Any, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def create_claims(db: Any, earlier: str) -> None:
    """Create the claim table (inside a transaction); recordings already there are ``earlier``'s."""
    if _has_table(db, "recording_imports"):
        return
    for statement in CLAIMS_SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    if not store.has_tables(db):
        return
    for (recording_id,) in list(db.execute("SELECT id FROM recordings")):
        claim_recording(db, int(recording_id), earlier)


def needs_claims(db: Any) -> bool:
    """A bundle with recordings but no claims for them (made before the claims existed)."""
    return store.has_tables(db) and not _has_table(db, "recording_imports")


def import_id_for(text_import: str, has_journal: bool) -> str:
    """The import a recordings input belongs to: the export's own (its text is imported), else
    one of its own, derived from the export's hash so it never collides with a text import of it."""
    if has_journal:
        return text_import
    return hashlib.sha256(f"{RECORDINGS_FORMAT}\x1f{text_import}".encode()).hexdigest()


def journal_recordings_import(db: Any, import_id: str, filename: str, speaker: str, imported: str) -> None:
    """The journal entry of an import that brought only recordings (inside the first recording's
    transaction, so an import never has claims without its entry)."""
    db.execute("INSERT OR IGNORE INTO import_journal(file_sha256, filename, format, speaker, imported, summary)"
               " VALUES (?,?,?,?,?,?)", (import_id, filename, RECORDINGS_FORMAT, speaker, imported, "{}"))


def claim_recording(db: Any, recording_id: int, import_id: str) -> None:
    """Claim a recording for an import, with the records and reply pairs of its passages."""
    db.execute("INSERT OR IGNORE INTO recording_imports(recording_id, import_id) VALUES (?, ?)",
               (recording_id, import_id))
    if not store.has_tables(db):
        return
    db.execute("INSERT OR IGNORE INTO pair_imports(pair_id, import_id) SELECT pair_id, ? FROM recording_passages"
               " WHERE recording_id = ?", (import_id, recording_id))
    db.execute("INSERT OR IGNORE INTO record_imports(record_id, import_id) SELECT p.answer_record, ? FROM"
               " recording_passages x JOIN reply_pairs p ON p.id = x.pair_id WHERE x.recording_id = ?",
               (import_id, recording_id))


def claims_of(db: Any, recording_id: int) -> list[str]:
    return [row[0] for row in db.execute("SELECT import_id FROM recording_imports WHERE recording_id = ?"
                                         " ORDER BY import_id", (recording_id,))]


@dataclass(frozen=True)
class RecordingCounts:
    """How many recordings an import holds and how long they are (``persona imports``, ``show``)."""

    recordings: int = 0
    minutes: float = 0.0
    persona: int = 0
    """Those in the person's voice (the others are kept, never played)."""

    def to_dict(self) -> dict[str, Any]:
        return {"recordings": self.recordings, "minutes": round(self.minutes, 1), "in_their_voice": self.persona}


def counts_by_import(db: Any) -> dict[str, RecordingCounts]:
    if not _has_table(db, "recording_imports"):
        return {}
    return {import_id: RecordingCounts(int(n), float(seconds or 0.0) / 60.0, int(mine or 0))
            for import_id, n, seconds, mine in db.execute(
                "SELECT m.import_id, count(*), sum(r.duration_s), sum(r.whose = 'persona') FROM recording_imports m"
                " JOIN recordings r ON r.id = m.recording_id GROUP BY m.import_id")}


def total_counts(db: Any) -> RecordingCounts:
    if not store.has_tables(db):
        return RecordingCounts()
    n, seconds, mine = db.execute("SELECT count(*), sum(duration_s), sum(whose = 'persona') FROM recordings").fetchone()
    return RecordingCounts(int(n), float(seconds or 0.0) / 60.0, int(mine or 0))


@dataclass(frozen=True)
class ForgottenRecordings:
    shas: tuple[str, ...] = ()
    minutes: float = 0.0
    training_clips: int = 0
    """Clips of the voice training set removed with them (-1: none were, the set stays)."""

    @property
    def count(self) -> int:
        return len(self.shas)


@dataclass(frozen=True)
class _Gone:
    id: int
    sha256: str
    filename: str
    time: str | None
    whose: str
    duration_s: float


def forget_recordings(bundle: Any, import_id: str, pair_ids: list[int]) -> ForgottenRecordings:
    """Delete the recordings only ``import_id`` claims, their passages and the training set drawn
    from them; call inside the forget's transaction, before its ``pair_ids`` are deleted."""
    db = bundle.db
    if not _has_table(db, "recording_imports"):
        return ForgottenRecordings()
    gone = [_Gone(int(i), sha, name, time, whose, float(seconds)) for i, sha, name, time, whose, seconds in db.execute(
        "SELECT r.id, r.sha256, r.filename, r.time, r.whose, r.duration_s FROM recordings r JOIN recording_imports m"
        " ON m.recording_id = r.id WHERE m.import_id = ? AND NOT EXISTS (SELECT 1 FROM recording_imports o"
        " WHERE o.recording_id = r.id AND o.import_id != ?)", (import_id, import_id))]
    ids = [(r.id,) for r in gone]
    db.executemany("DELETE FROM recording_passages WHERE recording_id = ?", ids)
    db.executemany("DELETE FROM recording_passages WHERE pair_id = ?", [(i,) for i in pair_ids])
    db.executemany("DELETE FROM recordings WHERE id = ?", ids)
    db.execute("DELETE FROM recording_imports WHERE import_id = ?", (import_id,))
    clips = _drop_training_set(bundle, gone) if gone else -1
    return ForgottenRecordings(tuple(r.sha256 for r in gone), sum(r.duration_s for r in gone) / 60.0, clips)


def training_label(filename: str, time: str | None) -> str:
    """How `voice prepare --from-bundle` names a recording in its report (the clips' ``source``)."""
    return f"recording {filename} ({time or 'undated'})"


def _drop_training_set(bundle: Any, gone: list[_Gone]) -> int:
    """The voice training set goes when it was drawn from a forgotten recording: a clip of it, or
    the voice profile (the mean of the person's recordings) when no enrolment clip was given. A
    partial set would keep a trace of them in its speaker embedding and report; it is rebuilt from
    what remains with `companion voice prepare --from-bundle`. The clips removed, or -1."""
    db = bundle.db
    raw = bundle.meta(TRAINING_SET_META)
    if raw is None:
        return -1
    info = json.loads(raw)
    labels = {training_label(r.filename, r.time) for r in gone}
    from_clip = any(c.get("source") in labels for c in (info.get("report") or {}).get("clips", []))
    from_profile = (info.get("speaker") or {}).get("enrolment") == "recordings" and any(
        r.whose == "persona" for r in gone)
    if not (from_clip or from_profile):
        return -1
    clips = 0
    if _has_table(db, "voice_clips"):
        clips = int(db.execute("SELECT count(*) FROM voice_clips").fetchone()[0])
        db.execute("DELETE FROM voice_clips")
    db.execute("DELETE FROM meta WHERE key = ?", (TRAINING_SET_META,))
    logger.info("the voice training set drew on a forgotten recording: removed (%d clips)", clips)
    return clips
