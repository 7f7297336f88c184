"""Running the `companion` command as a user would, and comparing spoken text."""

from __future__ import annotations

import subprocess
import sys


def run_companion(args: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`python -m companion ARGS` in a child process, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "companion", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def words(text: str) -> set[str]:
    """Lower-case words without punctuation, for comparing a transcript with a text."""
    return {w.strip(".,!?;:'\"").lower() for w in text.split()} - {""}
