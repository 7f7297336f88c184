"""Parse throughput of every chat-export parser (messages/s, median of a few runs) as JSON.

Each format gets the same generated conversation (``make_export``'s speakers and phrases), written
the way that app writes it; only parsing is timed (no redaction, no storage).

    python tests/bench/bench_parse.py [--messages 100000] [--runs 3] [--out result.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_export import PHRASES, SPEAKERS, write_export  # noqa: E402

from companion.persona.ingest import make_parser  # noqa: E402


def conversation(messages: int, seed: int = 7) -> list[tuple[str, str, datetime]]:
    rng = random.Random(seed)
    moment = datetime(2019, 3, 1, 8, 0)
    out = []
    for _ in range(messages):
        moment += timedelta(minutes=rng.choice((1, 2, 5, 17, 90)))
        text = rng.choice(PHRASES)
        if rng.random() < 0.1:
            text += "\n" + rng.choice(PHRASES)
        out.append((SPEAKERS[rng.random() < 0.5], text, moment))
    return out


def write_telegram(path: Path, rows: list[tuple[str, str, datetime]]) -> None:
    messages = [
        {"id": i, "type": "message", "date": t.isoformat(), "date_unixtime": str(int(t.timestamp())),
         "from": s, "from_id": f"user{hash(s) % 1000}", "text": x, "text_entities": []}
        for i, (s, x, t) in enumerate(rows, 1)
    ]  # fmt: skip
    path.write_text(json.dumps({"name": "Rose", "type": "personal_chat", "id": 1, "messages": messages},
                               ensure_ascii=False), encoding="utf-8")  # fmt: skip


def write_wechat_csv(path: Path, rows: list[tuple[str, str, datetime]]) -> None:
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(["localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime", "Status",
                         "StrContent", "StrTime", "Remark", "NickName", "Sender"])  # fmt: skip
        for i, (s, x, t) in enumerate(rows, 1):
            writer.writerow([i, 3, 1, 0, int(s == SPEAKERS[1]), int(t.timestamp()), 2, x,
                             f"{t:%Y-%m-%d %H:%M:%S}", s, s, f"wxid_{s[:3]}"])  # fmt: skip


def write_qq(path: Path, rows: list[tuple[str, str, datetime]]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write("消息记录（此消息记录为文本格式，不支持重新导入）\n\n" + "=" * 64 + "\n消息分组:我的好友\n"
                  + "=" * 64 + "\n消息对象:奶奶\n" + "=" * 64 + "\n\n")  # fmt: skip
        for s, x, t in rows:
            out.write(f"{t:%Y-%m-%d %H:%M:%S} {s}(1000{len(s)})\n{x}\n\n")


def write_sms(path: Path, rows: list[tuple[str, str, datetime]]) -> None:
    from xml.sax.saxutils import quoteattr

    with open(path, "w", encoding="utf-8") as out:
        out.write(f"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"{len(rows)}\">\n")
        for s, x, t in rows:
            out.write(f'  <sms protocol="0" address="+447700900123" date="{int(t.timestamp() * 1000)}" '
                      f'type="{2 if s == SPEAKERS[1] else 1}" body={quoteattr(x)} read="1" '
                      f'contact_name="Rose" />\n')  # fmt: skip
        out.write("</smses>\n")


def write_imessage(path: Path, rows: list[tuple[str, str, datetime]]) -> None:
    script = (Path(__file__).resolve().parents[1] / "data" / "exports" / "imessage" / "chat_db.sql").read_text(
        encoding="utf-8"
    )
    db = sqlite3.connect(path)
    db.executescript(script.split("INSERT INTO message")[0])
    db.executemany(
        "INSERT INTO message (ROWID, guid, text, handle_id, date, is_from_me) VALUES (?, ?, ?, 1, ?, ?)",
        ((i + 100, f"G{i}", x, int((t.timestamp() - 978307200) * 1e9), int(s == SPEAKERS[1]))
         for i, (s, x, t) in enumerate(rows)),
    )  # fmt: skip
    db.executemany("INSERT INTO chat_message_join VALUES (1, ?, 0)", ((i + 100,) for i in range(len(rows))))
    db.commit()
    db.close()


def write_jsonl(path: Path, rows: list[tuple[str, str, datetime]]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for s, x, t in rows:
            out.write(json.dumps({"time": t.isoformat(), "speaker": s, "text": x}, ensure_ascii=False) + "\n")


def write_csv(path: Path, rows: list[tuple[str, str, datetime]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["time", "speaker", "text"])
        writer.writerows((t.isoformat(), s, x) for s, x, t in rows)


def write_text(path: Path, rows: list[tuple[str, str, datetime]]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for _speaker, x, t in rows:
            out.write(f"## {t:%Y-%m-%d}\n\n{x}\n\n")


WRITERS: dict[str, tuple[str, Callable[[Path, list[tuple[str, str, datetime]]], None]]] = {
    "telegram": ("result.json", write_telegram),
    "wechat": ("rose_utf8.csv", write_wechat_csv),
    "qq": ("qq.txt", write_qq),
    "sms": ("sms.xml", write_sms),
    "imessage": ("chat.db", write_imessage),
    "csv": ("messages.csv", write_csv),
    "jsonl": ("messages.jsonl", write_jsonl),
    "text": ("diary.md", write_text),
}


def measure(fmt: str, path: Path, runs: int) -> dict[str, float]:
    """Wall and CPU time (the CPU figure is steadier on a shared machine)."""
    walls, cpus, count = [], [], 0
    for _ in range(runs):
        parser = make_parser(fmt)
        start, cpu = time.perf_counter(), time.process_time()
        count = sum(1 for _ in parser.parse(path))
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    wall, cpu_median = statistics.median(walls), statistics.median(cpus)
    return {"records": count, "median_s": round(wall, 3), "records_per_s": round(count / wall),
            "median_cpu_s": round(cpu_median, 3), "records_per_cpu_s": round(count / cpu_median)}  # fmt: skip


def measure_redaction(path: Path, runs: int) -> dict[str, float]:
    """persona.redact over every parsed message (plus one in ten carrying a phone/e-mail)."""
    from companion.persona.redact import redact

    texts = [record.text for record in make_parser("whatsapp").parse(path)]
    texts = [t + (" call 138 0013 8000 or a.b@example.com" if i % 10 == 0 else "") for i, t in enumerate(texts)]
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        for text in texts:
            redact(text)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    wall, cpu_median = statistics.median(walls), statistics.median(cpus)
    return {"records": len(texts), "median_s": round(wall, 3), "records_per_s": round(len(texts) / wall),
            "median_cpu_s": round(cpu_median, 3), "records_per_cpu_s": round(len(texts) / cpu_median)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    results: dict[str, object] = {"messages": args.messages}
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        whatsapp = write_export(folder / "WhatsApp Chat with Rose.txt", args.messages)
        results["whatsapp"] = measure("whatsapp", whatsapp, args.runs)
        results["redact"] = measure_redaction(whatsapp, args.runs)
        rows = conversation(args.messages)
        for fmt, (name, writer) in WRITERS.items():
            path = folder / name
            writer(path, rows)
            results[fmt] = measure(fmt, path, args.runs)
            print(f"{fmt}: {results[fmt]}", file=sys.stderr)
    text = json.dumps(results, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
