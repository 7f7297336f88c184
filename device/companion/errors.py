"""One error type the CLI knows how to print: what went wrong, where, and what to do next.

Every failure a user can cause (bad config, missing model, unreadable WAV, absent audio device)
is raised as a ``CompanionError`` so the entry point prints one line and exits non-zero,
instead of a traceback.
"""

from __future__ import annotations

EXIT_FAILURE = 1
EXIT_CONFIG = 78
"""sysexits' EX_CONFIG: the service cannot start until a person fixes its configuration.
companion.service lists it in RestartPreventExitStatus=, so systemd does not restart in a loop."""


class CompanionError(Exception):
    """A user-facing failure with a location and a hint for the next step."""

    exit_status = EXIT_FAILURE
    """What `companion` exits with when this error ends a command."""

    def __init__(self, what: str, *, where: str | None = None, hint: str | None = None) -> None:
        self.what = what
        self.where = where
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = self.what
        if self.where:
            text = f"{text} ({self.where})"
        if self.hint:
            text = f"{text}; {self.hint}"
        return text


class ConfigError(CompanionError):
    """The settings file or a setting is invalid."""


class ModelError(CompanionError):
    """A model file is missing, corrupt or fails its checksum."""


class AudioError(CompanionError):
    """An audio device or audio file cannot be used."""


class PersonaError(CompanionError):
    """A persona folder is missing or malformed."""


class NeedsFixing(CompanionError):
    """`companion run` cannot start until a person changes something; retrying cannot help.

    Exits with EXIT_CONFIG, which systemd does not restart; the hint ends with how to restart.
    """

    exit_status = EXIT_CONFIG
