"""Speech the device writes outside a conversation turn is marked too (ETHICS.md C4).

Replies are marked as they are played (runtime.py, service/turn.py); anything else synthesized
into a file, such as `companion demo`'s spoken questions, goes through ``write_marked_wav``: a new
utterance id, the device's watermark, the C2PA and AIGC labels, and a generation-log line, so
`companion watermark detect` finds and names it like any reply.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..audio.wavfile import write_wav
from .genlog import GenerationLog, new_utterance_id, utterance_hex
from .provenance import label_file
from .watermark import embed
from .wmkey import device_key


def write_marked_wav(path: Path, pcm: np.ndarray, rate: int, *, state_dir: Path, kind: str, persona_id: str,
                     models: Mapping[str, str] | None = None, key: bytes | None = None) -> str:
    """Write ``pcm`` to ``path`` watermarked and labelled; returns the utterance id (hex)."""
    uid = new_utterance_id()
    secret = key if key is not None else device_key(state_dir).secret
    write_wav(path, embed(np.asarray(pcm, dtype=np.int16), rate, uid, key=secret), rate)
    label_file(path, utterance_hex(uid), state_dir)
    GenerationLog(state_dir).record(uid, persona_id=persona_id, kind=kind, models=dict(models or {}),
                                    voice="persona", conversation_s=round(len(pcm) / rate, 3))
    return utterance_hex(uid)
