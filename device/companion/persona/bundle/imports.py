"""Review and undo imports: which import brought each message, pair and memory into a bundle.

Every record and reply pair is claimed by each import (file, keyed by its sha256) that contained
it, in ``record_imports``/``pair_imports`` inside the encrypted database. Forgetting an import
drops its claims and deletes exactly what no other import still claims (records, pairs, their
memory vectors, the journal line and the file's entry in the consent's source list), in one
transaction: a kill leaves the bundle as it was before or after, like an import.

Bundles made before the claims existed get them on first open: everything already there is
claimed by one import called ``earlier`` (it can be reviewed and forgotten as one).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from typing import Any

from .keys import BundleError
from .recording_claims import RecordingCounts, counts_by_import, create_claims, forget_recordings, needs_claims
from .store import Bundle, audit

logger = logging.getLogger(__name__)

EARLIER = "earlier"
"""The import id of everything a bundle held before imports were recorded per message."""
EARLIER_FILES_META = "earlier_imports"
SHORT_ID = 12
MIN_PREFIX = 6

CLAIMS_SCHEMA = """
CREATE TABLE IF NOT EXISTS record_imports(
    record_id INTEGER NOT NULL,
    import_id TEXT NOT NULL,             -- the file's sha256 (import_journal), or 'earlier'
    PRIMARY KEY (record_id, import_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS record_imports_by_import ON record_imports(import_id);
CREATE TABLE IF NOT EXISTS pair_imports(
    pair_id INTEGER NOT NULL,
    import_id TEXT NOT NULL,
    PRIMARY KEY (pair_id, import_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pair_imports_by_import ON pair_imports(import_id);
CREATE INDEX IF NOT EXISTS pairs_by_answer_record ON reply_pairs(answer_record);
CREATE INDEX IF NOT EXISTS pairs_by_context_record ON reply_pairs(context_record);
"""


def ensure_claims(bundle: Bundle) -> None:
    """Create the claim tables if this bundle predates them; what it holds becomes ``earlier``."""
    db = bundle.db
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'record_imports'").fetchone():
        if needs_claims(db):  # recordings imported before they were claimed: 'earlier' holds them
            with bundle.transaction():
                create_claims(db, EARLIER)
        return
    with bundle.transaction():
        for statement in CLAIMS_SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT INTO record_imports(record_id, import_id) SELECT id, ? FROM records", (EARLIER,))
        db.execute("INSERT INTO pair_imports(pair_id, import_id) SELECT id, ? FROM reply_pairs", (EARLIER,))
        files = [row[0] for row in db.execute("SELECT file_sha256 FROM import_journal")]
        if files:
            bundle._set_meta(EARLIER_FILES_META, json.dumps(files))
            logger.info("bundle %s: %d earlier imports are now reviewable as one (%r)", bundle.path, len(files), EARLIER)
        if needs_claims(db):
            create_claims(db, EARLIER)


def claim_record(db: Any, record_id: int, import_id: str) -> None:
    db.execute("INSERT OR IGNORE INTO record_imports(record_id, import_id) VALUES (?, ?)", (record_id, import_id))


def claim_pair(db: Any, pair_id: int, import_id: str) -> None:
    db.execute("INSERT OR IGNORE INTO pair_imports(pair_id, import_id) VALUES (?, ?)", (pair_id, import_id))


@dataclass
class ImportInfo:
    """One import as `persona imports` lists it (counts and names only, never content)."""

    id: str
    files: list[dict[str, Any]] = field(default_factory=list)
    """Journal entries: filename, sha256, format, speaker, imported (UTC), summary counts."""
    messages: int = 0
    """The persona's messages this import holds now (shared ones included)."""
    contexts: int = 0
    pairs: int = 0
    recordings: RecordingCounts = field(default_factory=RecordingCounts)
    """The voice notes and videos this import holds now (shared ones included)."""

    @property
    def short_id(self) -> str:
        return self.id if self.id == EARLIER else self.id[:SHORT_ID]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "short_id": self.short_id, "files": self.files, "messages": self.messages,
                "contexts": self.contexts, "pairs": self.pairs, "recordings": self.recordings.to_dict()}


def _earlier_files(bundle: Bundle) -> list[str]:
    return list(json.loads(bundle.meta(EARLIER_FILES_META) or "[]"))


def list_imports(bundle: Bundle) -> list[ImportInfo]:
    """Every import, oldest first; ``earlier`` (if any) first of all."""
    db = bundle.db
    earlier = set(_earlier_files(bundle))
    imports: dict[str, ImportInfo] = {}
    for sha, filename, fmt, speaker, imported, summary in db.execute(
        "SELECT file_sha256, filename, format, speaker, imported, summary FROM import_journal ORDER BY imported, rowid"
    ):
        key = EARLIER if sha in earlier else sha
        counts = json.loads(summary)
        entry = {"filename": filename, "sha256": sha, "format": fmt, "speaker": speaker, "imported": imported,
                 "read": counts.get("read", 0), "kept": counts.get("kept", 0),
                 "contexts": counts.get("contexts", 0), "pairs": counts.get("pairs", 0)}
        imports.setdefault(key, ImportInfo(key)).files.append(entry)
    for import_id, role, count in db.execute(
        "SELECT m.import_id, r.role, count(*) FROM record_imports m JOIN records r ON r.id = m.record_id "
        "GROUP BY m.import_id, r.role"
    ):
        info = imports.setdefault(import_id, ImportInfo(import_id))
        if role == "persona":
            info.messages = int(count)
        else:
            info.contexts = int(count)
    for import_id, count in db.execute("SELECT import_id, count(*) FROM pair_imports GROUP BY import_id"):
        imports.setdefault(import_id, ImportInfo(import_id)).pairs = int(count)
    for import_id, counts in counts_by_import(db).items():
        imports.setdefault(import_id, ImportInfo(import_id)).recordings = counts
    ordered = sorted(imports.values(), key=lambda i: (i.id != EARLIER, min((f["imported"] for f in i.files),
                                                                               default="")))
    return ordered


def resolve_import(bundle: Bundle, token: str) -> str:
    """The import id meant by ``token``: 'earlier', a sha256 (or a prefix of 6+ hex digits) or a file name."""
    wanted = token.strip()
    imports = list_imports(bundle)
    if wanted.casefold() == EARLIER:
        if any(i.id == EARLIER for i in imports):
            return EARLIER
    else:
        by_hash = [i.id for i in imports if len(wanted) >= MIN_PREFIX and i.id.startswith(wanted.lower())]
        by_name = [i.id for i in imports for f in i.files if f["filename"] == wanted]
        matches = sorted(set(by_hash) | set(by_name))
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise BundleError(f"{token!r} names {len(matches)} imports", where=str(bundle.path),
                              hint="give more of the id shown by `companion persona imports`")
    known = ", ".join(i.short_id for i in imports) or "none"
    raise BundleError(f"no import {token!r} in this bundle", where=str(bundle.path),
                      hint=f"see `companion persona imports`; the imports are: {known}")


@dataclass(frozen=True)
class ForgetSummary:
    import_id: str
    records: int
    pairs: int
    vectors: int
    files: int
    recordings: int = 0
    recording_minutes: float = 0.0
    training_clips: int = -1
    """Clips of the voice training set removed because it drew on a forgotten recording (-1: it stays)."""


def forget_import(bundle: Bundle, import_id: str) -> ForgetSummary:
    """Remove exactly what this import alone brought (one transaction; deleted pages are zeroed)."""
    from .index import text_key

    db = bundle.db
    db.execute("PRAGMA secure_delete = ON")  # freed pages are overwritten (inside the encryption)
    earlier = _earlier_files(bundle)
    files = earlier if import_id == EARLIER else [import_id]
    with bundle.transaction():
        pair_rows = list(db.execute(
            "SELECT p.id, p.context, p.answer FROM reply_pairs p JOIN pair_imports m ON m.pair_id = p.id "
            "WHERE m.import_id = ? AND NOT EXISTS (SELECT 1 FROM pair_imports o WHERE o.pair_id = p.id "
            "AND o.import_id != ?)", (import_id, import_id)))
        recordings = forget_recordings(bundle, import_id, [row[0] for row in pair_rows])
        db.executemany("DELETE FROM reply_pairs WHERE id = ?", [(row[0],) for row in pair_rows])
        db.execute("DELETE FROM pair_imports WHERE import_id = ?", (import_id,))
        record_ids = [row[0] for row in db.execute(
            "SELECT m.record_id FROM record_imports m WHERE m.import_id = ? AND NOT EXISTS (SELECT 1 FROM "
            "record_imports o WHERE o.record_id = m.record_id AND o.import_id != ?) AND NOT EXISTS (SELECT 1 FROM "
            "reply_pairs p WHERE p.answer_record = m.record_id) AND NOT EXISTS (SELECT 1 FROM reply_pairs q "
            "WHERE q.context_record = m.record_id)",
            (import_id, import_id))]
        _delete_records(db, record_ids)
        db.execute("DELETE FROM record_imports WHERE import_id = ? AND record_id IN (SELECT record_id FROM "
                   "record_imports o WHERE o.import_id != ?)", (import_id, import_id))
        gone_texts = {text_key(text) for _, context, answer in pair_rows for text in (context, answer) if text}
        if gone_texts:
            for context, answer in db.execute("SELECT context, answer FROM reply_pairs"):
                gone_texts.discard(text_key(answer))
                if context:
                    gone_texts.discard(text_key(context))
        db.executemany("DELETE FROM vectors WHERE text_hash = ?", [(key,) for key in gone_texts])
        db.executemany("DELETE FROM import_journal WHERE file_sha256 = ?", [(sha,) for sha in files])
        if import_id == EARLIER:
            db.execute("DELETE FROM meta WHERE key = ?", (EARLIER_FILES_META,))
        _drop_sources(bundle, files + list(recordings.shas))
    summary = ForgetSummary(import_id, len(record_ids), len(pair_rows), len(gone_texts), len(files),
                            recordings.count, recordings.minutes, recordings.training_clips)
    audit(bundle.path, f"forgot import {import_id}: records={summary.records} pairs={summary.pairs} "
                       f"vectors={summary.vectors} files={summary.files} recordings={summary.recordings} "
                       f"training_clips={max(summary.training_clips, 0)}")
    return summary


def _delete_records(db: Any, record_ids: list[int]) -> None:
    params = [(record_id,) for record_id in record_ids]
    for table, column in _RECORD_CHILDREN:
        db.executemany(f"DELETE FROM {table} WHERE {column} = ?", params)
    db.executemany("DELETE FROM records WHERE id = ?", params)


_RECORD_CHILDREN: list[tuple[str, str]] = [("record_imports", "record_id"), ("message_keys", "record_id")]
"""Rows that hang off a record and go with it (other parts of the bundle add theirs here)."""


def _drop_sources(bundle: Bundle, files: list[str]) -> None:
    """The consent record no longer lists the forgotten files (re-signed by the device key)."""
    from ...consent import default_authority

    record = bundle.consent()
    if record is None or not set(files) & set(record.source_hashes):
        return
    kept = tuple(sorted(set(record.source_hashes) - set(files)))
    bundle._store_consent(default_authority().sign(replace(record, source_hashes=kept, signature="")))
