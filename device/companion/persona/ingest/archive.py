"""Reading one member of a .zip export safely: no path traversal, no symlinks, no zip bombs.

WhatsApp ("Export chat" with media) and some backup tools hand out .zip files. A hostile or
broken archive must never make the importer write outside its folder or exhaust memory/disk,
so every member name is checked and every byte read is counted against hard limits (the
sizes the archive declares are not trusted).
"""

from __future__ import annotations

import io
import logging
import lzma
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ._common import format_error

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArchiveLimits:
    """Hard limits for reading an archive (defaults fit any real chat export)."""

    max_members: int = 20_000
    """More members than this is refused (a chat with media rarely has more than a few thousand)."""
    max_total_bytes: int = 2 * 1024**3
    """The declared uncompressed size of all members together."""
    max_member_bytes: int = 1024**3
    """Bytes actually read from one member before the read is stopped."""
    max_ratio: float = 200.0
    """Uncompressed/compressed size above this (for members over 1 MiB) marks a zip bomb."""


DEFAULT_LIMITS = ArchiveLimits()


def _unsafe_name(name: str) -> str | None:
    """Why a member name is unsafe to use, or None."""
    if not name or "\x00" in name:
        return "an empty or NUL-containing name"
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return f"an absolute path ({name!r})"
    if ".." in PurePosixPath(normalised).parts:
        return f"a path that leaves the archive ({name!r})"
    return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


_READ_ERRORS = (
    zipfile.BadZipFile, zlib.error, lzma.LZMAError, struct.error, EOFError, OSError, ValueError,
    RuntimeError, NotImplementedError, KeyError,
)  # fmt: skip
"""What zipfile raises on damaged or unsupported (encrypted, unknown codec) members."""


class _LimitedReader(io.RawIOBase):
    """A member stream that stops with an error once more than ``limit`` bytes came out."""

    def __init__(self, inner: io.BufferedIOBase, limit: int, archive: Path, member: str) -> None:
        self._inner = inner
        self._left = limit
        self._limit = limit
        self._archive = archive
        self._member = member

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        try:
            data = self._inner.read(min(len(buffer), self._left + 1))
        except _READ_ERRORS as exc:
            raise format_error(
                f"the archive member {self._member!r} is corrupt: {exc}", self._archive
            ) from exc
        if len(data) > self._left:
            raise format_error(
                f"the archive member {self._member!r} unpacks to more than "
                f"{self._limit} bytes (a zip bomb?)",
                self._archive,
                hint="unpack the export yourself and import the chat text file",
            )
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            super().close()


class SafeZip:
    """A zip export opened for reading with its members checked up front."""

    def __init__(self, path: Path, limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
        self.path = path
        self.limits = limits
        try:
            self._zip = zipfile.ZipFile(path)
            infos = self._zip.infolist()
        except _READ_ERRORS as exc:
            raise format_error(f"not a readable zip archive: {exc}", path) from exc
        try:
            self._check(infos)
        except BaseException:
            self._zip.close()
            raise
        self.infos = infos

    def _check(self, infos: list[zipfile.ZipInfo]) -> None:
        limits = self.limits
        if len(infos) > limits.max_members:
            raise format_error(
                f"the archive has {len(infos)} members, more than the limit of {limits.max_members}",
                self.path,
                hint="unpack the export yourself and import the chat text file",
            )
        total = 0
        self.skipped: dict[str, str] = {}
        for info in infos:
            reason = _unsafe_name(info.filename)
            if reason is None and _is_symlink(info):
                reason = f"a symbolic link ({info.filename!r})"
            if reason:  # never opened, never extracted: the rest of the export is still read
                self.skipped[info.filename] = reason
                logger.warning("%s: skipping the archive member %r: %s (only import archives exported by the chat "
                               "app itself)", self.path, info.filename, reason)
                continue
            total += info.file_size
            if info.file_size > 1024**2 and info.file_size > limits.max_ratio * max(
                info.compress_size, 1
            ):
                raise format_error(
                    f"the archive member {info.filename!r} is compressed more than "
                    f"{limits.max_ratio:.0f}:1 (a zip bomb?)",
                    self.path,
                    hint="unpack the export yourself and import the chat text file",
                )
        if total > limits.max_total_bytes:
            raise format_error(
                f"the archive unpacks to {total} bytes, more than the limit of "
                f"{limits.max_total_bytes}",
                self.path,
                hint="unpack the export yourself and import the chat text file",
            )

    def names(self) -> list[str]:
        """Member names (files only; unsafe ones left out)."""
        return [info.filename for info in self.infos if not info.is_dir() and info.filename not in self.skipped]

    def open(self, name: str) -> io.RawIOBase:
        """A binary stream of one member, limited in size whatever the archive claims."""
        if name in self.skipped:
            raise format_error(f"refusing the archive member {name!r}: {self.skipped[name]}", self.path)
        try:
            inner = self._zip.open(name)
        except _READ_ERRORS as exc:
            raise format_error(f"cannot open {name!r} in the archive: {exc}", self.path) from exc
        return _LimitedReader(inner, self.limits.max_member_bytes, self.path, name)  # type: ignore[arg-type]

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_zip(path: Path) -> bool:
    """Whether the file starts like a zip archive."""
    try:
        with open(path, "rb") as handle:
            return handle.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False
