"""Consent (ETHICS.md C1): the signed record, and the device's trust anchor that decides whose
signature counts. Both the persona store and the ethics gate use this package; it depends on
neither of them."""

from .authority import ConsentAuthority, default_authority
from .record import (
    ANYONE_IN_HOUSEHOLD,
    CLOSE_RELATIONSHIPS,
    DECEASED,
    LIVING,
    SELF,
    ConsentError,
    ConsentRecord,
    check_consent,
    new_record,
    sign,
    verify,
)

__all__ = [
    "ANYONE_IN_HOUSEHOLD", "CLOSE_RELATIONSHIPS", "DECEASED", "LIVING", "SELF", "ConsentAuthority", "ConsentError",
    "ConsentRecord", "check_consent", "default_authority", "new_record", "sign", "verify",
]
