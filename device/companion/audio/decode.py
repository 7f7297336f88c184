"""One FFmpeg (PyAV) decoder for every audio or video file the device is handed.

Voice training wants float32 at Piper's rate; the watermark detector wants int16 at the file's
own rate. Both are "first audio stream, downmixed to mono, resampled by swresample", so that
loop lives here once and its failures become one clear AudioError naming the file.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np

from ..errors import AudioError

logger = logging.getLogger(__name__)

_AV_FORMATS = {np.dtype(np.int16): "s16", np.dtype(np.float32): "flt"}
_DEFAULT_HINT = "give an audio or video file FFmpeg can read (wav, mp3, m4a, ogg/opus, mp4, ...)"


def decode_mono(
    source: Path | bytes,
    rate: int | None = None,
    dtype: type[np.int16] | type[np.float32] = np.float32,
    *,
    where: str | None = None,
    hint: str = _DEFAULT_HINT,
) -> tuple[np.ndarray, int]:
    """Decode the first audio stream of ``source`` (a path or the file's bytes) to mono.

    ``rate`` None keeps the stream's own rate. Returns the samples (int16, or float32 clipped
    to [-1, 1]) and their rate; an empty array when the stream holds no samples. Unreadable
    files, files without an audio stream and unsupported dtypes raise AudioError.
    """
    import av

    target = np.dtype(dtype)
    if target not in _AV_FORMATS:
        raise AudioError(f"unsupported sample type {target} for decoding", hint="ask for int16 or float32")
    place = where or (str(source) if isinstance(source, Path) else "audio data")
    parts: list[np.ndarray] = []
    try:
        opened = av.open(io.BytesIO(source) if isinstance(source, bytes) else str(source), "r")
        with opened as container:
            if not container.streams.audio:
                raise AudioError("the file has no audio stream", where=place, hint=hint)
            stream = container.streams.audio[0]
            out_rate = int(rate or stream.codec_context.sample_rate or stream.rate or 0)
            if out_rate <= 0:
                raise AudioError("the audio stream has no sample rate", where=place, hint=hint)
            resampler = av.AudioResampler(format=_AV_FORMATS[target], layout="mono", rate=out_rate)
            for frame in container.decode(stream):
                parts.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
            parts.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
    except AudioError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise AudioError(f"cannot decode the audio: {exc}", where=place, hint=hint) from None
    samples = np.concatenate(parts).astype(target, copy=False) if parts else np.zeros(0, dtype=target)
    if target == np.float32:
        samples = np.clip(samples, -1.0, 1.0)
    return samples, out_rate
