"""`companion frame bench`: CPU and memory of the running frame, idle and while speaking.

It builds a throw-away persona bundle with three generated photos, starts a real feed publisher,
the real `companion frame` process and the real Chromium (a kiosk window on Xvfb, or headless),
then samples CPU time and unique memory (USS) of the frame process and of every browser process
over ``seconds`` while idle (slideshow only, a new photo every 10 s), and again while a reply is
spoken (a subtitle every 2 s, state changes). CPU is in % of one core: the median and the maximum
of 1-second samples, and the mean over the whole phase (the crossfades are short spikes, so the
mean is the figure to hold against a budget); memory is the median USS, as JSON.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from .. import feed
from ..errors import CompanionError


def make_png(width: int, height: int, rgb: tuple[int, int, int], *, text: str = "") -> bytes:
    """A real PNG (a soft vertical gradient of ``rgb``), optionally with a tEXt marker chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = bytearray()
    for y in range(height):
        shade = 0.55 + 0.45 * y / max(1, height - 1)
        pixel = bytes(min(255, int(c * shade)) for c in rgb)
        rows += b"\x00" + pixel * width
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    if text:
        body += chunk(b"tEXt", b"Comment\x00" + text.encode("latin-1"))
    body += chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def make_bundle(folder: Path, secret: bytes, *, name: str, language: str = "en",
                photos: list[tuple[str, bytes, str]] = ()) -> Path:  # type: ignore[assignment]
    """A consented persona bundle holding ``photos`` (file name, bytes, caption); for benches and tests."""
    from ..consent import new_record
    from ..persona.bundle.maintenance import add_photo
    from ..persona.bundle.store import Bundle, PersonaCard, new_bundle_id

    consent = new_record(persona_name=name, authorised_by="the family", relationship="child", status="deceased",
                         audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=new_bundle_id())
    with Bundle.create(folder, secret, PersonaCard(name, name, language, ("I don't remember.",)), consent) as bundle:
        with tempfile.TemporaryDirectory() as tmp, bundle.transaction():
            for filename, data, caption in photos:
                path = Path(tmp) / filename
                path.write_bytes(data)
                add_photo(bundle, path, caption)
                path.unlink()
    return folder


def _processes(root_pid: int) -> list[Any]:
    import psutil

    try:
        root = psutil.Process(root_pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _sample(groups: dict[str, int], seconds: float) -> dict[str, dict[str, float]]:
    """Median CPU (% of one core) and USS (MB) per group over 1-second windows."""
    import psutil

    cpu: dict[str, list[float]] = {g: [] for g in groups}
    mem: dict[str, list[float]] = {g: [] for g in groups}

    def totals() -> dict[str, tuple[float, float]]:
        out = {}
        for group, pid in groups.items():
            t = m = 0.0
            for proc in _processes(pid):
                try:
                    times = proc.cpu_times()
                    t += times.user + times.system
                    m += proc.memory_full_info().uss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            out[group] = (t, m)
        return out

    previous, t0 = totals(), time.monotonic()
    first, start = previous, t0
    end = t0 + seconds
    while time.monotonic() < end:
        time.sleep(1.0)
        now, t1 = totals(), time.monotonic()
        for group in groups:
            cpu[group].append(100.0 * (now[group][0] - previous[group][0]) / (t1 - t0))
            mem[group].append(now[group][1] / 1e6)
        previous, t0 = now, t1
    span = t0 - start
    return {g: {"cpu_pct_one_core": round(statistics.median(cpu[g]), 2),
                "cpu_pct_mean": round(100.0 * (previous[g][0] - first[g][0]) / span, 2),
                "cpu_pct_max": round(max(cpu[g]), 2), "uss_mb": round(statistics.median(mem[g]), 1)} for g in groups}


def run_bench(*, seconds: float, size: tuple[int, int], renderer: str) -> dict[str, Any]:
    return asyncio.run(_bench(seconds, size, renderer))


async def _bench(seconds: float, size: tuple[int, int], renderer: str) -> dict[str, Any]:
    from ..config import Settings
    from ..service.publisher import FramePublisher
    from .browser import chromium_command

    work = Path(tempfile.mkdtemp(prefix="companion-frame-bench-"))
    processes: list[subprocess.Popen[bytes]] = []
    publisher = None
    try:
        key = work / "key"
        key.write_text("bench passphrase")
        photos = [(f"p{i}.png", make_png(960, 640, rgb), f"Photo {i}") for i, rgb in
                  enumerate([(200, 160, 120), (120, 160, 200), (150, 190, 140)])]
        bundle = make_bundle(work / "persona", b"bench passphrase", name="Walter", photos=photos)
        socket_path = work / "feed.sock"
        settings = Settings()
        frame_settings = replace(settings.frame, socket=str(socket_path), slide_s=10.0)
        publisher = FramePublisher(frame_settings, persona=feed.Persona("Walter", "en"))
        await publisher.start()
        port = free_port()
        env = dict(os.environ, COMPANION_PERSONA_KEY_FILE=str(key), HOME=str(work), XDG_CACHE_HOME=str(work / "cache"),
                   XDG_STATE_HOME=str(work / "state"))
        log = (work / "frame.log").open("wb")
        frame = subprocess.Popen([sys.executable, "-m", "companion", "frame", "--persona", str(bundle), "--port", str(port),
                                  "--socket", str(socket_path)], env=env, stdout=subprocess.DEVNULL, stderr=log)
        processes.append(frame)
        await wait_http(port, frame, work / "frame.log")
        url = f"http://127.0.0.1:{port}/"
        if renderer == "chromium-xvfb":
            if shutil.which("Xvfb") is None:
                raise CompanionError("Xvfb is not installed", hint="apt-get install xvfb (install.sh --dev does)")
            env = dict(env, DISPLAY=start_xvfb(size, processes))
            mode = "xvfb"
        else:
            mode = "headless"
        browser = subprocess.Popen(chromium_command(url, user_data_dir=work / "profile", size=size, mode=mode),
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(browser)
        await asyncio.sleep(8.0)  # start-up, first photo, first crossfade
        groups = {"frame_server": frame.pid, "browser": browser.pid}
        idle = await asyncio.to_thread(_sample, groups, seconds)
        speaking_task = asyncio.get_running_loop().create_task(_speak(publisher, seconds))
        speaking = await asyncio.to_thread(_sample, groups, seconds)
        await speaking_task
        return {
            "renderer": renderer, "size": f"{size[0]}x{size[1]}", "seconds_per_phase": seconds, "cpus": os.cpu_count(),
            "idle": idle, "speaking": speaking,
            "idle_total_cpu_pct_mean": round(sum(v["cpu_pct_mean"] for v in idle.values()), 2),
            "speaking_total_cpu_pct_mean": round(sum(v["cpu_pct_mean"] for v in speaking.values()), 2),
            "total_uss_mb": round(sum(v["uss_mb"] for v in speaking.values()), 1),
        }
    finally:
        if publisher is not None:
            await publisher.close()
        for proc in reversed(processes):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)


async def _speak(publisher: Any, seconds: float) -> None:
    """A long reply: listening, thinking, then a sentence every 2 s while speaking."""
    publisher.state("listening")
    await asyncio.sleep(1.0)
    publisher.state("thinking")
    await asyncio.sleep(1.0)
    publisher.state("speaking")
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
        publisher.say("reply", f"Sentence {n}: the lake was cold that June, and we fished until dark.")
        await asyncio.sleep(2.0)
    publisher.state("idle")


def start_xvfb(size: tuple[int, int], processes: list[subprocess.Popen[bytes]]) -> str:
    """A virtual screen on a display number Xvfb picks itself (free, whoever else runs one); ":N"."""
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", f"{size[0]}x{size[1]}x24", "-nolisten", "tcp"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    processes.append(xvfb)
    assert xvfb.stdout is not None
    number = xvfb.stdout.readline().decode().strip()
    if not number.isdigit():
        raise CompanionError("Xvfb did not start", hint="check `Xvfb -displayfd 1` by hand")
    return f":{number}"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_http(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    import aiohttp

    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                err = log.read_text(errors="replace")
                raise CompanionError(f"the frame exited ({process.returncode}): {err.strip()[-400:]}")
            try:
                async with session.get(f"http://127.0.0.1:{port}/view") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise CompanionError("the frame did not start in time")
