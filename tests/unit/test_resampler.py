"""Streaming resampling with carried state on the mic, speaker and echo-reference paths.

A 48 kHz or 44.1 kHz microphone (most USB mics on raw ALSA) delivers 30 ms blocks; each block
was resampled on its own, which restarts the filter at every edge: a clean tone came out at
~36 dB SNR. Streamed through one resampler it keeps >= 70 dB (~90 dB, the int16 floor).
The sound card is faked (the hardware seam); everything from its callback on is real.
"""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from companion.audio import sounddevice_io
from companion.audio.convert import resample
from companion.audio.reference import ReferenceBuffer, ReferenceTap
from companion.audio.resampler import StreamResampler
from companion.audio.sounddevice_io import SoundDeviceSink, SoundDeviceSource

MIN_SNR_DB = 70.0
TONE_HZ = 997.0  # not a divisor of any rate here: every block edge falls at a different phase


def tone(rate: int, seconds: float = 2.0, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return np.round(amplitude * 32767 * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.int16)


def snr_db(pcm: np.ndarray, rate: int, skip_s: float = 0.1) -> float:
    """Tone power over everything else, after a least-squares fit of the tone (any phase, gain, offset)."""
    skip = int(skip_s * rate)
    x = pcm.astype(np.float64)[skip : len(pcm) - skip]
    t = (np.arange(len(x)) + skip) / rate
    basis = np.stack([np.sin(2 * np.pi * TONE_HZ * t), np.cos(2 * np.pi * TONE_HZ * t), np.ones_like(t)], axis=1)
    coef, *_ = np.linalg.lstsq(basis, x, rcond=None)
    fitted = basis[:, :2] @ coef[:2]
    residual = x - basis @ coef
    return float(10 * np.log10(np.sum(fitted**2) / np.sum(residual**2)))


def blocks(pcm: np.ndarray, rate: int, ms: int = 30) -> list[np.ndarray]:
    size = rate * ms // 1000
    return [pcm[i : i + size] for i in range(0, len(pcm), size)]


@pytest.mark.parametrize("rate", [48000, 44100])
@pytest.mark.parametrize("quality", ["LQ", "HQ"])
def test_a_tone_through_30_ms_blocks_keeps_its_snr(rate: int, quality: str) -> None:
    resampler = StreamResampler(rate, 16000, quality=quality)
    out = np.concatenate([resampler.process(b) for b in blocks(tone(rate), rate)] + [resampler.flush()])
    assert len(out) == 32000, "every sample comes out once the stream is flushed"
    assert snr_db(out, 16000) >= MIN_SNR_DB


@pytest.mark.parametrize("rate", [48000, 44100])
def test_block_by_block_resampling_was_the_problem(rate: int) -> None:
    """The old path (each block on its own) fails the same bar: what the streaming fixes."""
    out = np.concatenate([resample(b, rate, 16000) for b in blocks(tone(rate), rate)])
    assert snr_db(out, 16000) < 45.0


class FakeSoundCard:
    """sounddevice's surface for one device that only runs at ``rate`` (like most USB mics on ALSA)."""

    def __init__(self, rate: int, mic: np.ndarray | None = None) -> None:
        self.rate = rate
        self.mic = mic
        self.played: list[bytes] = []

    def query_devices(self, device: Any = None, kind: str | None = None) -> Any:
        info = {"name": "USB audio", "max_input_channels": 1, "max_output_channels": 1, "default_samplerate": float(self.rate)}
        return info if kind else [info]

    def _check(self, samplerate: int, **kw: Any) -> None:
        if samplerate != self.rate:
            raise ValueError("Invalid sample rate")

    check_input_settings = check_output_settings = _check

    def RawInputStream(self, *, samplerate: int, blocksize: int, callback: Any, **kw: Any) -> Any:
        card = self

        class Stream:
            def start(self) -> None:  # the whole recording, one device period after another
                assert card.mic is not None and samplerate == card.rate
                at = 50.0  # PortAudio's clock: the block's first sample is captured then, handed over at its end
                for block in blocks(card.mic, samplerate):
                    times = SimpleNamespace(inputBufferAdcTime=at, currentTime=at + len(block) / samplerate)
                    at += len(block) / samplerate
                    card.input_now = 100.0 + at  # our clock: the card's, from another epoch
                    callback(block.tobytes(), len(block), times, type("S", (), {"input_overflow": False})())

            def close(self, ignore_errors: bool = False) -> None:
                pass

        return Stream()

    def clock(self) -> float:
        """The card's own time: what it has played (a device that never runs dry), from 100 s."""
        return 100.0 + self.frames_played / self.rate

    frames_played = 0
    input_now = 0.0

    def RawOutputStream(self, *, samplerate: int, callback: Any, **kw: Any) -> Any:
        card = self
        assert samplerate == card.rate
        sink = callback.__self__  # a device that never underruns: it asks when a block is queued
        done = threading.Event()

        def run() -> None:
            while not done.is_set():
                with sink._moved:
                    if not sink._queue:
                        sink._moved.wait(0.05)
                        continue
                    frames = min(len(sink._queue) // 2, 4096)
                out = bytearray(2 * frames)
                now = card.frames_played / card.rate  # PortAudio's clock: its own epoch
                callback(out, frames, SimpleNamespace(currentTime=now, outputBufferDacTime=now),  # heard at once
                         SimpleNamespace(output_underflow=False))
                card.played.append(bytes(out))
                card.frames_played += frames

        thread = threading.Thread(target=run, daemon=True)

        class Stream:
            def start(self) -> None:
                thread.start()

            def stop(self) -> None:
                done.set()
                thread.join()

            abort = close = lambda self, ignore_errors=False: self.stop()  # noqa: E731

        Stream.latency = 0.0  # type: ignore[attr-defined]
        return Stream()


@pytest.mark.parametrize("rate", [48000, 44100])
def test_the_microphone_path_keeps_the_snr(rate: int, monkeypatch: pytest.MonkeyPatch) -> None:
    card = FakeSoundCard(rate, mic=tone(rate))
    monkeypatch.setattr(sounddevice_io, "_sounddevice", lambda: card)
    monkeypatch.setattr("companion.audio.devices._sounddevice", lambda: card)

    async def record() -> np.ndarray:
        source = SoundDeviceSource("USB", block_ms=30, clock=lambda: card.input_now)
        source.start()
        got: list[np.ndarray] = []
        while sum(map(len, got)) < 31000:
            chunk = await asyncio.wait_for(source.read(), timeout=5)
            assert chunk is not None and chunk.rate == 16000 and len(chunk.as_int16()) > 0
            got.append(chunk.as_int16())
            stamps.append(chunk.captured_at - chunk.timestamp)  # type: ignore[operator]
        source.close()
        return np.concatenate(got)

    stamps: list[float] = []
    assert snr_db(asyncio.run(record()), 16000) >= MIN_SNR_DB
    # Each chunk says when the card captured it: the mic's own clock, moved onto the wall clock once.
    assert max(stamps) - min(stamps) < 1e-3


@pytest.mark.parametrize("rate", [48000, 44100])
def test_the_speaker_and_echo_reference_paths_keep_the_snr(rate: int, monkeypatch: pytest.MonkeyPatch) -> None:
    card = FakeSoundCard(rate)
    monkeypatch.setattr(sounddevice_io, "_sounddevice", lambda: card)
    monkeypatch.setattr("companion.audio.devices._sounddevice", lambda: card)
    reference = ReferenceBuffer(seconds=5.0)
    tap = ReferenceTap(SoundDeviceSink("USB", clock=card.clock), reference, clock=card.clock)
    voice = tone(22050)  # Piper's rate
    tap.begin(22050)
    for piece in blocks(voice, 22050, ms=100):  # reply audio arrives sentence by sentence, in pieces
        tap.write(piece)
    tap.finish()
    played = np.frombuffer(b"".join(card.played), dtype="<i2")
    assert abs(len(played) - 2 * rate) <= 1 and snr_db(played, rate) >= MIN_SNR_DB
    stored = reference.read(100 * 16000, 32000)
    assert snr_db(stored, 16000) >= MIN_SNR_DB
    aligned = np.abs(stored[1600:30400] - tone(16000)[1600:30400]).max()
    assert aligned < 100, "stored where it plays: one sample late would be ~6000 off at 997 Hz"
