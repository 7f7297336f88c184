"""companion.service bounds its memory from measured peaks and never dumps core.

Without MemoryHigh/MemoryMax a ~700 MiB service on a 1-2 GiB board could take the whole system
down; without LimitCORE=0 the watchdog's SIGABRT could write the decrypted persona to disk.
"""

from __future__ import annotations

import re
from pathlib import Path

UNIT = Path(__file__).resolve().parents[2] / "systemd" / "companion.service"
MIB = 2**20

# Measured peak RSS (max RSS from /usr/bin/time -v): the 300-turn soak of `companion run`
# (retrieval engine) ~650-740 MiB, `companion demo` 713 MiB; `companion demo` with engine = "lm"
# 1031 MiB (the SmolLM2 135M int8 persona model adds ~320 MiB).
PEAK_RETRIEVAL_MIB = 740
PEAK_LM_MIB = 1031


def setting(name: str) -> str:
    values = re.findall(rf"^{name}=(.*)$", UNIT.read_text(), re.MULTILINE)
    assert len(values) == 1, f"{name}= must be set once in {UNIT}"
    return values[0].strip()


def size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([KMG]?)", value).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}[unit]


def test_memory_limits_leave_headroom_over_the_measured_peaks() -> None:
    high, hard = size(setting("MemoryHigh")), size(setting("MemoryMax"))
    peak = max(PEAK_RETRIEVAL_MIB, PEAK_LM_MIB) * MIB
    assert high >= 1.2 * peak, "throttling must not start in normal use"
    assert hard >= high + 256 * MIB, "room between throttling and the kill"
    assert hard <= 2 * 2**30, "a leak must be stopped before it takes a 2 GiB board down"


def test_the_oom_killer_prefers_the_service_and_it_never_dumps_core() -> None:
    assert 0 < int(setting("OOMScoreAdjust")) <= 1000
    assert setting("LimitCORE") == "0"
