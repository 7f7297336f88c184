"""Returning freed memory to the system between turns."""

from __future__ import annotations

import platform

from companion.service.memory import release_freed_memory


def test_glibc_is_asked_to_trim() -> None:
    expected = platform.libc_ver()[0] == "glibc"
    assert release_freed_memory() is expected
