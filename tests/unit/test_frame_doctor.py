"""`companion doctor`'s frame checks against a fake /sys/class/drm and a real feed socket."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from companion import feed
from companion.config import Settings
from companion.service.doctor_frame import check_display, connected_displays
from companion.service.publisher import FramePublisher


def drm(tmp_path: Path, **connectors: str) -> Path:
    root = tmp_path / "drm"
    for name, status in connectors.items():
        (root / f"card1-{name}").mkdir(parents=True)
        (root / f"card1-{name}" / "status").write_text(status + "\n")
    root.mkdir(exist_ok=True)
    return root


def test_connected_screens_are_found(tmp_path: Path) -> None:
    assert connected_displays(drm(tmp_path, **{"HDMI-A-1": "connected", "HDMI-A-2": "disconnected", "DSI-1": "connected"})) == ["DSI-1", "HDMI-A-1"]


def test_a_voice_only_device_skips_the_frame(tmp_path: Path) -> None:
    checks = list(check_display(Settings(), frame_unit=tmp_path / "none", drm=drm(tmp_path)))
    assert [c.status for c in checks] == ["skip"]


def test_an_installed_frame_without_a_screen_fails_and_the_feed_is_read(tmp_path: Path) -> None:
    unit = tmp_path / "companion-frame.service"
    unit.write_text("")
    settings = replace(Settings(), frame=replace(Settings().frame, socket=str(tmp_path / "feed.sock"), group="", port=1))

    async def main() -> list:  # type: ignore[type-arg]
        publisher = FramePublisher(settings.frame, persona=feed.Persona("Rose"))
        await publisher.start()
        publisher.state("listening")
        checks = await asyncio.to_thread(lambda: list(check_display(settings, frame_unit=unit, drm=drm(tmp_path))))
        await publisher.close()
        return checks

    checks = {c.name: c for c in asyncio.run(main())}
    assert checks["display"].status == "fail" and "no screen" in checks["display"].detail
    assert checks["frame feed"].status == "ok" and "listening" in checks["frame feed"].detail
    assert checks["frame browser"].status == "ok" and checks["frame fonts"].status == "ok"
    assert checks["frame page"].status == "fail"  # nothing serves the page on port 1
