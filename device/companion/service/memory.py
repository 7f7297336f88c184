"""Give freed memory back to the system after each turn.

A turn allocates and frees tens of megabytes (audio, Piper's and Whisper's buffers) in sizes that
vary with every sentence. glibc keeps freed heap memory for reuse and, after a large block is
freed, raises its mmap threshold so later large blocks come from the heap too; on a device that
runs for months the resident size then creeps up turn by turn without anything leaking.
`malloc_trim` hands the free pages back; it takes a few milliseconds, between turns, off the loop.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from functools import cache

logger = logging.getLogger(__name__)


@cache
def _libc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # musl or another libc without it
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_freed_memory() -> bool:
    """True if the C library could be asked to return free memory (glibc)."""
    trim = _libc_trim()
    if trim is None:
        return False
    trim(0)
    return True
