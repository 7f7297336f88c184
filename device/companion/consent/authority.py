"""The device's trust anchor for consent records (ETHICS.md C1).

A record's signature proves nothing by itself: its public key travels with it, so anyone can
re-sign an edited record with a new key. What counts is *who* signed. Records are signed with
the device's consent key, made once at install (``/etc/companion/consent/device.key``, root
only; ``companion consent init``), and a record is accepted only when its signer is that key or
one an admin enrolled on the device (``companion consent trust KEY.pub``, e.g. the laptop the
family set the persona up on). The service only verifies, so it needs the public halves only.

Without an installed device directory (a development machine) the authority lives under the
user's state directory and its key is made on first use.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any

from ..atomicfile import write_atomic
from .record import ConsentError, ConsentRecord, sign

logger = logging.getLogger(__name__)

DEVICE_DIR = Path("/etc/companion/consent")
ENV_DIR = "COMPANION_CONSENT_DIR"
"""Overrides where the authority lives (tests, image builds)."""
KEY_FILE = "device.key"
PUBLIC_FILE = "device.pub"
TRUSTED_DIR = "trusted"
_HEX_KEY = re.compile(r"^[0-9a-f]{64}$")


def default_dir() -> Path:
    """$COMPANION_CONSENT_DIR, else the installed device's, else the user's state directory."""
    configured = os.environ.get(ENV_DIR, "").strip()
    if configured:
        return Path(configured).expanduser()
    if DEVICE_DIR.is_dir():
        return DEVICE_DIR
    state = os.environ.get("XDG_STATE_HOME", "").strip() or str(Path.home() / ".local" / "state")
    return Path(state) / "companion" / "consent"


class ConsentAuthority:
    """Signs consent records with the device key and says which signers this device trusts."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    @property
    def key_path(self) -> Path:
        return self.directory / KEY_FILE

    def public_key(self) -> str | None:
        """The device key's public half (hex), None before ``init``."""
        path = self.directory / PUBLIC_FILE
        try:
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return text if _HEX_KEY.match(text) else None

    def trusted_keys(self) -> frozenset[str]:
        """The device key and every enrolled key (hex); an unreadable or malformed file is skipped."""
        keys = set()
        own = self.public_key()
        if own:
            keys.add(own)
        folder = self.directory / TRUSTED_DIR
        for path in sorted(folder.glob("*.pub")) if folder.is_dir() else ():
            try:
                text = path.read_text(encoding="ascii").strip()
            except (OSError, UnicodeDecodeError) as exc:
                logger.warning("ignoring enrolled consent key %s: %s", path, exc)
                continue
            if _HEX_KEY.match(text):
                keys.add(text)
            else:
                logger.warning("ignoring enrolled consent key %s: not a 64-digit hex Ed25519 public key", path)
        return frozenset(keys)

    def init(self) -> str:
        """Make the device key if there is none (private 0600, public 0644); returns the public key."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        existing = self.public_key()
        if existing and self.key_path.exists():
            return existing
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o755)
        key = Ed25519PrivateKey.generate()
        raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
        public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
        _write(self.key_path, raw.hex() + "\n", 0o600)
        _write(self.directory / PUBLIC_FILE, public + "\n", 0o644)
        logger.info("made the device consent key %s", self.key_path)
        return public

    def signing_key(self) -> Any:
        """The device key (cryptography Ed25519PrivateKey), made on first use where that is allowed."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        if not self.key_path.exists():
            try:
                self.init()
            except OSError as exc:
                raise ConsentError("no-signing-key", f"there is no device consent key and none can be made ({exc})",
                                   where=str(self.directory),
                                   hint="run `sudo companion consent init` (install.sh does this)") from None
        try:
            raw = bytes.fromhex(self.key_path.read_text(encoding="ascii").strip())
            return Ed25519PrivateKey.from_private_bytes(raw)
        except PermissionError:
            raise ConsentError("no-signing-key", "cannot read the device consent key", where=str(self.key_path),
                               hint="consent is signed by the device's administrator: run the command with sudo") from None
        except (OSError, ValueError) as exc:
            raise ConsentError("no-signing-key", f"the device consent key is unreadable ({exc})",
                               where=str(self.key_path), hint="restore it from a backup, or `companion consent init` "
                               "after moving it away (records it signed must then be signed again)") from None

    def sign(self, record: ConsentRecord) -> ConsentRecord:
        return sign(record, self.signing_key())

    def attest(self, statement: dict[str, Any]) -> dict[str, str]:
        """Sign a small statement (e.g. "this voice model, sha256 X, passed `voice verify`")."""
        key = self.signing_key()
        from cryptography.hazmat.primitives import serialization

        public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
        return {"public_key": public, "signature": key.sign(_canonical(statement)).hex()}

    def check_attestation(self, statement: dict[str, Any], attestation: Any) -> bool:
        """True when ``attestation`` (from ``attest``) signs exactly ``statement`` with a trusted key."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        if not isinstance(attestation, dict):
            return False
        public, signature = str(attestation.get("public_key", "")), str(attestation.get("signature", ""))
        if public not in self.trusted_keys():
            return False
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(public)).verify(bytes.fromhex(signature),
                                                                             _canonical(statement))
        except (ValueError, InvalidSignature):
            return False
        return True

    def trust(self, public_key: str, label: str) -> Path:
        """Enroll another signer (an admin's laptop); returns the file written."""
        key = public_key.strip().lower()
        if not _HEX_KEY.match(key):
            raise ConsentError("invalid", "not an Ed25519 public key (64 hex digits)",
                               hint="copy the key printed by `companion consent key` on the other machine")
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("._") or key[:16]
        folder = self.directory / TRUSTED_DIR
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.pub"
        _write(path, key + "\n", 0o644)
        return path


def default_authority() -> ConsentAuthority:
    return ConsentAuthority(default_dir())


def _canonical(statement: dict[str, Any]) -> bytes:
    return json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _write(path: Path, text: str, mode: int) -> None:
    """Write atomically with the given mode (a key file never exists half-written or too open)."""
    write_atomic(path, text.encode("ascii"), mode=mode)


__all__ = ["ConsentAuthority", "default_authority", "default_dir"]
