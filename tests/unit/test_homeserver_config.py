"""Remote-stage settings, the network drop-in they produce, and the consent record's home-server field."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from companion.config import settings_from_mapping
from companion.errors import ConfigError
from companion.consent import ConsentRecord, new_record, sign, verify
from companion.service.dropin import dropin_text


def settings(data: dict):  # type: ignore[no-untyped-def,type-arg]
    result = settings_from_mapping(data)
    result.validate()
    return result


def test_nothing_remote_means_no_dropin() -> None:
    assert dropin_text(settings({})) is None


def test_the_dropin_opens_only_the_configured_hosts_and_port() -> None:
    text = dropin_text(settings({
        "asr": {"uri": "tcp://192.168.1.20:10300"},
        "tts": {"uri": "tcp://192.168.1.20:10200"},
        "satellite": {"enabled": True, "uri": "tcp://0.0.0.0:10701", "allow": "192.168.1.5 fd00::7", "zeroconf": True},
    }))
    assert text is not None
    lines = text.splitlines()
    assert "PrivateNetwork=no" in lines and "IPAddressDeny=any" in lines
    assert "IPAddressAllow=192.168.1.5 192.168.1.20 224.0.0.251 fd00::7" in lines
    assert lines.index("RestrictAddressFamilies=") < lines.index("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6")
    assert "SocketBindDeny=any" in lines and "SocketBindAllow=tcp:10701" in lines and "SocketBindAllow=udp:5353" in lines


def test_public_servers_are_refused_unless_forced() -> None:
    with pytest.raises(ConfigError, match="tts.uri.*not on the home network"):
        settings({"tts": {"uri": "tcp://203.0.113.9:10200"}})
    with pytest.raises(ConfigError, match="satellite.allow"):
        settings({"satellite": {"enabled": True, "allow": "198.51.100.1"}})
    forced = settings({"tts": {"uri": "tcp://203.0.113.9:10200"}, "network": {"allow_public": True}})
    assert "IPAddressAllow=203.0.113.9" in (dropin_text(forced) or "")


@pytest.mark.parametrize(("section", "data"), [
    ("asr", {"remote_timeout_s": 0}), ("tts", {"remote_timeout_s": 100}), ("network", {"connect_timeout_s": 0}),
    ("satellite", {"enabled": True, "allow": "ha.local"}), ("persona", {"uri": "tcp://x:1"}),
])
def test_bad_remote_settings_name_their_key(section: str, data: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError, match=section):
        settings({section: data})


def record(**kw: object) -> ConsentRecord:
    return new_record(persona_name="Nan", authorised_by="Ada", relationship="grandchild", status="deceased",
                      audience=["household"], valid_until=None, owner_is_adult=True, bundle_id="b1",
                      now=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc), **kw)  # type: ignore[arg-type]


def test_home_server_permission_defaults_to_no_and_old_signatures_still_verify() -> None:
    key = Ed25519PrivateKey.generate()
    old = sign(record(), key)
    assert old.home_server is False
    legacy = old.to_json().replace(', "home_server": false', "").replace('"home_server": false, ', "")
    assert "home_server" not in legacy
    assert verify(ConsentRecord.from_json(legacy))  # a record signed before the field existed


def test_home_server_permission_is_signed() -> None:
    key = Ed25519PrivateKey.generate()
    allowed = sign(record(home_server=True), key)
    assert verify(allowed) and allowed.home_server
    tampered = ConsentRecord.from_json(sign(record(), key).to_json().replace('"home_server": false', '"home_server": true'))
    assert tampered.home_server and not verify(tampered)  # nobody can grant it after signing


def test_persona_create_records_home_server_permission_only_when_asked(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io

    from companion.cli import main
    from companion.consent import ConsentError
    from companion.ethics.home_server import check_home_server_allowed
    from companion.persona.bundle.store import Bundle

    monkeypatch.setattr("sys.stdin", io.StringIO())  # not a terminal
    key = tmp_path / "key"
    key.write_text("family passphrase\n")
    for name, extra in (("plain", []), ("allowed", ["--allow-home-server"])):
        assert main(["persona", "create", "Rose", "--dir", str(tmp_path / name), "--status", "living", "--audience",
                     "household", "--adult", "--confirm", "--key-file", str(key), *extra]) == 0
        with Bundle.open(tmp_path / name, b"family passphrase") as bundle:
            assert bundle.check_consent().home_server is bool(extra)
    check_home_server_allowed(tmp_path / "allowed", str(key))
    with pytest.raises(ConsentError, match="home server"):
        check_home_server_allowed(tmp_path / "plain", str(key))
