"""Returning freed memory to the system between turns: the resident size really drops."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform

import pytest
from companion.service.memory import release_freed_memory

BLOCK = 4000  # small: served from the heap (below the mmap threshold), as a turn's buffers are
COUNT = 40_000  # ~160 MB


def resident_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_heap_memory_goes_back_to_the_system() -> None:
    """Heap memory freed below a block still in use is kept by glibc (it cannot shrink the heap
    past that block) until it is asked to trim: the resident size falls only after the call."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    blocks = [libc.malloc(BLOCK) for _ in range(COUNT)]
    pin = libc.malloc(BLOCK)  # keeps the top of the heap in use, as a live turn's objects do
    for block in blocks:
        ctypes.memset(block, 1, BLOCK)  # touched: resident
    try:
        for block in blocks:
            libc.free(block)
        kept = resident_bytes()
        assert release_freed_memory() is True
        released = kept - resident_bytes()
    finally:
        libc.free(pin)
    assert released > 0.5 * BLOCK * COUNT, f"only {released / 1e6:.1f} MB went back"
