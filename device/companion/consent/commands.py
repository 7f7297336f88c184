"""`companion consent init|key|trust`: the device's consent key, and the signers it trusts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .authority import ConsentAuthority, default_authority


def _authority(args: argparse.Namespace) -> ConsentAuthority:
    return ConsentAuthority(Path(args.dir)) if args.dir else default_authority()


def cmd_consent(args: argparse.Namespace) -> int:
    authority = _authority(args)
    if args.consent_command == "init":
        public = authority.init()
        print(f"device consent key in {authority.directory} (public key {public})")
    elif args.consent_command == "key":
        key = authority.public_key()
        if key is None:
            print(f"no device consent key in {authority.directory}; run `companion consent init`", file=sys.stderr)
            return 1
        print(key)
    else:
        path = authority.trust(args.public_key, args.name)
        print(f"trusted: consent records signed by {args.public_key.strip()[:16]}... ({path})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("consent", help="the device's consent key and the signers it trusts (ETHICS C1)")
    p.add_argument("--dir", help="the consent folder (default: /etc/companion/consent on a device, "
                                 "else $COMPANION_CONSENT_DIR or ~/.local/state/companion/consent)")
    csub = p.add_subparsers(dest="consent_command", required=True)
    csub.add_parser("init", help="make the device consent key (once; install.sh runs it)")
    csub.add_parser("key", help="print the device consent key's public half (to enroll it elsewhere)")
    t = csub.add_parser("trust", help="accept consent records signed by another machine's key")
    t.add_argument("public_key", help="the other machine's `companion consent key` output (64 hex digits)")
    t.add_argument("--name", default="", help="a label for it (e.g. the laptop's name)")
    p.set_defaults(func=cmd_consent)
