"""Settings for the memorial frame and the event feed the voice service publishes for it (``[frame]``)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .check import check

_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
NIGHT_MODES = ("dim", "off", "none")


@dataclass(frozen=True)
class FrameSettings:
    """The frame is a listener: the voice service only publishes; a slow or absent frame is dropped."""

    enabled: bool = True
    """Publish state and subtitles on the feed socket (costs nothing without a reader)."""
    socket: str = ""
    """The feed's Unix socket; "" means $RUNTIME_DIRECTORY/frame.sock under systemd, else
    $XDG_RUNTIME_DIR/companion/frame.sock, else /tmp/companion-<uid>/frame.sock."""
    group: str = "companion-frame"
    """Group given read/write access to the socket (the frame's user is a member); "" = owner only."""
    show_heard: bool = False
    """Privacy: also show what was heard (the listener's own words) as a subtitle; off by default."""
    port: int = 8787
    """The frame's page is served on 127.0.0.1 at this port (never on another address)."""
    slide_s: float = 20.0
    """Seconds each photo stays up in the slideshow."""
    night_mode: str = "dim"
    """At night: "dim" the page, turn the screen "off" (black page; the kiosk blanks it), or "none"."""
    night_start: str = "22:00"
    """Local time the night begins (HH:MM)."""
    night_end: str = "07:00"
    """Local time the night ends (HH:MM)."""

    def validate(self, where: str) -> None:
        check(1024 <= self.port <= 65535, f"{where}.port", "must be 1024-65535")
        check(3.0 <= self.slide_s <= 3600.0, f"{where}.slide_s", "must be 3-3600 s")
        check(self.night_mode in NIGHT_MODES, f"{where}.night_mode", 'must be "dim", "off" or "none"')
        check(bool(_CLOCK.match(self.night_start)), f"{where}.night_start", "must be HH:MM (24-hour)")
        check(bool(_CLOCK.match(self.night_end)), f"{where}.night_end", "must be HH:MM (24-hour)")
        check(len(self.socket) < 100, f"{where}.socket", "must be shorter than 100 characters (a Unix socket path)")

    @property
    def socket_path(self) -> Path:
        if self.socket:
            return Path(self.socket).expanduser()
        if os.environ.get("RUNTIME_DIRECTORY"):
            return Path(os.environ["RUNTIME_DIRECTORY"].split(":")[0]) / "frame.sock"
        if os.environ.get("XDG_RUNTIME_DIR"):
            return Path(os.environ["XDG_RUNTIME_DIR"]) / "companion" / "frame.sock"
        return Path(f"/tmp/companion-{os.getuid()}") / "frame.sock"
