"""The bundle's key area: passphrase -> argon2id -> key-encryption key -> random data key.

The data key (32 random bytes, one per persona) encrypts the database (SQLCipher). It is
stored only wrapped (ChaCha20-Poly1305 under the key-encryption key) in ``keys.json``, next to
the wrapped Ed25519 key that signs the consent record. Destroying that one small file makes
every other byte of the bundle undecryptable (crypto-shredding, ETHICS C6), which is why erase
starts with it. ChaCha20-Poly1305 because a Pi 4 has no AES instructions.
"""

from __future__ import annotations

import base64
import getpass
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...atomicfile import write_atomic
from ...errors import PersonaError

logger = logging.getLogger(__name__)

KEYS_FILE = "keys.json"
KEYS_FORMAT = "companion-persona-keys"
KEYS_VERSION = 1
CREDENTIAL_NAME = "persona-key"
KEY_FILE_ENV = "COMPANION_PERSONA_KEY_FILE"
# ~0.5 s on 2 x86 cores, ~1-2 s on a Pi 4: slow enough to make guessing costly, fast enough to start.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 2
_NONCE = 12
_MIN_PASSPHRASE = 8


class BundleError(PersonaError):
    """A persona bundle is missing, locked, damaged or erased."""


class WrongKeyError(BundleError):
    """The passphrase or key file does not unlock this bundle."""


@dataclass(frozen=True)
class UnlockedKeys:
    """What the passphrase unlocks: the database key and the consent-signing key."""

    bundle_id: str
    data_key: bytes
    signing_key: Any  # cryptography Ed25519PrivateKey


def _kek(secret: bytes, kdf: dict[str, Any]) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(
        secret, base64.b64decode(kdf["salt"]), time_cost=int(kdf["time_cost"]),
        memory_cost=int(kdf["memory_cost"]), parallelism=int(kdf["parallelism"]), hash_len=32, type=Type.ID,
    )


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    nonce = os.urandom(_NONCE)
    return base64.b64encode(nonce + ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad)).decode("ascii")


def _open(key: bytes, sealed: str, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    blob = base64.b64decode(sealed)
    return ChaCha20Poly1305(key).decrypt(blob[:_NONCE], blob[_NONCE:], aad)


def create_keys(bundle_dir: Path, secret: bytes, bundle_id: str) -> UnlockedKeys:
    """Generate the data key and signing key, wrap both, and write keys.json atomically."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    _check_new_secret(secret)
    kdf = _new_kdf()
    data_key = os.urandom(32)
    signing = Ed25519PrivateKey.generate()
    raw_signing = signing.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    kek = _kek(secret, kdf)
    document = {
        "format": KEYS_FORMAT, "version": KEYS_VERSION, "bundle_id": bundle_id, "kdf": kdf,
        "cipher": "chacha20-poly1305",
        "wrapped_data_key": _seal(kek, data_key, f"data-key:{bundle_id}".encode()),
        "wrapped_signing_key": _seal(data_key, raw_signing, f"signing-key:{bundle_id}".encode()),
    }
    write_atomic(bundle_dir / KEYS_FILE, json.dumps(document, indent=1).encode("utf-8"), mode=0o600)
    return UnlockedKeys(bundle_id=bundle_id, data_key=data_key, signing_key=signing)


def read_key_document(bundle_dir: Path) -> dict[str, Any]:
    path = bundle_dir / KEYS_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BundleError("the bundle's key file is missing (erased, or not a persona bundle)", where=str(path),
                          hint="without it the data cannot be decrypted; restore the bundle from a backup") from None
    except (OSError, ValueError) as exc:
        raise BundleError(f"the bundle's key file is unreadable ({exc})", where=str(path)) from None
    if not isinstance(document, dict) or document.get("format") != KEYS_FORMAT:
        raise BundleError("not a companion persona key file", where=str(path))
    if document.get("version") != KEYS_VERSION:
        raise BundleError(f"unsupported key file version {document.get('version')!r}", where=str(path),
                          hint="update companion")
    return document


def read_bundle_id(bundle_dir: Path) -> str | None:
    """The bundle's id as its key file names it (no secret needed; it is authenticated on unlock)."""
    try:
        return str(read_key_document(Path(bundle_dir))["bundle_id"]) or None
    except (BundleError, KeyError):
        return None


def _new_kdf() -> dict[str, Any]:
    return {
        "name": "argon2id", "salt": base64.b64encode(os.urandom(16)).decode("ascii"),
        "time_cost": ARGON2_TIME_COST, "memory_cost": ARGON2_MEMORY_KIB, "parallelism": ARGON2_PARALLELISM,
    }


def _check_new_secret(secret: bytes) -> None:
    if len(secret) < _MIN_PASSPHRASE:
        raise BundleError(f"the passphrase must have at least {_MIN_PASSPHRASE} characters")


def _unwrap_data_key(bundle_dir: Path, document: dict[str, Any], secret: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag

    bundle_id = str(document["bundle_id"])
    try:
        kek = _kek(secret, document["kdf"])
        return _open(kek, document["wrapped_data_key"], f"data-key:{bundle_id}".encode())
    except InvalidTag:
        raise WrongKeyError("wrong passphrase or key file for this persona bundle", where=str(bundle_dir),
                            hint="check the passphrase (or the key file's contents) and try again") from None
    except (KeyError, ValueError, TypeError) as exc:
        raise BundleError(f"the bundle's key file is damaged ({exc})", where=str(bundle_dir / KEYS_FILE)) from None


def unlock(bundle_dir: Path, secret: bytes) -> UnlockedKeys:
    """Derive the key-encryption key and unwrap both keys; WrongKeyError for a wrong secret."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    document = read_key_document(bundle_dir)
    bundle_id = str(document["bundle_id"])
    data_key = _unwrap_data_key(bundle_dir, document, secret)
    try:
        raw_signing = _open(data_key, document["wrapped_signing_key"], f"signing-key:{bundle_id}".encode())
    except (InvalidTag, KeyError, ValueError) as exc:
        raise BundleError(f"the bundle's signing key is damaged ({exc or 'tag mismatch'})",
                          where=str(bundle_dir / KEYS_FILE)) from None
    return UnlockedKeys(bundle_id, data_key, Ed25519PrivateKey.from_private_bytes(raw_signing))


def change_secret(bundle_dir: Path, old_secret: bytes, new_secret: bytes) -> None:
    """Re-wrap the data key under a key-encryption key from ``new_secret`` (fresh argon2id salt).

    The data itself is not touched: only keys.json is replaced, atomically (temp file, fsync,
    rename), so a crash leaves either the old or the new passphrase working, never neither.
    A wrong ``old_secret`` raises WrongKeyError before anything is written.
    """
    _check_new_secret(new_secret)
    document = read_key_document(bundle_dir)
    data_key = _unwrap_data_key(bundle_dir, document, old_secret)
    kdf = _new_kdf()
    updated = dict(document, kdf=kdf, wrapped_data_key=_seal(
        _kek(new_secret, kdf), data_key, f"data-key:{document['bundle_id']}".encode()))
    write_atomic(bundle_dir / KEYS_FILE, json.dumps(updated, indent=1).encode("utf-8"), mode=0o600)
    logger.info("persona bundle %s: data key re-wrapped under a new passphrase", document["bundle_id"])


def secret_file(
    explicit_key_file: str | Path | None = None, *, settings_key_file: str | Path | None = None
) -> tuple[Path, str] | None:
    """Which key file read_secret would use, and what it is called; None means a prompt.

    The order: a key file given on the command line, systemd's credential
    ($CREDENTIALS_DIRECTORY/persona-key), $COMPANION_PERSONA_KEY_FILE, the settings' key file.
    """
    if explicit_key_file:
        return Path(explicit_key_file).expanduser(), "key file"
    credentials = os.environ.get("CREDENTIALS_DIRECTORY")
    if credentials and (Path(credentials) / CREDENTIAL_NAME).is_file():
        return Path(credentials) / CREDENTIAL_NAME, "systemd credential"
    if os.environ.get(KEY_FILE_ENV):
        return Path(os.environ[KEY_FILE_ENV]).expanduser(), f"key file (${KEY_FILE_ENV})"
    if settings_key_file:
        return Path(settings_key_file).expanduser(), "key file ([persona] key_file)"
    return None


def read_secret(
    explicit_key_file: str | Path | None = None,
    *,
    settings_key_file: str | Path | None = None,
    confirm: bool = False,
    prompt_name: str = "persona",
) -> bytes:
    """The bundle secret, from the first key file secret_file() names, else a passphrase
    prompt (only on a terminal).

    A key file holds the passphrase itself (trailing newline ignored), so the passphrase an
    owner types and the file ``install.sh`` places are interchangeable.
    """
    source = secret_file(explicit_key_file, settings_key_file=settings_key_file)
    if source is not None:
        path, what = source
        try:
            secret = path.read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            raise BundleError(f"cannot read the persona {what} ({exc.strerror})", where=str(path),
                              hint="check the path and its permissions") from None
        if not secret:
            raise BundleError(f"the persona {what} is empty", where=str(path))
        return secret
    return prompt_secret(prompt_name, confirm=confirm)


_typed: dict[str, bytes] = {}
"""Passphrases typed in this process, by prompt: start-up opens one bundle for its memories, its
voice and its language model, and the owner should be asked once, not three times."""


def prompt_secret(prompt_name: str = "persona", *, confirm: bool = False) -> bytes:
    """A passphrase typed on the terminal (twice with ``confirm``); BundleError off a terminal."""
    if not confirm and prompt_name in _typed:
        return _typed[prompt_name]
    if not sys.stdin or not sys.stdin.isatty():
        raise BundleError(
            "no persona key: nothing to unlock the persona bundle with",
            hint=f"pass --key-file, set [persona] key_file or ${KEY_FILE_ENV}, or run it in a terminal to type the passphrase",
        )
    secret_text = getpass.getpass(f"{prompt_name} passphrase: ")
    if confirm and getpass.getpass("repeat the passphrase: ") != secret_text:
        raise BundleError("the two passphrases differ", hint="try again")
    if not confirm:
        _typed[prompt_name] = secret_text.encode("utf-8")
    return secret_text.encode("utf-8")




def shred_file(path: Path) -> bool:
    """Overwrite a file with random bytes, fsync, then unlink; False when it was not there.

    On flash storage an overwrite may land elsewhere, so this is a courtesy for the data
    files; the guarantee comes from destroying the wrapped key first.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return False
    with path.open("r+b") as handle:
        remaining = size
        while remaining > 0:
            chunk = min(remaining, 1 << 20)
            handle.write(os.urandom(chunk))
            remaining -= chunk
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
    return True
