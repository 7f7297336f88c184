"""``companion models import-lm``: put a persona LM built elsewhere into a device's models folder.

A device never gets torch (the [build] extra), so it cannot build the ONNX LM itself. The model
is built on a development machine (``companion models build-lm`` / ``build-default-lm``) and the
finished folder is copied to the device: every file listed in its BUILD.json is checked against
its sha256 before the folder appears (atomically) under the models folder. Needs no build tools.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import ModelError
from .lm_build import BUILD_RECORD, sha256_file

HINT = "build it on a development machine: companion models build-default-lm (or build-lm), then copy its folder"


def import_lm(source: Path, models_dir: Path, name: str | None = None) -> Path:
    """Verify the built LM folder ``source`` and copy it to ``models_dir/name``; returns the new folder."""
    source = Path(source).expanduser()
    name = name or source.name
    if not name or "/" in name or name.startswith("."):
        raise ModelError(f"bad model name {name!r}", hint="pass --name with a plain folder name")
    try:
        record = json.loads((source / BUILD_RECORD).read_text(encoding="utf-8"))
        files = dict(record["files"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ModelError(f"no readable {BUILD_RECORD}: not a persona LM built by companion", where=str(source),
                         hint=HINT) from None
    if "genai_config.json" not in files:
        raise ModelError(f"{BUILD_RECORD} lists no genai_config.json", where=str(source), hint=HINT)
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{name}.import-", dir=models_dir) as work:
        staged = Path(work) / name
        staged.mkdir()
        for file, expected in sorted(files.items()):
            if Path(file).name != file:
                raise ModelError(f"{BUILD_RECORD} names a path outside the folder: {file!r}", where=str(source))
            if not (source / file).is_file():
                raise ModelError(f"{file} is missing", where=str(source), hint="copy the whole built folder")
            shutil.copyfile(source / file, staged / file)
            actual = sha256_file(staged / file)
            if actual != expected:
                raise ModelError(f"{file} does not match its sha256 in {BUILD_RECORD} ({actual[:12]}... is not "
                                 f"{str(expected)[:12]}...)", where=str(source / file),
                                 hint="the copy is damaged or was changed: copy the folder again")
        shutil.copyfile(source / BUILD_RECORD, staged / BUILD_RECORD)
        target = models_dir / name
        if target.exists():
            os.replace(target, Path(work) / "replaced")  # removed with the scratch folder
        os.replace(staged, target)
    return target


def cmd_import_lm(args: argparse.Namespace) -> int:
    from ..models.store import default_models_dir

    models_dir = Path(args.dir) if args.dir else default_models_dir()
    target = import_lm(Path(args.folder), models_dir, args.name)
    print(f"{target.name}: persona LM verified (sha256 of every file) and installed -> {target}")
    return 0


def register(models_subparsers: argparse._SubParsersAction) -> None:
    m = models_subparsers.add_parser("import-lm", help="install a persona LM built on another machine (checks BUILD.json's sha256s)")
    m.add_argument("folder", help="the built folder (genai_config.json, model.onnx, ..., BUILD.json)")
    m.add_argument("--dir", help="models folder (default: $COMPANION_MODELS_DIR or ~/.local/share/companion/models)")
    m.add_argument("--name", help="model name (default: the folder's name; [persona] lm_model picks it)")
    m.set_defaults(func=cmd_import_lm)
