"""Writing a file so that a crash or a power cut leaves the old file or the new one, never half.

The one way the package replaces a file (state, keys, caches, signed audio): a temporary file
beside the target, written and fsynced, renamed over the target, then the folder fsynced so the
rename itself survives a power cut.
"""

from __future__ import annotations

import glob
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a rename (or a removal) in ``folder`` durable; a no-op where folders cannot be synced."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _temp_name(path: Path) -> Path:
    """Hidden, beside the target (same filesystem: the rename is atomic), unique per writer."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def leftovers(path: Path) -> list[Path]:
    """Temporary files a writer of ``path`` left behind when it was killed mid-write."""
    return sorted(Path(path).parent.glob(f".{glob.escape(Path(path).name)}*.tmp"))


@contextmanager
def atomic_path(path: Path, *, mode: int | None = None) -> Iterator[Path]:
    """A temporary path for the caller to write the whole file to (for writers that want a path,
    such as a WAV writer); on leaving the block it is fsynced and replaces ``path``. On an error
    the temporary file is removed and ``path`` is left as it was. ``mode``: the new file's
    permissions (None: as a plain ``open`` would make it)."""
    path = Path(path)
    tmp = _temp_name(path)
    try:
        yield tmp
        if mode is not None:
            os.chmod(tmp, mode)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_atomic(path: Path, data: bytes | str, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8), all or nothing.

    ``mode`` (e.g. 0o600 for a key) is set before anything is written, so the file is never
    readable by others, even for a moment; None: as a plain ``open`` would make it."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path, mode=mode) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
