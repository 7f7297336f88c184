"""The voice clone's training set inside the bundle (issue 20 item 3, issue 21 item 4).

`companion voice prepare` of an encrypted persona keeps its clips, transcripts, speaker
embedding and QC report here, in the SQLCipher database, instead of PERSONA/voice/dataset; with
``--from-bundle`` the clips come from the person's imported recordings (decoded in memory). The
trainer reads files, so ``private_folder`` + ``materialise`` write the set to a folder only the
user can read (in RAM, /dev/shm, when there is one) for as long as training runs, then delete it.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import tempfile
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

DATASET_META = "voice_dataset"
SCHEMA = """
CREATE TABLE IF NOT EXISTS voice_clips(
    clip_id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    heldout INTEGER NOT NULL,
    wav BLOB NOT NULL                    -- 16-bit mono WAV at Piper's rate
)
"""


@dataclass(frozen=True)
class DatasetClip:
    clip_id: str
    text: str
    heldout: bool
    audio: np.ndarray  # float32 mono
    rate: int


def wav_bytes(audio: np.ndarray, rate: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes())
    return out.getvalue()


def store_dataset(bundle: Any, clips: list[DatasetClip], speaker: dict[str, Any], report: dict[str, Any]) -> None:
    """Replace the bundle's training set in one transaction (an interruption keeps the old one)."""
    with bundle.transaction():
        bundle.db.execute(SCHEMA)
        bundle.db.execute("DELETE FROM voice_clips")
        bundle.db.executemany(
            "INSERT INTO voice_clips(clip_id, text, heldout, wav) VALUES (?,?,?,?)",
            [(c.clip_id, c.text, int(c.heldout), wav_bytes(c.audio, c.rate)) for c in clips])
        bundle._set_meta(DATASET_META, json.dumps({"speaker": speaker, "report": report}, ensure_ascii=False))


def dataset_info(bundle: Any) -> dict[str, Any] | None:
    raw = bundle.meta(DATASET_META)
    return None if raw is None else json.loads(raw)


def materialise(bundle: Any, folder: Path) -> int:
    """Write the set as Piper's trainer reads it (wavs/, heldout/, metadata.csv, speaker.json);
    the number of training clips."""
    info = dataset_info(bundle)
    if info is None:
        from ...errors import CompanionError

        raise CompanionError("the persona bundle holds no prepared training set", where=str(bundle.path),
                             hint="run `companion voice prepare --from-bundle` first")
    (folder / "wavs").mkdir(parents=True, exist_ok=True)
    (folder / "heldout").mkdir(exist_ok=True)
    lines: dict[bool, list[str]] = {False: [], True: []}
    for clip_id, text, heldout, blob in bundle.db.execute(
            "SELECT clip_id, text, heldout, wav FROM voice_clips ORDER BY clip_id"):
        (folder / ("heldout" if heldout else "wavs") / f"{clip_id}.wav").write_bytes(blob)
        lines[bool(heldout)].append(f"{clip_id}|{text}\n")
    (folder / "metadata.csv").write_text("".join(lines[False]), encoding="utf-8")
    (folder / "heldout" / "metadata.csv").write_text("".join(lines[True]), encoding="utf-8")
    (folder / "speaker.json").write_text(json.dumps(info["speaker"]) + "\n", encoding="utf-8")
    return len(lines[False])


@contextmanager
def private_folder(prefix: str = "companion-voice-") -> Iterator[Path]:
    """A folder only this user can read, in RAM when /dev/shm exists, removed on exit (even on error)."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=base))  # mode 0700
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def training_dirs(persona_dir: Path, key_file: str | Path | None = None) -> Iterator[Any]:
    """The voice work folders, with an encrypted bundle's training set decrypted to a private
    temporary folder for as long as the block runs (a plain folder's set stays where it is; so
    does a set an older version left in ``<bundle>/voice/dataset``)."""
    from ...persona.bundle.store import is_bundle
    from ...voice.prepare import WorkDirs

    work = WorkDirs.for_persona(persona_dir)
    if not is_bundle(persona_dir):
        yield work
        return
    from ...persona.bundle.keys import read_secret
    from ...persona.bundle.store import Bundle

    secret = read_secret(settings_key_file=key_file or None, prompt_name=f"persona bundle {persona_dir}")
    with private_folder() as folder:
        with Bundle.open(persona_dir, secret) as bundle:
            inside = dataset_info(bundle) is not None
            if inside:
                materialise(bundle, folder / "dataset")
        yield WorkDirs(work.root, dataset_dir=folder / "dataset") if inside else work


def persona_recordings(bundle: Any, rate: int) -> Iterator[tuple[str, np.ndarray]]:
    """(label, mono float audio at ``rate``) of each recording in the person's voice, decoded in memory."""
    from ...persona.bundle import recordings as store
    from .importer import decode

    for rec in store.recordings(bundle.db, status="done"):
        if rec.whose != "persona":
            continue
        label = f"recording {rec.filename} ({rec.time or 'undated'})"
        yield label, decode(store.recording_bytes(bundle.db, rec.id), label, rate)


def voice_profile_of(bundle: Any, threshold: float) -> np.ndarray | None:
    """The person's voice as the recordings' import found it (the enrolment when none is given)."""
    from ...persona.bundle import recordings as store
    from .importer import voice_profile

    persona_ids = {r.id for r in store.recordings(bundle.db, status="done") if r.whose == "persona"}
    embeddings = {i: e for i, e in store.embeddings(bundle.db).items() if i in persona_ids}
    return voice_profile(embeddings, threshold)
