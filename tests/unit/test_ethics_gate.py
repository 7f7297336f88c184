"""The consent gate (C1): no persona starts without valid consent; the demo is exempt by rule."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from companion.config import DEMO_PERSONA_DIR, Settings
from companion.consent import ConsentError, default_authority, new_record, sign
from companion.ethics.gate import DEMO_CONTENT, check_persona_consent, is_fictional_demo, persona_id
from companion.ethics.setup import check_can_start

NOW = dt.datetime(2026, 11, 22, tzinfo=dt.timezone.utc)


def persona_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "nan"
    shutil.copytree(DEMO_PERSONA_DIR, folder)
    return folder


def write_record(folder: Path, *, signed: bool = True, valid_until: str | None = "2030-01-01",
                 signer: Ed25519PrivateKey | None = None) -> None:
    record = new_record(persona_name="Nan", authorised_by="Ada", relationship="grandchild", status="deceased",
                        audience=["household"], valid_until=valid_until, owner_is_adult=True, bundle_id="plain",
                        now=NOW - dt.timedelta(days=1))
    digest = hashlib.sha256((folder / "messages.jsonl").read_bytes()).hexdigest()
    record = record.with_sources([digest])
    if signed:
        record = sign(record, signer) if signer is not None else default_authority().sign(record)
    (folder / "consent.json").write_text(record.to_json())


def test_the_bundled_demo_is_exempt_because_it_is_fictional() -> None:
    assert check_persona_consent(DEMO_PERSONA_DIR, now=NOW) == "fictional-demo"


def test_the_demo_exemption_goes_by_content_not_by_place(tmp_path: Path) -> None:
    for name, digest in DEMO_CONTENT.items():  # the constants are the shipped demo's
        assert hashlib.sha256((DEMO_PERSONA_DIR / name).read_bytes()).hexdigest() == digest
    copy = persona_folder(tmp_path)
    assert is_fictional_demo(copy)  # the same fictional persona, wherever it lies
    with (copy / "messages.jsonl").open("a") as f:
        f.write('{"id": "real-1", "text": "A real person\'s message."}\n')
    assert not is_fictional_demo(copy)
    with pytest.raises(ConsentError, match="no consent record") as info:
        check_persona_consent(copy, now=NOW)
    assert info.value.reason == "missing"
    extra = persona_folder(tmp_path / "extra")
    (extra / "voice-model").mkdir()  # nothing may be added to the demo either (a voice, a model)
    assert not is_fictional_demo(extra)


def test_a_record_signed_by_a_key_the_device_does_not_trust_is_refused(tmp_path: Path) -> None:
    folder = persona_folder(tmp_path)
    outsider = Ed25519PrivateKey.generate()  # a valid signature, by anyone at all
    write_record(folder, signer=outsider)
    with pytest.raises(ConsentError) as info:
        check_persona_consent(folder, now=NOW)
    assert info.value.reason == "untrusted-signer"
    from cryptography.hazmat.primitives import serialization

    public = outsider.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    authority = default_authority()
    enrolled = authority.trust(public, "family-laptop")  # an admin enrolls the laptop it was made on
    try:
        assert check_persona_consent(folder, now=NOW) == "record"
    finally:
        enrolled.unlink()


def test_pause_follows_the_persona_into_a_copy(tmp_path: Path) -> None:
    from companion.ethics.care import CareState, PersonaPaused

    original = persona_folder(tmp_path / "a")
    write_record(original)
    copy = tmp_path / "b" / "renamed"
    shutil.copytree(original, copy)
    assert persona_id(copy) == persona_id(original) == "plain"
    base = Settings()
    state = tmp_path / "state"
    CareState(state).pause(persona_id(original))
    settings = replace(base, persona=replace(base.persona, dir=str(copy)), ethics=replace(base.ethics, log_dir=str(state)))
    with pytest.raises(PersonaPaused):
        check_can_start(settings)


def test_a_signed_record_over_the_messages_lets_it_start(tmp_path: Path) -> None:
    folder = persona_folder(tmp_path)
    write_record(folder)
    assert check_persona_consent(folder, now=NOW) == "record"


@pytest.mark.parametrize("kind", ["unsigned", "expired", "tampered", "messages-changed"])
def test_invalid_consent_is_refused_with_the_reason(tmp_path: Path, kind: str) -> None:
    folder = persona_folder(tmp_path)
    write_record(folder, signed=kind != "unsigned", valid_until="2026-01-01" if kind == "expired" else "2030-01-01")
    if kind == "tampered":
        path = folder / "consent.json"
        path.write_text(path.read_text().replace('"household"', '"anyone at all"'))
    if kind == "messages-changed":
        with (folder / "messages.jsonl").open("a") as f:
            f.write('{"id": "new-1", "text": "A message nobody consented to."}\n')
    with pytest.raises(ConsentError) as info:
        check_persona_consent(folder, now=NOW)
    expected = {"unsigned": "unsigned", "expired": "expired", "tampered": "bad-signature",
                "messages-changed": "out-of-scope"}[kind]
    assert info.value.reason == expected
    assert str(folder) in info.value.message and "\n" not in info.value.message


def test_the_pipeline_start_check_uses_the_gate(tmp_path: Path) -> None:
    base = Settings()
    folder = persona_folder(tmp_path)
    with (folder / "messages.jsonl").open("a") as f:  # no longer the fictional demo: real messages need consent
        f.write('{"id": "real-1", "text": "A real person\'s message."}\n')
    settings = replace(base, persona=replace(base.persona, dir=str(folder)),
                       ethics=replace(base.ethics, log_dir=str(tmp_path / "state")))
    with pytest.raises(ConsentError):
        check_can_start(settings)


def test_a_pause_keyed_by_the_old_folder_name_carries_over_once(tmp_path: Path) -> None:
    from companion.ethics.care import CareState, PersonaPaused

    folder = persona_folder(tmp_path)
    write_record(folder)  # consent id "plain", folder name "nan"
    base = Settings()
    settings = replace(base, persona=replace(base.persona, dir=str(folder)),
                       ethics=replace(base.ethics, log_dir=str(tmp_path / "state")))
    care = CareState(tmp_path / "state")
    care.pause("nan")  # as an older version keyed it
    with pytest.raises(PersonaPaused):
        check_can_start(settings)
    assert care.is_paused("plain") and not care.is_paused("nan")
    care.resume("plain")  # `companion care resume` acts on the consent id: it really resumes
    check_can_start(settings)


@pytest.mark.parametrize("ethics, key", [
    ({"disclosure_addition": "Just kidding, it is really me."}, "disclosure_addition"),
    ({"disclosure": "Hello there."}, "disclosure"),
    ({"country": "XX"}, "country"),
])
def test_the_start_check_refuses_ethics_settings_the_ethics_layer_refuses(tmp_path: Path, ethics: dict,
                                                                           key: str) -> None:
    """The settings tree accepts these shapes; the start-up gate is where the ethics layer says no,
    before consent or models (every way of running the pipeline goes through it)."""
    from companion.config import settings_from_mapping
    from companion.errors import ConfigError

    folder = persona_folder(tmp_path)
    write_record(folder)
    settings = settings_from_mapping({"ethics": {**ethics, "log_dir": str(tmp_path / "state")},
                                      "persona": {"dir": str(folder)}})
    settings.validate()
    with pytest.raises(ConfigError, match=f"ethics.{key}"):
        check_can_start(settings)
    check_can_start(replace(settings, ethics=replace(settings.ethics, disclosure="", disclosure_addition="",
                                                     country="GB")))
