"""`companion persona memory DIR [--clear]` and the family memory part of `persona show`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .bundle.store import Bundle


def family_payload(bundle: Bundle) -> dict[str, Any]:
    """What `persona show` prints about the family memory: allowed by consent?, and each entry."""
    from .bundle.family import FamilyFile, open_family_file

    record = bundle.consent()
    allowed = record is not None and record.family_memory
    family: FamilyFile = open_family_file(bundle.path, bundle.bundle_id, bundle.keys.data_key)
    entries = [e.__dict__ for e in family.load()]
    return {"allowed": allowed, "entries": entries}


def family_lines(payload: dict[str, Any]) -> list[str]:
    state = "allowed by the consent" if payload["allowed"] else "not allowed by the consent (nothing is kept)"
    lines = [f"family memory: {state}; {len(payload['entries'])} entries"]
    for entry in payload["entries"]:
        who = f"{entry['listener']}: " if entry["listener"] else ""
        what = "name" if entry["kind"] == "name" else "news"
        lines.append(f"  {entry['at']}  {what}  {who}{entry['said']}")
    return lines


def cmd_memory(args: argparse.Namespace) -> int:
    """List the family memory, or shred it (--clear, no passphrase: forgetting is never blocked)."""
    from .bundle.family import clear_family_file
    from .bundle.keys import read_key_document
    from .bundle.store import audit
    from .commands import _open

    bundle_dir = Path(args.dir)
    if args.clear:
        read_key_document(bundle_dir)  # not a bundle, or erased: say so
        removed = clear_family_file(bundle_dir)
        audit(bundle_dir, "family memory cleared" if removed else "family memory clear requested (there was none)")
        print("family memory cleared: what the family told it is forgotten" if removed
              else "there was no family memory to clear")
        if removed:
            print("a running device forgets it at its next turn", file=sys.stderr)
        return 0
    with _open(args) as bundle:
        payload = family_payload(bundle)
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print("\n".join(family_lines(payload)))
    return 0
