"""The home-server commands: `companion serve`, `companion satellite`, `companion network-dropin`,
`companion bench-remote`. Registered by cli.py with one call."""

from __future__ import annotations

import argparse
from typing import Any


def _cmd_serve(args: argparse.Namespace) -> int:
    from .serve import cmd_serve

    return cmd_serve(args)


def _cmd_satellite(args: argparse.Namespace) -> int:
    from .satellite import cmd_satellite

    return cmd_satellite(args)


def _cmd_dropin(args: argparse.Namespace) -> int:
    from ..service.dropin import cmd_network_dropin

    return cmd_network_dropin(args)


def _cmd_bench(args: argparse.Namespace) -> int:
    from .bench import cmd_bench_remote

    return cmd_bench_remote(args)


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="answer as the persona for other devices and Home Assistant (Wyoming, home server)")
    p.add_argument("--persona", help="persona folder or bundle (default: the configured one)")
    p.add_argument("--uri", default="tcp://0.0.0.0:10700", help="where to listen (default: tcp://0.0.0.0:10700)")
    p.add_argument("--allow-public", action="store_true",
                   help="listen on a public address (Wyoming is unencrypted: see README)")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("satellite", help="be a Home Assistant voice satellite (Wyoming) with this device's mic and speaker")
    p.add_argument("--uri", help="where to listen (default: [satellite] uri)")
    p.add_argument("--input", help="take the microphone from this WAV file instead (one turn, for testing)")
    p.add_argument("--output", help="write what Home Assistant says to this WAV file instead of the speaker")
    p.set_defaults(func=_cmd_satellite)

    p = sub.add_parser("network-dropin",
                       help="the systemd drop-in that opens the network only to the configured home server and Home Assistant")
    p.add_argument("--write", metavar="DIR", help="write it into DIR (e.g. /etc/systemd/system/companion.service.d) "
                                                  "instead of printing it")
    p.set_defaults(func=_cmd_dropin)

    p = sub.add_parser("bench-remote", help="loopback overhead of each remote stage and the fall-back time (JSON)")
    p.add_argument("--asr-uri", help="a running Wyoming ASR server (default: [asr] uri)")
    p.add_argument("--tts-uri", help="a running Wyoming TTS server (default: [tts] uri)")
    p.add_argument("--persona-uri", help="a running `companion serve` (default: [persona] uri)")
    p.add_argument("--runs", type=int, default=5, help="runs per measurement (median reported)")
    p.set_defaults(func=_cmd_bench)
