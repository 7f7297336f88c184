"""Zeroconf (mDNS) advertisement of the satellite as ``_wyoming._tcp``, only when enabled.

Home Assistant discovers Wyoming services by this type. The address advertised is the one the
device would use to reach the home network (found with an unsent UDP "connect", no packets),
and zeroconf is bound to that interface only, so it needs no netlink socket under systemd.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from ..remote.link import MDNS_GROUP

logger = logging.getLogger(__name__)

SERVICE_TYPE = "_wyoming._tcp.local."


def local_address() -> str:
    """The IPv4 address of the interface that routes to the mDNS group (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect((MDNS_GROUP, 5353))
        return str(sock.getsockname()[0])


class Advertiser:
    """Registers and unregisters one ``_wyoming._tcp`` service."""

    def __init__(self, name: str, port: int, *, address: str | None = None) -> None:
        self.name = name
        self.port = port
        self.address = address or local_address()
        self._zc: Any = None
        self._info: Any = None

    def service_info(self) -> Any:
        from zeroconf.asyncio import AsyncServiceInfo

        return AsyncServiceInfo(SERVICE_TYPE, f"{self.name}.{SERVICE_TYPE}", port=self.port,
                                addresses=[socket.inet_aton(self.address)], properties={"companion": "satellite"})

    async def register(self) -> None:
        from zeroconf.asyncio import AsyncZeroconf

        self._info = self.service_info()
        self._zc = AsyncZeroconf(interfaces=[self.address])
        await self._zc.async_register_service(self._info)
        logger.warning("advertising %r as %s on %s:%d", self.name, SERVICE_TYPE, self.address, self.port)

    async def unregister(self) -> None:
        if self._zc is None:
            return
        try:
            await self._zc.async_unregister_service(self._info)
        finally:
            await self._zc.async_close()
            self._zc = None


def advertiser_for(enabled: bool, name: str, port: int) -> Advertiser | None:
    """The satellite's advertiser when [satellite] zeroconf is on; None (silent on the network) otherwise."""
    return Advertiser(name, port) if enabled else None
