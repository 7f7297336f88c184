"""The other renderer the frame could have had: a native pygame (SDL) window, measured the same way.

Not part of the product (pygame is not a dependency): run it from a venv with pygame and psutil to
repeat the renderer comparison in the README:

    python tests/bench/frame_pygame_baseline.py --seconds 30 --size 800x480

It draws what the Chromium page draws (photo slideshow with a 2.5 s crossfade every 10 s, name,
"AI re-creation" label, caption, state dot and text, a large wrapped subtitle) under Xvfb with
SDL's software renderer, redrawing only on change (30 fps only during a crossfade), and reports the
median CPU (% of one core) and USS of the process while idle and while a subtitle changes every
2 s, like `companion frame bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"


def render(seconds: float, size: tuple[int, int], photo_dir: Path) -> None:
    import pygame

    pygame.init()
    screen = pygame.display.set_mode(size, pygame.NOFRAME)
    w, h = size
    vmin = min(w, h) / 100
    name_font = pygame.font.Font(FONT_BOLD, int(7 * vmin))
    label_font = pygame.font.Font(FONT_BOLD, int(4.2 * vmin))
    text_font = pygame.font.Font(FONT, int(4.8 * vmin))
    sub_font = pygame.font.Font(FONT, int(6.6 * vmin))
    photos = []
    for path in sorted(photo_dir.glob("*.png")):
        image = pygame.image.load(str(path)).convert()
        scale = min(w / image.get_width(), h / image.get_height())
        photos.append(pygame.transform.smoothscale(image, (int(image.get_width() * scale), int(image.get_height() * scale))))

    def draw(photo_index: int, fade: float, subtitle: str, state: str) -> None:
        screen.fill((16, 16, 18))
        for index, alpha in ((photo_index - 1, 1 - fade), (photo_index, fade)):
            image = photos[index % len(photos)]
            image.set_alpha(int(255 * alpha))
            screen.blit(image, ((w - image.get_width()) // 2, (h - image.get_height()) // 2))
        screen.blit(name_font.render("Rose", True, (244, 239, 230)), (3 * vmin, 2 * vmin))
        label = label_font.render("AI re-creation", True, (27, 27, 29))
        pygame.draw.rect(screen, (244, 239, 230), (w - label.get_width() - 7 * vmin, 2.5 * vmin, label.get_width() + 4 * vmin, label.get_height() + 1.5 * vmin), border_radius=int(vmin))
        screen.blit(label, (w - label.get_width() - 5 * vmin, 3.2 * vmin))
        pygame.draw.circle(screen, (141, 138, 132), (int(6.5 * vmin), h - int(8.5 * vmin)), int(3.5 * vmin), int(0.9 * vmin))
        screen.blit(text_font.render(state, True, (244, 239, 230)), (12 * vmin, h - 12 * vmin))
        if subtitle:
            words, lines, line = subtitle.split(), [], ""
            for word in words:
                if sub_font.size(line + " " + word)[0] > w * 0.86:
                    lines.append(line)
                    line = word
                else:
                    line = (line + " " + word).strip()
            lines.append(line)
            y = h - 20 * vmin - len(lines) * sub_font.get_linesize()
            for text in lines:
                surface = sub_font.render(text, True, (244, 239, 230))
                screen.blit(surface, ((w - surface.get_width()) // 2, y))
                y += sub_font.get_linesize()
        pygame.display.flip()

    clock = pygame.time.Clock()
    start = time.monotonic()
    photo_index, last_slide, subtitle, state, last_sub, n = 0, start, "", "Touch to talk", 0.0, 0
    print("idle", flush=True)
    phase = "idle"
    dirty = True
    while time.monotonic() - start < 2 * seconds + 10:
        now = time.monotonic()
        for _ in pygame.event.get():
            pass
        if phase == "idle" and now - start >= seconds + 5:
            phase, state = "speaking", "Speaking"
            print("speaking", flush=True)
        if phase == "speaking" and now - last_sub >= 2.0:
            n += 1
            subtitle = f"Sentence {n}: the lake was cold that June, and we fished until dark."
            last_sub, dirty = now, True
        if now - last_slide >= 10.0:
            photo_index, last_slide = photo_index + 1, now
        fade = min(1.0, (now - last_slide) / 2.5)
        if fade < 1.0 or dirty:
            draw(photo_index, fade, subtitle, state)
            dirty = False
            clock.tick(30)
        else:
            clock.tick(4)  # nothing moves: wake four times a second for input only


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--size", default="800x480")
    parser.add_argument("--render", help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    if args.render:
        render(args.seconds, size, Path(args.render))  # type: ignore[arg-type]
        return
    import psutil

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "device"))
    from companion.frame.bench import make_png

    work = Path(tempfile.mkdtemp())
    for i, rgb in enumerate([(200, 160, 120), (120, 160, 200), (150, 190, 140)]):
        (work / f"p{i}.png").write_bytes(make_png(960, 640, rgb))
    from companion.frame.bench import start_xvfb

    started: list[subprocess.Popen[bytes]] = []
    display = start_xvfb(size, started)  # type: ignore[arg-type]
    xvfb = started[0]
    env = dict(os.environ, DISPLAY=display, SDL_VIDEODRIVER="x11", PYGAME_HIDE_SUPPORT_PROMPT="1")
    child = subprocess.Popen([sys.executable, __file__, "--seconds", str(args.seconds), "--size", args.size,
                              "--render", str(work)], env=env, stdout=subprocess.PIPE, text=True)
    proc = psutil.Process(child.pid)
    report = {}
    for phase in ("idle", "speaking"):
        assert child.stdout is not None
        while child.stdout.readline().strip() != phase:
            pass
        time.sleep(3.0)
        cpu, mem = [], []
        before, t0 = sum(proc.cpu_times()[:2]), time.monotonic()
        first, start = before, t0
        end = t0 + args.seconds
        while time.monotonic() < end:
            time.sleep(1.0)
            after, t1 = sum(proc.cpu_times()[:2]), time.monotonic()
            cpu.append(100 * (after - before) / (t1 - t0))
            mem.append(proc.memory_full_info().uss / 1e6)
            before, t0 = after, t1
        report[phase] = {"cpu_pct_one_core": round(statistics.median(cpu), 2),
                         "cpu_pct_mean": round(100 * (before - first) / (t0 - start), 2), "cpu_pct_max": round(max(cpu), 2),
                         "uss_mb": round(statistics.median(mem), 1)}
    child.wait()
    xvfb.terminate()
    print(json.dumps({"renderer": "pygame-xvfb", "size": args.size, **report}, indent=2))


if __name__ == "__main__":
    main()
