"""Echo cancellers on room echo: prints one JSON object with medians per canceller.

    PYTHONPATH=device python tests/bench/bench_aec.py [--scenes 6] [--models-dir DIR] [--out FILE]

Each scene (aec_room.py) is a reply in the bundled Piper voice played through a distorting
speaker into a simulated room, heard by a mic whose clock drifts, with a pause in the reply (the
delay comes back a few ms off) and the user talking over it for three seconds. Every canceller
behind ``EchoCanceller`` gets the same scenes, in 30 ms mic blocks as on the device:

- ``erle_db``: echo return loss enhancement on the echo-only stretches (mic / residual power);
- ``erle_after_pause_db``: the same on the stretch right after the pause in the playback;
- ``near_kept_db``: residual over the user's voice (as the mic heard it) while both talk: 0 is
  the voice kept whole, negative is the voice suppressed with the echo;
- ``near_spectral_snr_db``: the user's voice over what differs from it in the residual's
  magnitude spectrum (scaled to the voice's level) while both talk: leftover echo and damage
  to the voice count; overall level (``near_kept_db``) and phase, which a high-pass filter
  shifts harmlessly, do not. ``mic_spectral_snr_db`` is the same for the raw mic (no canceller);
- ``false_barge_ins`` / ``barge_in_detected`` / ``barge_in_latency_s``: the barge-in monitor
  (service/bargein.py, WebRTC VAD) run over the scene: interruptions before the user speaks
  (the device interrupting itself) and whether and how soon it hears the user;
- ``cpu_per_audio_s``: thread CPU seconds per second of audio in ``process``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from aec_room import RATE, Scene, make_scene  # noqa: E402
from companion.audio.echo import NlmsEchoCanceller, ReferenceBuffer  # noqa: E402
from companion.audio.echo_webrtc import WebRtcEchoCanceller, webrtc_available  # noqa: E402
from companion.events import AudioChunk  # noqa: E402
from companion.service.bargein import BargeInMonitor  # noqa: E402
from companion.vad.webrtc import WebRtcVad  # noqa: E402

T0 = 1000.0  # wall-clock time the reply starts
BLOCK = 480  # 30 ms mic blocks, as the device reads them

REPLY = ("Well now, apple pie was always your grandmother's, but I learnt it in the end. You want tart "
         "apples, a good handful of butter in the crust, and you keep the water ice cold. Roll it thin, "
         "don't fuss with it. Cinnamon, a little nutmeg, and sugar to taste. Forty five minutes in a hot "
         "oven, and let it sit before you cut it or it all runs out on the plate. We had it every Sunday "
         "after church, and your father always wanted the corner piece.")
USER = "Grandpa, wait a moment. How do you change a flat tire on the old truck?"


def speech(models_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """The device's reply and the user's question, 16 kHz float32 int16 scale."""
    import soxr

    from companion.service.languages import load_synthesizer

    tts = load_synthesizer(models_dir, "tts-joe-medium")
    out = []
    for text, minimum in ((REPLY, 17 * RATE), (USER, 3 * RATE)):
        pcm = soxr.resample(tts.synthesize(text).astype(np.float32), tts.sample_rate, RATE)
        while len(pcm) < minimum:
            pcm = np.concatenate([pcm, pcm])
        out.append(pcm.astype(np.float32))
    return out[0], out[1]


def db(x: np.ndarray) -> float:
    return 10.0 * float(np.log10(np.mean(np.square(x.astype(np.float64))) + 1e-9))


def spectral_snr(residual: np.ndarray, near: np.ndarray) -> float:
    def mag(x: np.ndarray) -> np.ndarray:
        frames = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), 512)[::256] * np.hanning(512)
        return np.abs(np.fft.rfft(frames, axis=1))

    n, r = mag(near), mag(residual)
    r = r * np.sum(r * n) / max(np.sum(r * r), 1e-9)  # level-free: a quieter voice is not a damaged one
    return 10.0 * float(np.log10(np.sum(n**2) / max(np.sum((r - n) ** 2), 1e-9)))


def make_canceller(name: str, reference: ReferenceBuffer):  # type: ignore[no-untyped-def]
    return NlmsEchoCanceller(reference) if name == "nlms" else WebRtcEchoCanceller(reference)


def cancel(name: str, scene: Scene) -> tuple[np.ndarray, float]:
    reference = ReferenceBuffer(seconds=30.0)
    reference.add(scene.far, T0)
    aec = make_canceller(name, reference)
    out = [aec.process(scene.mic[i : i + BLOCK], T0 + i / RATE).residual for i in range(0, len(scene.mic), BLOCK)]
    return np.concatenate(out), aec.cpu_per_audio_s


def barge_in(name: str, scene: Scene) -> list[float]:
    """Times (s into the scene) at which the monitor reported the user speaking over the reply."""
    reference = ReferenceBuffer(seconds=30.0)
    reference.add(scene.far, T0)
    now = [T0]
    monitor = BargeInMonitor(make_canceller(name, reference), WebRtcVad(2, frame_ms=30), clock=lambda: now[0])
    times = []
    for i in range(0, len(scene.mic) - BLOCK + 1, BLOCK):
        now[0] = T0 + (i + BLOCK) / RATE + 0.005  # the block arrives 5 ms after its last sample
        if monitor.process(AudioChunk.from_int16(scene.mic[i : i + BLOCK], RATE, timestamp=i / RATE)) is not None:
            times.append((i + BLOCK) / RATE)
    return times


def measure(name: str, scene: Scene) -> dict[str, float]:
    residual, cpu = cancel(name, scene)
    mic = scene.mic.astype(np.float64)
    first, after = scene.echo_spans
    talk = scene.talk
    heard = barge_in(name, scene)
    start = talk.start / RATE
    false = [t for t in heard if t < start]
    detected = [t - start for t in heard if start <= t <= start + 2.0]
    return {
        "erle_db": db(mic[first]) - db(residual[first]),
        "erle_after_pause_db": db(mic[after]) - db(residual[after]),
        "near_kept_db": db(residual[talk]) - db(scene.near[talk]),
        "near_spectral_snr_db": spectral_snr(residual[talk], scene.near[talk]),
        "mic_spectral_snr_db": spectral_snr(mic[talk], scene.near[talk]),
        "false_barge_ins": float(len(false)),
        "barge_in_detected": float(bool(detected)),
        "barge_in_latency_s": detected[0] if detected else float("nan"),
        "cpu_per_audio_s": cpu,
    }


def main(argv: list[str] | None = None) -> int:
    from companion.models.store import default_models_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=6)
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    names = ["nlms"] + (["webrtc"] if webrtc_available() else [])
    reply, user = speech(args.models_dir or default_models_dir())
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    rooms = set()
    for seed in range(args.scenes):
        scene = make_scene(seed, reply, user)
        rooms.add(scene.room)
        for name in names:
            runs[name].append(measure(name, scene))
            print(f"scene {seed} {name}: " + ", ".join(f"{k} {v:.3g}" for k, v in runs[name][-1].items()),
                  file=sys.stderr)
    result = {
        "scenes": args.scenes,
        "room": sorted(rooms),
        "medians": {
            name: {key: round(statistics.median(r[key] for r in rows if not np.isnan(r[key])), 4)
                   if any(not np.isnan(r[key]) for r in rows) else None
                   for key in rows[0]}
            for name, rows in runs.items()
        },
        "totals": {name: {"false_barge_ins": sum(r["false_barge_ins"] for r in rows),
                          "barge_ins_detected": sum(r["barge_in_detected"] for r in rows)}
                   for name, rows in runs.items()},
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
