"""Room echo for the echo-canceller benchmark: what a microphone beside a small speaker hears.

No real-room recordings can be downloaded here, so each scene is built from parts a recording
would have, none of which the cancellers are told about:

- the device's voice and the user's are real speech (the bundled Piper voice, two texts);
- the speaker distorts (a small driver played loud: soft clipping plus a little second
  harmonic), so no linear filter can model the echo completely;
- a room impulse response from ``pyroomacoustics`` (image-source model of a furnished living
  room, RT60 0.3-0.6 s, speaker 8-25 cm from the mic), or, without that package, a documented
  stand-in: direct sound, six early reflections and an exponentially decaying noise tail;
- the mic's clock runs 20-120 ppm off the speaker's (the echo delay drifts over the scene), the
  bulk delay is 40-250 ms, and after a pause in the playback it comes back 2-8 ms off (a sound
  server restarts a drained stream a few ms earlier or later each time);
- the user, in the same room 1-2 m away, talks over the reply for three seconds;
- microphone self-noise and a quiet room (about -60 dBFS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RATE = 16000


@dataclass
class Scene:
    far: np.ndarray
    """What the device played, float32 int16 scale, one entry per wall-clock sample from 0."""
    mic: np.ndarray
    """What its microphone heard (int16)."""
    near: np.ndarray
    """The user's voice as the microphone heard it (float32), zero outside the talk span."""
    echo_spans: list[slice]
    """Echo-only stretches (device speaking, no talker) after the first 3 s, for ERLE."""
    talk: slice
    room: str


def room_response(rng: np.random.Generator, distance_m: float) -> tuple[np.ndarray, str]:
    """Impulse response from a source ``distance_m`` from the mic, unit energy in its first 5 ms."""
    try:
        import pyroomacoustics as pra
    except ImportError:
        return _stand_in_response(rng, distance_m), "exponential multi-tap stand-in"
    size = np.array([rng.uniform(3.5, 6.0), rng.uniform(3.0, 5.0), rng.uniform(2.4, 2.9)])
    rt60 = rng.uniform(0.3, 0.6)
    absorption, order = pra.inverse_sabine(rt60, size)
    room = pra.ShoeBox(size, fs=RATE, materials=pra.Material(absorption), max_order=min(order, 12))
    mic = size * np.array([rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7), 0.0]) + [0, 0, 0.9]
    angle = rng.uniform(0, 2 * np.pi)
    source = mic + distance_m * np.array([np.cos(angle), np.sin(angle), rng.uniform(-0.1, 0.3)])
    source = np.clip(source, 0.1, size - 0.1)
    room.add_source(source)
    room.add_microphone(mic)
    room.compute_rir()
    h = np.asarray(room.rir[0][0], dtype=np.float64)
    return _normalise(h), f"pyroomacoustics {pra.__version__} shoebox"


def _stand_in_response(rng: np.random.Generator, distance_m: float) -> np.ndarray:
    """Direct sound, six early reflections (2-20 ms later), and a noise tail decaying with RT60."""
    rt60 = rng.uniform(0.3, 0.6)
    n = int(rt60 * RATE)
    direct = int(distance_m / 343.0 * RATE)
    h = np.zeros(n + direct)
    h[direct] = 1.0
    for _ in range(6):
        h[direct + int(rng.uniform(0.002, 0.02) * RATE)] += rng.uniform(-0.6, 0.6)
    t = np.arange(n) / RATE
    h[direct:] += rng.standard_normal(n) * 0.08 * np.exp(-6.9 * t / rt60)
    return _normalise(h)


def _normalise(h: np.ndarray) -> np.ndarray:
    start = int(np.argmax(np.abs(h) > 0.1 * np.max(np.abs(h))))
    return h / np.sqrt(np.sum(h[start : start + RATE // 200] ** 2))


def loudspeaker(x: np.ndarray, drive: float) -> np.ndarray:
    """A small driver played loud: soft clipping and a little second harmonic (int16 scale)."""
    u = x / 32768.0
    y = np.tanh(drive * u) / np.tanh(drive) + 0.05 * u * np.abs(u)
    return (y * 32768.0).astype(np.float64)


def _delayed(signal: np.ndarray, delay_s: float, drift_ppm: float, length: int) -> np.ndarray:
    """``signal`` heard ``delay_s`` later through a mic whose clock runs ``drift_ppm`` fast."""
    t = np.arange(length) / RATE
    source_t = (t * (1.0 + drift_ppm * 1e-6) - delay_s) * RATE
    return np.interp(source_t, np.arange(len(signal)), signal, left=0.0, right=0.0)


def make_scene(seed: int, reply: np.ndarray, user: np.ndarray, *, talker: bool = True) -> Scene:
    """One scene: 9 s of reply, a 0.8 s pause, 7 s more (the user talks 3 s into it, if ``talker``)."""
    rng = np.random.default_rng(seed)
    first, second = reply[: 9 * RATE], reply[9 * RATE : 16 * RATE]
    pause = int(0.8 * RATE)
    far = np.concatenate([first, np.zeros(pause), second]).astype(np.float32)
    length = len(far) + RATE // 2
    h, room = room_response(rng, rng.uniform(0.08, 0.25))
    gain = 10 ** (rng.uniform(-6.0, 0.0) / 20)  # echo as loud as the device's voice, or a little less
    drive = rng.uniform(1.2, 2.5)
    delay, drift = rng.uniform(0.04, 0.25), rng.uniform(20, 120) * rng.choice([-1, 1])
    restart_shift = rng.uniform(0.002, 0.008) * rng.choice([-1, 1])
    played = np.convolve(loudspeaker(far.astype(np.float64), drive), h)[: len(far)] * gain
    split = len(first) + pause
    echo = _delayed(np.where(np.arange(len(far)) < split, played, 0.0), delay, drift, length)
    echo += _delayed(np.where(np.arange(len(far)) >= split, played, 0.0), delay + restart_shift, drift, length)
    near = np.zeros(length)
    talk = slice(split + 3 * RATE, split + 6 * RATE)
    if talker:
        h_user, _ = room_response(rng, rng.uniform(1.0, 2.0))
        voice = np.convolve(user[: 3 * RATE], h_user)[: 3 * RATE]
        near[talk] = voice / np.sqrt(np.mean(voice**2)) * 10 ** (rng.uniform(-4.0, 2.0) / 20) * _rms(echo[talk])
    noise = rng.standard_normal(length) * 30.0
    mic = np.clip(np.round(echo + near + noise), -32768, 32767).astype(np.int16)
    echo_spans = [slice(3 * RATE, len(first)), slice(split + int(0.5 * RATE), talk.start)]
    return Scene(far=far, mic=mic, near=near.astype(np.float32), echo_spans=echo_spans, talk=talk, room=room)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) or 1.0
