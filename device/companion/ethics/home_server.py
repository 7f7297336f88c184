"""May this persona be processed on a home server? The consent record says (ETHICS C1).

Both ends ask: `companion serve` refuses to host a persona whose record does not allow it, and
the device refuses to send questions to a remote persona engine for one. The bundled demo
persona is fictional (no one's words), so it may be served.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..consent import ConsentError, ConsentRecord
from ..persona.bundle.keys import read_secret
from ..persona.bundle.store import Bundle, is_bundle
from .gate import CONSENT_FILE, check_persona_consent, is_fictional_demo

SYSTEM_KEY_FILE = Path("/etc/companion/persona.key")


def consent_record(path: Path, key_file: str = "") -> ConsentRecord | None:
    """The persona's signed, currently valid record; None for the fictional demo persona."""
    if is_fictional_demo(path):
        return None
    kind = check_persona_consent(path)  # signature, expiry, sources: the gate's full check
    if kind == "record":
        return ConsentRecord.from_json((path / CONSENT_FILE).read_text(encoding="utf-8"))
    if is_bundle(path):
        explicit = SYSTEM_KEY_FILE if os.access(SYSTEM_KEY_FILE, os.R_OK) else None
        secret = read_secret(explicit, settings_key_file=key_file or None)
        with Bundle.open(path, secret) as bundle:
            return bundle.check_consent()
    return None


def check_home_server_allowed(path: Path, key_file: str = "", *, record: ConsentRecord | None = None) -> None:
    """ConsentError unless the consent record allows processing on a home server.

    ``record``: a loaded engine's consent record (a bundle's, already checked when it was
    unlocked), so the bundle need not be unlocked twice."""
    if record is None:
        record = consent_record(Path(path), key_file)
    if record is not None and not record.home_server:
        raise ConsentError("out-of-scope", "the consent record does not allow this persona on a home server",
                           where=str(path),
                           hint="answer on the device (remove [persona] uri), or have the authoriser re-create "
                                "the consent with home-server permission")
