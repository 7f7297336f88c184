"""The device's secret watermark key (ETHICS.md C4): made at install, never a public constant.

On a device install.sh writes 32 random bytes (base64) to /etc/companion/watermark.key, root only,
and systemd hands it to the service as the credential ``watermark-key`` (LoadCredential=), like
the persona key. A development machine (no install) gets a per-user key, made on first use in the
state folder (mode 0600), like the provenance signing key. The key seeds every chip of the
pattern (wmcode.py): without it the mark can be neither found, nor subtracted, nor forged.

A family or a platform that should be able to check files gets an exported copy
(`companion watermark export-key`) and runs `companion watermark detect FILE --key KEYFILE`. The
scheme is symmetric: whoever holds the key can also mark audio, so it is handed only to people
the owner trusts, and the key's fingerprint says which device a mark came from.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import CompanionError

logger = logging.getLogger(__name__)

CREDENTIAL_NAME = "watermark-key"
DEVICE_KEY_FILE = Path("/etc/companion/watermark.key")
USER_KEY_NAME = "watermark.key"
KEY_FILE_ENV = "COMPANION_WATERMARK_KEY_FILE"
KEY_BYTES = 32
MIN_KEY_BYTES = 16
EXPORT_HEADER = "# companion watermark key: checks (and could make) this device's watermark; share it only with people you trust\n"


class WatermarkKeyError(CompanionError):
    pass


@dataclass(frozen=True)
class WatermarkKey:
    secret: bytes
    source: str
    """Where it came from, for messages: "systemd credential", a path, ..."""

    @property
    def fingerprint(self) -> str:
        """8 hex digits naming the key (not the key): which device a mark came from."""
        return fingerprint(self.secret)


def fingerprint(secret: bytes) -> str:
    return hashlib.sha256(b"companion-watermark-key-id" + secret).hexdigest()[:8]


def parse_key(text: str, *, where: str) -> bytes:
    """The key in a key file: base64 on the first line that is not a # comment."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise WatermarkKeyError("the watermark key file is empty", where=where,
                                hint="give the file `companion watermark export-key` wrote")
    try:
        secret = base64.b64decode(lines[0], validate=True)
    except (binascii.Error, ValueError):
        raise WatermarkKeyError("the watermark key file is not base64", where=where,
                                hint="give the file `companion watermark export-key` wrote") from None
    if len(secret) < MIN_KEY_BYTES:
        raise WatermarkKeyError(f"the watermark key is too short ({len(secret)} bytes, at least {MIN_KEY_BYTES})",
                                where=where, hint="give the file `companion watermark export-key` wrote")
    return secret


def format_key(secret: bytes, *, header: str = "") -> str:
    return header + base64.b64encode(secret).decode("ascii") + "\n"


def read_key_file(path: Path) -> WatermarkKey:
    """A key file given by the user (`--key`), an exported one or the device's own."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WatermarkKeyError("watermark key file not found", where=str(path)) from None
    except PermissionError:
        raise WatermarkKeyError("cannot read the watermark key file (it is root only)", where=str(path),
                                hint="run the command with sudo, or use a key exported with `companion watermark export-key`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WatermarkKeyError(f"cannot read the watermark key file: {exc}", where=str(path)) from None
    return WatermarkKey(parse_key(text, where=str(path)), str(path))


def device_key(state_dir: Path, *, device_file: Path | None = None, create: bool = True) -> WatermarkKey:
    """This device's key: the systemd credential, $COMPANION_WATERMARK_KEY_FILE, the installed
    /etc/companion/watermark.key, else the per-user key in ``state_dir`` (made on first use)."""
    credentials = os.environ.get("CREDENTIALS_DIRECTORY")
    if credentials and (Path(credentials) / CREDENTIAL_NAME).is_file():
        key = read_key_file(Path(credentials) / CREDENTIAL_NAME)
        return WatermarkKey(key.secret, "systemd credential")
    if os.environ.get(KEY_FILE_ENV):
        return read_key_file(Path(os.environ[KEY_FILE_ENV]).expanduser())
    device_file = device_file or DEVICE_KEY_FILE
    if device_file.exists():
        return read_key_file(device_file)  # a clear error when not root: never a silent other key
    return user_key(state_dir, create=create)


def user_key(state_dir: Path, *, create: bool = True) -> WatermarkKey:
    """The per-user development key in ``state_dir``, created (0600) when absent."""
    path = state_dir / USER_KEY_NAME
    if path.is_file():
        return read_key_file(path)
    if not create:
        raise WatermarkKeyError("this machine has no watermark key yet", where=str(path),
                                hint="pass --key with a key exported by the device that spoke; this machine's "
                                     "own is made on first use by `companion converse` / `demo`")
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = os.urandom(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return read_key_file(path)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(format_key(secret))
    logger.info("created this user's watermark key %s (fingerprint %s)", path, fingerprint(secret))
    return WatermarkKey(secret, str(path))


def export_key(key: WatermarkKey, dest: Path) -> None:
    """Write a copy of the key for a family member or platform (mode 0600, never overwritten)."""
    try:
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise WatermarkKeyError("the file already exists", where=str(dest), hint="choose a new file name") from None
    except OSError as exc:
        raise WatermarkKeyError(f"cannot write the key: {exc.strerror or exc}", where=str(dest)) from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(format_key(key.secret, header=EXPORT_HEADER + f"# fingerprint {key.fingerprint}\n"))
