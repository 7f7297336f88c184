"""Checking a bundle end to end, crypto-shredding it, and adding captioned photos.

Erase order matters (ETHICS C6): the wrapped data key is destroyed first (overwritten, synced,
unlinked, folder synced). From that instant nothing in the bundle can be decrypted by anyone,
whatever happens next; the database files are then overwritten and removed as a courtesy
(flash storage may keep old blocks, which is exactly why the key goes first).
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import mimetypes
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ...atomicfile import fsync_dir, leftovers
from ...consent import ConsentError
from .pairing import record_hash
from .keys import KEYS_FILE, BundleError, read_key_document, shred_file
from .store import AUDIT_FILE, DB_FILE, ERASED_FILE, Bundle, audit, utc_now

logger = logging.getLogger(__name__)

MAX_PHOTO_BYTES = 20 * 1024 * 1024
CAPTIONS_FILE = "captions.csv"
_PHOTO_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/bmp"}


@dataclass
class VerifyReport:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    expired: str | None = None
    """Why the (intact, validly signed) consent no longer allows use, e.g. "the consent expired on ..."."""

    @property
    def ok(self) -> bool:
        return all(passed for _, passed, _ in self.checks)

    def add(self, name: str, passed: bool, detail: str = "") -> None:
        self.checks.append((name, passed, detail))


def verify_bundle(bundle: Bundle) -> VerifyReport:
    """Database integrity (SQLite and SQLCipher page HMACs), record hashes, pairs, consent."""
    import sqlcipher3

    report = VerifyReport()
    db = bundle.db
    try:
        failures = [row[0] for row in db.execute("PRAGMA cipher_integrity_check")]
        report.add("page authentication (HMAC)", not failures, "; ".join(failures[:3]))
        if failures:
            return report  # reading damaged pages would only fail again
        result = [row[0] for row in db.execute("PRAGMA integrity_check")]
        report.add("sqlite integrity", result == ["ok"], "; ".join(result[:3]))
        _check_contents(bundle, report)
    except (sqlcipher3.Error, MemoryError) as exc:  # SQLCipher reports a page failing its HMAC as NOMEM
        report.add("readable", False, f"damaged page ({exc or type(exc).__name__})")
    return report


def _check_contents(bundle: Bundle, report: VerifyReport) -> None:
    db = bundle.db
    bad = 0
    total = 0
    for role, source, conversation, speaker, time, text, export_id, digest in db.execute(
        "SELECT role, source, conversation, speaker, time, text, export_id, content_hash FROM records"
    ):
        total += 1
        if record_hash(role, source, conversation, speaker, time, text, export_id) != digest:
            bad += 1
    report.add("record hashes", bad == 0, f"{total} records, {bad} mismatched")
    dangling = db.execute(
        "SELECT count(*) FROM reply_pairs p LEFT JOIN records r ON r.id = p.answer_record WHERE r.id IS NULL"
    ).fetchone()[0]
    report.add("reply pairs", dangling == 0, f"{bundle.count('reply_pairs')} pairs, {dangling} without their record")
    try:
        record = bundle.check_consent()
        journal = {row[0] for row in db.execute("SELECT file_sha256 FROM import_journal")}
        missing = journal - set(record.source_hashes)
        report.add("consent signature", True, f"signed by {record.public_key[:16]}...")
        report.add("consent covers every import", not missing, f"{len(journal)} files, {len(missing)} not covered")
    except ConsentError as exc:
        if exc.reason == "expired":  # signed, trusted and intact: out of date, not damaged
            report.add("consent signature", True, "valid")
            report.expired = exc.what
        else:
            report.add("consent signature", False, exc.message)
    photos_bad = sum(
        1 for data, digest in db.execute("SELECT data, sha256 FROM photos") if hashlib.sha256(data).hexdigest() != digest
    )
    report.add("photos", photos_bad == 0, f"{bundle.count('photos')} photos, {photos_bad} damaged")


def erase_bundle(path: Path, *, reason: str = "owner request") -> list[str]:
    """Crypto-shred the bundle at ``path``; returns the files removed. Needs no passphrase."""
    path = Path(path)
    if (path / ERASED_FILE).exists():
        raise BundleError("this persona was already erased", where=str(path))
    keys = path / KEYS_FILE
    if not keys.exists() and not (path / DB_FILE).exists():
        raise BundleError("not a persona bundle", where=str(path))
    try:
        bundle_id = str(read_key_document(path)["bundle_id"])
    except BundleError:
        bundle_id = "unknown"
    removed = []
    # 1. the key, and any half-written re-wrap of it left by an interrupted `passwd`:
    # from here on nothing decrypts
    for key_file in (path / KEYS_FILE, *leftovers(path / KEYS_FILE)):
        if shred_file(key_file):
            removed.append(key_file.name)
    fsync_dir(path)
    for name in (f"{DB_FILE}-wal", f"{DB_FILE}-shm", f"{DB_FILE}-journal", DB_FILE):
        if shred_file(path / name):  # 2. the data
            removed.append(name)
    for stray in sorted(path.iterdir()):  # anything else a bundle may hold, except the audit trail
        if stray.is_file() and stray.name not in (AUDIT_FILE,):
            shred_file(stray)
            removed.append(stray.name)
        elif stray.is_dir() and not stray.is_symlink():  # e.g. voice/: the clone's training clips
            for inner in sorted(stray.rglob("*")):
                if inner.is_file() and not inner.is_symlink():
                    shred_file(inner)
            shutil.rmtree(stray, ignore_errors=True)
            removed.append(f"{stray.name}/")
    # The id stays, so a retired persona is still known as retired (care state is keyed by it).
    (path / ERASED_FILE).write_text(f"erased {utc_now()}; bundle {bundle_id}; see {AUDIT_FILE}\n", encoding="utf-8")
    fsync_dir(path)
    audit(path, f"erased bundle {bundle_id} ({reason}); key destroyed first; files removed: {len(removed)}")
    logger.warning("persona bundle %s erased (crypto-shredded)", bundle_id)
    return removed


def add_photo(bundle: Bundle, image: Path, caption: str) -> bool:
    """Store one captioned photo (encrypted, in the database); False when already there."""
    image = Path(image)
    try:
        data = image.read_bytes()
    except OSError as exc:
        raise BundleError(f"cannot read the photo ({exc.strerror})", where=str(image)) from None
    mime = mimetypes.guess_type(image.name)[0] or ""
    if mime not in _PHOTO_TYPES:
        raise BundleError(f"not a supported photo type ({mime or 'unknown'})", where=str(image),
                          hint="use JPEG, PNG, GIF, WebP, HEIC or BMP")
    if len(data) > MAX_PHOTO_BYTES:
        raise BundleError("photo larger than 20 MB", where=str(image), hint="scale it down first")
    if not caption.strip():
        raise BundleError("a photo needs a caption", where=str(image), hint="say who and what is in it")
    digest = hashlib.sha256(data).hexdigest()
    cursor = bundle.db.execute(
        "INSERT OR IGNORE INTO photos(sha256, filename, caption, mime, data, added) VALUES (?,?,?,?,?,?)",
        (digest, image.name, caption.strip(), mime, data, utc_now()),
    )
    return bool(cursor.rowcount)


def read_captions(folder: Path) -> list[tuple[Path, str]]:
    """The photos named in ``folder/captions.csv`` (columns: file, caption)."""
    path = Path(folder) / CAPTIONS_FILE
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        raise BundleError(f"no {CAPTIONS_FILE} in the photo folder", where=str(folder),
                          hint="write one line per photo: file name, caption") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BundleError(f"cannot read the captions ({exc})", where=str(path)) from None
    photos = []
    for number, row in enumerate(rows, start=1):
        if not row or not "".join(row).strip() or (number == 1 and [c.lower() for c in row[:2]] == ["file", "caption"]):
            continue
        if len(row) < 2:
            raise BundleError("expected: file name, caption", where=f"{path}, line {number}")
        name = row[0].strip()
        target = (Path(folder) / name).resolve()
        if Path(folder).resolve() not in target.parents:
            raise BundleError("photo outside the folder refused", where=f"{path}, line {number}")
        photos.append((target, ",".join(row[1:]).strip()))
    return photos


def journal_summaries(bundle: Bundle) -> list[dict[str, object]]:
    return [json.loads(row[0]) for row in bundle.db.execute("SELECT summary FROM import_journal ORDER BY imported")]
