"""`companion doctor`'s frame checks: a screen, the browser, CJK fonts, the feed and the page.

Plain observations of the system (no import of the frame itself: the voice never depends on
it). On a voice-only device without `install.sh --frame` and without a screen they are skipped.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from .. import feed
from ..config import Settings
from .doctor import Check

FRAME_UNIT = Path("/etc/systemd/system/companion-frame.service")


def connected_displays(drm: Path = Path("/sys/class/drm")) -> list[str]:
    """Connectors (HDMI-A-1, DSI-1, ...) the kernel reports a screen on."""
    names = []
    for status in sorted(drm.glob("card*-*/status")):
        try:
            if status.read_text().strip() == "connected":
                names.append(status.parent.name.split("-", 1)[1])
        except OSError:
            continue
    return names


def read_hello(path: Path, timeout: float = 1.0) -> feed.Hello | None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        line = sock.makefile("rb").readline(feed.MAX_LINE + 1)
    event = feed.decode(line)
    return event if isinstance(event, feed.Hello) else None


def check_display(settings: Settings, *, frame_unit: Path = FRAME_UNIT, drm: Path = Path("/sys/class/drm")) -> Iterator[Check]:
    installed = frame_unit.exists()
    screens = connected_displays(drm)
    if not installed and not screens:
        yield Check("skip", "frame", "no screen and no frame installed (install.sh --frame sets one up)")
        return
    if screens:
        yield Check("ok", "display", f"connected: {', '.join(screens)}")
    else:
        yield Check("fail", "display", "the frame is installed but no screen is connected",
                    "check the HDMI or DSI cable (and its power), then reboot")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    yield (Check("ok", "frame browser", browser) if browser else
           Check("fail", "frame browser", "Chromium is not installed", "run install.sh --frame (apt: chromium)"))
    try:
        fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        fonts = ""
    yield (Check("ok", "frame fonts", "Chinese (CJK) fonts present") if fonts.strip() else
           Check("warn", "frame fonts", "no Chinese (CJK) font: Chinese names and subtitles show as boxes",
                 "apt-get install fonts-noto-cjk (install.sh --frame does)"))
    path = settings.frame.socket_path if settings.frame.socket else Path("/run/companion/frame.sock")
    try:
        hello = read_hello(path)
        yield Check("ok", "frame feed", f"the voice publishes on {path} (state: {hello.state if hello else '?'})")
    except (OSError, feed.FeedError) as exc:
        yield Check("warn", "frame feed", f"no voice service on {path} ({exc})",
                    "is companion running? (systemctl status companion); the frame shows 'not running' meanwhile")
    if installed:
        url = f"http://127.0.0.1:{settings.frame.port}/view"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(url, timeout=3) as response:
                view = json.loads(response.read())
            yield Check("ok", "frame page", f"{url}: {view.get('display_name')!r}, state {view.get('state')}, "
                                            f"{len(view.get('photos', []))} photos")
        except (OSError, ValueError) as exc:
            yield Check("fail", "frame page", f"{url} does not answer ({exc})",
                        "systemctl status companion-frame; journalctl -u companion-frame")
