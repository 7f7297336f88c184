"""The settings a command runs with: one helper for every `companion` command."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from .loader import Settings, load_settings


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The ``--config`` file (or the default one), then the options a command line may set in its
    place, where the command has them: ``--persona`` (the persona folder or bundle),
    ``--models-dir`` and ``--key-file`` (a bundle's passphrase file)."""
    settings = load_settings(Path(args.config) if getattr(args, "config", None) else None)
    persona = getattr(args, "persona", None)
    if persona:
        settings = replace(settings, persona=replace(settings.persona, dir=str(persona)))
    models_dir = getattr(args, "models_dir", None)
    if models_dir:
        settings = replace(settings, paths=replace(settings.paths, models_dir=str(models_dir)))
    key_file = getattr(args, "key_file", None)
    if key_file:
        settings = replace(settings, persona=replace(settings.persona, key_file=str(key_file)))
    return settings
