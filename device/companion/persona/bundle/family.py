"""What the family told the persona, kept across sessions: one small sealed file in the bundle.

Only when the consent record allows it (``family_memory``). The file, ``family.sealed``, holds a
short JSON list (who said it, what they said, when) sealed with ChaCha20-Poly1305 under a key
derived (HKDF-SHA256) from the bundle's data key, with the bundle id as associated data, so
nothing of it is ever on disk in plaintext and a copy moved into another bundle does not open.
Destroying the bundle's wrapped data key (``persona erase``) leaves it undecryptable, and erase
also shreds it; ``persona memory --clear`` shreds it on its own (no passphrase needed).

Bounded whatever is said: at most MAX_ENTRIES entries of at most MAX_SAID characters; the
oldest drop off.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from .keys import BundleError, shred_file, write_atomic

logger = logging.getLogger(__name__)

FAMILY_FILE = "family.sealed"
FORMAT = "companion-family-memory"
VERSION = 1
MAX_ENTRIES = 24
"""Entries kept (names and news together); the oldest drop off first."""
MAX_SAID = 300
"""Characters of one thing said (a spoken line is a sentence or two)."""
MAX_FILE_BYTES = 256 * 1024
"""A sealed file larger than this was not written by us: refused, never read into memory."""
_NONCE = 12
NAME = "name"
NEWS = "news"


@dataclass(frozen=True)
class Told:
    """One thing the family told: their name (kind "name") or their news (kind "news")."""

    kind: str
    said: str
    """The listener's own words (news), or the name they gave."""
    listener: str | None
    """Who said it, when they had given their name in that session."""
    at: str
    """ISO date-time it was said."""


def family_key(data_key: bytes, bundle_id: str) -> bytes:
    """The family memory's own key, derived from the bundle's data key (one key, one purpose)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=f"companion family memory v{VERSION}:{bundle_id}".encode()).derive(data_key)


def bounded(entries: list[Told]) -> list[Told]:
    """At most MAX_ENTRIES, each said cut to MAX_SAID characters."""
    kept = [Told(t.kind, t.said[:MAX_SAID], t.listener, t.at) for t in entries]
    return kept[-MAX_ENTRIES:]


class FamilyFile:
    """Reads and writes the sealed file of one bundle."""

    def __init__(self, bundle_dir: Path, bundle_id: str, key: bytes) -> None:
        self.path = Path(bundle_dir) / FAMILY_FILE
        self.bundle_id = bundle_id
        self._key = key

    @property
    def _aad(self) -> bytes:
        return f"{FORMAT}:{self.bundle_id}".encode()

    def exists(self) -> bool:
        return self.path.is_file()

    def load(self) -> list[Told]:
        """The entries, [] when there is no file; BundleError when it is damaged or not this bundle's."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        try:
            if self.path.stat().st_size > MAX_FILE_BYTES:
                raise BundleError("the family memory file is too large to be ours", where=str(self.path),
                                  hint="clear it with `companion persona memory DIR --clear`")
            blob = base64.b64decode(self.path.read_bytes(), validate=True)
            plain = ChaCha20Poly1305(self._key).decrypt(blob[:_NONCE], blob[_NONCE:], self._aad)
            document = json.loads(plain.decode("utf-8"))
            if document.get("format") != FORMAT or document.get("version") != VERSION:
                raise ValueError("unknown format")
            entries = [Told(str(e["kind"]), str(e["said"]), e.get("listener") or None, str(e["at"]))
                       for e in document["entries"]]
        except FileNotFoundError:
            return []
        except (InvalidTag, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BundleError(f"the family memory cannot be read ({type(exc).__name__})", where=str(self.path),
                              hint="clear it with `companion persona memory DIR --clear`") from None
        return bounded([e for e in entries if e.kind in (NAME, NEWS) and e.said.strip()])

    def save(self, entries: list[Told]) -> None:
        """Seal and write atomically (temp file, fsync, rename): all or nothing."""
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        document = {"format": FORMAT, "version": VERSION, "entries": [asdict(t) for t in bounded(entries)]}
        nonce = os.urandom(_NONCE)
        sealed = nonce + ChaCha20Poly1305(self._key).encrypt(
            nonce, json.dumps(document, ensure_ascii=False).encode("utf-8"), self._aad)
        write_atomic(self.path, base64.b64encode(sealed))


def clear_family_file(bundle_dir: Path) -> bool:
    """Shred the family memory (overwrite, fsync, unlink); False when there was none. No key needed."""
    removed = False
    for name in (FAMILY_FILE, f".{FAMILY_FILE}.tmp"):
        removed = shred_file(Path(bundle_dir) / name) or removed
    return removed


def open_family_file(bundle_dir: Path, bundle_id: str, data_key: bytes) -> FamilyFile:
    return FamilyFile(bundle_dir, bundle_id, family_key(data_key, bundle_id))
