"""`companion persona imports|forget|messages`: review what went into a bundle, and undo an import.

A mistaken import (wrong speaker, wrong format, the same chat twice) is undone with `forget`
instead of erasing the whole persona; `messages` shows the family what the persona may say.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Callable
from typing import Any


def register(bundle_command: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the review commands (``bundle_command`` makes a subcommand taking DIR and --key-file)."""
    c = bundle_command("imports", "list each import: file, sha256, date, format and counts", cmd_imports)
    c.add_argument("--json", action="store_true", help="print as JSON")
    c = bundle_command("forget", "remove one import: exactly its messages, reply pairs, memories and recordings",
                       cmd_forget)
    c.add_argument("import_id", metavar="IMPORT",
                   help="the import's id (6+ digits of it), its file name, or 'earlier' (see `persona imports`)")
    c.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    c = bundle_command("messages", "list what the persona may say (its own messages)", cmd_messages)
    c.add_argument("--search", help="only messages containing this text (any case)")
    c.add_argument("--import", dest="import_id", metavar="IMPORT", help="only the messages of this import")
    c.add_argument("--json", action="store_true", help="print as JSON lines")


def _open(args: argparse.Namespace) -> Any:
    from .commands import _open as open_bundle

    return open_bundle(args)


def cmd_imports(args: argparse.Namespace) -> int:
    from .bundle.imports import EARLIER, list_imports

    with _open(args) as bundle:
        imports = list_imports(bundle)
    if args.json:
        print(json.dumps([i.to_dict() for i in imports], ensure_ascii=False, indent=2))
        return 0
    if not imports:
        print("nothing imported yet")
        return 0
    from .bundle.recording_claims import RECORDINGS_FORMAT
    from .recordings_view import recordings_line

    for info in imports:
        now = f"now {info.messages} messages + {info.contexts} context, {info.pairs} reply pairs"
        if info.recordings.recordings:
            now += f", {recordings_line(info.recordings.to_dict())}"
        if info.id == EARLIER:
            print(f"{EARLIER}: everything imported before imports were recorded one by one ({len(info.files)} "
                  f"files); {now}")
        for entry in info.files:
            prefix = "  " if info.id == EARLIER else f"{info.short_id}  "
            read = "" if entry["format"] == RECORDINGS_FORMAT else (
                f": read {entry['read']}, kept {entry['kept']} + {entry['contexts']} context, {entry['pairs']} pairs")
            print(f"{prefix}{entry['imported'][:16].replace('T', ' ')}  {entry['format']:<9} {entry['filename']} "
                  f"(sha256 {entry['sha256']}), speaker {entry['speaker']!r}{read}"
                  + ("" if info.id == EARLIER else f"; {now}"))
        if not info.files and info.id != EARLIER:
            print(f"{info.short_id}  (no journal entry); {now}")
    return 0


def cmd_forget(args: argparse.Namespace) -> int:
    from .bundle.imports import forget_import, list_imports, resolve_import
    from .bundle.keys import BundleError

    interactive = sys.stdin is not None and sys.stdin.isatty()
    with _open(args) as bundle:
        import_id = resolve_import(bundle, args.import_id)
        info = next(i for i in list_imports(bundle) if i.id == import_id)
        names = ", ".join(f["filename"] for f in info.files) or info.short_id
        if not args.yes:
            if not interactive:
                raise BundleError("forgetting an import needs confirmation", hint="pass --yes to forget without a prompt")
            held = f", {info.recordings.recordings} recordings" if info.recordings.recordings else ""
            if input(f"Forget {names} ({info.messages} messages, {info.pairs} reply pairs{held})? [y/N]: ").strip() \
                    .lower() not in ("y", "yes"):
                print("nothing forgotten")
                return 1
        summary = forget_import(bundle, import_id)
    print(f"forgot {names}: {summary.records} records, {summary.pairs} reply pairs and {summary.vectors} memories "
          f"removed (what other imports also hold stays); it may be imported again")
    if summary.recordings:
        print(f"  and {summary.recordings} recordings ({summary.recording_minutes:.1f} min) with their transcripts")
    if summary.training_clips >= 0:
        print(f"  the voice training set drew on them and was removed ({summary.training_clips} clips): "
              "run `companion voice prepare --from-bundle` again to rebuild it from what remains")
    return 0


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def cmd_messages(args: argparse.Namespace) -> int:
    from .bundle.imports import SHORT_ID, resolve_import

    wanted = _folded(args.search) if args.search else None
    shown = 0
    with _open(args) as bundle:
        only = resolve_import(bundle, args.import_id) if args.import_id else None
        rows = bundle.db.execute(
            "SELECT r.id, r.time, r.conversation, r.text, (SELECT group_concat(import_id, ' ') FROM record_imports m "
            "WHERE m.record_id = r.id) FROM records r WHERE r.role = 'persona' ORDER BY r.time, r.id")
        for record_id, time, conversation, text, imports in rows:
            import_ids = sorted((imports or "").split())
            if only is not None and only not in import_ids:
                continue
            if wanted is not None and wanted not in _folded(text):
                continue
            shown += 1
            if args.json:
                print(json.dumps({"id": record_id, "time": time, "conversation": conversation, "text": text,
                                  "imports": import_ids}, ensure_ascii=False))
            else:
                short = ",".join(i[:SHORT_ID] for i in import_ids)
                print(f"{(time or '-')[:16].replace('T', ' '):<16}  {conversation}  [{short}]  {text}")
    if not args.json:
        print(f"{shown} messages" + (f" containing {args.search!r}" if args.search else ""), file=sys.stderr)
    return 0
