"""`companion doctor` checks for the home server and Home Assistant (nothing when none is configured).

The servers answer, the consent record allows the persona there, the network drop-in matches.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..config import Settings, default_config_path
from ..errors import CompanionError
from ..ethics.home_server import check_home_server_allowed, consent_record
from ..remote.link import RemoteError, parse_uri, probe
from .doctor import Check
from .dropin import DROPIN_NAME, dropin_text, service_program

UNIT_FILE = Path("/etc/systemd/system/companion.service")


def check_home_servers(settings: Settings, *, unit_file: Path = UNIT_FILE) -> Iterator[Check]:
    timeout = max(settings.network.connect_timeout_s, 1.0)
    for stage, uri, budget_s, what in (
            ("asr", settings.asr.uri, settings.asr.remote_timeout_s, "speech recognition"),
            ("tts", settings.tts.uri, settings.tts.remote_timeout_s, "voice"),
            ("persona", settings.persona.uri, settings.persona.remote_timeout_s, "persona")):
        if not uri:
            continue
        try:
            info = probe(parse_uri(uri, f"{stage}.uri"), timeout_s=timeout)
        except (RemoteError, CompanionError) as exc:
            yield Check("warn", f"home server {stage}", f"{uri} does not answer ({exc}): the device's own {what} "
                        "answers meanwhile", f"start the server there, or check [{stage}] uri; "
                        "`companion bench-remote` measures it")
            continue
        programs = [p.get("name", "?") for kind in ("asr", "tts", "handle") for p in info.get(kind, []) or []]
        needed = {"asr": "asr", "tts": "tts", "persona": "handle"}[stage]
        if not info.get(needed):
            yield Check("fail", f"home server {stage}", f"{uri} answers but offers no {needed} service "
                        f"({', '.join(programs) or 'nothing'})", f"point [{stage}] uri at the right server and port")
        else:
            yield Check("ok", f"home server {stage}", f"{uri} answers ({', '.join(programs)}); "
                        f"falls back to the device after {budget_s:g} s")
    if settings.persona.uri:
        try:
            check_home_server_allowed(settings.persona.path, settings.persona.key_file)
            fictional = consent_record(settings.persona.path, settings.persona.key_file) is None
        except CompanionError as exc:
            yield Check("fail", "home server consent", exc.what, exc.hint or "")
        else:
            yield Check("ok", "home server consent", "the bundled demo persona is fictional" if fictional
                        else "the consent record allows the persona on a home server")
    if settings.satellite.enabled and not settings.satellite.allowed_hosts:
        yield Check("warn", "satellite", "no Home Assistant address in [satellite] allow: the service's firewall "
                    "lets nobody connect", "set [satellite] allow = \"<Home Assistant's IP address>\", then "
                    "`companion network-dropin --write /etc/systemd/system/companion.service.d`")
    expected = dropin_text(settings, program=service_program(), config=default_config_path())
    installed = unit_file.parent / f"{unit_file.name}.d" / DROPIN_NAME
    if unit_file.is_file() and (expected or installed.exists()):
        current = installed.read_text(encoding="utf-8") if installed.exists() else None
        if current == expected:
            yield Check("ok", "network", "the service may reach only the configured home server / Home Assistant")
        else:
            yield Check("warn", "network", "the service's network drop-in does not match the settings",
                        f"run `companion network-dropin --write {installed.parent}`, then "
                        "`systemctl daemon-reload && systemctl restart companion`")
