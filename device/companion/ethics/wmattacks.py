"""What people do to audio, done with the tools they would use: the watermark bench's attacks.

Every attack goes through FFmpeg (PyAV's bundled build, a runtime dependency already): `atempo`
is FFmpeg's WSOLA time-stretcher (the tempo change every editor and `ffmpeg -af atempo=1.1`
applies); a pitch shift is the usual recipe of playing the samples at another rate (`asetrate`,
which moves pitch and tempo together, i.e. resampling) and restoring the duration with `atempo`;
the phone channel is 8 kHz, 300-3400 Hz and G.711 mu-law (the `pcm_mulaw` codec); MP3 is
libmp3lame. Cropping and excerpts are plain slicing. Nothing here is hand-written DSP.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

from .audiofile import decode_mp3, encode_mp3, resample_hq

Attack = Callable[[np.ndarray, int, np.random.Generator], tuple[np.ndarray, int]]


def ffmpeg_filter(pcm: np.ndarray, rate: int, filters: Sequence[tuple[str, str]], out_rate: int | None = None,
                  ) -> tuple[np.ndarray, int]:
    """Run mono int16 audio through an FFmpeg filter chain (name, args), e.g. [("atempo", "1.1")]."""
    import av
    from av.filter import Graph

    graph = Graph()
    src = graph.add_abuffer(sample_rate=rate, format="s16", layout="mono", time_base=Fraction(1, rate))
    node = src
    for name, args in filters:
        nxt = graph.add(name, args)
        node.link_to(nxt)
        node = nxt
    final_rate = out_rate or rate
    fmt = graph.add("aformat", f"sample_fmts=s16:channel_layouts=mono:sample_rates={final_rate}")
    node.link_to(fmt)
    sink = graph.add("abuffersink")
    fmt.link_to(sink)
    graph.configure()
    out: list[np.ndarray] = []
    samples = np.asarray(pcm, dtype=np.int16)
    step = 4096
    for start in range(0, len(samples), step):
        frame = av.AudioFrame.from_ndarray(samples[start:start + step].reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        graph.push(frame)
        out += _drain(graph)
    graph.push(None)
    out += _drain(graph)
    return (np.concatenate(out) if out else np.zeros(0, dtype=np.int16)), final_rate


def _drain(graph: object) -> list[np.ndarray]:
    import av

    parts: list[np.ndarray] = []
    while True:
        try:
            frame = graph.pull()  # type: ignore[attr-defined]
        except (av.BlockingIOError, av.EOFError):
            return parts
        parts.append(frame.to_ndarray().reshape(-1).astype(np.int16))


def tempo(pcm: np.ndarray, rate: int, factor: float) -> tuple[np.ndarray, int]:
    """Faster (factor > 1) or slower, same pitch: FFmpeg's WSOLA `atempo`."""
    return ffmpeg_filter(pcm, rate, [("atempo", f"{factor:.6f}")])


def pitch(pcm: np.ndarray, rate: int, semitones: float) -> tuple[np.ndarray, int]:
    """Higher or lower by ``semitones``, same duration: resample (asetrate) then `atempo` back."""
    ratio = 2.0 ** (semitones / 12.0)
    return ffmpeg_filter(pcm, rate, [("asetrate", str(int(round(rate * ratio)))), ("aresample", str(rate)),
                                     ("atempo", f"{1.0 / ratio:.6f}")])


def speed(pcm: np.ndarray, rate: int, factor: float) -> tuple[np.ndarray, int]:
    """Played faster, pitch and tempo together (tape speed): resampling alone."""
    return ffmpeg_filter(pcm, rate, [("asetrate", str(int(round(rate * factor)))), ("aresample", str(rate))])


def mp3(pcm: np.ndarray, rate: int, bitrate: int = 64000) -> tuple[np.ndarray, int]:
    """Resample to 16 kHz, encode MP3 at ``bitrate`` (libmp3lame), decode."""
    return decode_mp3(encode_mp3(resample_hq(pcm, rate, 16000), 16000, bitrate))


def phone(pcm: np.ndarray, rate: int) -> tuple[np.ndarray, int]:
    """A narrow-band phone line: 8 kHz, 300-3400 Hz, G.711 mu-law encoded and decoded."""
    import av

    narrow, _ = ffmpeg_filter(pcm, rate, [("aresample", "8000"), ("highpass", "f=300:poles=2"),
                                          ("lowpass", "f=3400:poles=2")], out_rate=8000)
    encoder = av.CodecContext.create("pcm_mulaw", "w")
    encoder.sample_rate, encoder.format, encoder.layout = 8000, "s16", "mono"  # type: ignore[attr-defined]
    decoder = av.CodecContext.create("pcm_mulaw", "r")
    decoder.sample_rate, decoder.layout = 8000, "mono"  # type: ignore[attr-defined]
    frame = av.AudioFrame.from_ndarray(narrow.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = 8000
    out = []
    for packet in list(encoder.encode(frame)) + list(encoder.encode(None)):  # type: ignore[attr-defined]
        for decoded in decoder.decode(packet):
            out.append(decoded.to_ndarray().reshape(-1).astype(np.int16))
    return (np.concatenate(out) if out else np.zeros(0, dtype=np.int16)), 8000


def resample_chain(pcm: np.ndarray, rate: int) -> tuple[np.ndarray, int]:
    """Down to 16 kHz and up to 44.1 kHz with swresample (what a sound editor's export does)."""
    return resample_hq(resample_hq(pcm, rate, 16000), 16000, 44100), 44100


def crop(pcm: np.ndarray, rate: int, rng: np.random.Generator, keep_s: float = 3.0) -> tuple[np.ndarray, int]:
    """Cut a random 0.05-1.5 s off the start (the earcon and more) and up to 0.3 s off the end,
    keeping at least ``keep_s``."""
    spare = len(pcm) / rate - keep_s
    start = int(rng.uniform(0.05, max(0.05, min(1.5, spare))) * rate)
    end = len(pcm) - int(rng.uniform(0.0, max(0.0, min(0.3, spare - start / rate))) * rate)
    return pcm[start:max(start, end)], rate


def excerpt(pcm: np.ndarray, rate: int, rng: np.random.Generator, seconds: float = 3.0) -> tuple[np.ndarray, int]:
    """A ``seconds`` window at a random offset (the whole clip if it is shorter)."""
    n = int(seconds * rate)
    if len(pcm) <= n:
        return pcm, rate
    start = int(rng.integers(0, len(pcm) - n))
    return pcm[start:start + n], rate


ATTACKS: dict[str, Attack] = {
    "none": lambda pcm, rate, rng: (pcm, rate),
    "crop_random_offset": crop,
    "excerpt_3s": excerpt,
    "tempo_0.9": lambda pcm, rate, rng: tempo(pcm, rate, 0.9),
    "tempo_1.1": lambda pcm, rate, rng: tempo(pcm, rate, 1.1),
    "pitch_-1st": lambda pcm, rate, rng: pitch(pcm, rate, -1.0),
    "pitch_+1st": lambda pcm, rate, rng: pitch(pcm, rate, 1.0),
    "speed_1.1": lambda pcm, rate, rng: speed(pcm, rate, 1.1),
    "mp3_64k": lambda pcm, rate, rng: mp3(pcm, rate),
    "phone_8k": lambda pcm, rate, rng: phone(pcm, rate),
    "resample": lambda pcm, rate, rng: resample_chain(pcm, rate),
}
"""Name -> attack. Every attack but "none" is what the bench requires >= 99 % detection under."""
