"""Write a realistic WhatsApp text export of N messages for the import benchmark.

Two speakers over months of dates, Android 24 h style ("31/12/2020, 21:41 - Name: text"),
with multi-line messages, emoji, Chinese lines, media placeholders and a few system lines.
Deterministic for a given seed.

    python tests/bench/make_export.py OUT.txt [--messages 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

SPEAKERS = ("Grandma Rose", "Tom")
PHRASES = (
    "Did you eat properly today?",
    "The tomatoes are finally turning red 🍅",
    "Call me when you get home, love.",
    "I found the old photo album from Brighton!",
    "Don't forget your scarf, it's cold out there",
    "Haha that's exactly what your grandfather used to say 😂",
    "I'm making soup on Sunday, come by around noon",
    "我今天去公园散步了，天气很好。",
    "记得多喝水，早点睡觉。",
    "Love you, sweetheart ❤️",
    "The bus was late again, typical.",
    "How did the exam go? I kept my fingers crossed 🤞",
    "Your cousin Mei says hello 你好！",
    "Remember the summer we spent at the lake?",
    "ok",
    "👍",
)
CONTINUATIONS = (
    "And bring the blue bowl back if you can.",
    "P.S. the cat misses you 🐈",
    "下次见！",
    "",
)


def write_export(path: Path, messages: int = 100_000, seed: int = 7) -> Path:
    """Write the export to ``path`` and return it (same seed, same bytes)."""
    rng = random.Random(seed)
    moment = datetime(2019, 3, 1, 8, 0)
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(
            f"{moment:%d/%m/%Y, %H:%M} - Messages and calls are end-to-end encrypted. "
            "No one outside of this chat, not even WhatsApp, can read or listen to them.\n"
        )
        for index in range(messages):
            moment += timedelta(minutes=rng.choice((1, 1, 2, 3, 5, 8, 15, 40)))
            speaker = SPEAKERS[rng.random() < 0.55]
            roll = rng.random()
            if roll < 0.03:
                body = "<Media omitted>"
            elif roll < 0.04:
                body = "This message was deleted"
            else:
                body = rng.choice(PHRASES)
                if rng.random() < 0.3:
                    body += " " + rng.choice(PHRASES)
                if rng.random() < 0.12:
                    body += "\n" + rng.choice(CONTINUATIONS) + "\n" + rng.choice(CONTINUATIONS)
                body += f" (#{index})"
            out.write(f"{moment:%d/%m/%Y, %H:%M} - {speaker}: {body}\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    write_export(args.out, args.messages, args.seed)
    print(f"wrote {args.messages} messages to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
