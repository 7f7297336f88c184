"""`companion doctor`: is this device ready to talk? One line per check, a fix for each failure.

Checks the sound devices (and records and plays a moment of audio), the models against their
checksums, the persona and its consent record, free disk space and the systemd unit. Exits
non-zero when any check fails; warnings do not fail. Nothing here needs the network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Settings
from ..errors import EXIT_CONFIG, CompanionError
from .startup import SERVICE_PERSONA_DIR, hidden_home_root

if TYPE_CHECKING:
    from ..persona.bundle.store import Bundle

MIN_FREE_BYTES = 500 * 1024 * 1024
UNIT = "companion.service"
SYSTEM_KEY_FILE = Path("/etc/companion/persona.key")


@dataclass(frozen=True)
class Check:
    status: str  # "ok", "warn", "fail" or "skip"
    name: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status.upper():4} {self.name}: {self.detail}"
        return f"{text}\n     -> {self.fix}" if self.fix and self.status in ("fail", "warn") else text


def check_audio(settings: Settings, *, test_io: bool = True, seconds: float = 0.5) -> Iterator[Check]:
    """List the devices, then record and play a short moment on the configured ones."""
    from ..audio.devices import list_devices, resolve_device

    try:
        devices = {kind: list_devices(kind) for kind in ("input", "output")}
    except CompanionError as exc:
        yield Check("fail", "audio", exc.what, exc.hint or "")
        return
    specs = {"input": settings.audio.input_device, "output": settings.audio.output_device}
    for kind, found in devices.items():
        names = ", ".join(f"{i}: {name}" for i, name in found) or "none"
        spec = specs[kind]
        try:
            index = resolve_device(spec, kind)
        except CompanionError as exc:
            yield Check("fail", f"audio {kind}", f"{exc.what} (found: {names})",
                        f"plug the device in, or set [audio] {kind}_device to one of the names above")
            continue
        yield Check("ok", f"audio {kind}", f"{'default' if index is None else index} of: {names}")
        if test_io:
            yield _test_capture(index, seconds) if kind == "input" else _test_playback(index, seconds)


def _busy_hint(exc: Exception) -> str:
    text = str(exc)
    if "busy" in text.lower():
        return "the device is in use (by the running service?): `systemctl stop companion`, then run doctor again"
    return "check the cable and `companion devices`; the service user must be in the audio group"


def _test_capture(device: int | None, seconds: float) -> Check:
    import numpy as np
    import sounddevice as sd

    try:
        rate = int(sd.query_devices(device, "input")["default_samplerate"])
        pcm = sd.rec(int(seconds * rate), samplerate=rate, channels=1, dtype="int16", device=device, blocking=True)
    except Exception as exc:  # PortAudio raises many kinds; all mean "cannot record"
        return Check("fail", "audio capture", f"cannot record: {exc}", _busy_hint(exc))
    peak = int(np.abs(pcm.astype(np.int32)).max()) if len(pcm) else 0
    if peak == 0:
        return Check("warn", "audio capture", f"recorded {seconds:.1f} s of exact zeros",
                     "the microphone is muted or dead: check its mute switch and `alsamixer` capture level")
    return Check("ok", "audio capture", f"recorded {seconds:.1f} s at {rate} Hz, peak {peak / 32768:.1%} of full scale")


def _test_playback(device: int | None, seconds: float) -> Check:
    import numpy as np
    import sounddevice as sd

    try:
        rate = int(sd.query_devices(device, "output")["default_samplerate"])
        t = np.arange(int(seconds * rate)) / rate
        tone = (0.05 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)  # quiet: a polite beep
        sd.play(tone, samplerate=rate, device=device, blocking=True)
    except Exception as exc:
        return Check("fail", "audio playback", f"cannot play: {exc}", _busy_hint(exc))
    return Check("ok", "audio playback", f"played a {seconds:.1f} s beep at {rate} Hz")


def check_models(settings: Settings) -> Iterator[Check]:
    """Every model this configuration loads, with its full SHA-256 check."""
    from ..models.store import ModelStore

    names = [settings.asr.model, settings.tts.voice, settings.persona.embedding_model]
    if settings.wake.enabled:
        names.append(settings.wake.model)
    neutral = settings.tts.neutral_voice
    if neutral and neutral not in names:
        names.append(neutral)
    try:
        store = ModelStore(settings.paths.models)
    except CompanionError as exc:
        yield Check("fail", "models", exc.what, exc.hint or "")
        return
    for name in names:
        try:
            store.verify(name)
        except CompanionError as exc:
            yield Check("fail", f"model {name}", exc.what, exc.hint or "run `companion models install`")
        else:
            yield Check("ok", f"model {name}", f"sha256 verified in {store.models_dir / name}")


def check_persona(settings: Settings) -> Iterator[Check]:
    """The persona loads; for an encrypted bundle, its consent record allows use now."""
    path = settings.persona.path
    try:
        from ..persona.bundle.store import Bundle, is_bundle
    except ImportError:
        is_bundle = None  # type: ignore[assignment]
    if is_bundle is not None and is_bundle(path):
        yield from _check_bundle(settings, path, Bundle)
        return
    from ..persona.folder import load_persona_folder

    try:
        folder = load_persona_folder(path)
    except CompanionError as exc:
        yield Check("fail", "persona", exc.what, exc.hint or "check [persona] dir")
        return
    yield Check("ok", "persona", f"folder {path} ({len(folder.messages)} messages)")
    from ..consent import ConsentError
    from ..ethics.gate import check_persona_consent

    try:
        kind = check_persona_consent(path)
    except ConsentError as exc:
        yield Check("fail", "consent", exc.what, exc.hint or "see `companion persona show`")
        return
    if kind == "fictional-demo":
        yield Check("ok", "consent", "the shipped fictional demo persona (no consent record needed)")
    else:
        yield Check("ok", "consent", "consent.json is signed by a key this device trusts and covers the messages")


def _check_bundle(settings: Settings, path: Path, bundle_cls: type[Bundle]) -> Iterator[Check]:
    from ..persona.bundle.keys import read_secret

    explicit = SYSTEM_KEY_FILE if os.access(SYSTEM_KEY_FILE, os.R_OK) else None
    try:
        secret = read_secret(explicit, settings_key_file=settings.persona.key_file or None)
        with bundle_cls.open(path, secret) as bundle:
            yield Check("ok", "persona", f"bundle {path} unlocks")
            record = bundle.check_consent()
    except CompanionError as exc:
        name = "consent" if type(exc).__name__ == "ConsentError" else "persona"
        yield Check("fail", name, exc.what, exc.hint or "see `companion persona show`")
        return
    until = record.valid_until
    yield Check("ok", "consent", "signed and valid" + (f" until {until}" if until else ""))


def check_voice(settings: Settings) -> Iterator[Check]:
    """Which voice speaks the persona's replies (its installed clone, or the bundled voice)."""
    from ..persona.cloned_voice import describe_voice

    key_file = SYSTEM_KEY_FILE if os.access(SYSTEM_KEY_FILE, os.R_OK) else settings.persona.key_file
    try:
        detail = describe_voice(settings.persona.path, settings.tts.voice, enabled=settings.voice.speak_with_clone,
                                key_file=key_file)
    except CompanionError as exc:
        yield Check("fail", "voice", exc.what, exc.hint or "")
        return
    yield Check("ok", "voice", f"{detail}; disclosures and crisis answers: {settings.tts.neutral_voice}")


def check_language(settings: Settings) -> Iterator[Check]:
    """The persona can be heard and spoken in its language (the same plan start-up refuses with)."""
    from .languages import persona_language, plan_speech

    try:
        language = persona_language(settings)
        plan = plan_speech(settings, language)
    except CompanionError as exc:
        yield Check("fail", "language", exc.what, exc.hint or "")
        return
    yield Check("ok", "language", f"persona speaks {plan.language}: heard by {plan.asr_model} ({plan.asr_language}), "
                f"replies by {plan.voice}, disclosures by {plan.neutral_voice}, memories searched with "
                f"{plan.embedding_model}")
    for warning in plan.warnings:
        yield Check("warn", "language", warning.split(":")[0], warning.split(": ", 1)[-1])


def check_disk(settings: Settings) -> Iterator[Check]:
    """Free space where models, cache and persona data live."""
    seen: set[int] = set()
    for label, path in (("models", settings.paths.models), ("cache", settings.paths.cache)):
        existing = next((p for p in (path, *path.parents) if p.exists()), Path("/"))
        dev = existing.stat().st_dev
        if dev in seen:
            continue
        seen.add(dev)
        free = shutil.disk_usage(existing).free
        detail = f"{free / 2**30:.1f} GiB free at {existing} ({label})"
        if free < MIN_FREE_BYTES:
            yield Check("fail", "disk", detail, "free some space: the logs and caches need room (`journalctl --vacuum-size=100M`)")
        else:
            yield Check("ok", "disk", detail)


def check_unit(run: Callable[..., Any] = subprocess.run, *, root: Path = Path("/"),
               which: Callable[[str], str | None] = shutil.which) -> Iterator[Check]:
    """The systemd unit's state, where systemd runs (``root``/run/systemd/system exists: what
    sd_booted() checks; a test passes a temporary tree and a stand-in for systemctl)."""
    if which("systemctl") is None or not (root / "run" / "systemd" / "system").is_dir():
        yield Check("skip", "service", "systemd is not running here")
        return

    def ask(*args: str) -> str:
        out = run(["systemctl", *args, UNIT], capture_output=True, text=True, timeout=10)
        return (out.stdout or "").strip()

    enabled, active = ask("is-enabled"), ask("is-active")
    if not enabled or enabled == "not-found":
        yield Check("warn", "service", "companion.service is not installed", "run `sudo ./install.sh` from the source folder")
        return
    status = ask("show", "--property=StatusText", "--value")
    detail = f"{active}, {enabled}" + (f", status: {status}" if status else "")
    if active == "active":
        yield Check("ok", "service", detail)
    elif active == "failed" and ask("show", "--property=ExecMainStatus", "--value") == str(EXIT_CONFIG):
        reason = last_error(run) or "see `journalctl -u companion -b`"
        yield Check("fail", "service", f"stopped until its configuration is fixed (exit {EXIT_CONFIG}, not restarted): {reason}",
                    "fix that (the checks above show it too), then `sudo systemctl restart companion`")
    elif active == "failed":
        yield Check("fail", "service", detail, "see `journalctl -u companion -b`, fix, then `sudo systemctl restart companion`")
    else:
        yield Check("warn", "service", detail, "start it: `sudo systemctl enable --now companion`")


def last_error(run: Callable[..., Any] = subprocess.run) -> str:
    """The service's last one-line error from this boot's journal ("" when there is none or no access)."""
    try:
        out = run(["journalctl", "-u", UNIT, "-b", "-o", "cat", "-n", "300", "--no-pager"],
                  capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return ""
    errors = [line.split("companion: error: ", 1)[1] for line in (out.stdout or "").splitlines()
              if "companion: error: " in line]
    return errors[-1] if errors else ""


def check_persona_location(settings: Settings) -> Iterator[Check]:
    """A persona under /home works from a terminal, but the service's sandbox cannot see it."""
    top = hidden_home_root(settings.persona.path)
    if top is not None:
        yield Check("warn", "persona location", f"{settings.persona.path} is under {top}, which the service cannot see "
                    "(ProtectHome=yes)", f"move it to {SERVICE_PERSONA_DIR} and set [persona] dir; "
                    "see `companion run`'s error under systemd for the exact commands")


def check_privacy(settings: Settings) -> Iterator[Check]:
    if settings.privacy.log_transcripts:
        yield Check("warn", "privacy", "transcripts and replies are written to the journal",
                    "set [privacy] log_transcripts = false unless the owner wants this")
    else:
        yield Check("ok", "privacy", "no transcripts in the logs")


def check_help_line(settings: Settings) -> Iterator[Check]:
    """The disclosure settings are the ethics layer's to accept, and the crisis line spoken is the
    one where the device is (ETHICS C3, C9)."""
    from ..errors import ConfigError
    from ..ethics.helplines import line_for
    from ..ethics.settings import check_ethics_settings, help_line

    ethics = settings.ethics
    try:
        check_ethics_settings(ethics)
    except ConfigError as exc:
        yield Check("fail", "ethics settings", exc.what, exc.hint or "fix it in [ethics] of the settings file")
        return
    line = line_for(ethics.country) if ethics.country.strip() else None
    if ethics.help_number.strip():
        yield Check("ok", "help line", f"{help_line(ethics)} (set in [ethics] help_number)")
    elif line is not None:
        yield Check("ok", "help line", f"{line.number}, {line.service} ({ethics.country.upper()}; check it at {line.source})")
    else:
        yield Check("warn", "help line", f"{help_line(ethics)} (the US line) is spoken in a crisis: no country is set",
                    'set [ethics] country = "GB" (your country\'s code) or help_number for where the device is')


def check_home_servers(settings: Settings) -> Iterator[Check]:
    """Remote stages answer, consent allows them, the network drop-in matches (doctor_remote.py)."""
    from .doctor_remote import check_home_servers as checks

    yield from checks(settings)


def _check_display(settings: Settings) -> Iterator[Check]:
    from .doctor_frame import check_display  # the memorial frame's screen, browser, fonts and feed

    return check_display(settings)


def run_checks(settings: Settings, *, test_audio: bool = True) -> list[Check]:
    checks: list[Check] = []
    for group in (
        lambda: check_audio(settings, test_io=test_audio),
        lambda: check_models(settings),
        lambda: check_persona(settings),
        lambda: check_persona_location(settings),
        lambda: check_voice(settings),
        lambda: check_language(settings),
        lambda: check_disk(settings),
        check_unit,
        lambda: check_privacy(settings),
        lambda: check_help_line(settings),
        lambda: check_home_servers(settings),
        lambda: _check_display(settings),
    ):
        try:
            checks.extend(group())
        except CompanionError as exc:  # a check that cannot even run is a failure, not a crash
            checks.append(Check("fail", "doctor", exc.what, exc.hint or ""))
    return checks


def cmd_doctor(args: argparse.Namespace) -> int:
    from ..config import settings_from_args

    checks = run_checks(settings_from_args(args), test_audio=not args.no_audio_test)
    for check in checks:
        print(check.line())
    failed = [c for c in checks if c.status == "fail"]
    print(f"{len(failed)} problem(s) found" if failed else "all checks passed")
    return 1 if failed else 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("doctor", help="check audio devices, models, persona, disk and the service")
    p.add_argument("--no-audio-test", action="store_true",
                   help="only list the sound devices; do not record or play (e.g. while the service runs)")
    p.set_defaults(func=cmd_doctor)
