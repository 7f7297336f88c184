"""Whether a voice belongs to a living person comes from the persona's signed consent record (C1/C2).

A bundle's record is inside the encrypted database; a plain folder's is consent.json. There is no
command-line flag to override it, and no record (or no way to unlock it) is one clear error.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from companion.consent import default_authority, new_record, sign
from companion.persona.bundle.store import Bundle, PersonaCard, new_bundle_id
from companion.voice.challenge import ConsentCheckError, is_living

SECRET = b"a long family passphrase"


def make_bundle(folder: Path, status: str, *, valid_until: str | None = None) -> Path:
    relationship = "self" if status == "living" else "child"
    consent = new_record(persona_name="Pat", authorised_by="Pat" if status == "living" else "Sam",
                         relationship=relationship, status=status, audience=["household"], valid_until=valid_until,
                         owner_is_adult=True, bundle_id=new_bundle_id(),
                         now=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    with Bundle.create(folder, SECRET, PersonaCard("Pat", "Pat", "en", ("Hm?",)), consent):
        pass
    return folder


@pytest.fixture()
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("COMPANION_PERSONA_KEY_FILE", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    path = tmp_path / "persona.key"
    path.write_bytes(SECRET + b"\n")
    return path


def test_a_bundle_says_living_or_deceased(tmp_path: Path, key: Path) -> None:
    assert is_living(make_bundle(tmp_path / "alive", "living"), key_file=key) is True
    assert is_living(make_bundle(tmp_path / "late", "deceased"), key_file=key) is False


def test_a_bundle_that_cannot_be_unlocked_is_one_clear_error(tmp_path: Path, key: Path) -> None:
    bundle = make_bundle(tmp_path / "alive", "living")
    wrong = tmp_path / "wrong.key"
    wrong.write_text("not the passphrase")
    with pytest.raises(ConsentCheckError) as err:
        is_living(bundle, key_file=wrong)
    message = err.value.message
    assert "consent record" in message and "wrong passphrase" in message and str(bundle) in message
    with pytest.raises(ConsentCheckError, match="no persona key"):  # no key anywhere, no terminal to ask on
        is_living(bundle, key_file=None)


def test_an_expired_bundle_consent_is_refused(tmp_path: Path, key: Path) -> None:
    bundle = make_bundle(tmp_path / "alive", "living", valid_until="2024-06-30")
    assert is_living(bundle, key_file=key, now=dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc))
    with pytest.raises(Exception, match="expired"):
        is_living(bundle, key_file=key, now=dt.datetime(2024, 7, 1, tzinfo=dt.timezone.utc))


def test_a_folder_reads_its_signed_consent_json(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(ConsentCheckError, match="no consent record"):
        is_living(folder)
    unsigned = new_record(persona_name="Pat", authorised_by="Pat", relationship="self", status="living",
                          audience=["household"], valid_until=None, owner_is_adult=True, bundle_id="folder")
    (folder / "consent.json").write_text(sign(unsigned, Ed25519PrivateKey.generate()).to_json())
    with pytest.raises(Exception, match="not signed by this device"):  # a signer the device does not trust
        is_living(folder)
    record = default_authority().sign(unsigned)
    (folder / "consent.json").write_text(record.to_json())
    assert is_living(folder) is True
    # Editing the record (say, to "deceased" to skip the challenge phrase) breaks its signature.
    forged = json.loads(record.to_json())
    forged.update(status="deceased", relationship="child", authorised_by="Sam")
    (folder / "consent.json").write_text(json.dumps(forged))
    with pytest.raises(Exception, match="signature"):
        is_living(folder)
    (folder / "consent.json").write_text("{not json")
    with pytest.raises(ConsentCheckError, match="cannot read the consent record"):
        is_living(folder)
