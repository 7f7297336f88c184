"""`companion bench [--json] [--quick] [--engine retrieval|lm] [--out FILE]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import CompanionError


def cmd_bench(args: argparse.Namespace) -> int:
    from ..config import load_settings
    from .report import build_report, render_table
    from .runner import run_bench

    out = Path(args.out) if args.out else None
    if out is not None and not out.resolve().parent.is_dir():
        raise CompanionError("output folder does not exist", where=str(out.resolve().parent))
    settings = load_settings(Path(args.config) if args.config else None)
    only = [name.strip() for name in args.only.split(",") if name.strip()] if args.only else []
    try:
        raw = run_bench(settings, quick=args.quick, engine=args.engine, progress=True, only=only)
    except ValueError as exc:  # an unknown --only name
        raise CompanionError(str(exc), where="--only") from None
    report = build_report(raw)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if out is not None:
        try:
            out.write_text(text + "\n")
        except OSError as exc:
            raise CompanionError(f"cannot write the report: {exc.strerror or exc}", where=str(out)) from None
    print(text if args.json else render_table(report))
    if out is not None and not args.json:
        print(f"JSON report written to {out}", file=sys.stderr)
    return 0


def register(sub: Any) -> None:
    """Add `companion bench` to the top-level subcommands."""
    p = sub.add_parser(
        "bench",
        help="conversation speed: spoken questions through the real pipeline at real-time pace, "
        "baseline vs each speed technique vs all",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON (p50/p95 per configuration, every turn)")
    p.add_argument("--quick", action="store_true", help="3 questions, baseline and all only (about 2 minutes; for CI)")
    p.add_argument("--engine", choices=("retrieval", "lm"), default="retrieval",
                   help="persona engine to measure (default: retrieval)")
    p.add_argument("--out", metavar="FILE", help="also write the JSON report to this file")
    p.add_argument("--only", metavar="NAMES", help="comma-separated configurations to run besides the baseline, "
                   "e.g. all,+speculative_asr")
    p.set_defaults(func=cmd_bench)
