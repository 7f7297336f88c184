"""Microphone and speaker through sounddevice (PortAudio).

The capture callback runs on PortAudio's thread and only hands the bytes to the event loop;
resampling and everything else happen in the consumer. Playback uses a blocking stream written
from a worker thread, so there is no callback on that side at all.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import numpy as np

from ..errors import AudioError
from ..events import AudioChunk
from .base import CAPTURE_RATE
from .devices import _sounddevice, resolve_device
from .resampler import StreamResampler

logger = logging.getLogger(__name__)

MAX_QUEUED_BLOCKS = 200  # ~6 s at 30 ms: beyond this the consumer is stuck; drop the oldest
_STREAM_ENDED = b""  # queued when PortAudio ends the stream by itself (device gone, I/O error)


PA_INVALID_SAMPLE_RATE = -9997  # PortAudio's paInvalidSampleRate
_rate_notes: set[tuple[str, int | None, int, int]] = set()  # (kind, device, wanted, used): said once


def _supported_rate(sd: Any, device: int | None, rate: int, kind: str) -> int:
    """``rate`` if the device takes it, else its default rate (the caller resamples).

    Only PortAudio's "invalid sample rate" means that: any other error (a device that vanished
    since it was listed) is an AudioError, not a misleading line about 16000 Hz on every retry.
    The fallback is logged once per device and rate, not on every reopening.
    """
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    try:
        check(device=device, samplerate=rate, channels=1, dtype="int16")
        return rate
    except Exception as exc:  # sounddevice.PortAudioError (message, code) or ValueError
        code = exc.args[1] if len(exc.args) > 1 else None
        if code != PA_INVALID_SAMPLE_RATE and "sample rate" not in str(exc).lower():
            raise AudioError(f"the {kind} device cannot be used: {exc}", where=f"audio.{kind}_device",
                             hint="check the cable; companion retries by itself") from None
    try:
        fallback = int(sd.query_devices(device, kind)["default_samplerate"])
    except Exception as exc:
        raise AudioError(f"the {kind} device cannot be used: {exc}", where=f"audio.{kind}_device") from None
    note = (kind, device, rate, fallback)
    (logger.debug if note in _rate_notes else logger.info)(
        "%s device takes %d Hz, not %d Hz; resampling (with carried state)", kind, fallback, rate)
    _rate_notes.add(note)
    return fallback


class SoundDeviceSource:
    """The live microphone: 16 kHz mono int16 blocks, resampled if the device cannot do 16 kHz."""

    def __init__(self, device: str = "", *, block_ms: int = 30) -> None:
        self._sd = _sounddevice()
        self._device = resolve_device(device, "input")
        self._device_rate = _supported_rate(self._sd, self._device, CAPTURE_RATE, "input")
        self._blocksize = self._device_rate * block_ms // 1000
        # LQ: half HQ's hold-back (~11 ms at 48 kHz), the same SNR and alias rejection for 16-bit speech.
        self._resampler = StreamResampler(self._device_rate, CAPTURE_RATE, quality="LQ")
        self._queue: asyncio.Queue[bytes | None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stream: Any = None
        self._samples_read = 0
        self._closing = False
        self.overflows = 0

    def _enqueue(self, data: bytes) -> None:
        assert self._queue is not None
        if self._queue.qsize() >= MAX_QUEUED_BLOCKS:
            self._queue.get_nowait()
        self._queue.put_nowait(data)

    def _callback(self, indata: Any, frames: int, time: Any, status: Any) -> None:
        if status.input_overflow:
            self.overflows += 1
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._enqueue, bytes(indata))

    def _finished(self) -> None:
        # PortAudio's thread: the stream ended. Unless we closed it, the device went away.
        if not self._closing and self._loop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._enqueue, _STREAM_ENDED)
            except RuntimeError:  # loop closed in between
                pass

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        try:
            self._stream = self._sd.RawInputStream(
                samplerate=self._device_rate,
                blocksize=self._blocksize,
                device=self._device,
                channels=1,
                dtype="int16",
                callback=self._callback,
                finished_callback=self._finished,
            )
            self._stream.start()
        except Exception as exc:
            raise AudioError(f"cannot open the microphone: {exc}", where="audio.input_device") from None

    async def read(self) -> AudioChunk | None:
        if self._stream is None:
            self.start()
        assert self._queue is not None
        pcm = np.zeros(0, dtype=np.int16)
        while not len(pcm):  # the resampler holds the very first samples back (its filter delay)
            data = await self._queue.get()
            if data is None:
                return None
            if data is _STREAM_ENDED or not data:
                self.close()
                raise AudioError("the microphone stopped delivering audio", where="audio.input_device",
                                 hint="check the cable; companion reopens it by itself")
            pcm = self._resampler.process(np.frombuffer(data, dtype="<i2"))
        timestamp = self._samples_read / CAPTURE_RATE
        self._samples_read += len(pcm)
        return AudioChunk.from_int16(pcm, CAPTURE_RATE, timestamp)

    def close(self) -> None:
        self._closing = True
        if self._stream is not None:
            self._stream.close(ignore_errors=True)
            self._stream = None
        if self._queue is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._queue.put_nowait, None)


class SoundDeviceSink:
    """The speaker: a blocking output stream opened per reply at the voice's sample rate."""

    def __init__(self, device: str = "") -> None:
        self._sd = _sounddevice()
        self._device = resolve_device(device, "output")
        self._stream: Any = None
        self._rate = 0
        self._device_rate = 0
        self._aborted = False
        self._capacity = 0
        self._resampler = StreamResampler(1, 1)

    @property
    def active(self) -> bool:
        """True while a reply is being played (the stream is open)."""
        return self._stream is not None

    def begin(self, rate: int) -> None:
        self._rate = rate
        self._device_rate = _supported_rate(self._sd, self._device, rate, "output")
        self._resampler = StreamResampler(rate, self._device_rate)  # one per reply: carried state
        self._aborted = False
        try:
            self._stream = self._sd.RawOutputStream(
                samplerate=self._device_rate, device=self._device, channels=1, dtype="int16"
            )
            self._stream.start()
            self._capacity = self._stream.write_available  # the stream's whole buffer, still empty
        except Exception as exc:
            raise AudioError(f"cannot open the speaker: {exc}", where="audio.output_device") from None

    def queued_s(self) -> float | None:
        """Seconds of audio written but not yet played: when the next write will be heard.

        The echo canceller needs that time (audio/echo.py); None when the stream cannot say.
        """
        stream = self._stream
        if stream is None or self._capacity <= 0:
            return None
        try:
            return max(0, self._capacity - stream.write_available) / self._device_rate
        except Exception:  # an underrun or a closing stream: unknown, not an error
            return None

    def write(self, pcm: np.ndarray) -> None:
        if self._stream is not None and not self._aborted:
            self._write_device(self._resampler.process(pcm))

    def _write_device(self, pcm: np.ndarray) -> None:
        """Write samples already at the device's rate."""
        stream = self._stream
        if stream is None or self._aborted or not len(pcm):
            return
        try:
            stream.write(pcm.astype("<i2").tobytes())
        except Exception as exc:
            if not self._aborted:
                raise AudioError(f"playback failed: {exc}", where="audio.output_device") from None

    def finish(self) -> None:
        if self._stream is not None and not self._aborted:
            self._write_device(self._resampler.flush())  # the reply's last samples, still in the filter
        stream, self._stream = self._stream, None
        if stream is not None:
            if not self._aborted:
                stream.stop()  # returns once the queued audio has been played
            stream.close(ignore_errors=True)

    def abort(self) -> None:
        self._aborted = True
        stream = self._stream
        if stream is not None:
            stream.abort(ignore_errors=True)

    def close(self) -> None:
        self.abort()
        self.finish()
