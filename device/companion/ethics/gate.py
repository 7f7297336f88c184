"""The consent gate (ETHICS.md C1): the pipeline does not start without valid consent.

Three kinds of persona path:
- an encrypted bundle (`companion persona create`): its signed record is checked when the
  bundle is unlocked (persona/bundle/engine.py calls ``Bundle.check_consent``); here we only
  refuse an erased bundle early;
- a plain persona folder: it must hold ``consent.json``, a signed ConsentRecord whose source
  hashes cover the folder's ``messages.jsonl``, checked with ``check_consent``;
- the bundled demo persona, which is fictional: nobody exists who could consent, and a record
  with an invented authoriser would be a forgery of the very thing C1 protects, so it is
  exempt by an explicit rule limited to the package's own demo folder (a copy elsewhere is
  an ordinary folder and needs a record).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path

from ..config import DEMO_PERSONA_DIR
from .consent import ConsentError, ConsentRecord, check_consent

logger = logging.getLogger(__name__)

CONSENT_FILE = "consent.json"
MESSAGES_FILE = "messages.jsonl"


def is_fictional_demo(path: Path) -> bool:
    return Path(path).resolve() == DEMO_PERSONA_DIR.resolve()


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
        check_consent(None, now=now, where=str(path))
    try:
        record = ConsentRecord.from_json(record_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConsentError("missing", f"cannot read the consent record: {exc.strerror or exc}",
                           where=str(record_path)) from None
    except ConsentError as exc:
        raise ConsentError(exc.reason, exc.what, where=str(record_path), hint="re-create the consent record") from None
    check_consent(record, now=now, listener=listener, where=str(record_path))
    messages = path / MESSAGES_FILE
    if messages.is_file():
        digest = hashlib.sha256(messages.read_bytes()).hexdigest()
        if digest not in record.source_hashes:
            raise ConsentError("out-of-scope", "the persona's messages are not covered by its consent record",
                               where=str(messages), hint="messages were added or changed after consent was given")
    return "record"
