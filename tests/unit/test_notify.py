"""sd_notify against a real AF_UNIX datagram socket (path and abstract namespace)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from pathlib import Path

import pytest

from companion.service.notify import Heartbeat, JournalFormatter, Notifier, keep_alive, under_journal


@pytest.fixture()
def notify_socket(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2)
    yield str(path), sock
    sock.close()


def received(sock: socket.socket) -> dict[str, str]:
    data = sock.recv(4096).decode()
    return dict(line.split("=", 1) for line in data.splitlines())


def test_ready_status_watchdog_reach_the_socket(notify_socket) -> None:  # type: ignore[no-untyped-def]
    path, sock = notify_socket
    notifier = Notifier({"NOTIFY_SOCKET": path})
    assert notifier.enabled
    assert notifier.ready("idle")
    assert received(sock) == {"READY": "1", "STATUS": "idle"}
    assert notifier.status("listening")
    assert received(sock) == {"STATUS": "listening"}
    assert not notifier.status("listening"), "an unchanged status is not sent again"
    assert notifier.watchdog()
    assert received(sock) == {"WATCHDOG": "1"}
    assert notifier.stopping()
    assert received(sock) == {"STOPPING": "1", "STATUS": "stopping"}
    notifier.close()


def test_abstract_namespace_socket() -> None:
    name = f"companion-test-{uuid.uuid4().hex}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(b"\0" + name.encode())
    sock.settimeout(2)
    try:
        notifier = Notifier({"NOTIFY_SOCKET": "@" + name})
        assert notifier.status("reconnecting mic: gone")
        assert received(sock) == {"STATUS": "reconnecting mic: gone"}
    finally:
        sock.close()


def test_no_op_outside_systemd() -> None:
    notifier = Notifier({})
    assert not notifier.enabled
    assert notifier.watchdog_interval is None
    assert not notifier.ready()
    assert not notifier.watchdog()


def test_a_vanished_socket_is_logged_not_raised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone.sock")})
    with caplog.at_level(logging.WARNING):
        assert not notifier.watchdog()
    assert "sd_notify failed" in caplog.text


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"WATCHDOG_USEC": "30000000"}, 15.0),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}, 15.0),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, None),  # meant for another process
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "soon"}, None),
        ({}, None),
    ],
)
def test_watchdog_interval_is_half_of_watchdog_usec(env: dict[str, str], expected: float | None) -> None:
    assert Notifier(env).watchdog_interval == expected


class Stop(Exception):
    """Ends the keep-alive loop in the test."""


def test_keep_alive_follows_the_heartbeat(notify_socket, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    """Pings every interval while the heartbeat is at most max_age_s old; none once it is
    older; again once the loop beats. Time is a fake clock the waits move forward."""
    path, sock = notify_socket
    notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "100000"})
    now = [0.0]
    heartbeat = Heartbeat(max_age_s=0.09, clock=lambda: now[0])
    waits = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds
        if len(waits) == 10:  # t = 0.20: the main loop makes progress again
            heartbeat.beat()
        if len(waits) == 14:  # (a datagram socket queues only 10)
            raise Stop

    with caplog.at_level(logging.ERROR), pytest.raises(Stop):
        asyncio.run(keep_alive(notifier, heartbeat.healthy, 0.02, sleep=sleep))
    sock.settimeout(0.5)  # the datagrams are already queued: this only bounds a missing one
    pings = [received(sock) for _ in range(9)]
    sock.settimeout(0.0)
    with pytest.raises(BlockingIOError):
        sock.recv(4096)
    # Checks at t = 0 .. 0.08 (5, age <= 0.09), none at 0.10 .. 0.18, then 0.20 .. 0.26 (4).
    assert pings == [{"WATCHDOG": "1"}] * 9
    assert waits == [0.02] * 14
    assert caplog.text.count("withholding the watchdog keep-alive") == 1  # said once per stall


def test_journal_detection_matches_stderr_device_and_inode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open(tmp_path / "log", "w") as stream:
        st = os.fstat(stream.fileno())
        monkeypatch.setenv("JOURNAL_STREAM", f"{st.st_dev}:{st.st_ino}")
        assert under_journal(stream)
        monkeypatch.setenv("JOURNAL_STREAM", f"{st.st_dev}:{st.st_ino + 1}")
        assert not under_journal(stream)
    monkeypatch.delenv("JOURNAL_STREAM")
    assert not under_journal()


def test_journal_lines_carry_the_priority_and_no_timestamp() -> None:
    record = logging.LogRecord("companion.x", logging.WARNING, __file__, 1, "mic %s", ("gone",), None)
    assert JournalFormatter("%(message)s").format(record) == "<4>companion.x: mic gone"


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.dictionaries(st.sampled_from(["WATCHDOG_USEC", "WATCHDOG_PID", "NOTIFY_SOCKET"]), st.text(max_size=20)))
def test_any_environment_parses_without_raising(env: dict[str, str]) -> None:
    notifier = Notifier(env)
    interval = notifier.watchdog_interval
    assert interval is None or interval > 0
    assert notifier.enabled == bool(env.get("NOTIFY_SOCKET"))
