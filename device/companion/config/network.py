"""Settings for the home server (Wyoming) and Home Assistant: the only reasons the device uses a network.

Every remote stage is off by default. A remote address must be an IP address on the home network
(the systemd drop-in allows exactly those addresses); a public address is refused unless
``allow_public`` says the owner really means it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..remote.link import parse_host, parse_uri
from .check import check


@dataclass(frozen=True)
class NetworkSettings:
    """How remote stages behave when their server is slow or gone."""

    connect_timeout_s: float = 0.5
    """Give up connecting to a home server after this long, and use the local model."""
    retry_after_s: float = 30.0
    """After a failure, use the local model this long before trying the server again."""
    allow_public: bool = False
    """Allow remote stages on addresses outside the home network (Wyoming is unencrypted: see README)."""

    def validate(self, where: str) -> None:
        check(0.05 <= self.connect_timeout_s <= 10.0, f"{where}.connect_timeout_s", "must be 0.05-10 s")
        check(0.0 <= self.retry_after_s <= 3600.0, f"{where}.retry_after_s", "must be 0-3600 s")


@dataclass(frozen=True)
class SatelliteSettings:
    """The device as a Home Assistant voice satellite (Wyoming)."""

    enabled: bool = False
    """Serve Home Assistant's Wyoming integration (`companion satellite`, or the service when enabled)."""
    uri: str = "tcp://0.0.0.0:10701"
    """Where the satellite listens; Home Assistant connects here."""
    name: str = "companion"
    """The name Home Assistant shows, and the zeroconf service name."""
    zeroconf: bool = False
    """Advertise the satellite as _wyoming._tcp so Home Assistant discovers it."""
    allow: str = ""
    """Home Assistant's IP address(es), separated by spaces: the only hosts the service's firewall lets connect."""

    def validate(self, where: str) -> None:
        check(bool(self.name.strip()), f"{where}.name", "cannot be empty")
        if self.enabled:
            parse_uri(self.uri, f"{where}.uri", listen=True)
        for address in self.allow.split():
            parse_host(address, f"{where}.allow")

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        return tuple(self.allow.split())
