"""Boot the test box again and again, optionally under CPU load, and report how every boot went.

The service test (tests/integration/test_service_systemd.py) must never fail by chance, so its
box is checked on its own: boot, ask systemd whether it is running, power off, and check that no
process of the container and no mount is left. As root, from the repository:

    PYTHONPATH=device:tests python -m support.boot_check --boots 20 --load 2

prints one JSON line per boot and a summary (boots passed, boot seconds: median and max).
``--load N`` runs N busy-loop processes for the whole run, as a loaded CI machine would.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time

from support.box_reaper import mounted_under
from support.nspawn_box import BoxError, NspawnBox


def _burn() -> None:
    while True:
        pass


def boot_once(index: int) -> dict[str, object]:
    """One boot; the record says what happened and whether anything was left behind."""
    record: dict[str, object] = {"boot": index}
    box = NspawnBox(None, name=f"boot-check-{index}")
    init_pid = None
    began = time.monotonic()
    try:
        with box:
            init_pid = box.init_pid
            record["boot_s"] = round(box.boot_s or 0.0, 2)
            record["state"] = box.run("systemctl is-system-running", check=False).stdout.strip()
            record["echo"] = box.run("echo inside", check=False).stdout.strip()
            base = box.base
        record["poweroff"] = "clean" if box.clean_poweroff else "killed"
    except (BoxError, OSError) as exc:
        record["error"] = str(exc)[-1500:]
        base = box.base
    record["total_s"] = round(time.monotonic() - began, 2)
    left = []
    if init_pid is not None and os.path.exists(f"/proc/{init_pid}"):
        left.append(f"container init {init_pid} still running")
    if base is not None and base.exists():
        left += mounted_under(base) or [str(base)]
    record["left_behind"] = left
    record["ok"] = ("error" not in record and record.get("state") in ("running", "degraded")
                    and record.get("echo") == "inside" and not left)
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boots", type=int, default=20)
    parser.add_argument("--load", type=int, default=0, help="busy-loop processes to run meanwhile")
    args = parser.parse_args(argv)
    burners = [multiprocessing.Process(target=_burn, daemon=True) for _ in range(args.load)]
    for burner in burners:
        burner.start()
    records = []
    try:
        for index in range(1, args.boots + 1):
            record = boot_once(index)
            records.append(record)
            print(json.dumps(record), flush=True)
    finally:
        for burner in burners:
            burner.kill()
            burner.join()
    times = [float(r["boot_s"]) for r in records if "boot_s" in r]
    summary = {
        "boots": len(records),
        "passed": sum(bool(r["ok"]) for r in records),
        "load_processes": args.load,
        "boot_s_median": round(statistics.median(times), 2) if times else None,
        "boot_s_max": max(times) if times else None,
        "killed_poweroffs": sum(r.get("poweroff") == "killed" for r in records),
    }
    print(json.dumps(summary), flush=True)
    return 0 if summary["passed"] == summary["boots"] else 1


if __name__ == "__main__":
    sys.exit(main())
