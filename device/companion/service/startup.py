"""Start-up problems: the ones that heal are waited for, the ones that need a person stop once.

Under systemd a start-time error that exits non-zero is restarted (Restart=on-failure): an error
that cannot heal by itself then loops, and one that can heal should never have exited. So
`companion run`:

- waits, with READY=1 sent and the watchdog fed, while the persona is paused (`companion care
  resume` lets it start), and treats a configured audio device that is not there (a USB speaker
  switched off, a mic not plugged in, a name that matches nothing) as absent: the supervisor
  waits for it, and the log says how to fix a name that is wrong;
- turns every other start-time CompanionError (bad settings, a missing model or persona, no
  consent, a retired persona, a persona under /home hidden by ProtectHome) into NeedsFixing: one
  journal line saying what to fix and how to restart, exit 78, which the unit's
  RestartPreventExitStatus= keeps systemd from restarting.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import AudioError, CompanionError, NeedsFixing
from .notify import Notifier

logger = logging.getLogger(__name__)

RESTART = "then restart the service: `sudo systemctl restart companion`"
HIDDEN_BY_PROTECT_HOME = (Path("/home"), Path("/root"), Path("/run/user"))
"""What companion.service's ProtectHome=yes makes empty and inaccessible for the service."""
SERVICE_PERSONA_DIR = "/var/lib/companion/persona"
PAUSE_POLL_S = 5.0


def needs_fixing(exc: CompanionError) -> NeedsFixing:
    """The same error, marked as one that only a person can fix, ending with how to restart."""
    if isinstance(exc, NeedsFixing):
        return exc
    hint = f"{exc.hint}; {RESTART}" if exc.hint else f"fix this, {RESTART}"
    return NeedsFixing(f"cannot start: {exc.what}", where=exc.where, hint=hint)


def hidden_home_root(path: Path, hidden: tuple[Path, ...] = HIDDEN_BY_PROTECT_HOME) -> Path | None:
    """The ProtectHome-hidden folder ``path`` lies in (/home, /root, /run/user), if any."""
    absolute = Path(os.path.abspath(path))
    return next((top for top in hidden if absolute == top or top in absolute.parents), None)


def check_persona_visible(path: Path, *, hidden: tuple[Path, ...] = HIDDEN_BY_PROTECT_HOME,
                          environ: dict[str, str] | None = None) -> None:
    """Raise NeedsFixing when the persona lies where the service's sandbox hides it.

    From a terminal /home is visible and nothing is raised; under systemd ($INVOCATION_ID set)
    or whenever the folder cannot be reached, the message names ProtectHome and the fix.
    """
    top = hidden_home_root(path, hidden)
    if top is None:
        return
    env = os.environ if environ is None else environ
    try:
        path.stat()
        return  # reachable: a terminal run, or a unit without ProtectHome
    except OSError:
        if not env.get("INVOCATION_ID") and os.access(top, os.R_OK | os.X_OK):
            return  # simply missing; the persona loader says so
    raise NeedsFixing(
        f"cannot start: the persona folder {path} is under {top}, which the service cannot see "
        "(ProtectHome=yes in companion.service keeps it out of people's home folders)",
        where="persona.dir",
        hint=(f"move it: `sudo mkdir -p {SERVICE_PERSONA_DIR} && sudo cp -a {path}/. {SERVICE_PERSONA_DIR}/ && "
              f"sudo chown -R companion: {SERVICE_PERSONA_DIR}`, set [persona] dir = \"{SERVICE_PERSONA_DIR}\" "
              f"in /etc/companion/companion.toml, {RESTART}"),
    )


def report_absent_devices(input_spec: str, output_spec: str,
                          resolve: Callable[[str, str], object], listing: Callable[[str], list[tuple[int, str]]]) -> list[str]:
    """Log each configured device that is not there now; it is waited for, never a reason to exit.

    A name that matches nothing cannot be told apart from a USB device that is switched off, so
    both are waited for; the line lists what is there and how to fix a wrong name. Returns the
    kinds that are missing. Raises NeedsFixing only when the audio library itself is missing.
    """
    missing = []
    for kind, spec in (("input", input_spec), ("output", output_spec)):
        try:
            resolve(spec, kind)
        except AudioError as exc:
            try:
                found = ", ".join(f"{i}: {name}" for i, name in listing(kind)) or "none"
            except AudioError as inner:
                raise needs_fixing(inner) from None
            if "PortAudio" in exc.what:
                raise needs_fixing(exc) from None
            wanted = f"{spec!r}" if spec else "(the default)"
            logger.warning(
                "audio %s device %s is not there (found: %s); waiting for it. If the name is wrong, "
                "set [audio] %s_device to one of those in /etc/companion/companion.toml, %s",
                kind, wanted, found, kind, RESTART)
            missing.append(kind)
    return missing


def _sleep_on(seconds: float) -> bool:
    time.sleep(seconds)
    return False


def wait_while_paused(
    is_paused: Callable[[], bool],
    notifier: Notifier,
    *,
    persona: str,
    poll_s: float = PAUSE_POLL_S,
    stopped: Callable[[float], bool] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Block while the persona is paused; True once it may speak, False if ``stopped`` says stop.

    Sends READY=1 (a paused device is up, not starting: systemd's start timeout must not fire)
    with a STATUS saying how to resume, and keeps the watchdog fed. ``stopped(seconds)`` waits
    and returns True to give up (an Event's wait in tests and on SIGTERM); None: sleep, never give up.
    """
    if stopped is None:
        stopped = _sleep_on
    if not is_paused():
        return True
    logger.warning("persona %s is paused: staying silent until `companion care resume` (checked every %.0f s)",
                   persona, poll_s)
    notifier.ready("paused: run `companion care resume` to talk again")
    if notifier.watchdog_interval:
        poll_s = min(poll_s, notifier.watchdog_interval)
    began = clock()
    while True:
        if stopped(poll_s):
            return False
        notifier.watchdog()
        if not is_paused():
            logger.info("persona %s resumed after %.0f s paused; starting", persona, clock() - began)
            notifier.status("loading models")
            return True
