"""`companion persona create` and `persona consent renew`: set-up that respects people's time.

Every answer is checked the moment it is given: a flag on the command line before any question
is asked, a typed answer right away, and only that question is asked again (three tries). Two
passphrases that differ ask for the passphrase again, never for everything else. A last day of
use in the past is refused; a consent that is running out is renewed (re-signed on the device)
without re-creating the persona.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from ..errors import CompanionError

T = TypeVar("T")
TRIES = 3
DEFAULT_FALLBACKS = ("I don't remember that one.", "Hmm, that has slipped my mind.")
RELATIONSHIP_HELP = ("for a living person: self; for a deceased person: spouse, partner, child, parent, sibling, "
                     "grandchild, grandparent, heir or executor")


def _error(what: str, hint: str | None = None) -> CompanionError:
    from .bundle.keys import BundleError

    return BundleError(what, hint=hint)


def check_status(answer: str) -> str:
    status = answer.strip().lower()
    if status not in ("living", "deceased"):
        raise _error(f"status must be living or deceased, not {answer!r}")
    return status


def check_relationship(answer: str) -> str:
    from ..consent import CLOSE_RELATIONSHIPS

    relationship = answer.strip().lower()
    if relationship not in CLOSE_RELATIONSHIPS:
        raise _error(f"relationship {answer!r} may not authorise a deceased person's persona",
                     hint=f"a close relative or heir must authorise it: {', '.join(CLOSE_RELATIONSHIPS)}")
    return relationship


def check_name(answer: str) -> str:
    if not answer.strip():
        raise _error("a name is required")
    return answer.strip()


def check_audience(answer: str) -> list[str]:
    audience = [a.strip() for a in answer.split(",") if a.strip()]
    if not audience:
        raise _error("say who may talk to it", hint="names separated by commas, or 'household'")
    return audience


def check_valid_until(answer: str | None, *, today: _dt.date | None = None) -> str | None:
    """An ISO date, today or later; None (no end) for an empty answer."""
    if answer is None or not answer.strip():
        return None
    try:
        day = _dt.date.fromisoformat(answer.strip())
    except ValueError:
        raise _error(f"{answer.strip()!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2031-12-31") from None
    today = today or _dt.date.today()
    if day < today:
        raise _error(f"the last day of use, {day}, is in the past", hint=f"give {today} or a later day")
    return day.isoformat()


def ask(question: str, interactive: bool, flag: str, check: Callable[[str], T]) -> T:
    """Ask until the answer passes ``check`` (TRIES times); off a terminal, say which flag is missing."""
    if not interactive:
        raise _error(f"missing {flag}", hint="give it on the command line, or run in a terminal to be asked")
    for _ in range(TRIES):
        try:
            return check(input(f"{question}: "))
        except CompanionError as exc:
            print(f"  {exc.what}" + (f" ({exc.hint})" if exc.hint else "") + "; please answer again", file=sys.stderr)
    raise _error(f"no valid answer for {flag} after {TRIES} tries", hint=f"give it as {flag} on the command line")


def _yes(question: str, interactive: bool) -> bool:
    return interactive and input(f"{question} [y/N]: ").strip().lower() in ("y", "yes")


def new_passphrase(key_file: str | None, interactive: bool) -> bytes:
    """From the key file, else typed twice; a mismatch asks for the passphrase again (only it)."""
    from .bundle.keys import BundleError, prompt_secret, read_secret

    if key_file or not interactive:
        return read_secret(key_file, confirm=True, prompt_name="new persona bundle")
    for _ in range(TRIES):
        try:
            secret = prompt_secret("new persona bundle", confirm=True)
        except BundleError as exc:
            print(f"  {exc.what}; type the passphrase again", file=sys.stderr)
            continue
        if secret.strip():
            return secret
        print("  the passphrase is empty; type the passphrase again", file=sys.stderr)
    raise BundleError(f"no matching passphrase after {TRIES} tries", hint="or put it in a file and pass --key-file")


def cmd_create(args: argparse.Namespace) -> int:
    from ..consent import ANYONE_IN_HOUSEHOLD, new_record
    from .bundle.keys import BundleError
    from ..config import settings_from_args
    from .bundle.store import Bundle, PersonaCard, is_bundle, new_bundle_id

    interactive = sys.stdin is not None and sys.stdin.isatty()
    target = Path(args.dir)
    if is_bundle(target) or (target.exists() and any(target.iterdir())):
        raise BundleError("the folder is not empty", where=str(target), hint="give a new or empty folder")
    # Flags first: a wrong one is said before any question is asked.
    valid_until = check_valid_until(args.valid_until)
    if args.status == "living" and args.relationship and args.relationship.strip().lower() != "self":
        raise _error("a living person's persona needs their own explicit consent (relationship must be 'self')",
                     hint="ask the person to authorise it themselves")
    if args.status == "deceased" and args.relationship:
        check_relationship(args.relationship)
    print("Persona set-up is for adults only (ETHICS C10).", file=sys.stderr)
    if not (args.adult or _yes("Are you 18 or older?", interactive)):
        raise BundleError("persona set-up is for adults only", hint="an adult must create the persona (--adult)")
    status = args.status or ask("Is the person living or deceased", interactive, "--status", check_status)
    if status == "living":
        authorised_by = args.authorised_by or args.name
        relationship = args.relationship or "self"
        if relationship.strip().lower() != "self":
            raise _error("a living person's persona needs their own explicit consent (relationship must be 'self')",
                         hint="ask the person to authorise it themselves")
    else:
        authorised_by = args.authorised_by or ask("Your name (who authorises this persona)", interactive,
                                                  "--authorised-by", check_name)
        relationship = (check_relationship(args.relationship) if args.relationship else
                        ask(f"Your relationship to {args.name} ({RELATIONSHIP_HELP})", interactive, "--relationship",
                            check_relationship))
    audience = args.audience or ask(f"Who may talk to it (names separated by commas, or '{ANYONE_IN_HOUSEHOLD}')",
                                    interactive, "--audience", check_audience)
    if args.valid_until is None and interactive:
        valid_until = ask("Last day it may be used (YYYY-MM-DD, empty for no end)", interactive, "--valid-until",
                          check_valid_until)
    family_memory = bool(getattr(args, "family_memory", False)) or _yes(
        "May it remember, from one conversation to the next, what the family tells it (names, news)?",
        interactive and not getattr(args, "confirm", False))
    record = new_record(
        persona_name=args.name, authorised_by=authorised_by, relationship=relationship, status=status,
        audience=audience, valid_until=valid_until, owner_is_adult=True, bundle_id=new_bundle_id(),
        home_server=bool(getattr(args, "allow_home_server", False)), family_memory=family_memory,
    )
    print(f"Consent statement: {record.attestation}", file=sys.stderr)
    if record.home_server:
        print("It may also be processed on a home server in the household (`companion serve`).", file=sys.stderr)
    print(f"Who may talk to it: {', '.join(record.audience)}; until: {record.valid_until or 'no end date'}",
          file=sys.stderr)
    print("It remembers what the family tells it across sessions (encrypted; `persona memory --clear` forgets it)."
          if record.family_memory else "It forgets what the family tells it when each session ends.", file=sys.stderr)
    if not (args.confirm or _yes("Do you confirm this statement is true?", interactive)):
        raise BundleError("consent not confirmed: no persona was created", hint="no bundle exists without consent")
    secret = new_passphrase(args.key_file, interactive)
    card = PersonaCard(name=args.name, display_name=args.display_name or args.name, language=args.language,
                       fallback_replies=tuple(args.fallback or DEFAULT_FALLBACKS))
    with Bundle.create(target, secret, card, record) as bundle:
        print(f"created persona bundle {bundle.bundle_id} for {args.name} in {target}")
    ethics = settings_from_args(args).ethics
    if not (ethics.help_number.strip() or ethics.country.strip()):  # ETHICS C9: the local crisis line
        print("In a crisis the device gives the US help line: no country is set. Set [ethics] country "
              "(e.g. \"GB\") or help_number in companion.toml for where the device is.", file=sys.stderr)
    return 0


def renew_command_hint(folder: str | Path) -> str:
    return f"renew it: companion persona consent renew {folder} --valid-until YYYY-MM-DD (or --no-end-date)"


def register_consent(sub: Any, clean_errors: Callable[[Any], Any]) -> None:
    """`persona consent renew DIR`: a new last day of use, re-signed with the device's consent key."""
    p = sub.add_parser("consent", help="renew a persona's consent (a new last day of use)")
    csub = p.add_subparsers(dest="consent_command", required=True)
    c = csub.add_parser("renew", help="set a new last day of use and sign the consent again on this device")
    c.add_argument("dir", help="the persona bundle folder")
    end = c.add_mutually_exclusive_group(required=True)
    end.add_argument("--valid-until", help="the new last day it may be used (YYYY-MM-DD, today or later)")
    end.add_argument("--no-end-date", action="store_true", help="no last day")
    c.add_argument("--confirm", action="store_true", help="the authoriser confirms without a prompt")
    c.add_argument("--key-file", help="file holding the bundle passphrase (default: credential, settings, prompt)")
    c.set_defaults(func=clean_errors(cmd_consent_renew))


def cmd_consent_renew(args: argparse.Namespace) -> int:
    from ..consent import ConsentError, default_authority
    from .bundle.keys import BundleError
    from .bundle.store import audit
    from .commands import _open

    valid_until = None if args.no_end_date else check_valid_until(args.valid_until)
    if valid_until is None and not args.no_end_date:
        raise _error("give the new last day", hint="--valid-until YYYY-MM-DD, or --no-end-date")
    interactive = sys.stdin is not None and sys.stdin.isatty()
    with _open(args) as bundle:
        record = bundle.consent()
        try:
            bundle.check_consent()
        except ConsentError as exc:
            if exc.reason != "expired":  # a changed or foreign record is not renewed: it is refused
                raise
        assert record is not None
        print(f"Consent statement: {record.attestation}", file=sys.stderr)
        print(f"Who may talk to it: {', '.join(record.audience)}; until: {record.valid_until or 'no end date'} "
              f"-> {valid_until or 'no end date'}", file=sys.stderr)
        if not (args.confirm or _yes(f"Does {record.authorised_by} renew this consent?", interactive)):
            raise BundleError("consent not renewed", hint="the authoriser confirms with --confirm or at the prompt")
        today = _dt.date.today().isoformat()
        notes = (record.notes + "; " if record.notes else "") + f"renewed {today} until {valid_until or 'no end'}"
        renewed = default_authority().sign(replace(record, valid_until=valid_until, notes=notes, signature=""))
        with bundle.transaction():
            bundle._store_consent(renewed)
        audit(bundle.path, f"consent renewed until {valid_until or 'no end date'}")
        bundle.check_consent()
    print(f"consent renewed: {args.dir} may be used until {valid_until or 'no end date'}")
    return 0
