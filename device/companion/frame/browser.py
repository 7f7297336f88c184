"""How the frame's browser is started: Debian's / Pi OS's Chromium, one command line in one place.

The kiosk (install.sh --frame), the benchmark and the tests all start Chromium through this, so
what is measured and tested is what runs on the shelf. Nothing is fetched: no sync, no component
updates, no background networking, no QUIC, a fresh profile; the page itself is on 127.0.0.1.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import CompanionError

QUIET_FLAGS = (
    "--no-first-run",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-translate",
    "--noerrdialogs",
    "--disable-session-crashed-bubble",
    "--password-store=basic",
    "--disk-cache-size=1",
)
"""No network of its own, and (with the page's no-store) no photo in a disk cache."""


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise CompanionError("Chromium is not installed", hint="install it with: apt-get install chromium (install.sh --frame does)")


def chromium_command(
    url: str,
    *,
    user_data_dir: Path,
    size: tuple[int, int],
    mode: str = "kiosk",
    debug_port: int | None = None,
) -> list[str]:
    """``mode``: "kiosk" (a full-screen window: the device, or Xvfb) or "headless" (tests, no display).

    Headless and test runs add --no-sandbox (root in a container has no user namespaces) and
    --disable-gpu (no GPU here); the kiosk on a Pi keeps both the sandbox and the GPU.
    """
    command = [find_chromium(), *QUIET_FLAGS, f"--user-data-dir={user_data_dir}", f"--window-size={size[0]},{size[1]}"]
    if mode == "headless":
        command += ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio"]
    elif mode == "xvfb":
        command += ["--kiosk", "--no-sandbox", "--disable-gpu", "--window-position=0,0", "--mute-audio"]
    elif mode == "kiosk":
        command += ["--kiosk", "--ozone-platform=wayland", "--incognito"]
    else:  # pragma: no cover - programming error
        raise ValueError(mode)
    if debug_port is not None:
        command += [f"--remote-debugging-port={debug_port}", "--remote-allow-origins=http://127.0.0.1"]
    return [*command, url]
