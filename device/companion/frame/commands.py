"""`companion frame` (serve the memorial frame's page) and `companion frame bench`."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from dataclasses import replace
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("frame", help="the memorial frame: photos, state and subtitles on a local page (127.0.0.1)")
    p.add_argument("--persona", help="persona folder or bundle (default: the configured one)")
    p.add_argument("--port", type=int, help="port on 127.0.0.1 (default: [frame] port)")
    p.add_argument("--socket", help="the voice service's feed socket (default: [frame] socket)")
    p.set_defaults(func=cmd_frame)
    sub = p.add_subparsers(dest="frame_command")
    b = sub.add_parser("bench", help="CPU and memory of the frame and its browser, idle and speaking (JSON)")
    b.add_argument("--seconds", type=float, default=20.0, help="length of each measured phase (default 20)")
    b.add_argument("--size", default="800x480", help="window size WxH (default 800x480)")
    b.add_argument("--renderer", choices=("chromium-headless", "chromium-xvfb"), default="chromium-xvfb",
                   help="the browser as headless, or as a kiosk window on Xvfb (default)")
    b.set_defaults(func=cmd_bench)
    k = sub.add_parser("kiosk", help="wait for the frame's page, then show it full screen in Chromium (labwc autostart)")
    k.add_argument("--size", default="1920x1080", help="window size before going full screen (default 1920x1080)")
    k.set_defaults(func=cmd_kiosk)


def _settings(args: argparse.Namespace) -> Any:
    """The command's settings with the frame's own options (--socket, --port) in place."""
    from ..config import settings_from_args

    settings = settings_from_args(args)
    frame = settings.frame
    if args.socket:
        frame = replace(frame, socket=str(args.socket))
    if args.port:
        frame = replace(frame, port=args.port)
    return replace(settings, frame=frame)


def cmd_frame(args: argparse.Namespace) -> int:
    from .server import serve

    settings = _settings(args)
    settings.frame.validate("frame")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop=stop)

    asyncio.run(main())
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from ..errors import CompanionError
    from .bench import run_bench

    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        raise CompanionError(f"--size must be WIDTHxHEIGHT, not {args.size!r}") from None
    report = run_bench(seconds=args.seconds, size=(width, height), renderer=args.renderer)
    print(json.dumps(report, indent=2))
    return 0


def cmd_kiosk(args: argparse.Namespace) -> int:
    """Replace this process with the kiosk browser once the frame answers (it starts as its own unit)."""
    import os
    import time
    import urllib.request

    from .browser import chromium_command

    settings = _settings(args)
    url = f"http://127.0.0.1:{settings.frame.port}/"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    delay = 0.5
    while True:
        try:
            with opener.open(url + "view", timeout=5):
                break
        except OSError:
            time.sleep(delay)
            delay = min(5.0, delay * 2)
    width, height = (int(v) for v in args.size.lower().split("x"))
    profile = Path(os.environ.get("XDG_RUNTIME_DIR") or "/tmp") / "companion-frame-kiosk"
    command = chromium_command(url, user_data_dir=profile, size=(width, height), mode="kiosk")
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return
