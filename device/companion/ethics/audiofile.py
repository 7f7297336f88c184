"""Reading any audio file the detector may be handed, and the MP3 round trip the benchmark needs.

WAV goes through the project's own reader; everything else (MP3, OGG, M4A...) is decoded with
PyAV, which faster-whisper already installs and whose wheel bundles FFmpeg with libmp3lame.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np

from ..audio.decode import decode_mono
from ..errors import AudioError

logger = logging.getLogger(__name__)


def load_audio(path: Path) -> tuple[np.ndarray, int]:
    """Mono int16 samples and rate of a WAV or any FFmpeg-decodable file."""
    from ..audio.wavfile import read_wav

    if not path.is_file():
        raise AudioError("audio file not found", where=str(path))
    with open(path, "rb") as f:
        head = f.read(12)
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return read_wav(path)
    return _decode_with_av(path.read_bytes(), where=str(path))


def _decode_with_av(data: bytes, *, where: str) -> tuple[np.ndarray, int]:
    return decode_mono(data, None, np.int16, where=where, hint="give a WAV or MP3 file")


def resample_hq(pcm: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Resample with FFmpeg's swresample (what a user's tools would do to a file)."""
    import av

    if from_rate == to_rate:
        return pcm.astype(np.int16, copy=True)
    frame = av.AudioFrame.from_ndarray(pcm.astype(np.int16).reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = from_rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=to_rate)
    parts = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    parts += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(parts).astype(np.int16) if parts else np.zeros(0, dtype=np.int16)


def encode_mp3(pcm: np.ndarray, rate: int, bitrate: int = 64000) -> bytes:
    """MP3 bytes (libmp3lame, constant bitrate) of mono int16 audio."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=rate)
        stream.bit_rate = bitrate
        stream.layout = "mono"
        samples = pcm.astype(np.int16)
        frame_size = 1152
        for start in range(0, len(samples), frame_size):
            chunk = samples[start : start + frame_size]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def decode_mp3(data: bytes) -> tuple[np.ndarray, int]:
    return _decode_with_av(data, where="mp3 bytes")


def write_mp3(path: Path, pcm: np.ndarray, rate: int, bitrate: int = 64000) -> None:
    try:
        path.write_bytes(encode_mp3(pcm, rate, bitrate))
    except OSError as exc:
        raise AudioError(f"cannot write MP3 file: {exc.strerror or exc}", where=str(path)) from None
