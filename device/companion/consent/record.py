"""The consent record (ETHICS.md C1): no persona exists or loads without one, signed on the device.

The record says who the persona is, who authorised it and how they may (the person themselves
while living; a close relative or heir once deceased), who may talk to it and until when, and
which source files went into it (sha256). It is signed with Ed25519, so any later change to the
record (a wider audience, a later expiry, a swapped source file) breaks the signature; and the
signer must be one the device trusts (authority.py): a record re-signed with a new key fails.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ..errors import CompanionError

logger = logging.getLogger(__name__)

RECORD_VERSION = 1
LIVING = "living"
DECEASED = "deceased"
SELF = "self"
CLOSE_RELATIONSHIPS = (
    "spouse", "partner", "child", "parent", "sibling", "grandchild", "grandparent", "heir", "executor",
)
"""Who may authorise a deceased person's persona: close relatives and heirs (C1)."""
ANYONE_IN_HOUSEHOLD = "household"
"""Audience entry meaning: anyone using this device at home."""
_SHA256_HEX_LEN = 64
CLOCK_SKEW_DAYS = 2


class ConsentError(CompanionError):
    """No valid consent for this persona; ``reason`` is a short machine-readable cause."""

    def __init__(self, reason: str, what: str, *, where: str | None = None, hint: str | None = None) -> None:
        self.reason = reason
        super().__init__(what, where=where, hint=hint)


@dataclass(frozen=True)
class ConsentRecord:
    """Who the persona is, who authorised it, for whom and until when, over which sources."""

    persona_name: str
    authorised_by: str
    relationship: str
    """"self" for a living person's own consent; for a deceased person one of CLOSE_RELATIONSHIPS."""
    status: str
    """"living" or "deceased"."""
    attestation: str
    """The statement the authoriser confirmed, in words (shown by `persona show`)."""
    audience: tuple[str, ...]
    """Who may talk to the persona (names, or "household")."""
    valid_until: str | None
    """ISO date after which the persona no longer loads; None = no end date."""
    created: str
    """ISO date-time (UTC) the record was made."""
    owner_is_adult: bool
    """The person setting the persona up confirmed they are an adult (C10)."""
    bundle_id: str
    """The bundle this record belongs to (a record copied into another bundle does not verify)."""
    source_hashes: tuple[str, ...] = ()
    """sha256 (hex) of every source file imported, sorted."""
    public_key: str = ""
    """Ed25519 public key (hex) that signed the record."""
    signature: str = ""
    """Ed25519 signature (hex) over canonical_bytes(); "" = unsigned."""
    version: int = RECORD_VERSION
    notes: str = field(default="")
    home_server: bool = False
    """The authoriser allows the persona to be processed on a home server in the same household
    (`companion serve`, [persona] uri); without it the device answers only on itself."""
    family_memory: bool = False
    """The authoriser allows a small memory of what the family told the persona (their names, their
    news) to be kept across sessions, encrypted in the bundle (persona/family.py); without it
    (and in every record signed before this field existed) nothing said outlives the session."""

    def validate(self) -> None:
        """Check the fields make sense together; ConsentError('invalid', ...) when they do not."""
        for name in ("persona_name", "authorised_by", "relationship", "attestation", "bundle_id"):
            if not str(getattr(self, name)).strip():
                raise ConsentError("invalid", f"consent record: {name} is empty", hint="fill in every consent field")
        if self.status not in (LIVING, DECEASED):
            raise ConsentError("invalid", f"consent record: status must be living or deceased, not {self.status!r}")
        if self.status == LIVING and self.relationship != SELF:
            raise ConsentError(
                "invalid",
                "a living person's persona needs their own explicit consent (relationship must be 'self')",
                hint="ask the person to authorise it themselves",
            )
        if self.status == DECEASED and self.relationship not in CLOSE_RELATIONSHIPS:
            raise ConsentError(
                "invalid",
                f"relationship {self.relationship!r} may not authorise a deceased person's persona",
                hint=f"a close relative or heir must authorise it: {', '.join(CLOSE_RELATIONSHIPS)}",
            )
        if not isinstance(self.home_server, bool):
            raise ConsentError("invalid", "consent record: home_server must be true or false")
        if not isinstance(self.family_memory, bool):
            raise ConsentError("invalid", "consent record: family_memory must be true or false")
        if not self.owner_is_adult:
            raise ConsentError("invalid", "persona set-up is for adults only (ETHICS C10)")
        if not self.audience or any(not a.strip() for a in self.audience):
            raise ConsentError("invalid", "consent record: the audience (who may talk to it) is empty")
        if self.valid_until is not None:
            _parse_date(self.valid_until, "valid_until")
        _parse_time(self.created)
        for digest in self.source_hashes:
            if len(digest) != _SHA256_HEX_LEN or any(c not in "0123456789abcdef" for c in digest):
                raise ConsentError("invalid", f"consent record: {digest!r} is not a sha256 hex digest")

    def canonical_bytes(self) -> bytes:
        """The bytes that are signed: every field but the signature, as sorted compact JSON."""
        payload = asdict(self)
        payload.pop("signature")
        for optional in ("home_server", "family_memory"):  # records signed before these fields existed still verify
            if not getattr(self, optional):
                payload.pop(optional)
        payload["audience"] = list(self.audience)
        payload["source_hashes"] = sorted(self.source_hashes)
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ConsentRecord:
        try:
            data: dict[str, Any] = json.loads(text)
            data["audience"] = tuple(data["audience"])
            data["source_hashes"] = tuple(data.get("source_hashes", ()))
            return cls(**data)
        except (ValueError, KeyError, TypeError) as exc:
            raise ConsentError("invalid", f"consent record is unreadable ({exc})") from None

    def with_sources(self, hashes: Iterable[str]) -> ConsentRecord:
        """A copy covering more source files (unsigned until signed again)."""
        merged = tuple(sorted(set(self.source_hashes) | set(hashes)))
        return replace(self, source_hashes=merged, signature="")


def new_record(
    *,
    persona_name: str,
    authorised_by: str,
    relationship: str,
    status: str,
    audience: Iterable[str],
    valid_until: str | None,
    owner_is_adult: bool,
    bundle_id: str,
    now: _dt.datetime | None = None,
    home_server: bool = False,
    family_memory: bool = False,
) -> ConsentRecord:
    """Build (and validate) an unsigned record with the standard attestation wording."""
    if status == LIVING:
        attestation = f"{persona_name} gives their own explicit consent to this persona."
    else:
        attestation = (
            f"{authorised_by}, {relationship} of the late {persona_name}, attests being a close relative "
            f"or heir entitled to authorise this persona."
        )
    created = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc).isoformat(timespec="seconds")
    record = ConsentRecord(
        persona_name=persona_name.strip(),
        authorised_by=authorised_by.strip(),
        relationship=relationship.strip().lower(),
        status=status,
        attestation=attestation,
        audience=tuple(a.strip() for a in audience if a.strip()),
        valid_until=valid_until or None,
        created=created,
        owner_is_adult=owner_is_adult,
        bundle_id=bundle_id,
        home_server=home_server,
        family_memory=family_memory,
    )
    record.validate()
    return record


def sign(record: ConsentRecord, private_key: Any) -> ConsentRecord:
    """Sign with an Ed25519 private key (cryptography's Ed25519PrivateKey)."""
    from cryptography.hazmat.primitives import serialization

    public = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    unsigned = replace(record, public_key=public.hex(), signature="")
    return replace(unsigned, signature=private_key.sign(unsigned.canonical_bytes()).hex())


def verify(record: ConsentRecord) -> bool:
    """True when the signature is present and matches the record and its public key."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not record.signature or not record.public_key:
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(record.public_key))
        key.verify(bytes.fromhex(record.signature), record.canonical_bytes())
    except (ValueError, InvalidSignature):
        return False
    return True


def check_consent(
    record: ConsentRecord | None,
    *,
    now: _dt.datetime,
    listener: str | None = None,
    bundle_id: str | None = None,
    where: str | None = None,
    trusted: Collection[str],
) -> None:
    """Raise ConsentError saying why this persona may not be used now (by ``listener``).

    ``trusted``: the public keys (hex) whose signature this device accepts (ConsentAuthority)."""
    if record is None:
        raise ConsentError("missing", "no consent record for this persona", where=where,
                           hint="create the persona with `companion persona create`")
    if not record.signature:
        raise ConsentError("unsigned", "the consent record is not signed", where=where,
                           hint="re-create the persona with `companion persona create`")
    if not verify(record):
        raise ConsentError("bad-signature", "the consent record's signature is invalid (it was changed)",
                           where=where, hint="the persona must not be used; re-create it with a new consent")
    if record.public_key not in trusted:
        raise ConsentError("untrusted-signer", "the consent record was not signed by this device's consent key "
                           "or a key enrolled on it", where=where,
                           hint="renew the consent on this device, or enroll the signer with "
                           "`sudo companion consent trust KEY`")
    if bundle_id is not None and record.bundle_id != bundle_id:
        raise ConsentError("bad-signature", "the consent record belongs to another persona bundle", where=where)
    try:
        record.validate()
    except ConsentError as exc:
        raise ConsentError("invalid", exc.what, where=where, hint=exc.hint) from None
    today = now.astimezone(_dt.timezone.utc).date() if now.tzinfo else now.date()
    if record.valid_until is not None and today > _parse_date(record.valid_until, "valid_until"):
        raise ConsentError("expired", f"the consent expired on {record.valid_until}", where=where,
                           hint="the authoriser may renew it: `companion persona consent renew DIR --valid-until YYYY-MM-DD`")
    # A Pi has no battery clock: tolerate a little skew before calling a record "from the future".
    if today < _parse_time(record.created).date() - _dt.timedelta(days=CLOCK_SKEW_DAYS):
        raise ConsentError("out-of-scope", "the consent record is dated in the future", where=where,
                           hint="check the device's date and time")
    if listener is not None and ANYONE_IN_HOUSEHOLD not in record.audience:
        if listener.strip().casefold() not in {a.casefold() for a in record.audience}:
            raise ConsentError("out-of-scope", f"{listener} is not among those who may talk to this persona",
                               where=where, hint=f"the consent covers: {', '.join(record.audience)}")


def _parse_date(value: str, key: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ConsentError("invalid", f"consent record: {key} {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _parse_time(value: str) -> _dt.datetime:
    try:
        return _dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ConsentError("invalid", f"consent record: created {value!r} is not an ISO date-time") from None
