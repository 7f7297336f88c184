"""The `companion voice ...` command group (needs the `[train]` extra; imported only by these commands)."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from ..config import settings_from_args

logger = logging.getLogger(__name__)


def _persona(args: argparse.Namespace) -> Path:
    return Path(args.persona).expanduser().resolve()


def _key_file(args: argparse.Namespace, settings: Any) -> str | None:
    """What unlocks an encrypted persona bundle: --key-file, else [persona] key_file (then env, prompt)."""
    return getattr(args, "key_file", None) or settings.persona.key_file or None


def cmd_challenge(args: argparse.Namespace) -> int:
    from .challenge import new_challenge
    from .prepare import WorkDirs

    challenge = new_challenge(WorkDirs.for_persona(_persona(args)).root)
    print(f"Ask the person to read this aloud, and record it (valid until {challenge.expires_at}):\n")
    print(f"    {challenge.phrase}\n")
    print("Then pass the recording to `companion voice prepare --enroll FILE`.")
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    from .prepare import WorkDirs, prepare
    from .report import render_text

    from ..errors import CompanionError
    from ..persona.bundle.store import is_bundle

    settings = settings_from_args(args)
    if not args.inputs and not args.from_bundle:
        raise CompanionError("no recordings given", where="voice prepare",
                             hint="name audio/video files or folders, or use --from-bundle")
    report = prepare(_persona(args), Path(args.enroll) if args.enroll else None, [Path(p) for p in args.inputs],
                     settings.voice, settings.paths.models, key_file=_key_file(args, settings),
                     from_bundle=args.from_bundle)
    print(render_text(report), end="")
    if is_bundle(_persona(args)):
        print("\ntraining set and report: inside the encrypted bundle (decrypted to a private folder only to train)")
    else:
        print(f"\ntraining set and report: {WorkDirs.for_persona(_persona(args)).dataset}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from .train import train

    result = train(_persona(args), base=Path(args.base) if args.base else None, epochs=args.epochs,
                   from_scratch=args.from_scratch, tiny=args.tiny, batch_size=args.batch_size,
                   key_file=_key_file(args, settings_from_args(args)))
    print(json.dumps(result, indent=2))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export

    result = export(_persona(args), Path(args.checkpoint) if args.checkpoint else None)
    print(json.dumps(result, indent=2))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from ..errors import CompanionError
    from .verify import verify

    settings = settings_from_args(args)
    threshold = settings.voice.verify_threshold if args.threshold is None else args.threshold
    report = verify(_persona(args), settings.paths.models, voice=Path(args.voice) if args.voice else None,
                    impostor=[Path(p) for p in args.impostor] or None, threshold=threshold,
                    accept_weak=args.accept_weak, asr_model=settings.voice.asr_model,
                    key_file=_key_file(args, settings))
    print(json.dumps(report, indent=2))
    if report["installed"] is None:
        raise CompanionError(
            f"the clone is not similar enough (similarity {report['clone_vs_real']} < {threshold}); not installed",
            where=str(_persona(args) / "voice" / "verify.json"),
            hint="add recordings and train longer, or pass --accept-weak to install it anyway")
    return 0


def register(subparsers: Any) -> None:
    """Add `companion voice {challenge,prepare,train,export,verify}`."""
    p = subparsers.add_parser("voice", help="clone a voice from recordings (needs the [train] extra)")
    vsub = p.add_subparsers(dest="voice_command", required=True)

    def persona(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--persona", required=True, help="persona folder (voice work goes to DIR/voice/)")

    def key_file(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--key-file", help="passphrase file of an encrypted persona bundle "
                                           "(default: [persona] key_file, $COMPANION_PERSONA_KEY_FILE, prompt)")

    c = vsub.add_parser("challenge", help="issue a random phrase a living person reads for the enrolment clip")
    persona(c)
    c.set_defaults(func=cmd_challenge)

    c = vsub.add_parser("prepare", help="recordings -> Piper training set + QC report")
    persona(c)
    c.add_argument("--enroll",
                   help="a clip of the person alone (living, per the persona's consent record: reading the challenge); "
                        "with --from-bundle of a deceased person's bundle, the voice of their imported recordings")
    c.add_argument("--from-bundle", action="store_true",
                   help="take the clips from the recordings imported into the (encrypted) bundle")
    key_file(c)
    c.add_argument("inputs", nargs="*", metavar="FILE_OR_DIR", help="audio or video files, or folders of them")
    c.set_defaults(func=cmd_prepare)

    c = vsub.add_parser("train", help="fine-tune a Piper voice from a base checkpoint (resumes)")
    persona(c)
    c.add_argument("--base", help="pretrained Piper checkpoint (.ckpt) to start from")
    c.add_argument("--epochs", type=int, default=1000, help="train until this many epochs in total")
    c.add_argument("--batch-size", type=int, default=8)
    c.add_argument("--from-scratch", action="store_true", help=argparse.SUPPRESS)
    c.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    c.set_defaults(func=cmd_train)

    c = vsub.add_parser("export", help="best checkpoint -> ONNX voice, smoke-tested in Piper")
    persona(c)
    c.add_argument("--checkpoint", help="export this checkpoint instead of the best one")
    c.set_defaults(func=cmd_export)

    c = vsub.add_parser("verify", help="score the clone against real clips; install it when it passes")
    persona(c)
    c.add_argument("--voice", help="the .onnx voice to check (default: the exported one)")
    c.add_argument("--impostor", action="append", default=[], metavar="FILE_OR_DIR",
                   help="another speaker's clips for the impostor baseline (default: the bundled voice)")
    c.add_argument("--threshold", type=float, help="similarity needed (default: [voice] verify_threshold, 0.80)")
    c.add_argument("--accept-weak", action="store_true", help="install even when below the threshold")
    key_file(c)
    c.set_defaults(func=cmd_verify)
