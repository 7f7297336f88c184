"""The memorial frame in Debian's real Chromium, driven through the DevTools protocol.

A real feed publisher (the service's) plays a scripted turn; the real `companion frame` process
serves the page; the checks read the page's DOM (not only that a screenshot exists) at 800x480
and 1920x1080. Also: the frame outlives a restart of the voice service and reconnects; it never
leaves a photo in plaintext on disk; no voice service, no photos and unreadable photos each
show a clear state.

Set COMPANION_FRAME_SHOTS=DIR to keep the screenshots (the README's come from here).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from companion import feed
from companion.config import Settings
from companion.frame.bench import free_port, make_bundle, make_png, wait_http
from companion.service.publisher import FramePublisher
from support.cdp import Browser

pytestmark = pytest.mark.integration

SECRET = b"family passphrase"
MARKER = "companion-frame-plaintext-marker-7f3a9c"
DISCLOSURE = "This is an AI re-creation based on Rose's messages. It is not Rose, and it can be wrong."
SIZES = {"800x480": (800, 480), "1920x1080": (1920, 1080)}

if shutil.which("chromium") is None:  # install.sh --dev installs it: a missing browser is a failure
    pytest.fail("Chromium is not installed; run ./install.sh --dev", pytrace=False)


def shots_dir(tmp_path: Path) -> Path:
    keep = os.environ.get("COMPANION_FRAME_SHOTS")
    folder = Path(keep) if keep else tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@asynccontextmanager
async def frame_process(tmp_path: Path, persona: Path, socket_path: Path, key: Path | None,
                        ) -> AsyncIterator[tuple[subprocess.Popen[bytes], int]]:
    """`companion frame` as its own process, with a home, cache and state of its own under tmp_path."""
    home = tmp_path / "frame-home"
    home.mkdir(exist_ok=True)
    config = tmp_path / "companion.toml"
    config.write_text(f'[ethics]\nlog_dir = "{tmp_path / "state"}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPANION_", "CREDENTIALS_DIRECTORY"))}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / "cache"), XDG_STATE_HOME=str(home / "state"),
               XDG_CONFIG_HOME=str(home / "config"), COMPANION_CONFIG=str(config))
    if key is not None:
        env["COMPANION_PERSONA_KEY_FILE"] = str(key)
    if os.environ.get("COMPANION_CONSENT_DIR"):  # the device's consent key, which signed the test bundles
        env["COMPANION_CONSENT_DIR"] = os.environ["COMPANION_CONSENT_DIR"]
    port = free_port()
    log = tmp_path / "frame.log"
    with log.open("wb") as handle:
        process = subprocess.Popen([sys.executable, "-m", "companion", "-v", "frame", "--persona", str(persona),
                                    "--port", str(port), "--socket", str(socket_path)], env=env, stdout=handle,
                                   stderr=subprocess.STDOUT, cwd=home)
    try:
        await wait_http(port, process, log)
        yield process, port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def publisher(socket_path: Path, *, on_press=lambda: None) -> FramePublisher:  # type: ignore[no-untyped-def]
    settings = replace(Settings().frame, socket=str(socket_path), group="")
    return FramePublisher(settings, persona=feed.Persona("Rose", "en"), on_press=on_press)


@pytest.fixture()
def rose(tmp_path: Path) -> tuple[Path, Path]:
    """A bundle with two good photos and one the browser cannot decode (each carrying MARKER)."""
    key = tmp_path / "key"
    key.write_bytes(SECRET + b"\n")
    photos = [
        ("lake.png", make_png(640, 420, (90, 140, 190), text=MARKER), "At the lake, June 1971"),
        ("garden.png", make_png(420, 640, (120, 170, 90), text=MARKER), "In the garden with the roses"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + MARKER.encode() + bytes(300), "A damaged scan"),
    ]
    return make_bundle(tmp_path / "rose", SECRET, name="Rose", photos=photos), key


def files_containing(root: Path, needle: bytes) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink() and needle in path.read_bytes():
                found.append(path)
        except OSError:
            continue
    return found


async def visible_photo(browser: Browser) -> str:
    await browser.wait_for("(() => { const i = document.querySelector('.photo.shown');"
                           " return i && i.complete && i.naturalWidth > 0 && getComputedStyle(i).opacity === '1'; })()")
    return await browser.text("caption")


async def shows(browser: Browser, state: str) -> None:
    await browser.wait_for(f"document.body.dataset.state === {state!r}")


def test_a_scripted_turn_at_both_sizes_and_touch_to_talk(tmp_path: Path, rose: tuple[Path, Path]) -> None:
    bundle, key = rose
    sock = tmp_path / "run" / "feed.sock"
    shots = shots_dir(tmp_path)
    seen: dict[str, dict[str, str]] = {}

    async def turn(browser: Browser, pub: FramePublisher, size: str) -> None:
        width, height = SIZES[size]
        await browser.set_size(width, height)
        texts: dict[str, str] = {}

        async def shot(name: str) -> None:
            data = await browser.screenshot(shots / f"frame-{name}-{size}.png")
            assert png_size(data) == (width, height)
            texts[name] = await browser.text("state-text")
            # the AI label is on screen, whole, at every moment of the turn
            box = await browser.eval("(() => { const r = document.getElementById('ai-label').getBoundingClientRect();"
                                     " return [r.left, r.top, r.right, r.bottom]; })()")
            assert box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height, box
            assert await browser.text("ai-label") == "AI re-creation"

        pub.state("idle")
        await shows(browser, "idle")
        assert await visible_photo(browser) in ("At the lake, June 1971", "In the garden with the roses")
        assert await browser.text("name") == "Rose"
        await shot("idle")
        pub.state("listening")
        await shows(browser, "listening")
        await shot("listening")
        pub.state("thinking")
        await shows(browser, "thinking")
        await shot("thinking")
        pub.state("speaking")
        pub.say("disclosure", DISCLOSURE)
        await browser.wait_for(f"document.getElementById('subtitle').textContent === {DISCLOSURE!r}")
        await shot("disclosure")
        pub.say("reply", "The lake was always cold in June, and we swam anyway.")
        await browser.wait_for("document.getElementById('subtitle').textContent.startsWith('The lake was always cold')")
        size_px = await browser.eval("parseFloat(getComputedStyle(document.getElementById('subtitle')).fontSize)")
        assert size_px >= 0.06 * min(width, height), size_px  # large subtitles: ~30 px on the 7-inch screen
        await shot("speaking")
        pub.crisis("988", "your sister Anna, 555 0100")
        await browser.wait_for("!document.getElementById('crisis').hidden")
        assert await browser.text("crisis-line") == "988"
        await shot("crisis")
        pub.state("idle")
        await shows(browser, "idle")
        assert await browser.text("subtitle") == ""
        assert await browser.text("crisis-line") == "988"  # until the session ends, not the turn
        pub.publish(feed.SessionEnd())
        await browser.wait_for("document.getElementById('crisis').hidden")
        for state in ("mic-missing", "paused", "goodbye"):
            pub.state(state)
            await shows(browser, state)
            await shot(state)
        pub.state("idle")
        await shows(browser, "idle")
        seen[size] = texts

    async def main() -> None:
        pressed = asyncio.Event()
        pub = publisher(sock, on_press=pressed.set)
        assert await pub.start()
        try:
            async with frame_process(tmp_path, bundle, sock, key) as (_, port):
                async with Browser(f"http://127.0.0.1:{port}/", tmp_path / "profile") as browser:
                    for size in SIZES:
                        await turn(browser, pub, size)
                    await browser.eval("document.getElementById('touch').click()")
                    await asyncio.wait_for(pressed.wait(), 10)  # the touch area is the button
                    # the damaged photo is skipped: only the two good ones ever show
                    captions = set()
                    for _ in range(3):
                        captions.add(await visible_photo(browser))
                        shown = await browser.eval("document.querySelector('.photo.shown').dataset.photoId")
                        await browser.eval("nextSlide()")
                        # the next photo has loaded and taken over (two good ones: always another)
                        await browser.wait_for("(() => { const s = document.querySelectorAll('.photo.shown');"
                                               f" return s.length === 1 && s[0].dataset.photoId !== {shown!r}; }})()")
                    assert captions <= {"At the lake, June 1971", "In the garden with the roses"}
        finally:
            await pub.close()

    asyncio.run(main())
    for size in SIZES:
        assert seen[size] == {"idle": "Touch here or press the button to talk", "listening": "Listening…",
                              "thinking": "Thinking…", "disclosure": "Speaking", "speaking": "Speaking",
                              "crisis": "Speaking", "mic-missing": "The microphone is not connected",
                              "paused": "Paused by the family", "goodbye": "Goodbye has been said"}
    # No photo in plaintext anywhere: the browser profile (cache included), the frame's home, the bundle.
    marker = MARKER.encode()
    assert files_containing(tmp_path, marker) == []
    control = tmp_path / "control"
    control.mkdir()
    (control / "photo.png").write_bytes(make_png(8, 8, (1, 2, 3), text=MARKER))
    assert files_containing(tmp_path, marker) == [control / "photo.png"]  # the search does find a plaintext photo


def test_the_frame_outlives_a_voice_restart_and_reconnects(tmp_path: Path, rose: tuple[Path, Path]) -> None:
    bundle, key = rose
    sock = tmp_path / "run" / "feed.sock"

    async def main() -> None:
        first = publisher(sock)
        await first.start()
        async with frame_process(tmp_path, bundle, sock, key) as (process, port):
            async with Browser(f"http://127.0.0.1:{port}/", tmp_path / "profile") as browser:
                first.state("listening")
                await shows(browser, "listening")
                await first.close()  # the voice service stops (restart, crash, update)
                await shows(browser, "offline")
                assert await browser.text("state-text") == "The voice is not running"
                assert await browser.text("ai-label") == "AI re-creation"
                await visible_photo(browser)  # the slideshow goes on
                assert process.poll() is None
                second = publisher(sock)
                await second.start()
                second.state("speaking")
                second.say("reply", "I am back.")
                await shows(browser, "speaking")
                await browser.wait_for("document.getElementById('subtitle').textContent === 'I am back.'")
                await second.close()
                assert process.poll() is None

    asyncio.run(main())


@pytest.mark.parametrize("case", ["no-voice-no-photos-zh", "unreadable-photos", "plain-folder", "wrong-key"])
def test_clear_states_never_a_blank_screen(tmp_path: Path, case: str) -> None:
    from companion.config import DEMO_PERSONA_DIR

    key = tmp_path / "key"
    key.write_bytes(SECRET)
    if case == "no-voice-no-photos-zh":
        persona = make_bundle(tmp_path / "p", SECRET, name="王秀英", language="zh")
    elif case == "unreadable-photos":
        persona = make_bundle(tmp_path / "p", SECRET, name="Rose", photos=[
            ("a.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "damaged"),  # looks like a PNG, does not decode
            ("b.jpg", b"not a jpeg at all", "mislabelled"),
        ])
    elif case == "plain-folder":
        persona = DEMO_PERSONA_DIR
    else:
        persona = make_bundle(tmp_path / "p", SECRET, name="Rose")
        key.write_bytes(b"not the passphrase")
    sock = tmp_path / "run" / "absent.sock"  # no voice service at all

    async def main() -> dict[str, str]:
        async with frame_process(tmp_path, persona, sock, key) as (process, port):
            async with Browser(f"http://127.0.0.1:{port}/", tmp_path / "profile", size=(1920, 1080)) as browser:
                await browser.set_size(1920, 1080)
                await shows(browser, "offline")
                await browser.wait_for("!document.getElementById('photo-note').hidden")
                result = {name: await browser.text(name) for name in ("name", "ai-label", "state-text", "photo-note")}
                result["cjk_font"] = str(await browser.eval("document.fonts.check('40px \"Noto Sans CJK SC\"', '王秀英')"))
                result["touch_disabled"] = str(await browser.eval("document.getElementById('touch').disabled"))
                await browser.screenshot(shots_dir(tmp_path) / f"frame-{case}-1920x1080.png")
                assert process.poll() is None
                return result

    shown = asyncio.run(main())
    assert shown["touch_disabled"] == "True"  # nothing to talk to: the touch area says so by being off
    assert shown["photo-note"]
    if case == "no-voice-no-photos-zh":
        assert (shown["name"], shown["ai-label"], shown["state-text"]) == ("王秀英", "AI 再现 · 不是本人", "语音服务没有运行")
        assert shown["cjk_font"] == "True"
        assert "add-photo" in shown["photo-note"]
    else:
        assert shown["ai-label"] == "AI re-creation" and shown["state-text"] == "The voice is not running"
        expected = {"unreadable-photos": "cannot be shown", "plain-folder": "No photos yet",
                    "wrong-key": "cannot be opened"}[case]
        assert expected in shown["photo-note"], shown
        assert shown["name"] == {"plain-folder": "Grandpa Walt", "unreadable-photos": "Rose", "wrong-key": "p"}[case]
