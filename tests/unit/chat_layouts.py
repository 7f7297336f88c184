"""One conversation written as the apps export it: Android WhatsApp, iPhone WhatsApp, Telegram JSON.

The same chat exported from several phones is how families hand it over; the bundle tests use
these to check that one chat stays one chat, and that imports can be reviewed and undone.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

Message = tuple[str, dt.datetime, str]
T0 = dt.datetime(2021, 3, 12, 9, 15, 27)


def conversation(persona: str = "Grandma Rose", listener: str = "Tom", n: int = 6, start: dt.datetime = T0,
                 topic: str = "garden") -> list[Message]:
    """``n`` exchanges: the listener asks, the persona answers (seconds in the times, as apps keep them)."""
    messages: list[Message] = []
    for i in range(n):
        asked = start + dt.timedelta(days=i, seconds=7 * i)
        messages.append((listener, asked, f"Gran, what about the {topic}, day {i}?"))
        messages.append((persona, asked + dt.timedelta(minutes=2, seconds=13),
                         f"The {topic} is lovely today, love ({i}). Come and see 🌷"))
    return messages


def android_whatsapp(path: Path, messages: list[Message], names: dict[str, str] | None = None) -> Path:
    """``dd/mm/yyyy, HH:MM - Name: text`` (minutes only), with the encryption notice first."""
    names = names or {}
    notice = ("Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can "
              "read or listen to them. Tap to learn more.")
    lines = [f"{messages[0][1]:%d/%m/%Y, %H:%M} - {notice}"]
    for speaker, time, text in messages:
        lines.append(f"{time:%d/%m/%Y, %H:%M} - {names.get(speaker, speaker)}: {text}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def iphone_whatsapp(path: Path, messages: list[Message], names: dict[str, str] | None = None) -> Path:
    """``[dd/mm/yyyy, HH:MM:SS] Name: text`` (seconds), the notice with a left-to-right mark."""
    names = names or {}
    first = messages[0]
    notice = "\u200eMessages and calls are end-to-end encrypted. No one outside of this chat can read them."
    lines = [f"[{first[1]:%d/%m/%Y, %H:%M:%S}] {names.get(first[0], first[0])}: {notice}"]
    for speaker, time, text in messages:
        lines.append(f"[{time:%d/%m/%Y, %H:%M:%S}] {names.get(speaker, speaker)}: {text}")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def telegram_json(path: Path, messages: list[Message], chat: str = "Grandma Rose",
                  names: dict[str, str] | None = None) -> Path:
    """Telegram Desktop's result.json for one personal chat."""
    names = names or {}
    ids = {speaker: f"user{100 + n}" for n, speaker in enumerate(sorted({m[0] for m in messages}))}
    items = []
    for number, (speaker, time, text) in enumerate(messages, start=200):
        items.append({"id": number, "type": "message", "date": time.isoformat(),
                      "date_unixtime": str(int(time.replace(tzinfo=dt.timezone.utc).timestamp())),
                      "from": names.get(speaker, speaker), "from_id": ids[speaker], "text": text,
                      "text_entities": [{"type": "plain", "text": text}]})
    document = {"name": chat, "type": "personal_chat", "id": 4815162342, "messages": items}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
