"""Zeroconf: the satellite is discoverable as _wyoming._tcp when enabled, and silent otherwise."""

from __future__ import annotations

import asyncio

import pytest

from companion.homeserver.advertise import SERVICE_TYPE, Advertiser, advertiser_for, local_address

pytestmark = pytest.mark.integration


async def look_for(name: str, address: str, timeout_ms: int) -> object:
    from zeroconf.asyncio import AsyncZeroconf

    zc = AsyncZeroconf(interfaces=[address])
    try:
        return await zc.async_get_service_info(SERVICE_TYPE, f"{name}.{SERVICE_TYPE}", timeout=timeout_ms)
    finally:
        await zc.async_close()


def test_advertised_only_when_enabled() -> None:
    assert advertiser_for(False, "kitchen", 10701) is None
    enabled = advertiser_for(True, "kitchen", 10701)
    assert enabled is not None and enabled.port == 10701


def test_home_assistant_can_discover_the_satellite() -> None:
    address = local_address()

    async def run() -> tuple[object, object]:
        advertiser = Advertiser("companion-zc-test", 10701, address=address)
        before = await look_for("companion-zc-test", address, 1500)
        await advertiser.register()
        try:
            found = await look_for("companion-zc-test", address, 5000)
        finally:
            await advertiser.unregister()
        return before, found

    before, found = asyncio.run(run())
    assert before is None  # nothing answers for a satellite that is not advertised
    assert found is not None and found.port == 10701 and found.parsed_addresses() == [address]  # type: ignore[attr-defined]
