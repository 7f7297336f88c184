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
from companion.ethics.consent import ConsentError, new_record, sign
from companion.ethics.gate import check_persona_consent
from companion.ethics.setup import check_can_start

NOW = dt.datetime(2026, 11, 22, tzinfo=dt.timezone.utc)


def persona_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "nan"
    shutil.copytree(DEMO_PERSONA_DIR, folder)
    return folder


def write_record(folder: Path, *, signed: bool = True, valid_until: str | None = "2030-01-01") -> None:
    record = new_record(persona_name="Nan", authorised_by="Ada", relationship="grandchild", status="deceased",
                        audience=["household"], valid_until=valid_until, owner_is_adult=True, bundle_id="plain",
                        now=NOW - dt.timedelta(days=1))
    digest = hashlib.sha256((folder / "messages.jsonl").read_bytes()).hexdigest()
    record = record.with_sources([digest])
    if signed:
        record = sign(record, Ed25519PrivateKey.generate())
    (folder / "consent.json").write_text(record.to_json())


def test_the_bundled_demo_is_exempt_because_it_is_fictional() -> None:
    assert check_persona_consent(DEMO_PERSONA_DIR, now=NOW) == "fictional-demo"


def test_a_copy_of_the_demo_elsewhere_needs_a_record(tmp_path: Path) -> None:
    with pytest.raises(ConsentError, match="no consent record") as info:
        check_persona_consent(persona_folder(tmp_path), now=NOW)
    assert info.value.reason == "missing"


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
    settings = replace(base, persona=replace(base.persona, dir=str(persona_folder(tmp_path))),
                       ethics=replace(base.ethics, log_dir=str(tmp_path / "state")))
    with pytest.raises(ConsentError):
        check_can_start(settings)
