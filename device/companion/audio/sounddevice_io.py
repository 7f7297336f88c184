"""Microphone and speaker through sounddevice (PortAudio).

The capture callback runs on PortAudio's thread and only hands the bytes to the event loop;
resampling and everything else happen in the consumer. Playback is written from a worker thread
into a bounded queue that the output callback drains (copying, and noting when each block
will be heard: the echo canceller's clock).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import AudioError
from ..events import AudioChunk
from .base import CAPTURE_RATE, PlayoutListener
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

    def __init__(self, device: str = "", *, block_ms: int = 30, clock: Callable[[], float] = time.monotonic) -> None:
        self._sd = _sounddevice()
        self._device = resolve_device(device, "input")
        self._device_rate = _supported_rate(self._sd, self._device, CAPTURE_RATE, "input")
        self._blocksize = self._device_rate * block_ms // 1000
        # LQ: half HQ's hold-back (~11 ms at 48 kHz), the same SNR and alias rejection for 16-bit speech.
        self._resampler = StreamResampler(self._device_rate, CAPTURE_RATE, quality="LQ")
        self._queue: asyncio.Queue[tuple[bytes, float | None] | None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stream: Any = None
        self._samples_read = 0
        self._closing = False
        self._clock = clock
        self._clock_offset: float | None = None  # our clock minus PortAudio's
        self._device_read = 0  # device-rate samples taken from the queue
        self._anchor: tuple[int, float] | None = None  # (device sample index, its capture time)
        self.overflows = 0

    def _enqueue(self, data: bytes, captured_at: float | None = None) -> None:
        assert self._queue is not None
        if self._queue.qsize() >= MAX_QUEUED_BLOCKS:
            self._queue.get_nowait()
        self._queue.put_nowait((data, captured_at))

    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        if status.input_overflow:
            self.overflows += 1
        assert self._loop is not None
        # When the block's first sample was captured, by the card's clock (PortAudio's
        # inputBufferAdcTime) moved onto ours: the smallest offset seen is the true one (this
        # code can run late), a jump of over a second is a new one.
        now = self._clock()
        offset = now - time_info.currentTime
        if self._clock_offset is None or not offset - 1.0 < self._clock_offset <= offset:
            self._clock_offset = offset
        age = time_info.currentTime - time_info.inputBufferAdcTime
        captured_at = time_info.inputBufferAdcTime + self._clock_offset if 0.0 <= age < 10.0 else None
        self._loop.call_soon_threadsafe(self._enqueue, bytes(indata), captured_at)

    def _finished(self) -> None:
        # PortAudio's thread: the stream ended. Unless we closed it, the device went away.
        if not self._closing and self._loop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._enqueue, _STREAM_ENDED, None)
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
            item = await self._queue.get()
            if item is None:
                return None
            data, captured_at = item
            if data is _STREAM_ENDED or not data:
                self.close()
                raise AudioError("the microphone stopped delivering audio", where="audio.input_device",
                                 hint="check the cable; companion reopens it by itself")
            self._anchor = (self._device_read, captured_at) if captured_at is not None else None
            self._device_read += len(data) // 2
            pcm = self._resampler.process(np.frombuffer(data, dtype="<i2"))
        timestamp = self._samples_read / CAPTURE_RATE
        self._samples_read += len(pcm)
        at = None
        if self._anchor is not None:  # output sample k is input time k / CAPTURE_RATE (the filter delay is removed)
            index, anchor_at = self._anchor
            at = anchor_at + timestamp - index / self._device_rate
        return AudioChunk.from_int16(pcm, CAPTURE_RATE, timestamp, captured_at=at)

    def close(self) -> None:
        self._closing = True
        if self._stream is not None:
            self._stream.close(ignore_errors=True)
            self._stream = None
        if self._queue is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._queue.put_nowait, None)


class SoundDeviceSink:
    """The speaker: an output stream opened per reply at the voice's sample rate.

    ``write`` fills a bounded queue that PortAudio's callback drains, so the callback learns,
    for every block it hands over, when that block reaches the speaker (PortAudio's
    ``outputBufferDacTime``, from the sound server's own latency report). ``queued_s`` is
    that clock: the echo canceller's reference is placed by it (audio/reference.py). A
    blocking stream cannot say this: it told only how full its ~40 ms buffer was, and under
    load the audio it had accepted was heard up to a second later than that implied (measured
    on the PulseAudio rig: the reference drifted 0.1-1 s behind the speaker within a reply).
    When the queue runs dry the callback plays silence and the next write is heard later:
    ``queued_s`` then says exactly when.
    """

    LATENCY_S = 0.1
    """The device buffer PortAudio is asked for: a starved callback (a loaded machine) underruns
    far less often than with the default ~40 ms, and ``abort`` drops it at once anyway."""
    QUEUE_S = 0.6
    """Audio accepted ahead of the device buffer. ``write`` queues at most half of it at a
    time, whole (so no gap opens inside the echo reference's 0.25 s pieces), once it fits."""
    STALL_S = 5.0
    """No callback for this long while audio waits: the device is gone (an AudioError)."""

    def __init__(self, device: str = "", *, clock: Callable[[], float] = time.monotonic) -> None:
        self._sd = _sounddevice()
        self._device = resolve_device(device, "output")
        self._clock = clock
        self._stream: Any = None
        self._rate = 0
        self._device_rate = 0
        self._aborted = False
        self._resampler = StreamResampler(1, 1)
        self._held_s = 0.0
        self._queue = bytearray()  # int16 bytes waiting for the callback
        self._capacity = 0  # bytes
        self._moved = threading.Condition()  # the callback took audio, or playback ended
        self._control = threading.Lock()  # one PortAudio start/stop/abort/close at a time
        self._heard_at: float | None = None  # wall time the sample after the last one handed over is heard
        self._dac_delay = self.LATENCY_S  # from a callback to its block being heard
        self._last_callback = 0.0
        self._clock_offset: float | None = None  # our clock minus PortAudio's
        self._dry = True  # the last callback ran out of audio
        self._position = 0  # device-rate samples of this reply handed to the card so far
        self._listener: PlayoutListener | None = None
        self.underflows = 0
        """Callbacks that found the queue empty while a reply was playing (the writer was late)."""
        self.xruns = 0
        """Device buffer underruns PortAudio reported (the callback itself was late)."""

    @property
    def active(self) -> bool:
        """True while a reply is being played (the stream is open)."""
        return self._stream is not None

    def begin(self, rate: int) -> None:
        with self._control:
            if self._stream is not None:  # the last reply was aborted: its stream is still open
                self._stream.close(ignore_errors=True)
                self._stream = None
        self._rate = rate
        self._device_rate = _supported_rate(self._sd, self._device, rate, "output")
        self._resampler = StreamResampler(rate, self._device_rate)  # one per reply: carried state
        self._held_s = 0.0  # reply audio inside the resampler, not yet queued (it is heard after the queue)
        self._aborted = False
        with self._moved:
            self._queue.clear()
            self._capacity = 2 * max(1, int(self.QUEUE_S * self._device_rate))
            self._heard_at = None
            self._dac_delay = self.LATENCY_S
            self._dry = True
            self._clock_offset = None
            self._position = 0
            self._last_callback = self._clock()
        try:
            self._stream = self._sd.RawOutputStream(
                samplerate=self._device_rate, device=self._device, channels=1, dtype="int16",
                latency=self.LATENCY_S, callback=self._callback,
            )
            self._stream.start()
            self._dac_delay = float(self._stream.latency)  # until a callback says
        except Exception as exc:
            self._stream = None
            raise AudioError(f"cannot open the speaker: {exc}", where="audio.output_device") from None

    def _callback(self, outdata: Any, frames: int, time_info: Any, status: Any) -> None:
        # PortAudio's thread: copy, note when this block will be heard, nothing else.
        now = self._clock()
        wanted = 2 * frames
        dac_delay = time_info.outputBufferDacTime - time_info.currentTime
        if not 0.0 <= dac_delay < 10.0:  # the host API cannot tell: its nominal latency
            dac_delay = self.LATENCY_S
        # PortAudio's clock (ALSA: the epoch) onto ours. This code can run late (the GIL, a
        # loaded machine): the smallest difference seen is the true one, a jump is a new one.
        offset = now - time_info.currentTime
        if self._clock_offset is None or not offset - 1.0 < self._clock_offset <= offset:
            self._clock_offset = offset
        dac = time_info.currentTime + self._clock_offset + dac_delay
        with self._moved:
            taken = min(wanted, len(self._queue))
            outdata[:taken] = self._queue[:taken]
            del self._queue[:taken]
            if taken < wanted:
                outdata[taken:] = bytes(wanted - taken)
            if status.output_underflow:
                self.xruns += 1
            self.underflows += taken < wanted and not self._dry
            self._dry = taken < wanted
            # The next sample queued is heard right after this block (or after whatever
            # silence the callback plays until it arrives: see queued_s).
            self._heard_at = dac + frames / self._device_rate
            self._dac_delay = dac_delay
            self._last_callback = now
            self._moved.notify_all()
            position, listener = self._position, None if self._aborted else self._listener
            self._position += taken // 2
        if listener is not None and taken:  # what was really handed over, and when it is heard
            listener(position / self._device_rate, taken / (2 * self._device_rate), dac)

    def listen_playout(self, listener: PlayoutListener | None) -> bool:
        """Report each block the callback hands to the card, with its time (the echo reference's clock)."""
        with self._moved:
            self._listener = listener
        return True

    def queued_s(self) -> float | None:
        """Seconds from now until the next sample written is heard (the speaker's own clock).

        The echo canceller's reference is placed by it (audio/reference.py); None unless the
        stream is open.
        """
        with self._moved:
            if self._stream is None or self._aborted:
                return None
            now = self._clock()
            queued = len(self._queue) / (2 * self._device_rate) + self._held_s
            if self._queue and self._heard_at is not None:  # heard right after what the device holds
                return max(0.0, self._heard_at + queued - now)
            # Nothing waiting: the next sample goes into the next callback's block, heard one
            # device latency after that callback (the device buffer is always kept full).
            heard = max(self._heard_at or 0.0, now + self._dac_delay)
            return heard + queued - now

    def write(self, pcm: np.ndarray) -> None:
        if self._stream is not None and not self._aborted:
            out = self._resampler.process(pcm)
            self._held_s += len(pcm) / self._rate - len(out) / self._device_rate
            self._write_device(out)

    def _write_device(self, pcm: np.ndarray) -> None:
        """Queue samples already at the device's rate; waits while the queue is full."""
        data = pcm.astype("<i2").tobytes()
        step = max(2, self._capacity // 4 * 2)  # half the queue, whole samples
        for start in range(0, len(data), step):
            part = data[start : start + step]
            with self._moved:
                self._wait_for_room(len(part))
                if self._stream is None or self._aborted:
                    return
                self._queue += part

    def _wait_for_room(self, size: int) -> None:
        """Wait (holding ``_moved``) until ``size`` bytes fit in the queue, an abort, or a stalled
        device (an AudioError). ``size`` = the capacity: until the queue is empty."""
        while len(self._queue) + size > self._capacity and self._stream is not None and not self._aborted:
            self._moved.wait(0.25)
            stalled = self._clock() - self._last_callback > self.STALL_S
            if stalled and len(self._queue) + size > self._capacity and not self._aborted:
                raise AudioError("playback failed: the speaker stopped taking audio", where="audio.output_device",
                                 hint="check the cable; companion reopens it by itself")

    def finish(self) -> None:
        if self._stream is not None and not self._aborted:
            self._write_device(self._resampler.flush())  # the reply's last samples, still in the filter
            with self._moved:
                self._wait_for_room(self._capacity)
        with self._control:
            stream, self._stream = self._stream, None
            if stream is None:
                return
            try:
                if not self._aborted:
                    stream.stop()  # returns once the device buffer has been played
            finally:
                stream.close(ignore_errors=True)
                with self._moved:
                    self._moved.notify_all()
        if self.underflows or self.xruns:
            logger.debug("speaker: the queue ran dry %d times, the device %d times", self.underflows, self.xruns)

    def abort(self) -> None:
        """Stop at once; from any thread, any number of times: only the first call reaches
        PortAudio (two Pa_AbortStream at once both join the callback thread, and the second
        join waits forever on a thread id the system has given to another thread)."""
        with self._moved:
            first, self._aborted = not self._aborted, True
            self._queue.clear()
            self._moved.notify_all()
        if first:
            with self._control:
                if self._stream is not None:
                    self._stream.abort(ignore_errors=True)

    def close(self) -> None:
        self.abort()
        self.finish()
