"""The frame's page server in-process: only 127.0.0.1 by name, the touch needs the page's token,
no photo may be cached, nothing from elsewhere may load, and a press reaches the voice's socket."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import aiohttp

from companion import feed
from companion.config import Settings
from companion.frame.bench import free_port, make_bundle, make_png
from companion.frame.server import Frame
from companion.service.publisher import FramePublisher


def test_headers_host_check_token_and_press(tmp_path: Path) -> None:
    secret = b"family passphrase"
    key = tmp_path / "key"
    key.write_bytes(secret)
    bundle = make_bundle(tmp_path / "rose", secret, name="Rose",
                         photos=[("lake.png", make_png(16, 16, (10, 20, 30)), "At the lake")])
    base = Settings()
    settings = replace(base, persona=replace(base.persona, dir=str(bundle), key_file=str(key)),
                       frame=replace(base.frame, socket=str(tmp_path / "feed.sock"), group="", port=free_port()),
                       ethics=replace(base.ethics, log_dir=str(tmp_path / "state")))
    presses: list[int] = []

    async def main() -> None:
        press_seen = asyncio.Event()

        def on_press() -> None:  # called on the event loop, as the publisher reads the command
            presses.append(1)
            press_seen.set()

        publisher = FramePublisher(settings.frame, persona=feed.Persona("Rose"), on_press=on_press)
        frame = Frame(settings)
        await frame.start()
        url = f"http://127.0.0.1:{frame.port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(url + "/") as page:
                html = await page.text()
                assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
                assert frame.token in html and "http" not in html.replace(url, "")  # nothing from elsewhere
            async with http.get(url + "/view") as view:
                shown = await view.json()
            assert shown["display_name"] == "Rose" and shown["photos"] == [{"id": 1, "caption": "At the lake"}]
            async with http.get(url + "/photo/1") as photo:
                assert photo.headers["Cache-Control"] == "no-store" and (await photo.read()).startswith(b"\x89PNG")
            async with http.get(url + "/photo/2") as missing:
                assert missing.status == 404
            async with http.get(url + "/view", headers={"Host": f"evil.example:{frame.port}"}) as rebound:
                assert rebound.status == 421  # a page elsewhere that rebinds its name to 127.0.0.1 gets nothing
            async with http.post(url + "/press") as no_token:
                assert no_token.status == 403
            async with http.post(url + "/press", headers={"X-Frame-Token": frame.token}) as no_voice:
                assert no_voice.status == 503  # the voice is not running: said, not silently dropped
            await publisher.start()
            for _ in range(100):  # the client's connection state: no event to await, checked often
                if frame.client.connected:
                    break
                await asyncio.sleep(0.1)
            async with http.post(url + "/press", headers={"X-Frame-Token": frame.token}) as pressed:
                assert pressed.status == 200
            await asyncio.wait_for(press_seen.wait(), 5)
        await frame.stop()
        await publisher.close()

    asyncio.run(main())
    assert presses == [1]
