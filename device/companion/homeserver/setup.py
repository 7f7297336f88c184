"""`companion satellite`: the satellite's parts from the settings (its own small composition root).

Only what a satellite needs is loaded: the wake word, the VAD and the sound devices (or WAV
files); recognition, the persona and speech happen in Home Assistant's pipeline.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from ..audio.base import AudioSink, AudioSource
from ..config import Settings
from .satellite import SatelliteDevice, run_satellite


def build_device(settings: Settings, *, source, sink, with_wake: bool, max_turns: int | None = None  # type: ignore[no-untyped-def]
                 ) -> SatelliteDevice:
    from ..ethics.genlog import GenerationLog
    from ..ethics.setup import persona_id
    from ..ethics.wmkey import device_key
    from ..models.store import ModelStore
    from ..vad.endpointer import Endpointer
    from ..vad.webrtc import WebRtcVad

    vad = WebRtcVad(settings.vad.aggressiveness, frame_ms=settings.audio.block_ms)
    endpointer = Endpointer(settings.vad, frame_samples=vad.frame_samples)
    wake = None
    if with_wake:
        from ..wake.micro import MicroWakeWordDetector

        wake = MicroWakeWordDetector(ModelStore(settings.paths.models).path(settings.wake.model),
                                     threshold=settings.wake.threshold, refractory_s=settings.wake.refractory_s)
    ethics = settings.ethics
    log = GenerationLog(ethics.log_path, keep_transcripts=False, retention_days=ethics.transcript_retention_days)
    return SatelliteDevice(name=settings.satellite.name, source=source, sink=sink, vad=vad, endpointer=endpointer,
                           wake=wake, log=log, persona_id=persona_id(settings), max_turns=max_turns,
                           watermark_key=device_key(settings.ethics.log_path).secret)


def satellite_from_settings(args: argparse.Namespace) -> int:
    from ..config import settings_from_args
    from .advertise import advertiser_for
    from ..remote.link import check_home, parse_uri

    settings = settings_from_args(args)
    uri = parse_uri(args.uri or settings.satellite.uri, "--uri" if args.uri else "satellite.uri", listen=True)
    check_home(uri, "satellite.uri", allow_public=settings.network.allow_public)
    if args.input:
        from ..audio.wavfile import WavFileSource

        source: AudioSource = WavFileSource(Path(args.input), block_ms=settings.audio.block_ms,
                               trailing_silence_s=settings.vad.hangover_s + 1.0, realtime=True)
    else:
        from ..audio.sounddevice_io import SoundDeviceSource

        microphone = SoundDeviceSource(settings.audio.input_device, block_ms=settings.audio.block_ms)
        microphone.start()
        source = microphone
    if args.output:
        from ..audio.wavfile import WavFileSink

        sink: AudioSink = WavFileSink(Path(args.output))
    else:
        from ..audio.sounddevice_io import SoundDeviceSink

        sink = SoundDeviceSink(settings.audio.output_device)
    device = build_device(settings, source=source, sink=sink, with_wake=not args.input and settings.wake.enabled,
                          max_turns=1 if args.input else None)
    advertiser = advertiser_for(settings.satellite.zeroconf, settings.satellite.name, uri.port)
    print(f"Home Assistant satellite {settings.satellite.name!r} on {uri}: add it in Home Assistant "
          f"(Settings > Devices > Add integration > Wyoming Protocol, host = this device, port {uri.port})", flush=True)
    try:
        from ..service.notify import Notifier

        asyncio.run(run_satellite(device, str(uri), start_without_wake=bool(args.input), zeroconf=advertiser,
                                  notifier=Notifier()))
    except KeyboardInterrupt:
        pass
    finally:
        source.close()
        sink.close()
    return 0
