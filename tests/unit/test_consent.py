"""The consent record (C1): validation, Ed25519 signing, tamper detection, expiry and scope."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from companion.errors import CompanionError
from companion.consent import ConsentError, ConsentRecord, check_consent, new_record, sign, verify

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.timezone.utc)


def make(**overrides: object) -> ConsentRecord:
    fields = dict(
        persona_name="Li Wei", authorised_by="Mei", relationship="child", status="deceased",
        audience=["Mei", "Tom"], valid_until="2030-01-01", owner_is_adult=True, bundle_id="b-1",
        now=NOW - dt.timedelta(days=1),
    )
    fields.update(overrides)
    return new_record(**fields)  # type: ignore[arg-type]


@pytest.fixture()
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def trust(*keys: Ed25519PrivateKey) -> frozenset[str]:
    """The device trusts these signers (as its ConsentAuthority would say)."""
    from cryptography.hazmat.primitives import serialization

    return frozenset(k.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
                     for k in keys)


TRUSTED: frozenset[str] = frozenset()


@pytest.fixture(autouse=True)
def _trusted(key: Ed25519PrivateKey) -> None:
    global TRUSTED
    TRUSTED = trust(key)


def reason(record: ConsentRecord | None, **kwargs: object) -> str:
    kwargs.setdefault("trusted", TRUSTED)
    with pytest.raises(ConsentError) as info:
        check_consent(record, now=kwargs.pop("now", NOW), **kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, CompanionError)
    return info.value.reason


def test_a_signed_record_verifies_and_passes(key: Ed25519PrivateKey) -> None:
    record = sign(make(), key)
    assert verify(record)
    check_consent(record, now=NOW, listener="tom", bundle_id="b-1", trusted=TRUSTED)
    assert ConsentRecord.from_json(record.to_json()) == record


def test_missing_and_unsigned_records_are_refused(key: Ed25519PrivateKey) -> None:
    assert reason(None) == "missing"
    assert reason(make()) == "unsigned"


@pytest.mark.parametrize(
    "change",
    [
        {"audience": ("Mei", "Tom", "a stranger")},
        {"valid_until": "2099-01-01"},
        {"persona_name": "Someone Else"},
        {"source_hashes": ("0" * 64,)},
        {"relationship": "spouse"},
    ],
)
def test_any_change_breaks_the_signature(key: Ed25519PrivateKey, change: dict[str, object]) -> None:
    tampered = dataclasses.replace(sign(make(), key), **change)  # type: ignore[arg-type]
    assert not verify(tampered)
    assert reason(tampered) == "bad-signature"


def test_a_signature_by_another_key_or_for_another_bundle_fails(key: Ed25519PrivateKey) -> None:
    record = sign(make(), key)
    other = sign(make(), Ed25519PrivateKey.generate())
    assert not verify(dataclasses.replace(record, signature=other.signature))
    assert reason(record, bundle_id="another-bundle") == "bad-signature"


def test_a_valid_signature_by_an_untrusted_key_is_refused(key: Ed25519PrivateKey) -> None:
    """The public key travels in the record: anyone can re-sign an edited record. Who signed counts."""
    forged = sign(dataclasses.replace(sign(make(), key), audience=("a stranger",)), Ed25519PrivateKey.generate())
    assert verify(forged)  # the signature itself is fine...
    assert reason(forged) == "untrusted-signer"  # ...but not by a key this device trusts
    assert reason(sign(make(), key), trusted=frozenset()) == "untrusted-signer"  # no anchor: nothing passes


def test_expired_future_and_out_of_scope(key: Ed25519PrivateKey) -> None:
    record = sign(make(valid_until="2026-11-21"), key)
    assert reason(record) == "expired"
    check_consent(record, now=NOW - dt.timedelta(days=1), trusted=TRUSTED)  # the last valid day still works
    assert reason(sign(make(now=NOW + dt.timedelta(days=3)), key)) == "out-of-scope"
    assert reason(sign(make(), key), listener="a stranger") == "out-of-scope"
    check_consent(sign(make(audience=["household"]), key), now=NOW, listener="anyone", trusted=TRUSTED)


def test_adding_sources_needs_a_new_signature(key: Ed25519PrivateKey) -> None:
    record = sign(make(), key)
    extended = record.with_sources(["b" * 64, "a" * 64])
    assert extended.source_hashes == ("a" * 64, "b" * 64) and not extended.signature
    assert reason(extended) == "unsigned"
    resigned = sign(extended, key)
    check_consent(resigned, now=NOW, trusted=TRUSTED)
    assert resigned.canonical_bytes() == sign(record.with_sources(["a" * 64, "b" * 64]), key).canonical_bytes()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"status": "living", "relationship": "child"}, "own explicit consent"),
        ({"relationship": "neighbour"}, "may not authorise"),
        ({"owner_is_adult": False}, "adults only"),
        ({"audience": []}, "audience"),
        ({"valid_until": "next year"}, "ISO date"),
        ({"authorised_by": "  "}, "authorised_by"),
    ],
)
def test_invalid_records_are_refused_with_the_reason(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConsentError, match=message):
        make(**overrides)


def test_a_living_person_consents_for_themselves(key: Ed25519PrivateKey) -> None:
    record = sign(make(status="living", relationship="self", authorised_by="Li Wei"), key)
    check_consent(record, now=NOW, trusted=TRUSTED)
    assert "own explicit consent" in record.attestation
