"""Playing the person's own recording when it is the answer (issue 20 item 2).

At load the bundle engine decrypts the bytes of the person's recordings that have playable
passages into memory (never to disk) as a ``RecordingLibrary``; the composition root hands it
to the reply line. Whichever engine answered (retrieval, the language model, a home server),
the line asks the library about each reply record: a verbatim memory whose message is such a
passage, word for word, becomes ``ReplyKind.RECORDING`` and is played instead of synthesized.
The sound is the recording itself, cut to the passage (plus a little air either side, then
trimmed to the speech) and brought to one loudness; nothing else is changed: no watermark, no
filter. Its message ids name the bundle (``rec-<bundle>-<pair>``), so a library never answers
for another bundle's memories.
"""

from __future__ import annotations

import datetime as _dt
import logging
from dataclasses import dataclass, replace

import numpy as np

from .reply import ReplyKind, ReplyPiece

logger = logging.getLogger(__name__)

TARGET_DBFS = -20.0
"""Loudness the recordings are brought to (RMS of the speech, dB re full scale): about Piper's level."""
PAD_S = 0.25
MAX_LIBRARY_BYTES = 256 * 1024**2
"""Recordings kept in memory at most (voice notes are ~2 kB/s: hours of them fit)."""


@dataclass(frozen=True)
class Clip:
    """Where a passage is: which recording (its bytes, decrypted in memory) and which stretch."""

    data: bytes
    start_s: float
    end_s: float
    time: str | None
    text: str | None = None
    """The passage's words as the memory holds them; a reply saying other words is not this clip
    (None: not checked)."""


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class RecordingLibrary:
    """The person's playable passages, by the message id the engine gives their reply pair."""

    def __init__(self, clips: dict[str, Clip]) -> None:
        self._clips = clips

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._clips

    def __len__(self) -> int:
        return len(self._clips)

    def clip(self, message_id: str | None) -> Clip | None:
        return self._clips.get(message_id) if message_id else None

    def played(self, reply: ReplyPiece) -> ReplyPiece:
        """The reply record as it will be heard: the person's memory (``MEMORY``, or ``RECORDING``
        as an engine may already say) whose message is a passage of this library, word for word,
        is ``RECORDING`` (played); a ``RECORDING`` this library cannot play is a ``MEMORY``
        (synthesized, and never logged as their real voice); anything else is unchanged."""
        if reply.kind not in (ReplyKind.MEMORY, ReplyKind.RECORDING):
            return reply
        clip = self.clip(reply.source.message_id)
        playable = clip is not None and (clip.text is None or _same_words(clip.text, reply.text))
        kind = ReplyKind.RECORDING if playable else ReplyKind.MEMORY
        return reply if kind is reply.kind else replace(reply, source=replace(reply.source, kind=kind))

    def clip_audio(self, message_id: str | None, rate: int) -> np.ndarray | None:
        """The passage as int16 mono at ``rate``: cut, trimmed to the speech, loudness-normalised.
        None when it is not a playable recording (the words are then synthesized)."""
        clip = self.clip(message_id)
        if clip is None:
            return None
        from ..audio.decode import decode_mono
        from ..errors import AudioError

        try:
            audio, _ = decode_mono(clip.data, rate, np.float32, where="a stored recording")
        except AudioError as exc:
            logger.warning("a recording could not be decoded (%s): its words are said by the voice", exc.what)
            return None
        start = max(0, int((clip.start_s - PAD_S) * rate))
        end = min(len(audio), int((clip.end_s + PAD_S) * rate))
        piece = trim_silence(audio[start:end], rate)
        if piece.size == 0:
            return None
        return to_int16(normalise(piece, TARGET_DBFS))

    def date_label(self, message_id: str | None) -> str | None:
        """"recording from 12 March 2019" for the frame; None when unknown."""
        clip = self.clip(message_id)
        if clip is None:
            return None
        if not clip.time:
            return "recording"
        try:
            when = _dt.datetime.fromisoformat(clip.time)
        except ValueError:
            return "recording"
        return f"recording from {when.day} {when:%B %Y}"


NO_RECORDINGS = RecordingLibrary({})
"""Nothing is played (a plain persona folder, or ``play_recordings = false``)."""


def message_id(bundle_id: str, pair_id: int) -> str:
    return f"rec-{bundle_id[:8]}-{pair_id}"


def load_library(bundle: object, limit: int = MAX_LIBRARY_BYTES) -> RecordingLibrary:
    """Decrypt the bytes of the person's recordings that have playable passages (into memory)."""
    from .bundle import recordings as store

    db = bundle.db  # type: ignore[attr-defined]
    bundle_id = bundle.bundle_id  # type: ignore[attr-defined]
    data: dict[int, bytes] = {}
    clips: dict[str, Clip] = {}
    total = 0
    for passage in store.playable_passages(db):
        if passage.recording_id not in data:
            blob = store.recording_bytes(db, passage.recording_id)
            if total + len(blob) > limit:
                logger.warning("recordings over %d MB are not kept in memory: the rest is said by the voice",
                               limit // 1024**2)
                break
            data[passage.recording_id] = blob
            total += len(blob)
        clips[message_id(bundle_id, passage.pair_id)] = Clip(data[passage.recording_id], passage.start_s,
                                                             passage.end_s, passage.time, passage.text)
    return RecordingLibrary(clips)


def trim_silence(audio: np.ndarray, rate: int, *, frame_s: float = 0.02, below_db: float = 35.0,
                 keep_s: float = 0.08) -> np.ndarray:
    """Cut leading and trailing frames quieter than ``below_db`` under the loudest frame."""
    frame = max(1, int(frame_s * rate))
    n = len(audio) // frame
    if n == 0:
        return audio
    power = (audio[: n * frame].astype(np.float64).reshape(n, frame) ** 2).mean(axis=1)
    if power.max() <= 1e-10:  # silence only (-100 dBFS): nothing to play
        return audio[:0]
    loud = power >= power.max() * 10 ** (-below_db / 10)
    first, last = int(np.argmax(loud)), n - 1 - int(np.argmax(loud[::-1]))
    keep = int(keep_s * rate)
    return audio[max(0, first * frame - keep): min(len(audio), (last + 1) * frame + keep)]


def normalise(audio: np.ndarray, target_dbfs: float) -> np.ndarray:
    """One gain for the whole passage, so speech RMS is ``target_dbfs`` (peaks kept under 0.95)."""
    from ..audio.level import normalise_rms

    return normalise_rms(audio, target_dbfs)


def to_int16(audio: np.ndarray) -> np.ndarray:
    return (np.clip(audio, -1.0, 1.0) * 32767.0).astype(np.int16)
