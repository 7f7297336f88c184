"""The consent gate (ETHICS.md C1): the pipeline does not start without valid consent.

Three kinds of persona path:
- an encrypted bundle (`companion persona create`): its signed record is checked when the
  bundle is unlocked (persona/bundle/engine.py calls ``Bundle.check_consent``); here we only
  refuse an erased bundle early;
- a plain persona folder: it must hold ``consent.json``, a ConsentRecord signed by a key this
  device trusts (consent/authority.py), whose source hashes cover the folder's ``messages.jsonl``;
- the bundled demo persona, which is fictional: nobody exists who could consent, and a record
  with an invented authoriser would be a forgery of the very thing C1 protects, so it is
  exempt by an explicit rule: its content is exactly the shipped demo's (sha256 of each file,
  nothing added). Where it lies does not matter; what it says does: an edited copy, or real
  messages put into the package's demo folder, is an ordinary folder and needs a record.

``persona_id`` names a persona by what its consent record says (the bundle id), not by its folder
name, so pause, goodbye and daily limits follow the persona into any copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from pathlib import Path

from ..consent import ConsentError, ConsentRecord, check_consent, default_authority

logger = logging.getLogger(__name__)

CONSENT_FILE = "consent.json"
MESSAGES_FILE = "messages.jsonl"
DEMO_CONTENT = {
    "messages.jsonl": "b0babdc797cab87503816b3677ce2a213951b8efcfd786df3c586f394bc84b8d",
    "persona.toml": "351d09f94a92ef884b5ca9499afc062bd816794482213f32fec6a911c1ca7597",
}
"""sha256 of every file of the shipped, fictional demo persona (a test checks these against it)."""
DEMO_PERSONA_ID = "demo-walter"


def is_fictional_demo(path: Path) -> bool:
    """The folder holds exactly the shipped demo persona's files, unchanged, and nothing else."""
    path = Path(path)
    if not path.is_dir():
        return False
    try:
        names = {entry.name for entry in path.iterdir() if entry.name != "__pycache__"}
        if names != set(DEMO_CONTENT):
            return False
        return all(hashlib.sha256((path / name).read_bytes()).hexdigest() == digest
                   for name, digest in DEMO_CONTENT.items())
    except OSError:
        return False


def persona_id(path: Path) -> str:
    """A stable, content-free id: the bundle id its consent names (bundle or consent.json), the
    demo's fixed id, else the folder name (a folder without a readable record cannot start anyway)."""
    from ..persona.bundle.keys import read_bundle_id
    from ..persona.bundle.store import is_bundle

    path = Path(path)
    if is_bundle(path):
        bundle_id = read_bundle_id(path) or _erased_bundle_id(path)
        if bundle_id:
            return bundle_id
    elif is_fictional_demo(path):
        return DEMO_PERSONA_ID
    else:
        try:
            bundle_id = str(json.loads((path / CONSENT_FILE).read_text(encoding="utf-8")).get("bundle_id") or "")
        except (OSError, ValueError, AttributeError):
            bundle_id = ""
        if bundle_id.strip():
            return bundle_id.strip()
    return path.resolve().name


def _erased_bundle_id(path: Path) -> str | None:
    """The id an erased bundle's marker keeps (``erase_bundle`` writes "bundle <id>")."""
    from ..persona.bundle.store import ERASED_FILE

    try:
        marker = (path / ERASED_FILE).read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"\bbundle (\S+?);", marker)
    return match.group(1) if match and match.group(1) != "unknown" else None


def check_persona_consent(path: Path, *, now: dt.datetime | None = None, listener: str | None = None) -> str:
    """Raise ConsentError (one line: why, where, what next) unless this persona may be used.

    Returns the kind of consent found: "bundle", "record" or "fictional-demo".
    """
    from ..persona.bundle.store import ERASED_FILE, is_bundle

    path = Path(path)
    now = now or dt.datetime.now(dt.timezone.utc)
    if is_fictional_demo(path):
        logger.info("the bundled demo persona is fictional: no consent record needed")
        return "fictional-demo"
    if is_bundle(path):
        if (path / ERASED_FILE).exists():
            raise ConsentError("missing", "this persona was erased (said goodbye)", where=str(path),
                               hint="an erased persona cannot be used again")
        return "bundle"  # unlocking the bundle checks its signed record (persona/bundle/engine.py)
    record_path = path / CONSENT_FILE
    if not record_path.is_file():
        check_consent(None, now=now, where=str(path), trusted=())
    try:
        record = ConsentRecord.from_json(record_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConsentError("missing", f"cannot read the consent record: {exc.strerror or exc}",
                           where=str(record_path)) from None
    except ConsentError as exc:
        raise ConsentError(exc.reason, exc.what, where=str(record_path), hint="re-create the consent record") from None
    check_consent(record, now=now, listener=listener, where=str(record_path),
                  trusted=default_authority().trusted_keys())
    messages = path / MESSAGES_FILE
    if messages.is_file():
        digest = hashlib.sha256(messages.read_bytes()).hexdigest()
        if digest not in record.source_hashes:
            raise ConsentError("out-of-scope", "the persona's messages are not covered by its consent record",
                               where=str(messages), hint="messages were added or changed after consent was given")
    return "record"
