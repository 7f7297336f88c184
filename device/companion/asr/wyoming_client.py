"""A Wyoming speech-recognition server on the home network (e.g. wyoming-faster-whisper with a
larger model), with the local Whisper as fall-back when it is unreachable or slow.

Same interface as asr/whisper.py: blocking, called from a worker thread. The utterance is sent
whole once the endpointer has closed it (transcribe, audio-start, audio-chunk..., audio-stop)
and the answer is the server's ``transcript`` event.
"""

from __future__ import annotations

import numpy as np

from ..audio.base import CAPTURE_RATE
from ..audio.convert import resample
from ..events import Transcript
from ..remote.fallback import RemoteStage
from ..remote.link import Connection, RemoteError, WyomingUri
from .base import SpeechRecognizer

CHUNK_SAMPLES = 4096
"""Samples per audio-chunk event (0.26 s): few events, no latency cost since the utterance is complete."""


class WyomingRecognizer:
    def __init__(self, uri: WyomingUri, local: SpeechRecognizer, *, language: str | None, timeout_s: float,
                 connect_timeout_s: float, retry_after_s: float) -> None:
        self.local = local
        self.language = language
        self.remote = RemoteStage("asr", uri, timeout_s=timeout_s, connect_timeout_s=connect_timeout_s,
                                  retry_after_s=retry_after_s)

    def transcribe(self, pcm: np.ndarray, rate: int) -> Transcript:
        return self.remote.run(lambda: self.transcribe_remote(pcm, rate), lambda: self.local.transcribe(pcm, rate))

    def transcribe_remote(self, pcm: np.ndarray, rate: int) -> Transcript:
        """Only the server (RemoteError when it cannot answer in time)."""
        from wyoming.asr import Transcribe
        from wyoming.asr import Transcript as WyTranscript
        from wyoming.audio import AudioChunk, AudioStart, AudioStop

        if rate != CAPTURE_RATE:
            pcm = resample(pcm, rate, CAPTURE_RATE)
        data = np.ascontiguousarray(pcm, dtype="<i2").tobytes()
        step = CHUNK_SAMPLES * 2
        stage = self.remote
        with Connection(stage.uri, connect_timeout=stage.connect_timeout_s, deadline=stage.deadline()) as conn:
            events = [Transcribe(language=self.language).event(),
                      AudioStart(rate=CAPTURE_RATE, width=2, channels=1, timestamp=0).event()]
            for i in range(0, len(data), step):
                events.append(AudioChunk(rate=CAPTURE_RATE, width=2, channels=1, audio=data[i:i + step],
                                         timestamp=(i // 2) * 1000 // CAPTURE_RATE).event())
            events.append(AudioStop(timestamp=len(data) // 2 * 1000 // CAPTURE_RATE).event())
            conn.send(*events)
            while True:
                event = conn.receive()
                if WyTranscript.is_type(event.type):
                    answer = WyTranscript.from_event(event)
                    text = " ".join((answer.text or "").split())
                    return Transcript(text=text, language=answer.language or self.language)
                if event.type not in ("transcript-start", "transcript-chunk", "transcript-stop"):
                    raise RemoteError(f"{stage.uri} answered {event.type!r} instead of a transcript")

