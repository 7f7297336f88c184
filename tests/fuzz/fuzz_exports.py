"""Fuzz every export parser with damaged exports and count tracebacks (issue 19: "a fuzz run of
>= 10,000 mutated exports per format ends with 0 tracebacks").

Each format starts from real-layout samples (tests/data/exports, plus a QQ MHT and a WhatsApp zip
built here); each case damages one the ways files get damaged (truncated, bytes flipped,
inserted, deleted, duplicated, a line made huge, text re-encoded, lone surrogates in JSON,
random Unicode spliced in) and parses it with that format's parser, then the whole import path
on the records (redaction and the private check). An outcome is "records", "refused" (one
ExportFormatError that names the file) or a failure: "traceback" (any other exception),
"unnamed" (an error that does not name the file) or "timeout" (over 30 s on a loaded machine).

    python tests/fuzz/fuzz_exports.py [--cases 10000] [--seed 1] [--formats whatsapp,qq] [--out r.json]

Prints one JSON object: per format the counts, and the first failures with their seeds.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "device"))

from companion.persona.bundle.pairing import MAX_MESSAGE_CHARS  # noqa: E402
from companion.persona.ingest import ExportFormatError, make_parser  # noqa: E402
from companion.persona.private import private_reason  # noqa: E402
from companion.persona.redact import redact  # noqa: E402

EXPORTS = ROOT / "tests" / "data" / "exports"
TIMEOUT_S = 30


def _qq_mht() -> bytes:
    boundary = "----=_NextPart_A240C18D_603F_466a_8338.0D1C1796EFC3"
    row = ("<tr><td><div style=color:#006EFE;padding-left:10px;><div style=float:left;margin-right:6px;>{n}</div>"
           "{t}</div><div style=padding-left:20px;><font color='000000'>{b}</font></div></td></tr>")
    rows = ["<tr><td><div style=padding-left:10px;>消息分组:我的好友</div></td></tr>",
            "<tr><td><div style=padding-left:10px;>消息对象:爷爷</div></td></tr>",
            "<tr><td style=color:#3568BB;>日期: 2012-03-04</td></tr>",
            row.format(n="小明(20005678)", t="12:34:56", b="爷爷，这是我的新自行车"),
            row.format(n="爷爷", t="12:35:10", b="真漂亮！&lt;3<br>慢点骑 13912345678"),
            row.format(n="小明", t="12:35:40", b='<IMG src="{3D48C238}.dat">'),
            row.format(n="爷爷", t="12:36:02", b="密码是 4821")]
    text = ("From: <Save by Tencent MsgMgr>\r\nSubject: Tencent IM Message\r\nMIME-Version: 1.0\r\n"
            f"Content-Type:multipart/related;\r\n\tcharset=\"utf-8\"\r\n\ttype=\"text/html\";\r\n\tboundary=\"{boundary}\"\r\n\r\n"
            f"--{boundary}\r\nContent-Type:text/html\r\nContent-Transfer-Encoding:7bit\r\n\r\n"
            "<html><head><title>QQ Message</title></head><body><table width=100% cellspacing=0>\r\n"
            + "\r\n".join(rows) + f"\r\n</table></body></html>\r\n\r\n--{boundary}\r\nContent-Type:image/jpeg\r\n"
            "Content-Transfer-Encoding:base64\r\nContent-Location:{3D48C238}.dat\r\n\r\n/9j/4AAQ\r\n"
            f"\r\n--{boundary}--\r\n")
    return text.encode("utf-8")


def _whatsapp_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_chat.txt", (EXPORTS / "whatsapp" / "ios_zip" / "_chat.txt").read_bytes())
        archive.writestr("IMG-0001.jpg", b"\xff\xd8\xff\xe0fake")
    return buffer.getvalue()


def _imessage(script: Path) -> bytes:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "chat.db"
        db = sqlite3.connect(path)
        db.executescript(script.read_text(encoding="utf-8"))
        db.commit()
        db.close()
        return path.read_bytes()


def seeds() -> dict[str, list[tuple[str, bytes]]]:
    """Format -> (file name, bytes) samples in the real layouts."""
    def files(*names: str) -> list[tuple[str, bytes]]:
        return [(Path(n).name, (EXPORTS / n).read_bytes()) for n in names]

    return {
        "whatsapp": files("whatsapp/WhatsApp Chat with Grandma Rose.txt", "whatsapp/WhatsApp Chat with Family.txt",
                          "whatsapp/ios_12h_mdy.txt", "whatsapp/android_ambiguous.txt")
        + [("WhatsApp Chat - Rose.zip", _whatsapp_zip())],
        "telegram": files("telegram/result.json", "telegram/full_account_result.json"),
        "wechat": files("wechat/奶奶_utf8.csv", "wechat/奶奶.txt", "wechat/wechatexporter.txt",
                        "wechat/pywxdump/wxid_rose01_0_5001.csv"),
        "qq": files("qq/全部消息记录.txt") + [("爷爷.mht", _qq_mht())],
        "sms": files("sms/sms-20240101090000.xml"),
        "imessage": [("chat.db", _imessage(EXPORTS / "imessage" / "chat_db.sql")),
                     ("chat.db", _imessage(EXPORTS / "imessage" / "chat_db_legacy.sql"))],
        "csv": files("generic/forum_export.csv", "generic/guessed_columns.csv"),
        "jsonl": files("generic/messages.jsonl"),
        "text": files("letters/diary.md", "letters/letter_to_tom.txt"),
    }


def mutate(data: bytes, rng: random.Random, binary: bool) -> bytes:
    """One to four damages of the kinds real files suffer."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not out:
            out += rng.randbytes(rng.randint(1, 64))
            continue
        at = rng.randrange(len(out))
        kind = rng.choice(["truncate", "flip", "insert", "delete", "duplicate", "unicode", "huge", "reencode",
                           "surrogate", "newline"] if not binary else ["truncate", "flip", "insert", "delete",
                                                                         "duplicate"])
        if kind == "truncate":
            del out[at:]
        elif kind == "flip":
            for _ in range(rng.randint(1, 8)):
                out[rng.randrange(len(out))] = rng.randrange(256)
        elif kind == "insert":
            out[at:at] = rng.randbytes(rng.randint(1, 32))
        elif kind == "delete":
            del out[at : at + rng.randint(1, 200)]
        elif kind == "duplicate":
            end = min(len(out), at + rng.randint(1, 400))
            out[at:at] = out[at:end] * rng.randint(1, 3)
        elif kind == "unicode":
            text = "".join(chr(rng.choice([rng.randint(32, 0x2FFF), rng.randint(0x4E00, 0x9FFF),
                                           rng.randint(0x1F300, 0x1FAFF), 0xFEFF, 0x200E, 0x0])) for _ in range(8))
            out[at:at] = text.encode("utf-8", "surrogatepass")
        elif kind == "huge":
            out[at:at] = rng.choice([b"x", "长".encode(), b"1234 ", b"\\u"]) * rng.randint(1000, 120_000)
        elif kind == "reencode":
            try:
                out = bytearray(out.decode("utf-8").encode(rng.choice(["gb18030", "utf-16", "cp1252", "big5"]),
                                                             errors="replace"))
            except UnicodeDecodeError:
                pass
        elif kind == "surrogate":
            out[at:at] = rng.choice([b"\\ud83d", b"\\udc00", b"\\ud800\\ud800", b"\xed\xa0\x80"])
        else:
            out[at:at] = rng.choice([b"\r", b"\n", b"\r\n", b"\n\n\n", b"\x00"])
    return bytes(out)


class _Timeout(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _Timeout


def run_case(fmt: str, name: str, data: bytes, directory: Path) -> tuple[str, str]:
    path = directory / name
    path.write_bytes(data)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT_S)
    try:
        for record in make_parser(fmt).parse(path):
            if len(record.text) <= MAX_MESSAGE_CHARS:  # the importer skips longer ones unread
                private_reason(redact(record.text))
            record.text.encode("utf-8")  # storable
            record.speaker.encode("utf-8")
        return "records", ""
    except ExportFormatError as error:
        return ("refused", "") if path.name in error.message else ("unnamed", error.message)
    except _Timeout:
        return "timeout", traceback.format_exc(limit=-4)
    except Exception:  # noqa: BLE001 - every other exception is what the fuzz run is for
        return "traceback", traceback.format_exc(limit=-4)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        path.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="mutated exports per format")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", help="comma-separated subset (default: all)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGALRM, _alarm)
    samples = seeds()
    wanted = args.formats.split(",") if args.formats else list(samples)
    report: dict[str, object] = {"cases_per_format": args.cases, "seed": args.seed}
    with tempfile.TemporaryDirectory(prefix="fuzz-exports-") as folder:
        directory = Path(folder)
        for fmt in wanted:
            counts = {"records": 0, "refused": 0, "traceback": 0, "unnamed": 0, "timeout": 0}
            failures: list[dict[str, object]] = []
            start = time.perf_counter()
            for case in range(args.cases):
                case_seed = args.seed * 1_000_003 + case
                rng = random.Random(f"{fmt}:{case_seed}")
                name, data = rng.choice(samples[fmt])
                outcome, detail = run_case(fmt, name, mutate(data, rng, fmt == "imessage"), directory)
                counts[outcome] += 1
                if outcome not in ("records", "refused") and len(failures) < 5:
                    failures.append({"case_seed": case_seed, "outcome": outcome, "sample": name,
                                     "error": detail[-1200:]})
            report[fmt] = {**counts, "seconds": round(time.perf_counter() - start, 1), "failures": failures}
            print(f"{fmt}: {counts}", file=sys.stderr, flush=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    failed = sum(report[f]["traceback"] + report[f]["unnamed"] + report[f]["timeout"] for f in wanted)  # type: ignore[index]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
