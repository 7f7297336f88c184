"""Home-server addresses, deadlines and the fall-back rule (remote/link.py, fallback.py)."""

from __future__ import annotations

import logging
import socket
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.errors import ConfigError
from companion.remote.fallback import RemoteStage
from companion.remote.link import Connection, RemoteError, RemoteHealth, check_home, parse_uri


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(("text", "host", "port"), [
    ("tcp://192.168.1.20:10300", "192.168.1.20", 10300),
    ("tcp://localhost:10200", "127.0.0.1", 10200),
    ("tcp://[fd00::5]:10700", "fd00::5", 10700),
    (" tcp://10.0.0.2:1/ ", "10.0.0.2", 1),
])
def test_good_uris(text: str, host: str, port: int) -> None:
    uri = parse_uri(text, "asr.uri")
    assert (uri.host, uri.port) == (host, port) and uri.is_home


@pytest.mark.parametrize("text", ["", "192.168.1.2:10300", "http://192.168.1.2:10300", "tcp://192.168.1.2",
                                  "tcp://192.168.1.2:0", "tcp://192.168.1.2:99999", "tcp://nas.local:10300",
                                  "tcp://0.0.0.0:10300", "tcp://192.168.1.2:10300/path", "unix:///run/x.sock"])
def test_bad_uris_say_which_setting(text: str) -> None:
    with pytest.raises(ConfigError, match="asr.uri"):
        parse_uri(text, "asr.uri")


def test_listening_on_any_interface_is_allowed_for_servers() -> None:
    assert parse_uri("tcp://0.0.0.0:10700", "--uri", listen=True).address.is_unspecified


@given(st.text(max_size=60))
def test_the_parser_only_ever_answers_a_uri_or_a_config_error(text: str) -> None:
    try:
        uri = parse_uri(text, "k")
    except ConfigError:
        return
    assert str(parse_uri(str(uri), "k")) == str(uri)  # round trip


def test_public_addresses_need_the_owners_say_so() -> None:
    public = parse_uri("tcp://8.8.8.8:10300", "asr.uri")
    with pytest.raises(ConfigError, match="not on the home network"):
        check_home(public, "asr.uri", allow_public=False)
    check_home(public, "asr.uri", allow_public=True)
    for home in ("10.1.2.3", "172.16.0.9", "192.168.0.1", "127.0.0.1", "169.254.3.4", "fd12::1"):
        check_home(parse_uri(f"tcp://[{home}]:1" if ":" in home else f"tcp://{home}:1", "k"), "k", allow_public=False)


def test_health_backs_off_and_logs_once_each_way(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    health = RemoteHealth("asr", parse_uri("tcp://192.168.1.2:1", "k"), retry_after_s=30, clock=clock)
    caplog.set_level(logging.DEBUG, logger="companion.remote.link")
    assert health.should_try()
    health.failed(RemoteError("refused"))
    health.failed(RemoteError("refused again"))
    assert not health.should_try()
    clock.now += 29.9
    assert not health.should_try()
    clock.now += 0.2
    assert health.should_try()
    health.succeeded()
    health.succeeded()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2 and "unusable" in warnings[0] and "back" in warnings[1]


def test_a_failing_server_hands_over_to_the_local_model() -> None:
    clock = Clock()
    stage = RemoteStage("tts", parse_uri("tcp://192.168.1.2:1", "k"), timeout_s=1, connect_timeout_s=0.1,
                        retry_after_s=10, clock=clock)
    calls: list[str] = []

    def remote() -> str:
        calls.append("remote")
        raise RemoteError("gone")

    assert stage.run(remote, lambda: "local") == "local"
    assert stage.run(remote, lambda: "local") == "local"  # backing off: not tried again
    assert calls == ["remote"] and stage.stats.local == 2 and len(stage.stats.fallback_s) == 1
    clock.now += 11
    assert stage.run(lambda: "remote", lambda: "local") == "remote" and stage.stats.remote == 1


def test_a_silent_server_meets_the_deadline() -> None:
    """A real socket that accepts and never answers: the read gives up at the deadline."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        uri = parse_uri(f"tcp://127.0.0.1:{server.getsockname()[1]}", "k")
        t0 = time.monotonic()
        with Connection(uri, connect_timeout=1.0, deadline=time.monotonic() + 0.3) as conn:
            with pytest.raises(RemoteError, match="too long"):
                conn.receive()
        assert 0.25 < time.monotonic() - t0 < 2.0


def test_a_server_that_hangs_up_is_an_error_not_a_hang() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        threading.Thread(target=lambda: server.accept()[0].close(), daemon=True).start()
        uri = parse_uri(f"tcp://127.0.0.1:{server.getsockname()[1]}", "k")
        with Connection(uri, connect_timeout=1.0, deadline=time.monotonic() + 5) as conn:
            with pytest.raises(RemoteError, match="closed|broke off"):
                conn.receive()


def test_nobody_listening_is_a_remote_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RemoteError, match="cannot connect"):
        Connection(parse_uri(f"tcp://127.0.0.1:{port}", "k"), connect_timeout=0.5, deadline=time.monotonic() + 1)
