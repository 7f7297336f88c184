"""The per-device watermark key: where it comes from, its file format, export and its errors."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.ethics import wmkey
from companion.ethics.wmcode import keyed_pattern
from companion.ethics.wmkey import WatermarkKeyError


@pytest.fixture(autouse=True)
def _no_ambient_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.delenv(wmkey.KEY_FILE_ENV, raising=False)


def test_a_user_key_is_made_once_root_only_and_then_kept(tmp_path: Path) -> None:
    absent = tmp_path / "no-etc" / "watermark.key"
    first = wmkey.device_key(tmp_path / "state", device_file=absent)
    path = tmp_path / "state" / "watermark.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first.secret) == 32
    again = wmkey.device_key(tmp_path / "state", device_file=absent)
    assert again.secret == first.secret and again.fingerprint == first.fingerprint
    other = wmkey.device_key(tmp_path / "other-user", device_file=absent)
    assert other.secret != first.secret  # every machine (and user) its own secret: no public constant


def test_detect_never_makes_a_key_just_to_look(tmp_path: Path) -> None:
    with pytest.raises(WatermarkKeyError, match="no watermark key"):
        wmkey.device_key(tmp_path, device_file=tmp_path / "absent", create=False)
    assert not (tmp_path / "watermark.key").exists()


def test_the_systemd_credential_comes_first_then_the_env_then_the_installed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed = tmp_path / "etc-watermark.key"
    installed.write_text(wmkey.format_key(b"i" * 32))
    assert wmkey.device_key(tmp_path / "state", device_file=installed).secret == b"i" * 32
    env_file = tmp_path / "env.key"
    env_file.write_text(wmkey.format_key(b"e" * 32))
    monkeypatch.setenv(wmkey.KEY_FILE_ENV, str(env_file))
    assert wmkey.device_key(tmp_path / "state", device_file=installed).secret == b"e" * 32
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / wmkey.CREDENTIAL_NAME).write_text(wmkey.format_key(b"c" * 32))
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    key = wmkey.device_key(tmp_path / "state", device_file=installed)
    assert key.secret == b"c" * 32 and key.source == "systemd credential"
    assert not (tmp_path / "state" / "watermark.key").exists()  # an installed device makes no user key


def test_an_unreadable_installed_key_is_an_error_not_another_key(tmp_path: Path) -> None:
    unreadable = tmp_path / "watermark.key"
    unreadable.mkdir()  # reading it fails even for root
    with pytest.raises(WatermarkKeyError, match="cannot read"):
        wmkey.device_key(tmp_path / "state", device_file=unreadable)


def test_export_writes_a_private_copy_that_reads_back_and_never_overwrites(tmp_path: Path) -> None:
    key = wmkey.WatermarkKey(bytes(range(32)), "test")
    dest = tmp_path / "family.key"
    wmkey.export_key(key, dest)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert dest.read_text().startswith("#") and key.fingerprint in dest.read_text()
    back = wmkey.read_key_file(dest)
    assert back.secret == key.secret and back.fingerprint == key.fingerprint
    with pytest.raises(WatermarkKeyError, match="already exists"):
        wmkey.export_key(wmkey.WatermarkKey(b"x" * 32, "test"), dest)
    assert wmkey.read_key_file(dest).secret == key.secret


@pytest.mark.parametrize("text,error", [("", "empty"), ("# only a comment\n", "empty"), ("not base64!!\n", "base64"),
                                        (base64.b64encode(b"short").decode() + "\n", "too short")])
def test_bad_key_files_get_one_clear_error(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "bad.key"
    path.write_text(text)
    with pytest.raises(WatermarkKeyError, match=error) as info:
        wmkey.read_key_file(path)
    assert str(path) in str(info.value) and "export-key" in str(info.value)


def test_a_missing_key_file_says_where(tmp_path: Path) -> None:
    with pytest.raises(WatermarkKeyError, match="not found"):
        wmkey.read_key_file(tmp_path / "nope.key")


@given(st.binary(min_size=16, max_size=64))
def test_key_file_format_round_trip(secret: bytes) -> None:
    assert wmkey.parse_key(wmkey.format_key(secret, header="# a comment\n"), where="x") == secret


@given(st.text(max_size=200))
def test_parsing_any_text_gives_a_key_or_a_key_error(text: str) -> None:
    try:
        secret = wmkey.parse_key(text, where="x")
    except WatermarkKeyError:
        return
    assert len(secret) >= wmkey.MIN_KEY_BYTES


def test_the_key_seeds_every_chip() -> None:
    a, b = keyed_pattern(b"a" * 32), keyed_pattern(b"b" * 32)
    assert (a.sync != b.sync).any() and (a.bit_index != b.bit_index).any()
    with pytest.raises(ValueError):
        keyed_pattern(b"too short")
