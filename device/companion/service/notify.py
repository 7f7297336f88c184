"""Talking to systemd: sd_notify (READY, WATCHDOG, STATUS) and journal-friendly log lines.

Implemented with the standard library only (an AF_UNIX datagram to ``$NOTIFY_SOCKET``), so the
device runtime needs no libsystemd binding. Outside systemd every call is a cheap no-op: the same
code runs from a terminal, under pytest and as a service.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


def _socket_address(value: str) -> str | bytes:
    """``$NOTIFY_SOCKET`` as a connect() address; a leading '@' is Linux's abstract namespace."""
    if value.startswith("@"):
        return b"\0" + value[1:].encode()
    return value


class Notifier:
    """Sends sd_notify messages; a no-op unless ``$NOTIFY_SOCKET`` names a socket.

    ``watchdog_interval`` is half of ``WatchdogSec=`` (systemd's advice for the keep-alive
    period), or None when the unit has no watchdog for this process.
    """

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self._address = _socket_address(env["NOTIFY_SOCKET"]) if env.get("NOTIFY_SOCKET") else None
        self.watchdog_interval = _watchdog_interval(env)
        self._last_status = ""
        self._sock: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return self._address is not None

    def send(self, **fields: str | int) -> bool:
        """Send ``KEY=value`` lines (e.g. ``READY=1``); False when not under systemd or on error.

        Never raises: a lost notification must not take the voice loop down.
        """
        if self._address is None:
            return False
        message = "\n".join(f"{key}={value}" for key, value in fields.items()).encode()
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto(message, self._address)
        except OSError as exc:
            logger.warning("sd_notify failed: %s", exc)
            return False
        return True

    def ready(self, status: str = "idle") -> bool:
        self._last_status = status
        return self.send(READY=1, STATUS=status)

    def status(self, status: str) -> bool:
        """STATUS= for `systemctl status`; repeated identical states are sent once."""
        if status == self._last_status:
            return False
        self._last_status = status
        return self.send(STATUS=status)

    def stopping(self) -> bool:
        return self.send(STOPPING=1, STATUS="stopping")

    def watchdog(self) -> bool:
        return self.send(WATCHDOG=1)

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _watchdog_interval(env: dict[str, str] | os._Environ[str]) -> float | None:
    """Half of ``$WATCHDOG_USEC`` in seconds, if the watchdog is meant for this process."""
    usec = env.get("WATCHDOG_USEC")
    if not usec:
        return None
    try:
        value = int(usec)
        pid = int(env.get("WATCHDOG_PID") or os.getpid())
    except ValueError:
        return None
    if pid != os.getpid():
        return None
    return value / 2e6 if value > 0 else None


async def keep_alive(notifier: Notifier, is_healthy: Callable[[], bool], interval: float,
                     sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
    """Send WATCHDOG=1 every ``interval`` seconds from the event loop while ``is_healthy()``.

    Running on the loop itself is the point: if the loop blocks or the main loop stops making
    progress, the pings stop and systemd restarts the service. The microphone plays no part in
    ``is_healthy`` (an unplugged mic is handled by the supervisor, not by a restart).
    ``sleep`` is the wait between pings (a test passes one that moves its own clock).
    """
    warned = False
    while True:
        if is_healthy():
            notifier.watchdog()
            warned = False
        elif not warned:
            logger.error("the main loop stopped making progress; withholding the watchdog keep-alive")
            warned = True
        await sleep(interval)


class Heartbeat:
    """The main loop's last sign of life (monotonic time), checked by the watchdog."""

    def __init__(self, max_age_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age_s = max_age_s
        self._clock = clock
        self._last = clock()

    def beat(self) -> None:
        self._last = self._clock()

    @property
    def age(self) -> float:
        return self._clock() - self._last

    def healthy(self) -> bool:
        return self.age <= self.max_age_s


def under_journal(stream: object = None) -> bool:
    """True when ``stream`` (default stderr) is connected to the journal ($JOURNAL_STREAM)."""
    value = os.environ.get("JOURNAL_STREAM", "")
    if ":" not in value:
        return False
    stream = sys.stderr if stream is None else stream
    try:
        st = os.fstat(stream.fileno())  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError):
        return False
    device, _, inode = value.partition(":")
    return device == str(st.st_dev) and inode == str(st.st_ino)


_PRIORITY = {logging.CRITICAL: 2, logging.ERROR: 3, logging.WARNING: 4, logging.INFO: 6, logging.DEBUG: 7}


class JournalFormatter(logging.Formatter):
    """``<N>name: message``: journald reads the <N> as the priority and adds the timestamp."""

    def format(self, record: logging.LogRecord) -> str:
        priority = _PRIORITY.get(record.levelno, 6 if record.levelno < logging.WARNING else 3)
        text = super().format(record).replace("\n", " | ")
        return f"<{priority}>{record.name}: {text}"


def log_formatter() -> logging.Formatter:
    """Journal lines under systemd, timestamped lines in a terminal."""
    if under_journal():
        return JournalFormatter("%(message)s")
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
