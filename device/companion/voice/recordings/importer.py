"""Import recordings into a bundle: store (encrypted), then check the voice and transcribe.

Two resumable steps, each committed per recording:

1. **store**: each candidate is read into memory, probed (size, duration, decodable) and its
   bytes stored in the bundle with status ``pending``. Bad input costs one line and that file.
2. **check and transcribe**: every recording gets a speaker embedding; the person's voice is the
   enrolment clip's when given, else the voice most of their recordings share; a recording in
   another voice (a grandchild on grandma's phone) is kept as ``other`` and never used. The
   person's recordings are transcribed with timestamps, cut into passages, and each passage
   becomes a record and a reply pair (a memory like a message) linked to its stretch of audio.

A killed import resumes where it stopped: stored recordings are not read again, finished ones
are not transcribed again. Nothing is ever written outside the encrypted database.
"""

from __future__ import annotations

import hashlib
import io
import logging
import lzma
import sys
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

from ...errors import AudioError
from ...persona.bundle.store import Bundle, audit, utc_now
from ...persona.bundle import recording_claims as claims
from ...persona.bundle import recordings as store
from .sources import MAX_RECORDING_BYTES, Candidate
from .transcribe import RATE, passages

logger = logging.getLogger(__name__)

_READ_ERRORS = (OSError, ValueError, RuntimeError, EOFError, NotImplementedError, zipfile.BadZipFile, zlib.error,
                lzma.LZMAError)
MAX_DURATION_S = 15 * 60.0
"""Longer than this is not a voice note or a clip of someone talking (a film, a recorded call)."""
MIN_SPEECH_S = 1.0
SOURCE = "recording"


@dataclass
class RecordingsSummary:
    """What an import did (counts and one line per problem; never content)."""

    found: int = 0
    stored: int = 0
    already: int = 0
    transcribed: int = 0
    persona: int = 0
    other: int = 0
    passages: int = 0
    audio_s: float = 0.0
    problems: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {"found": self.found, "stored": self.stored, "already": self.already,
                "transcribed": self.transcribed, "persona": self.persona, "other_voice": self.other,
                "passages": self.passages, "audio_s": round(self.audio_s, 1), "problems": list(self.problems)}


def probe(data: bytes | BinaryIO, where: str) -> float:
    """The recording's duration in seconds, read from the container (a 2-hour film is refused
    before a single frame is decoded); AudioError for anything unreadable. ``data``: the file's
    bytes, or a seekable stream of it (only the container's header is then read)."""
    import av

    try:
        with av.open(io.BytesIO(data) if isinstance(data, bytes) else data, "r") as container:
            if not container.streams.audio:
                raise AudioError("the file has no audio stream", where=where)
            if container.duration:
                return float(container.duration) / 1_000_000.0
            stream = container.streams.audio[0]
            if stream.duration and stream.time_base:
                return float(stream.duration * stream.time_base)
    except AudioError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise AudioError(f"cannot read the recording: {exc}", where=where) from None
    return 0.0


def decode(data: bytes, where: str, rate: int = RATE) -> np.ndarray:
    """Decode in memory (never a temporary file) to mono float32."""
    from ...audio.decode import decode_mono

    audio, _ = decode_mono(data, rate, np.float32, where=where)
    if audio.size == 0:
        raise AudioError("the recording holds no audio samples", where=where)
    return audio


@dataclass(frozen=True)
class ImportTarget:
    """The import a recording joins: its export's text import when there is one, else its own."""

    id: str
    filename: str
    journal: bool
    """Whether the import needs its own journal entry (format ``recordings``)."""


def import_target(bundle: Bundle, given: str) -> ImportTarget:
    """The import of the export or file the user named (see recording_claims.import_id_for)."""
    from pathlib import Path

    from ...persona.bundle.importer import source_hash
    from ...persona.bundle.imports import EARLIER, _earlier_files

    path = Path(given)
    sha = source_hash(path) if given and path.exists() else hashlib.sha256(given.encode()).hexdigest()
    if sha in _earlier_files(bundle):  # its text was imported before imports were recorded one by one
        return ImportTarget(EARLIER, path.name or given, False)
    journalled = bundle.imported_file(sha) is not None
    return ImportTarget(claims.import_id_for(sha, journalled), path.name or given, not journalled)


def _claim(bundle: Bundle, recording_id: int, target: ImportTarget, speaker: str) -> None:
    if target.journal:  # an import of its own: journalled, and listed by the consent like any import
        claims.journal_recordings_import(bundle.db, target.id, target.filename, speaker, utc_now())
        bundle.add_source_hashes([target.id])
    claims.claim_recording(bundle.db, recording_id, target.id)


def store_candidates(bundle: Bundle, candidates: list[Candidate], summary: RecordingsSummary,
                     *, progress: bool = True, max_duration_s: float = MAX_DURATION_S, speaker: str = "") -> None:
    """Step 1: read, probe and store each candidate (one transaction each), claimed by the import
    of the input it came from; a recording already stored is claimed by this import too."""
    from tqdm import tqdm

    db = bundle.db
    targets: dict[str, ImportTarget] = {}
    with bundle.transaction():
        store.ensure_tables(db)
    for candidate in tqdm(candidates, desc="storing recordings", unit=" file", file=sys.stderr,
                          disable=not progress or not candidates, mininterval=0.5):
        summary.found += 1
        where = candidate.where
        if candidate.size > MAX_RECORDING_BYTES:
            summary.problems.append(f"{where}: skipped, {candidate.size / 1024**2:.0f} MB is more than the "
                                    f"{MAX_RECORDING_BYTES // 1024**2} MB a recording may have; cut out the part "
                                    "where the person speaks and add it with `persona add-recordings`")
            continue
        try:
            if candidate.open is not None:  # its length first: a film is refused before its bytes are read
                with candidate.open() as stream:
                    _check_length(probe(stream, where), max_duration_s, where)
            data = candidate.read()
        except AudioError as exc:
            summary.problems.append(_skipped(where, exc))
            continue
        except _READ_ERRORS as exc:
            summary.problems.append(f"{where}: skipped, cannot read it ({type(exc).__name__}: {exc}); "
                                    "the rest of the import goes on")
            continue
        sha = hashlib.sha256(data).hexdigest()
        given = candidate.input or candidate.where
        target = targets.get(given) or targets.setdefault(given, import_target(bundle, given))
        existing = store.find_by_sha(db, sha)
        if existing is not None:
            with bundle.transaction():
                _claim(bundle, existing, target, speaker)
            summary.already += 1
            continue
        try:
            _check_length(probe(data, where), max_duration_s, where)
            audio = decode(data, where)
            duration = len(audio) / RATE
        except AudioError as exc:
            summary.problems.append(_skipped(where, exc))
            continue
        with bundle.transaction():
            recording_id = store.add_recording(
                db, sha256=sha, filename=candidate.filename, source=candidate.source,
                conversation=candidate.conversation, speaker=candidate.speaker, time=candidate.time,
                message_origin=candidate.message_origin, context=candidate.context, data=data, duration_s=duration,
                added=utc_now())
            _claim(bundle, recording_id, target, speaker)
            bundle.add_source_hashes([sha])
        summary.stored += 1
    if summary.stored:
        audit(bundle.path, f"stored {summary.stored} recordings (encrypted)")


def _check_length(duration: float, max_duration_s: float, where: str) -> None:
    if duration > max_duration_s:
        raise AudioError(f"{duration / 60:.0f} minutes long, more than the {max_duration_s / 60:.0f}-minute "
                         "limit for a recording", where=where,
                         hint="cut out the part where the person speaks and add it with `persona add-recordings`")


def _skipped(where: str, exc: AudioError) -> str:
    """One line: which file, what is wrong with it, what to do (the rest of the import goes on)."""
    return f"{where}: skipped, {exc.what}" + (f"; {exc.hint}" if exc.hint else "; the rest of the import goes on")


def voice_profile(embeddings: dict[int, np.ndarray], threshold: float,
                  enrolment: np.ndarray | None = None) -> np.ndarray | None:
    """The person's voice: the enrolment clip's, else the voice most recordings share (the mean of
    the recordings close to the running mean, refined until it stops changing)."""
    if enrolment is not None:
        return enrolment / float(np.linalg.norm(enrolment))
    if not embeddings:
        return None
    matrix = np.stack(list(embeddings.values()))
    if len(matrix) <= 2:
        # two recordings cannot out-vote each other: the first one (usually the earliest) sets the voice
        return matrix[0] / float(np.linalg.norm(matrix[0]))
    # start from the recording most like all the others (a medoid is not pulled by an outlier)
    sims = matrix @ matrix.T
    centre = matrix[int(np.argmax(sims.sum(axis=1)))]
    for _ in range(5):
        near = matrix[(matrix @ centre) >= threshold]
        if not len(near):
            break
        mean = near.mean(axis=0)
        new = mean / float(np.linalg.norm(mean))
        if np.allclose(new, centre, atol=1e-4):
            break
        centre = new
    return centre / float(np.linalg.norm(centre))


def check_and_transcribe(bundle: Bundle, *, encoder: Any, transcriber_factory: Callable[[], Any],
                         threshold: float, summary: RecordingsSummary, redactor: Callable[[str], str],
                         enrolment: np.ndarray | None = None, progress: bool = True) -> None:
    """Step 2 (resumable): embed, decide whose voice, transcribe the person's, add their passages."""
    from tqdm import tqdm

    db = bundle.db
    pending = store.recordings(db, status="pending")
    if not pending:
        return
    have = store.embeddings(db)
    for rec in pending:
        if rec.id in have:
            continue
        audio = decode(store.recording_bytes(db, rec.id), rec.filename)
        emb = encoder.embed(audio, RATE)
        if emb is not None:
            with bundle.transaction():
                store.set_embedding(db, rec.id, emb)
            have[rec.id] = np.asarray(emb, dtype=np.float32)
    profile = voice_profile(have, threshold, enrolment)
    transcriber = None
    bar = tqdm(total=round(sum(r.duration_s for r in pending)), desc="transcribing recordings", unit=" s audio",
               file=sys.stderr, disable=not progress, mininterval=0.5)
    for rec in pending:
        emb = have.get(rec.id)
        similarity = None if emb is None or profile is None else float(np.dot(emb, profile))
        if emb is None:
            whose = "other"  # too little speech to know the voice: never played as theirs
            summary.skipped["too little speech to know whose voice it is"] += 1
        else:
            whose = "persona" if similarity is None or similarity >= threshold else "other"
        segments: list[store.Segment] = []
        if whose == "persona":
            transcriber = transcriber or transcriber_factory()
            segments = transcriber.segments(decode(store.recording_bytes(db, rec.id), rec.filename))
        with bundle.transaction():
            store.finish_recording(db, rec.id, status="done", whose=whose, similarity=similarity, segments=segments)
            if whose == "persona":
                summary.passages += _add_passages(bundle, rec, segments, redactor)
        summary.transcribed += whose == "persona"
        summary.persona += whose == "persona"
        summary.other += whose == "other"
        summary.audio_s += rec.duration_s
        bar.update(round(rec.duration_s))
    bar.close()
    audit(bundle.path, f"checked {len(pending)} recordings: {summary.persona} in the person's voice, "
                       f"{summary.other} not")


def _add_passages(bundle: Bundle, rec: store.StoredRecording, segments: list[store.Segment],
                  redactor: Callable[[str], str]) -> int:
    """Each passage a record and a reply pair (the memory index embeds them on its next run)."""
    from ...persona.bundle.pairing import record_hash
    from ...persona.bundle.imports import claim_pair, claim_record
    from ...persona.private import private_reason

    db = bundle.db
    imports = claims.claims_of(db, rec.id)
    context_text = store.recording_context(db, rec.id)
    context = redactor(context_text) if context_text else None
    added = 0
    for index, part in enumerate(passages(segments)):
        text = redactor(part.text)
        if not text.strip() or private_reason(text) is not None:
            continue  # never said, not even in their own voice (issue 19)
        origin = f"recording:{rec.sha256[:16]}@{part.start_s:.2f}-{part.end_s:.2f}"
        digest = record_hash("persona", SOURCE, rec.conversation, rec.speaker, rec.time, text, origin)
        cursor = db.execute(
            "INSERT OR IGNORE INTO records(content_hash, role, source, conversation, speaker, time, text, export_id,"
            " reply_to, origin, file_sha256) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (digest, "persona", SOURCE, rec.conversation, rec.speaker, rec.time, text, origin, None, origin,
             rec.sha256))
        if not cursor.rowcount:
            continue
        record_id = int(cursor.lastrowid)
        pair_context = context if index == 0 else None
        pair_hash = hashlib.sha256("\x1f".join((pair_context or "\x00", text, rec.conversation, origin))
                                   .encode("utf-8", "surrogatepass")).hexdigest()
        pair = db.execute(
            "INSERT OR IGNORE INTO reply_pairs(pair_hash, context, answer, answer_record, context_record, conversation,"
            " time, source) VALUES (?,?,?,?,?,?,?,?)",
            (pair_hash, pair_context, text, record_id, None, rec.conversation, rec.time, SOURCE))
        if pair.rowcount:
            # redacted words are not what the recording says: then only the text is used
            store.add_passage(db, int(pair.lastrowid), rec.id, part.start_s, part.end_s, playable=text == part.text)
            for import_id in imports:  # forgotten with the recording (recording_claims.py)
                claim_record(db, record_id, import_id)
                claim_pair(db, int(pair.lastrowid), import_id)
            added += 1
    return added
