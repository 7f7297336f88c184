"""Where audio comes from and goes to: one interface each, a device or a file behind it.

The live microphone and a WAV file are interchangeable sources, and the speaker and a WAV file
are interchangeable sinks, so `companion converse` runs exactly the pipeline `companion run` does.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from ..events import AudioChunk

CAPTURE_RATE = 16000
"""Every source delivers 16 kHz mono int16: what the wake word, VAD and Whisper all expect."""


class AudioSource(Protocol):
    """Delivers mono int16 chunks at CAPTURE_RATE."""

    async def read(self) -> AudioChunk | None:
        """The next chunk, or None when the source has ended (a file) or was closed."""
        ...

    def close(self) -> None: ...


class AudioSink(Protocol):
    """Plays (or records) the device's speech. Blocking calls, made from a worker thread."""

    def begin(self, rate: int) -> None:
        """Prepare to play mono int16 audio at ``rate``."""
        ...

    def write(self, pcm: np.ndarray) -> None:
        """Queue samples for playback; returns once they are accepted."""
        ...

    def finish(self) -> None:
        """Wait until everything written has been played."""
        ...

    def abort(self) -> None:
        """Stop at once, dropping what is queued (barge-in); safe from another thread."""
        ...

    def queued_s(self) -> float | None:
        """Seconds written but not yet played (when the next write will be heard: the echo
        canceller's reference needs it); None when the sink cannot tell (a file)."""
        ...

    def close(self) -> None: ...


class PlayoutListener(Protocol):
    def __call__(self, position_s: float, duration_s: float, heard_at: float) -> None:
        """The reply's audio from ``position_s`` (seconds since ``begin``) for ``duration_s`` was
        handed to the sound card and is heard from ``heard_at`` (wall clock, time.monotonic)."""
        ...


@runtime_checkable
class PlayoutReporter(Protocol):
    """A sink that can tell when each stretch of the reply is really played, as it happens.

    A prediction made when audio is written goes wrong when the speaker's callback runs late
    (a loaded machine): the sound card then plays silence and everything after it is heard
    later than predicted. The echo canceller's reference follows these reports instead.
    """

    def listen_playout(self, listener: PlayoutListener | None) -> bool:
        """Report playback to ``listener`` from now on (None: stop); False if this sink cannot."""
        ...
