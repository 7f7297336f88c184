"""A Wyoming speech-synthesis server on the home network (e.g. wyoming-piper with a larger or
cloned voice), with the local Piper voice as fall-back when it is unreachable or slow.

Same interface as tts/piper_tts.py: one sentence, blocking, from a worker thread. The audio
comes back at the server's rate and is resampled to the local voice's, so the rest of the line
(watermark, speaker) never sees which one spoke; the watermark is applied on the device.
"""

from __future__ import annotations

import numpy as np

from ..audio.convert import resample, to_mono_int16
from ..remote.fallback import RemoteStage
from ..remote.link import Connection, RemoteError, WyomingUri
from .base import SpeechSynthesizer

MAX_SECONDS = 120
"""A sentence longer than this is a misbehaving server: memory stays bounded."""


class WyomingSynthesizer:
    def __init__(self, uri: WyomingUri, local: SpeechSynthesizer, *, voice: str, timeout_s: float,
                 connect_timeout_s: float, retry_after_s: float) -> None:
        self.local = local
        self.voice = voice
        self.sample_rate: int = local.sample_rate
        self.remote = RemoteStage("tts", uri, timeout_s=timeout_s, connect_timeout_s=connect_timeout_s,
                                  retry_after_s=retry_after_s)

    def synthesize(self, sentence: str) -> np.ndarray:
        return self.remote.run(lambda: self.synthesize_remote(sentence), lambda: self.local.synthesize(sentence))

    def synthesize_remote(self, sentence: str) -> np.ndarray:
        """Only the server (RemoteError when it cannot answer in time)."""
        from wyoming.audio import AudioChunk, AudioStart, AudioStop
        from wyoming.tts import Synthesize, SynthesizeVoice

        stage = self.remote
        voice = SynthesizeVoice(name=self.voice) if self.voice else None
        parts: list[np.ndarray] = []
        rate = 0
        total = 0
        with Connection(stage.uri, connect_timeout=stage.connect_timeout_s, deadline=stage.deadline()) as conn:
            conn.send(Synthesize(text=sentence, voice=voice).event())
            while True:
                event = conn.receive()
                if AudioStart.is_type(event.type):
                    start = AudioStart.from_event(event)
                    rate = start.rate
                    if start.width != 2:
                        raise RemoteError(f"{stage.uri} sent {8 * start.width}-bit audio; 16-bit expected")
                elif AudioChunk.is_type(event.type):
                    chunk = AudioChunk.from_event(event)
                    if chunk.width != 2:
                        raise RemoteError(f"{stage.uri} sent {8 * chunk.width}-bit audio; 16-bit expected")
                    rate = chunk.rate
                    samples = to_mono_int16(np.frombuffer(chunk.audio, dtype="<i2"), chunk.channels)
                    total += len(samples)
                    if total > MAX_SECONDS * max(rate, 1):
                        raise RemoteError(f"{stage.uri} sent more than {MAX_SECONDS} s of audio for one sentence")
                    parts.append(samples)
                elif AudioStop.is_type(event.type):
                    break
                elif event.type == "synthesize-stopped":
                    break
        if not parts:
            return np.zeros(0, dtype=np.int16)
        pcm = np.concatenate(parts).astype(np.int16)
        return resample(pcm, rate, self.sample_rate) if rate != self.sample_rate else pcm
