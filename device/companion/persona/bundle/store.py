"""The persona bundle: one SQLCipher database (WAL) in a folder, next to its key file.

Layout of a bundle folder::

    keys.json     wrapped data key + wrapped consent-signing key (see keys.py)
    persona.db    SQLCipher 4 database (+ persona.db-wal / -shm while open): records, reply
                  pairs, memory vectors, photos, the consent record, the import journal
    AUDIT.log     content-free audit lines (created, imported N files, erased)

Every page of the database, its WAL and its shared-memory index is encrypted with the raw
per-persona data key; temporary tables stay in memory, so no plaintext reaches the disk.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...consent import ConsentAuthority, ConsentRecord, check_consent, default_authority
from .keys import KEYS_FILE, BundleError, UnlockedKeys, create_keys, unlock

logger = logging.getLogger(__name__)

DB_FILE = "persona.db"
AUDIT_FILE = "AUDIT.log"
ERASED_FILE = "ERASED"
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE consent(id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL);
CREATE TABLE records(
    id INTEGER PRIMARY KEY,
    content_hash TEXT NOT NULL UNIQUE,   -- sha256 of the canonical fields below (dedupe + verify)
    role TEXT NOT NULL CHECK (role IN ('persona', 'context')),
    source TEXT NOT NULL,
    conversation TEXT NOT NULL,
    speaker TEXT NOT NULL,
    time TEXT,
    text TEXT NOT NULL,                  -- after third-party PII redaction (C7)
    export_id TEXT,
    reply_to TEXT,
    origin TEXT NOT NULL,
    file_sha256 TEXT NOT NULL
);
CREATE INDEX records_by_conversation ON records(conversation, time);
CREATE TABLE reply_pairs(
    id INTEGER PRIMARY KEY,
    pair_hash TEXT NOT NULL UNIQUE,
    context TEXT,                        -- what was said to the person (NULL: they spoke first)
    answer TEXT NOT NULL,                -- what they answered (their consecutive messages, joined)
    answer_record INTEGER NOT NULL REFERENCES records(id),
    context_record INTEGER REFERENCES records(id),
    conversation TEXT NOT NULL,
    time TEXT,
    source TEXT NOT NULL
);
CREATE TABLE vectors(
    text_hash BLOB PRIMARY KEY,          -- sha256 of the text: equal texts share one vector
    vector BLOB NOT NULL                 -- float16, unit length, model named in meta.embedder
);
CREATE TABLE photos(
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    filename TEXT NOT NULL,
    caption TEXT NOT NULL,
    mime TEXT NOT NULL,
    data BLOB NOT NULL,
    added TEXT NOT NULL
);
CREATE TABLE import_journal(
    file_sha256 TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    format TEXT NOT NULL,
    speaker TEXT NOT NULL,
    imported TEXT NOT NULL,
    summary TEXT NOT NULL                -- JSON counts: read, kept, skipped by reason
);
"""


def is_bundle(path: Path) -> bool:
    """A folder that is (or was) a persona bundle rather than a plain persona folder."""
    path = Path(path)
    return any((path / name).exists() for name in (KEYS_FILE, DB_FILE, ERASED_FILE))


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def audit(bundle_dir: Path, line: str) -> None:
    """Append one content-free line to the bundle's AUDIT.log (and the log)."""
    text = f"{utc_now()} {line}\n"
    with (Path(bundle_dir) / AUDIT_FILE).open("a", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
    logger.info("persona audit (%s): %s", bundle_dir, line)


@dataclass(frozen=True)
class PersonaCard:
    """How the persona presents itself (what a plain folder keeps in persona.toml)."""

    name: str
    display_name: str
    language: str
    fallback_replies: tuple[str, ...]
    speakers: tuple[str, ...] = ()
    """The names the person goes by in exports (what --speaker matched)."""


class Bundle:
    """An unlocked bundle: a SQLCipher connection plus the keys; use as a context manager."""

    def __init__(self, path: Path, keys: UnlockedKeys, connection: Any) -> None:
        self.path = path
        self.keys = keys
        self.db = connection

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, secret: bytes, card: PersonaCard, consent: ConsentRecord,
               authority: ConsentAuthority | None = None) -> Bundle:
        """Make a new bundle; the consent record is signed with the device's consent key (C1)."""
        authority = authority or default_authority()
        signed = authority.sign(consent)  # before anything is written: no key, no bundle
        path = Path(path)
        if is_bundle(path):
            raise BundleError("a persona bundle already exists here", where=str(path),
                              hint="choose another --dir, or erase the old one first")
        if path.exists() and any(path.iterdir()):
            raise BundleError("the folder is not empty", where=str(path), hint="give an empty or new folder")
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o700)
        keys = create_keys(path, secret, consent.bundle_id)
        (path / DB_FILE).touch(mode=0o600)  # SQLite gives the -wal and -shm files the same mode
        bundle = cls(path, keys, _connect(path / DB_FILE, keys.data_key))
        with bundle.transaction():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    bundle.db.execute(statement)
            bundle._set_meta("schema_version", str(SCHEMA_VERSION))
            bundle._set_meta("bundle_id", consent.bundle_id)
            bundle._set_meta("card", json.dumps(card.__dict__, ensure_ascii=False))
            bundle._store_consent(signed)
        _extend_schema(bundle)
        audit(path, f"created bundle {consent.bundle_id} (consent by relationship={consent.relationship})")
        return bundle

    @classmethod
    def open(cls, path: Path, secret: bytes) -> Bundle:
        """Unlock and open; WrongKeyError for a wrong secret, BundleError for damage."""
        path = Path(path)
        if (path / ERASED_FILE).exists():
            raise BundleError("this persona was erased", where=str(path),
                              hint=f"see {path / AUDIT_FILE}; its data can no longer be decrypted")
        if not (path / DB_FILE).is_file():
            raise BundleError("not a persona bundle (persona.db is missing)", where=str(path),
                              hint="create one with `companion persona create`")
        keys = unlock(path, secret)
        bundle = cls(path, keys, _connect(path / DB_FILE, keys.data_key))
        version = bundle.meta("schema_version")
        if version != str(SCHEMA_VERSION):
            bundle.close()
            raise BundleError(f"unsupported bundle schema {version!r}", where=str(path), hint="update companion")
        try:
            _extend_schema(bundle)
        except BaseException:
            bundle.close()
            raise
        return bundle

    def close(self) -> None:
        try:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception:  # a closed or busy database: the WAL is replayed on next open
            pass
        self.db.close()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (or a kill: SQLite's WAL)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- metadata, card, consent -----------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        (key, value))

    @property
    def bundle_id(self) -> str:
        return self.keys.bundle_id

    @property
    def card(self) -> PersonaCard:
        data = json.loads(self.meta("card") or "{}")
        data["fallback_replies"] = tuple(data.get("fallback_replies", ()))
        data["speakers"] = tuple(data.get("speakers", ()))
        return PersonaCard(**data)

    def add_speaker(self, speaker: str) -> None:
        """Remember a name the person goes by (call inside a transaction)."""
        card = self.card
        if speaker not in card.speakers:
            data = dict(card.__dict__, speakers=list(card.speakers) + [speaker], fallback_replies=list(card.fallback_replies))
            self._set_meta("card", json.dumps(data, ensure_ascii=False))

    def consent(self) -> ConsentRecord | None:
        row = self.db.execute("SELECT record FROM consent WHERE id = 1").fetchone()
        return None if row is None else ConsentRecord.from_json(row[0])

    def _store_consent(self, record: ConsentRecord) -> None:
        self.db.execute("INSERT OR REPLACE INTO consent(id, record) VALUES (1, ?)", (record.to_json(),))

    def add_source_hashes(self, hashes: list[str], authority: ConsentAuthority | None = None) -> None:
        """Extend the consent record's source list and re-sign it with the device's consent key
        (call inside a transaction)."""
        record = self.consent()
        if record is None:
            raise BundleError("the bundle has no consent record", where=str(self.path))
        if set(hashes) <= set(record.source_hashes):
            return
        self._store_consent((authority or default_authority()).sign(record.with_sources(hashes)))

    def check_consent(self, *, now: _dt.datetime | None = None, listener: str | None = None,
                      authority: ConsentAuthority | None = None) -> ConsentRecord:
        """The consent record, if it allows use now and a trusted key signed it; ConsentError otherwise."""
        record = self.consent()
        check_consent(record, now=now or _dt.datetime.now(_dt.timezone.utc), listener=listener,
                      bundle_id=self.bundle_id, where=str(self.path),
                      trusted=(authority or default_authority()).trusted_keys())
        assert record is not None
        return record

    # -- reading ---------------------------------------------------------------------------------

    def count(self, table: str) -> int:
        assert table in ("records", "reply_pairs", "vectors", "photos", "import_journal")
        return int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def imported_file(self, file_sha256: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT filename, imported, summary FROM import_journal WHERE file_sha256 = ?",
                              (file_sha256,)).fetchone()
        if row is None:
            return None
        return {"filename": row[0], "imported": row[1], "summary": json.loads(row[2])}

    def pairs(self) -> list[tuple[int, str | None, str, str | None, str]]:
        """(id, context, answer, time, source) of every reply pair, in a stable order."""
        return list(self.db.execute("SELECT id, context, answer, time, source FROM reply_pairs ORDER BY id"))


def _extend_schema(bundle: Bundle) -> None:
    """Tables added since schema 1 (created, and filled for older bundles, on first open)."""
    import sqlcipher3

    from .dedupe import ensure_message_keys
    from .imports import ensure_claims

    try:
        ensure_claims(bundle)
        ensure_message_keys(bundle)
    except sqlcipher3.OperationalError as exc:  # opened read-only: reading needs none of them
        logger.warning("bundle %s: could not add the review tables (%s); `persona imports` needs write access",
                       bundle.path, exc)


def _connect(db_path: Path, data_key: bytes) -> Any:
    """Open the SQLCipher database with the raw data key (no second KDF: the key is random)."""
    import sqlcipher3

    connection = sqlcipher3.connect(str(db_path), isolation_level=None, check_same_thread=False)
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        connection.execute("PRAGMA journal_mode = WAL").fetchone()
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("PRAGMA temp_store = MEMORY")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA busy_timeout = 5000")
    except sqlcipher3.DatabaseError as exc:
        connection.close()
        raise BundleError(f"the persona database cannot be decrypted or is damaged ({exc})", where=str(db_path),
                          hint="run `companion persona verify`; restore from a backup if it fails") from None
    return connection


@contextmanager
def database_errors_as_bundle_errors(path: Path) -> Iterator[None]:
    """A damaged page found mid-way surfaces as one clean BundleError, not a traceback."""
    import sqlcipher3

    try:
        yield
    except (sqlcipher3.Error, MemoryError) as exc:  # SQLCipher reports a page failing its HMAC as NOMEM
        raise BundleError(f"the persona database is damaged ({exc or type(exc).__name__})", where=str(path),
                          hint="restore the bundle from a backup") from None


def new_bundle_id() -> str:
    return str(uuid.uuid4())
