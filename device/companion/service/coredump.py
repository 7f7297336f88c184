"""No core dumps of the service: its memory holds the decrypted persona (messages, voice).

A crash or the watchdog's SIGABRT would otherwise let the kernel write the whole process image
(~600 MB, the person's words and voice model in plaintext) to disk, or hand it to a core
handler. The unit sets LimitCORE=0; this also marks the process non-dumpable (prctl), which
holds even if the limit is raised, and keeps other processes of the same user from reading its
memory through /proc or ptrace.
"""

from __future__ import annotations

import ctypes
import faulthandler
import resource
import sys

PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4


def _prctl(option: int, arg: int = 0) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    result = int(libc.prctl(option, arg, 0, 0, 0))
    if result < 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")
    return result


def forbid_core_dumps() -> None:
    """RLIMIT_CORE 0 and not dumpable; a hang killed by the watchdog still logs where it hung."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        _prctl(PR_SET_DUMPABLE, 0)
    # SIGABRT (the watchdog) prints every thread's stack to the journal: code lines, no data.
    faulthandler.enable()


def core_dumps_possible() -> bool:
    """True if this process could still write a core dump."""
    soft, _ = resource.getrlimit(resource.RLIMIT_CORE)
    dumpable = _prctl(PR_GET_DUMPABLE) if sys.platform.startswith("linux") else 1
    return soft != 0 and dumpable != 0
