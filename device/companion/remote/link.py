"""One blocking Wyoming connection to a home server, with a deadline, and the rules for its address.

Stages call their interfaces from worker threads, so the remote adapters use plain sockets with
the ``wyoming`` library's own event framing (``read_event``/``write_event``) rather than an
event loop per call. Every read has a deadline: a slow or vanished server is a ``RemoteError``,
which the adapter answers by using the local model.

Addresses: a remote stage must name an IP address (the systemd drop-in allows exactly those;
a host name would need DNS and could move), on the home network unless the owner allows public
addresses explicitly, because Wyoming carries words and voice unencrypted.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, cast
from urllib.parse import urlparse

from ..errors import ConfigError

if TYPE_CHECKING:
    from wyoming.event import Event

logger = logging.getLogger(__name__)


HOME_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
    "::1/128", "fc00::/7", "fe80::/10"))
"""What counts as the home network. Not ``is_private``: that also covers documentation and
other reserved ranges that are not a house's own network."""

MDNS_GROUP = "224.0.0.251"
"""The multicast group zeroconf (mDNS) speaks on: the satellite's advertisement, and its drop-in."""


class RemoteError(Exception):
    """The home server could not be reached, broke off, answered wrongly or too late."""


@dataclass(frozen=True)
class WyomingUri:
    host: str
    port: int

    @property
    def address(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        return ipaddress.ip_address(self.host)

    @property
    def is_home(self) -> bool:
        """Loopback, private (RFC 1918, ULA) or link-local: inside the house."""
        address = self.address
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in HOME_NETWORKS if network.version == address.version)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port}"


def parse_host(text: str, key: str) -> str:
    """An IP address (``localhost`` is 127.0.0.1); ConfigError naming ``key`` otherwise."""
    host = text.strip().strip("[]")
    if host == "localhost":
        return "127.0.0.1"
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        raise ConfigError(f"setting {key}: {text!r} is not an IP address",
                          hint="give the home server's IP address (reserve it in your router); the service's "
                               "firewall allows addresses, not names") from None


def parse_uri(text: str, key: str, *, listen: bool = False) -> WyomingUri:
    """``tcp://ADDRESS:PORT``; ``listen`` allows 0.0.0.0 / :: (any interface)."""
    parsed = urlparse(text.strip())
    if parsed.scheme != "tcp" or not parsed.hostname or parsed.path not in ("", "/"):
        raise ConfigError(f"setting {key}: {text!r} is not a tcp://ADDRESS:PORT uri",
                          hint='write it like "tcp://192.168.1.20:10300"')
    try:
        port = parsed.port
    except ValueError:
        port = None
    if port is None or not 1 <= port <= 65535:
        raise ConfigError(f"setting {key}: {text!r} needs a port (1-65535)", hint='e.g. "tcp://192.168.1.20:10300"')
    uri = WyomingUri(parse_host(parsed.hostname, key), port)
    if uri.address.is_unspecified and not listen:
        raise ConfigError(f"setting {key}: {text!r} names no host", hint="give the home server's IP address")
    return uri


def host_uri(text: str, key: str) -> WyomingUri:
    """A bare address (as in ``[satellite] allow``) as a uri, for the same checks."""
    return WyomingUri(parse_host(text, key), 1)


def check_home(uri: WyomingUri, key: str, *, allow_public: bool) -> None:
    """Refuse an address outside the home network unless the owner forced it."""
    if not uri.is_home and not uri.address.is_unspecified and not allow_public:
        raise ConfigError(f"setting {key}: {uri.host} is not on the home network",
                          hint="Wyoming is unencrypted: use a home server on your own network, or set "
                               "[network] allow_public = true if you really mean it (see README)")


class Connection:
    """A Wyoming TCP connection with one deadline for the whole exchange."""

    def __init__(self, uri: WyomingUri, *, connect_timeout: float, deadline: float) -> None:
        self.deadline = deadline
        try:
            self._sock = socket.create_connection((uri.host, uri.port), timeout=min(connect_timeout, self._left()))
        except OSError as exc:
            raise RemoteError(f"cannot connect to {uri}: {exc.strerror or exc}") from None
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._file = cast("BinaryIO", self._sock.makefile("rwb"))  # a buffered pair is a binary stream
        self.uri = uri

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise RemoteError("the home server took too long")
        return left

    def send(self, *events: Event) -> None:
        from wyoming.event import write_event

        try:
            self._sock.settimeout(self._left())
            for event in events:
                write_event(event, self._file)
        except OSError as exc:
            raise RemoteError(f"{self.uri} broke off: {exc.strerror or exc}") from None

    def receive(self) -> Event:
        from wyoming.event import read_event

        try:
            self._sock.settimeout(self._left())
            event = read_event(self._file)
        except (OSError, TimeoutError) as exc:
            if isinstance(exc, TimeoutError) or "timed out" in str(exc):
                raise RemoteError(f"{self.uri} took too long") from None
            raise RemoteError(f"{self.uri} broke off: {exc.strerror or exc}") from None
        if event is None:
            raise RemoteError(f"{self.uri} closed the connection")
        if event.type == "error":
            raise RemoteError(f"{self.uri} reported an error: {event.data.get('text', '')}")
        return event

    def close(self) -> None:
        for closer in (self._file.close, self._sock.close):
            try:
                closer()
            except OSError:
                pass

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RemoteHealth:
    """Whether to try the server now; one log line when it fails and one when it is back.

    After a failure the local model answers for ``retry_after_s`` without trying again, so a
    dead server costs its connect timeout once, not on every turn.
    """

    def __init__(self, stage: str, uri: WyomingUri, *, retry_after_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stage = stage
        self.uri = uri
        self.retry_after_s = retry_after_s
        self._clock = clock
        self._down_until: float | None = None
        self._lock = threading.Lock()
        self.failures = 0
        self.last_error = ""

    def should_try(self) -> bool:
        with self._lock:
            return self._down_until is None or self._clock() >= self._down_until

    def failed(self, error: Exception) -> None:
        with self._lock:
            first = self._down_until is None
            self._down_until = self._clock() + self.retry_after_s
            self.failures += 1
            self.last_error = str(error)
        if first:
            logger.warning("%s: home server %s unusable (%s); using the local model, retrying in %.0f s",
                           self.stage, self.uri, error, self.retry_after_s)
        else:
            logger.debug("%s: home server %s still unusable (%s)", self.stage, self.uri, error)

    def succeeded(self) -> None:
        with self._lock:
            was_down = self._down_until is not None
            self._down_until = None
        if was_down:
            logger.warning("%s: home server %s is back", self.stage, self.uri)


def probe(uri: WyomingUri, *, timeout_s: float) -> dict[str, Any]:
    """Ask the server to describe itself (``describe`` -> ``info``); RemoteError if it cannot."""
    from wyoming.info import Describe, Info

    with Connection(uri, connect_timeout=timeout_s, deadline=time.monotonic() + timeout_s) as conn:
        conn.send(Describe().event())
        while True:
            event = conn.receive()
            if Info.is_type(event.type):
                return dict(event.data)

