"""`companion persona ...`: create (with consent), import, index, show, verify, passwd, erase, add-photo.

Every command that reads a bundle needs its passphrase: --key-file, the systemd credential,
$COMPANION_PERSONA_KEY_FILE, the settings' key file, or a prompt on a terminal. `erase` needs
none: destroying a persona must never be blocked by a forgotten passphrase.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from ..config import settings_from_args
from .setup_commands import RELATIONSHIP_HELP, cmd_create, register_consent

logger = logging.getLogger(__name__)

SERVICE_KEY_FILE = "/etc/companion/persona.key"
"""Where install.sh puts the passphrase the service unlocks the persona with (LoadCredential=)."""


def register(subparsers: Any) -> None:
    """Add the `persona` command and its subcommands to the main parser."""
    p = subparsers.add_parser("persona", help="create, import into, inspect, verify and erase persona bundles")
    sub = p.add_subparsers(dest="persona_command", required=True)

    def bundle_command(name: str, help_text: str, func: Any, key: bool = True) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_text)
        c.add_argument("dir", help="the persona bundle folder")
        if key:
            c.add_argument("--key-file", help="file holding the bundle passphrase (default: credential, settings, prompt)")
        c.set_defaults(func=_clean_errors(func))
        return c

    c = sub.add_parser("create", help="make a new encrypted persona bundle, with its consent record")
    c.add_argument("name", help="the person's name")
    c.add_argument("--dir", required=True, help="new (empty) folder for the bundle")
    c.add_argument("--display-name", help="what the family calls them (default: the name)")
    c.add_argument("--language", default="en", help="language code of their messages (default: en)")
    c.add_argument("--fallback", action="append", help="an in-character 'I don't remember' line (repeatable)")
    c.add_argument("--authorised-by", help="who authorises this persona")
    c.add_argument("--relationship", help=RELATIONSHIP_HELP)
    c.add_argument("--status", choices=("living", "deceased"), help="is the person living or deceased")
    c.add_argument("--audience", action="append", help="who may talk to it (repeatable; 'household' = anyone at home)")
    c.add_argument("--valid-until", help="last day it may be used (YYYY-MM-DD, today or later; default: no end)")
    c.add_argument("--allow-home-server", action="store_true",
                   help="the authoriser allows processing on a home server in the household (default: no)")
    c.add_argument("--family-memory", action="store_true",
                   help="the authoriser allows it to remember, across sessions, what the family tells it (names "
                        "and news; encrypted in the bundle; default: no)")
    c.add_argument("--adult", action="store_true", help="confirm you are an adult (set-up is adults-only)")
    c.add_argument("--confirm", action="store_true", help="confirm the consent statement without a prompt")
    c.add_argument("--key-file", help="file holding the passphrase to protect the bundle with (default: prompt)")
    c.set_defaults(func=cmd_create)

    c = bundle_command("import", "import chat exports, letters or notes into a bundle", cmd_import)
    c.add_argument("files", nargs="+", metavar="FILE", help="export files (or folders)")
    c.add_argument("--format", default="auto", help="export format, or auto (default) to detect it")
    c.add_argument("--speaker", required=True, help="the person's name as the export shows it")
    c.add_argument("--include-groups", action="store_true", help="also import group chats (skipped by default)")
    c.add_argument("--map", help='columns of a csv/jsonl export, e.g. "text=Body,speaker=From,time=Date"')
    c.add_argument("--date-order", choices=("auto", "dmy", "mdy"), default="auto",
                   help="how a WhatsApp export writes dates: dmy (31/12/2020), mdy (12/31/2020), or auto (default)")
    c.add_argument("--force", action="store_true",
                   help="with --format text: import the file as a letter even if it looks like a chat export")
    c.add_argument("--no-index", action="store_true", help="skip building the memory index now (run `persona index` later)")
    c.add_argument("--json", action="store_true", help="print the summary as JSON")

    bundle_command("index", "build the memory index (sentence embeddings); resumable", cmd_index)
    c = bundle_command("show", "consent, counts, date range and a style summary", cmd_show)
    c.add_argument("--json", action="store_true", help="print as JSON")
    bundle_command("verify", "check integrity, record hashes and the consent signature", cmd_verify)
    c = bundle_command("passwd", "change the bundle's passphrase (re-wraps the data key)", cmd_passwd)
    c.add_argument("--new-key-file", help="file holding the new passphrase (default: prompt twice)")
    from .family_commands import cmd_memory

    c = bundle_command("memory", "list what the family told it (kept across sessions with consent); "
                       "--clear forgets it", cmd_memory, key=True)
    c.add_argument("--clear", action="store_true", help="shred the family memory now (needs no passphrase)")
    c.add_argument("--json", action="store_true", help="print as JSON")
    c = bundle_command("erase", "crypto-shred the bundle (irreversible)", cmd_erase, key=False)
    c.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    c = bundle_command("add-photo", "add captioned photos", cmd_add_photo)
    c.add_argument("photos", nargs="*", metavar="IMAGE", help="image files (each with --caption)")
    c.add_argument("--caption", help="caption for the image(s)")
    c.add_argument("--folder", help="a folder of images with a captions.csv (file, caption)")
    from ..voice.recordings.commands import register as register_recordings

    register_recordings(sub, bundle_command, cmd_add_recordings)
    from .review_commands import register as register_review_commands  # imports, forget, messages

    register_review_commands(bundle_command)
    register_consent(sub, _clean_errors)  # persona consent renew
    from .lm.commands import register as register_lm_commands  # eval, train, bench-lm (lm engineer)

    register_lm_commands(sub)


# -- helpers --------------------------------------------------------------------------------------


def _clean_errors(func: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        from .bundle.store import database_errors_as_bundle_errors

        with database_errors_as_bundle_errors(Path(args.dir)):
            return int(func(args))

    return run


def _open(args: argparse.Namespace) -> Any:
    from .bundle.keys import read_secret
    from .bundle.store import Bundle

    settings = settings_from_args(args)
    secret = read_secret(args.key_file, settings_key_file=settings.persona.key_file or None,
                         prompt_name=f"persona bundle {args.dir}")
    return Bundle.open(Path(args.dir), secret)


def _embedder(args: argparse.Namespace, language: str = "en") -> Any:
    """The embedder the persona will be searched with (the multilingual one for a non-English card)."""
    from ..models.store import ModelStore
    from .embedding_choice import embedding_for_language, load_embedder

    settings = settings_from_args(args)
    name, _ = embedding_for_language(language, settings.persona.embedding_model)
    store = ModelStore(settings.paths.models)
    store.path(name)  # not installed: one line saying to install it
    return load_embedder(store.models_dir, name, threads=2)


def _yes(question: str, interactive: bool) -> bool:
    return interactive and input(f"{question} [y/N]: ").strip().lower() in ("y", "yes")


# -- commands -------------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    from .bundle.importer import import_files
    from .bundle.keys import BundleError

    with _open(args) as bundle:
        bundle.check_consent()
        summaries = import_files(bundle, [Path(f) for f in args.files], fmt=args.format, speaker=args.speaker,
                                 include_groups=args.include_groups, progress=True, mapping=args.map,
                                 date_order=args.date_order, force=args.force)
        totals: Counter[str] = Counter()
        for s in summaries:
            totals.update({"read": s.read, "kept": s.kept, "contexts": s.contexts, "pairs": s.pairs})
        recordings = _import_recordings(args, bundle, [Path(f) for f in args.files if _has_media(Path(f))])
        index = None
        if not args.no_index and bundle.count("reply_pairs"):
            from .bundle.index import build_index

            index = build_index(bundle, _embedder(args, bundle.card.language), progress=True)
    if args.json:
        print(json.dumps({"files": [s.to_dict() for s in summaries], "totals": dict(totals),
                          "index": None if index is None else index.__dict__,
                          "recordings": None if recordings is None else recordings.to_dict()},
                         ensure_ascii=False, indent=2))
    else:
        for s in summaries:
            skipped = ", ".join(f"{n} {why}" for why, n in s.skipped.most_common()) or "none"
            print(f"{s.filename}: {s.status}; read {s.read}, kept {s.kept} of the persona's messages "
                  f"+ {s.contexts} as context, {s.pairs} reply pairs; skipped: {skipped}")
        if index is not None:
            print(f"memory index: {index.texts} texts, {index.embedded_now} embedded now ({index.seconds:.1f} s)")
    if recordings is not None and not args.json:
        from ..voice.recordings.commands import print_summary

        print_summary(recordings)
    fresh = [s for s in summaries if s.status != "already imported"]
    if fresh and not any(s.kept for s in fresh):
        seen: Counter[str] = Counter()
        for s in fresh:
            seen.update(s.speakers_seen)
        names = ", ".join(f"{name or '(none)'} ({n})" for name, n in seen.most_common(6))
        raise BundleError(f"no message by {args.speaker!r} was found", hint=f"speakers in the export(s): {names}")
    return 0


def _has_media(path: Path) -> bool:
    from ..voice.recordings.commands import has_media

    return has_media(path)


def _import_recordings(args: argparse.Namespace, bundle: Any, paths: list[Path], enroll: str | None = None) -> Any:
    """The voice notes and videos the exports carry, stored encrypted (issue 20); None without any."""
    if not paths:
        return None
    from ..voice.recordings.commands import import_recordings

    return import_recordings(bundle, paths, speaker=args.speaker, settings=settings_from_args(args),
                             enroll=Path(enroll) if enroll else None, progress=True)


def cmd_add_recordings(args: argparse.Namespace) -> int:
    from ..voice.recordings.commands import print_summary

    with _open(args) as bundle:
        bundle.check_consent()
        summary = _import_recordings(args, bundle, [Path(p) for p in args.inputs], args.enroll)
        index = None
        if not args.no_index and summary.passages:
            from .bundle.index import build_index

            index = build_index(bundle, _embedder(args, bundle.card.language), progress=True)
    print_summary(summary, args.json)
    if index is not None and not args.json:
        print(f"memory index: {index.texts} texts, {index.embedded_now} embedded now ({index.seconds:.1f} s)")
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    from .bundle.index import build_index

    with _open(args) as bundle:
        stats = build_index(bundle, _embedder(args, bundle.card.language), progress=True)
    print(f"memory index: {stats.texts} texts, {stats.embedded_now} embedded now ({stats.seconds:.1f} s)")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from ..consent import ConsentError, verify
    from .bundle.maintenance import journal_summaries
    from .bundle.style import summarise_style

    with _open(args) as bundle:
        record = bundle.consent()
        try:
            bundle.check_consent()
            consent_state = "valid"
        except ConsentError as exc:
            consent_state = f"NOT VALID: {exc.what}"
        db = bundle.db
        by_source = dict(db.execute("SELECT source, count(*) FROM records WHERE role = 'persona' GROUP BY source"))
        by_speaker = dict(db.execute("SELECT speaker, count(*) FROM records GROUP BY speaker ORDER BY 2 DESC LIMIT 12"))
        first, last = db.execute("SELECT min(time), max(time) FROM records").fetchone()
        style = summarise_style(row[0] for row in db.execute("SELECT text FROM records WHERE role = 'persona'"))
        payload = {
            "bundle_id": bundle.bundle_id, "card": bundle.card.__dict__,
            "consent": None if record is None else json.loads(record.to_json()),
            "consent_state": consent_state,
            "signature_ok": record is not None and verify(record),
            "counts": {"records": bundle.count("records"), "reply_pairs": bundle.count("reply_pairs"),
                       "indexed_texts": bundle.count("vectors"), "photos": bundle.count("photos"),
                       "files_imported": bundle.count("import_journal")},
            "persona_messages_by_source": by_source, "records_by_speaker": by_speaker,
            "date_range": [first, last], "style": style.__dict__, "imports": journal_summaries(bundle),
        }
        from .family_commands import family_payload
        from .recordings_view import recordings_payload

        payload["family_memory"], payload["recordings"] = family_payload(bundle), recordings_payload(bundle)
        from .lm.loader import language_model_note  # can the persona LM speak this language? (lm engineer)

        payload["language_model_note"] = language_model_note(settings_from_args(args), bundle.card.language)
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=list))
        return 0
    print(f"persona: {payload['card']['display_name']} ({payload['card']['name']}), bundle {payload['bundle_id']}")
    if record is not None:
        print(f"consent ({consent_state}): {record.attestation}")
        print(f"  authorised by {record.authorised_by} ({record.relationship}), person {record.status}, "
              f"on {record.created}")
        print(f"  who may talk to it: {', '.join(record.audience)}; until: {record.valid_until or 'no end date'}")
        print(f"  sources: {len(record.source_hashes)} files (sha256); signature: "
              f"{'valid' if payload['signature_ok'] else 'INVALID'} (Ed25519 {record.public_key[:16]}...)")
    else:
        print("consent: MISSING")
    counts = payload["counts"]
    print(f"records: {counts['records']}; reply pairs: {counts['reply_pairs']}; indexed texts: "
          f"{counts['indexed_texts']}; photos: {counts['photos']}; files imported: {counts['files_imported']}")
    print("persona's messages by source: " + (", ".join(f"{k} {v}" for k, v in by_source.items()) or "-"))
    print("records by speaker: " + (", ".join(f"{k or '(documents)'} {v}" for k, v in by_speaker.items()) or "-"))
    print(f"date range: {first or '-'} .. {last or '-'}")
    for line in style.lines():
        print(line)
    from .family_commands import family_lines
    from .recordings_view import recordings_lines

    for line in recordings_lines(payload["recordings"]) + family_lines(payload["family_memory"]):
        print(line)
    if payload["language_model_note"]:
        print(f"language model: {payload['language_model_note']}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from .bundle.keys import BundleError
    from .bundle.maintenance import verify_bundle

    with _open(args) as bundle:
        report = verify_bundle(bundle)
    for name, passed, detail in report.checks:
        print(f"{'ok  ' if passed else 'FAIL'} {name}: {detail}")
    if not report.ok:
        failed = next(name for name, passed, _ in report.checks if not passed)
        raise BundleError(f"the bundle failed verification ({failed})", where=args.dir,
                          hint="restore it from a backup; do not use it as it is")
    if report.expired:
        from .setup_commands import renew_command_hint

        raise BundleError(f"the bundle is intact, but {report.expired}", where=args.dir,
                          hint=f"the authoriser may {renew_command_hint(args.dir)}")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    from .bundle.keys import BundleError, change_secret, prompt_secret, read_key_document, read_secret, secret_file

    read_key_document(Path(args.dir))  # not a bundle (or erased): say so before asking for passphrases
    settings = settings_from_args(args)
    settings_key_file = settings.persona.key_file or None
    old = read_secret(args.key_file, settings_key_file=settings_key_file,
                      prompt_name=f"current persona bundle {args.dir}")
    if args.new_key_file:
        new = read_secret(args.new_key_file)
    elif sys.stdin is not None and sys.stdin.isatty():
        new = prompt_secret("new", confirm=True)
    else:
        raise BundleError("no new passphrase given", hint="pass --new-key-file, or run it in a terminal to type it")
    if new == old:
        raise BundleError("the new passphrase is the same as the current one", hint="choose a different one")
    change_secret(Path(args.dir), old, new)
    print(f"passphrase changed for {args.dir}: the old one no longer unlocks it (the data was not re-encrypted)")
    used = secret_file(args.key_file, settings_key_file=settings_key_file)
    if used is not None:
        print(f"the {used[1]} {used[0]} still holds the old passphrase: put the new one in it")
    print(f"if the service talks as this persona, its key is {SERVICE_KEY_FILE} (systemd credential persona-key): "
          f"sudo install -m 0600 -o root -g root NEW-KEY-FILE {SERVICE_KEY_FILE} && sudo systemctl restart companion")
    print("copies of the bundle made before now still open with the old passphrase")
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    from .bundle.keys import BundleError
    from .bundle.maintenance import erase_bundle

    interactive = sys.stdin is not None and sys.stdin.isatty()
    if not args.yes:
        if not interactive:
            raise BundleError("erasing needs confirmation", hint="pass --yes to erase without a prompt")
        if input(f"Erase the persona in {args.dir} for good? Type ERASE: ").strip() != "ERASE":
            print("not erased")
            return 1
    from .bundle.store import ERASED_FILE, is_bundle
    from ..ethics.erase import erase_persona

    target = Path(args.dir)
    if not is_bundle(target):
        erase_bundle(target)  # says it is not a bundle
    already = (target / ERASED_FILE).exists()
    removed, traces = erase_persona(settings_from_args(args), target)
    if already:
        print(f"this persona was already erased; {len(traces)} derived files removed (caches, training leftovers)")
    else:
        print(f"erased: the data key was destroyed first; {len(removed)} files removed, and {len(traces)} derived "
              "files outside the bundle (caches, training leftovers); an audit line remains in AUDIT.log")
    return 0


def cmd_add_photo(args: argparse.Namespace) -> int:
    from .bundle.keys import BundleError
    from .bundle.maintenance import add_photo, read_captions

    items: list[tuple[Path, str]] = []
    if args.folder:
        items += read_captions(Path(args.folder))
    if args.photos:
        if not args.caption:
            raise BundleError("--caption is required with image files", hint="or use --folder with a captions.csv")
        items += [(Path(p), args.caption) for p in args.photos]
    if not items:
        raise BundleError("no photos given", hint="name image files with --caption, or --folder DIR")
    with _open(args) as bundle:
        with bundle.transaction():
            added = sum(add_photo(bundle, path, caption) for path, caption in items)
    print(f"added {added} photos ({len(items) - added} already there)")
    return 0
