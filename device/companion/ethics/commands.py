"""`companion watermark ...`, `companion provenance show` and `companion care ...`.

watermark detect FILE   presence, payload (utterance id) and the generation-log entry it names
watermark export-key F  a copy of the device's watermark key, for `detect --key F` elsewhere
watermark bench         the C4 robustness benchmark per attack (JSON)
provenance show FILE    the C2PA manifest and GB 45438 AIGC record a file carries
care pause|resume       a reversible pause: the persona stays silent until resumed
care goodbye DIR        retire the persona for good (crypto-shred via `persona erase`)
care status             paused / retired / today's conversation time
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..config import settings_from_args


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("watermark", help="find the inaudible watermark in an audio file; benchmark it")
    sub = p.add_subparsers(dest="watermark_command", required=True)
    d = sub.add_parser("detect", help="is this audio from the device? which utterance?")
    d.add_argument("file", help="WAV or MP3 (anything FFmpeg decodes)")
    d.add_argument("--json", action="store_true", help="print the result as JSON")
    d.add_argument("--key", help="a watermark key file exported with `companion watermark export-key` "
                                 "(default: this device's own key)")
    d.add_argument("--log", help="generation log to look the utterance up in (default: the device's)")
    d.set_defaults(func=cmd_detect)
    e = sub.add_parser("export-key", help="write a copy of this device's watermark key for `detect --key`")
    e.add_argument("dest", help="the new key file (it is never overwritten; mode 0600)")
    e.set_defaults(func=cmd_export_key)
    b = sub.add_parser("bench", help="robustness per attack (crop, excerpt, tempo, pitch, MP3, phone...), "
                                     "false alarms, SNR, PESQ (JSON)")
    b.add_argument("--count", type=int, default=100, help="marked utterances of 3-10 s per attack (default 100)")
    b.add_argument("--clean", type=int, default=1000, help="clean clips for false alarms (default 1000)")
    b.add_argument("--attacks", help="comma-separated subset of the attacks (default: all)")
    b.add_argument("--seed", type=int, default=7, help="random seed (texts, payloads, offsets, clean clips)")
    b.add_argument("--json", action="store_true", help="print JSON (the default output is JSON too)")
    b.set_defaults(func=cmd_bench)

    p = subparsers.add_parser("provenance", help="show the provenance labels of a file the device wrote")
    sub = p.add_subparsers(dest="provenance_command", required=True)
    s = sub.add_parser("show", help="C2PA manifest, GB 45438 AIGC record and watermark of a WAV/MP3")
    s.add_argument("file")
    s.set_defaults(func=cmd_provenance_show)

    p = subparsers.add_parser("care", help="grief-safety: pause, resume, say goodbye, status")
    sub = p.add_subparsers(dest="care_command", required=True)
    for name, help_text in (("pause", "pause the persona (reversible): the device stays silent"),
                            ("resume", "end a pause"), ("status", "paused / retired / time talked today")):
        c = sub.add_parser(name, help=help_text)
        c.add_argument("--persona", help="persona folder (default: the configured one)")
        c.set_defaults(func=cmd_care)
    c = sub.add_parser("goodbye", help="retire the persona for good: crypto-shred its bundle (irreversible)")
    c.add_argument("--persona", help="persona bundle folder (default: the configured one)")
    c.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    c.set_defaults(func=cmd_care)


def _key(args: argparse.Namespace, *, create: bool = False) -> Any:
    """The key given with --key, else this device's own (never a new one made just to look)."""
    from .wmkey import device_key, read_key_file

    if getattr(args, "key", None):
        return read_key_file(Path(args.key))
    return device_key(settings_from_args(args).ethics.log_path, create=create)


def cmd_detect(args: argparse.Namespace) -> int:
    from . import watermark as wm
    from .audiofile import load_audio

    key = _key(args)
    pcm, rate = load_audio(Path(args.file))
    found = wm.detect(pcm, rate, key=key.secret)
    result: dict[str, Any] = {"file": args.file, **found.to_dict(), "key": key.fingerprint, "log_entry": None}
    if found.present:
        log_path = Path(args.log) if args.log else settings_from_args(args).ethics.log_path / "generation.jsonl"
        entries = _log_entries(log_path)
        ids = {str(e.get("utterance_id")): e for e in entries if isinstance(e.get("utterance_id"), str)}
        if found.payload_hex in ids:
            result["log_entry"] = ids[found.payload_hex]
        elif ids:  # a short clip: its bits may not all read, but its id can be matched against the log
            scored = [(found.match_score(int(k, 16)), k) for k in ids if _is_hex(k)]
            if scored:
                score, best = max(scored)
                if score > wm.presence_threshold(len(scored)):
                    result["payload"] = best
                    result["payload_from"] = "log match"
                    result["log_entry"] = ids[best]
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        if found.present:
            print(f"watermark: present (score {found.score:.1f} > threshold {found.threshold:.1f}; key {key.fingerprint})")
            if abs(found.tempo - 1) > 0.01 or abs(found.pitch - 1) > 0.01:
                print(f"the audio was changed: tempo x{found.tempo:.3f}, pitch {result['pitch_semitones']:+.2f} semitones")
            print(f"utterance id: {result['payload'] or 'unreadable (clip too short or too damaged)'}")
            if result["log_entry"]:
                e = result["log_entry"]
                print(f"generation log: persona {e.get('persona_id')}, kind {e.get('kind')}, time {e.get('time')}")
        else:
            print(f"watermark: not found with key {key.fingerprint} (score {found.score:.1f} <= threshold {found.threshold:.1f})")
    return 0


def cmd_export_key(args: argparse.Namespace) -> int:
    from .wmkey import export_key

    key = _key(args, create=True)
    export_key(key, Path(args.dest))
    print(f"wrote the watermark key {key.fingerprint} ({key.source}) to {args.dest}")
    print("whoever holds it can check files with `companion watermark detect FILE --key "
          f"{args.dest}`, and could also mark audio: give it only to people you trust")
    return 0


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
        return len(text) == 8
    except ValueError:
        return False


def _log_entries(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            out.append(entry)
    return out


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import load_bench_tts, run_bench
    from .wmattacks import ATTACKS

    settings = settings_from_args(args)
    attacks = [a.strip() for a in args.attacks.split(",")] if args.attacks else None
    unknown = sorted(set(attacks or []) - set(ATTACKS))
    if unknown:
        from ..errors import CompanionError

        raise CompanionError(f"unknown attack(s): {', '.join(unknown)}", hint=f"choose from {', '.join(ATTACKS)}")
    report = run_bench(load_bench_tts(settings.paths.models), count=args.count, clean=args.clean, attacks=attacks,
                       seed=args.seed)
    print(json.dumps(report, indent=2))
    return 0


def cmd_provenance_show(args: argparse.Namespace) -> int:
    from ..errors import AudioError
    from . import watermark as wm
    from .audiofile import load_audio
    from .provenance import read_provenance

    path = Path(args.file)
    if not path.is_file():
        raise AudioError("file not found", where=str(path))
    info = read_provenance(path)
    from .wmkey import WatermarkKeyError

    pcm, rate = load_audio(path)
    try:
        info["watermark"] = wm.detect(pcm, rate, key=_key(args).secret).to_dict()
    except WatermarkKeyError as exc:  # the labels are still worth showing
        info["watermark"] = {"watermark": None, "error": exc.message}
    print(json.dumps(info, ensure_ascii=False, indent=2))
    return 0


def cmd_care(args: argparse.Namespace) -> int:
    from .care import GOODBYE_TEXT, CareError, CareState
    from .setup import persona_id

    settings = settings_from_args(args)
    pid = persona_id(settings)
    state = CareState(settings.ethics.log_path)
    if args.care_command == "pause":
        state.pause(pid)
        print(f"{pid} is paused; the device stays silent until `companion care resume`")
    elif args.care_command == "resume":
        print(f"{pid} resumed" if state.resume(pid) else f"{pid} was not paused")
    elif args.care_command == "status":
        status = "retired" if state.is_retired(pid) else "paused" if state.is_paused(pid) else "active"
        minutes = state.usage_today() / 60.0
        print(f"{pid}: {status}; talked {minutes:.1f} min today")
    else:
        from ..persona.bundle.store import is_bundle

        path = settings.persona.path
        if not is_bundle(path):
            raise CareError("only a persona bundle can be retired", where=str(path),
                            hint="the demo persona and plain folders are not personal data bundles")
        print(GOODBYE_TEXT)
        if not args.yes:
            if not sys.stdin.isatty():
                raise CareError("saying goodbye needs confirmation", hint="pass --yes to confirm without a prompt")
            if input("Say goodbye for good? Type GOODBYE: ").strip() != "GOODBYE":
                print("nothing changed")
                return 1
        from .erase import erase_persona

        erase_persona(settings, path, reason="goodbye")  # the bundle, then every file derived from it
        state.retire(pid)
        print(f"goodbye: {pid} is retired; its data key was destroyed (crypto-shredded)")
    return 0
