"""`companion voice prepare`: recordings -> a Piper training set (LJSpeech-style) + QC report.

Per recording: decode -> WebRTC VAD at 16 kHz -> speech segments -> drop too short/long,
clipped, noisy, other speakers (similarity to the enrolment) -> loudness normalise -> 22050 Hz
mono WAV -> transcript from the project's own Whisper. A tenth of the kept clips is held out for
`voice verify`. The new set is built beside the old one and swapped in only when complete.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from ..audio.convert import resample
from ..config import VoiceSettings
from ..errors import CompanionError
from . import challenge as consent_check
from .media import decode_audio, find_recordings, write_wav_float
from .quality import clipped_fraction, confirm_speech, frame_power, noise_floor, normalise_rms, snr_db, speech_segments
from .report import ClipResult, QcReport, write_report
from .speaker import SpeakerEncoder, cosine

logger = logging.getLogger(__name__)

PIPER_RATE = 22050
ANALYSIS_RATE = 16000
FRAME_MS = 30
MIN_GAP_S = 0.3
PAD_S = 0.15
HELDOUT_EVERY = 10


@dataclass(frozen=True)
class WorkDirs:
    """Where a persona's voice work lives: ``<persona>/voice/``."""

    root: Path
    dataset_dir: Path | None = None
    """Where the training set was decrypted to (a private temporary folder) for an encrypted bundle."""

    @classmethod
    def for_persona(cls, persona_dir: Path) -> WorkDirs:
        if not persona_dir.is_dir():
            raise CompanionError("persona folder not found", where=str(persona_dir),
                                 hint="give the persona folder with --persona")
        return cls(persona_dir / "voice")

    dataset = property(lambda self: self.dataset_dir or self.root / "dataset")
    heldout = property(lambda self: self.root / "heldout")
    train = property(lambda self: self.root / "train")
    export = property(lambda self: self.root / "export")
    speaker_file = property(lambda self: self.root / "dataset" / "speaker.json")


def _to_int16(audio: np.ndarray) -> np.ndarray:
    return (np.clip(audio, -1.0, 1.0) * 32767.0).astype(np.int16)


def _analysis_audio(audio: np.ndarray) -> np.ndarray:
    """22050 Hz float -> 16 kHz int16 for the VAD and the ASR."""
    return resample(_to_int16(audio), PIPER_RATE, ANALYSIS_RATE)


def asr_model_path(models_dir: Path, name: str) -> tuple[Path, str]:
    """(folder, name) of the configured Whisper, or of tiny.en when that is not installed (voice
    preparation and the import of recordings transcribe with the same fall-back)."""
    from ..errors import ModelError
    from ..models.store import ModelStore

    store = ModelStore(models_dir)
    try:
        return store.path(name), name
    except ModelError:
        if name == "asr-tiny-en":
            raise
        logger.warning("ASR model %s is not installed; transcribing with asr-tiny-en", name)
        return store.path("asr-tiny-en"), "asr-tiny-en"


def load_asr(models_dir: Path, name: str) -> tuple[Any, str]:
    """The project's Whisper; falls back to tiny.en when the configured model is not installed."""
    from ..asr.whisper import FasterWhisperRecognizer

    path, name = asr_model_path(models_dir, name)
    return FasterWhisperRecognizer(path, language="en"), name


def prepare(
    persona_dir: Path,
    enroll: Path | None,
    inputs: list[Path],
    settings: VoiceSettings,
    models_dir: Path,
    *,
    key_file: str | Path | None = None,
    now: _dt.datetime | None = None,
    progress: bool = True,
    from_bundle: bool = False,
) -> dict[str, Any]:
    """Build the training set and return the QC report.

    A plain persona folder gets it in ``voice/dataset`` (with qc.json / qc.txt); an encrypted
    bundle keeps it inside its database, never in plaintext (``--from-bundle`` also takes the
    clips from the person's imported recordings, and their voice from the import's check)."""
    from ..persona.bundle.store import is_bundle
    from ..vad.webrtc import WebRtcVad

    now = now or _dt.datetime.now(_dt.timezone.utc)
    work = WorkDirs.for_persona(persona_dir)
    living = consent_check.is_living(persona_dir, key_file=key_file, now=now)
    bundle = _open_bundle(persona_dir, key_file) if is_bundle(persona_dir) else None
    if from_bundle and bundle is None:
        raise CompanionError("--from-bundle needs an encrypted persona bundle", where=str(persona_dir),
                             hint="give the bundle folder with --persona, or name recordings instead")
    try:
        return _prepare(persona_dir, work, enroll, inputs, settings, models_dir, living=living, now=now,
                        progress=progress, bundle=bundle, from_bundle=from_bundle, vad_factory=WebRtcVad)
    finally:
        if bundle is not None:
            bundle.close()


def _open_bundle(persona_dir: Path, key_file: str | Path | None) -> Any:
    from ..persona.bundle.keys import read_secret
    from ..persona.bundle.store import Bundle

    secret = read_secret(settings_key_file=key_file or None, prompt_name=f"persona bundle {persona_dir}")
    return Bundle.open(persona_dir, secret)


def _sources(inputs: list[Path], bundle: Any, from_bundle: bool) -> list[tuple[str, Any]]:
    """(label, loader of mono float audio at Piper's rate) per recording."""
    if from_bundle:
        from ..persona.bundle import recordings as recording_store
        from .recordings.importer import decode

        chosen = [r for r in recording_store.recordings(bundle.db, status="done") if r.whose == "persona"]
        if not chosen:
            raise CompanionError("the bundle holds no recordings in the person's voice", where="--from-bundle",
                                 hint="import voice notes first: `companion persona add-recordings`")
        return [(f"recording {r.filename} ({r.time or 'undated'})",
                 lambda r=r: decode(recording_store.recording_bytes(bundle.db, r.id), r.filename, PIPER_RATE))
                for r in chosen]
    return [(str(p), lambda p=p: decode_audio(p, PIPER_RATE)) for p in find_recordings(inputs)]


def _prepare(persona_dir: Path, work: WorkDirs, enroll: Path | None, inputs: list[Path], settings: VoiceSettings,
             models_dir: Path, *, living: bool, now: _dt.datetime, progress: bool, bundle: Any, from_bundle: bool,
             vad_factory: Any) -> dict[str, Any]:
    recordings = _sources(inputs, bundle, from_bundle)  # fail on a bad path before loading models
    if enroll is None and (living or not from_bundle):
        raise CompanionError("an enrolment clip is needed" + (" (the living person's consent phrase)" if living else ""),
                             where="--enroll", hint="record the person reading `companion voice challenge`'s phrase"
                             if living else "give a clip of the person speaking alone")
    enroll_audio = decode_audio(enroll, PIPER_RATE) if enroll is not None else None

    asr, asr_name = load_asr(models_dir, settings.asr_model)
    if living:
        challenge = consent_check.load_challenge(work.root)
        assert enroll_audio is not None  # a living person always enrols (checked above)
        heard = asr.transcribe(_analysis_audio(enroll_audio), ANALYSIS_RATE).text
        consent_check.check_enrolment(challenge, heard, now=now, where=str(enroll))
    encoder = SpeakerEncoder()
    if enroll_audio is not None:
        target = encoder.embed(enroll_audio, PIPER_RATE)
    else:
        from .recordings.voiceset import voice_profile_of

        target = voice_profile_of(bundle, settings.min_speaker_similarity)
    if target is None:
        raise CompanionError("the enrolment clip holds too little speech to know the voice", where=str(enroll),
                             hint="give a clip of at least 3 seconds of the person speaking alone")
    vad = vad_factory(3, rate=ANALYSIS_RATE, frame_ms=FRAME_MS)
    frame_s = FRAME_MS / 1000.0
    report = QcReport(
        persona=persona_dir.name, enrolment=str(enroll or "the voice of the imported recordings"), living=living,
        asr_model=asr_name,
        thresholds={"min_clip_s": settings.min_clip_s, "max_clip_s": settings.max_clip_s,
                    "min_snr_db": settings.min_snr_db, "max_clipped_fraction": settings.max_clipped_fraction,
                    "min_speaker_similarity": settings.min_speaker_similarity},
        recordings=len(recordings), enough_minutes=settings.enough_minutes,
    )
    kept_audio: dict[str, np.ndarray] = {}

    bar = tqdm(recordings, desc="preparing", unit="file", file=sys.stderr, disable=None if progress else True)
    for path, load in bar:
        audio = load()
        pcm16 = _analysis_audio(audio)
        frame = vad.frame_samples
        n = len(pcm16) // frame
        flags = np.array([vad.is_speech(pcm16[i * frame:(i + 1) * frame]) for i in range(n)], dtype=bool)
        powers = frame_power(pcm16.astype(np.float64) / 32768.0, frame)
        noise = noise_floor(powers, flags)
        flags = confirm_speech(flags, powers, noise)
        segments = speech_segments(flags, min_gap=round(MIN_GAP_S / frame_s), pad=round(PAD_S / frame_s),
                                   max_len=round(settings.max_clip_s / frame_s) - 2 * round(PAD_S / frame_s))
        for start, end in segments:
            clip = ClipResult(source=str(path), start_s=round(start * frame_s, 2),
                              duration_s=round((end - start) * frame_s, 2))
            report.clips.append(clip)
            speech_power = powers[start:end][flags[start:end]]
            # Noise under the words (a noisy room during this clip only) shows in its quietest frames.
            clip_noise = max(noise, float(np.percentile(powers[start:end], 10)) if end > start else 0.0)
            clip.snr_db = round(snr_db(float(np.mean(speech_power)) if len(speech_power) else 0.0, clip_noise), 1)
            piece = audio[int(start * frame_s * PIPER_RATE):int(end * frame_s * PIPER_RATE)]
            clip.reason = _first_failure(clip, piece, settings)
            if clip.reason in ("too-short", "too-long"):
                continue
            emb = encoder.embed(piece, PIPER_RATE)
            if emb is None:
                clip.reason = clip.reason or "no-speech"
                continue
            clip.similarity = round(cosine(emb, target), 3)
            if clip.reason:
                continue
            if clip.similarity < settings.min_speaker_similarity:
                clip.reason = "other-speaker"
                continue
            piece = normalise_rms(piece, settings.target_dbfs)
            text = " ".join(asr.transcribe(_analysis_audio(piece), ANALYSIS_RATE).text.replace("|", " ").split())
            if not any(ch.isalpha() for ch in text):
                clip.reason = "no-words"
                continue
            clip.kept, clip.text = True, text
            clip.clip_id = f"clip_{sum(1 for c in report.clips if c.kept):05d}"
            kept_audio[clip.clip_id] = piece

    kept = [c for c in report.clips if c.kept]
    held = heldout_indices(len(kept))
    for index, clip in enumerate(kept):
        clip.heldout = index in held
    speaker = {"enrolment": str(enroll) if enroll else "recordings", "living": living,
               "embedding": [round(float(x), 6) for x in target],
               "prepared_at": now.astimezone(_dt.timezone.utc).isoformat(timespec="seconds")}
    if bundle is not None:  # encrypted persona: the set stays inside the database (issue 20, 21)
        from .recordings.voiceset import DatasetClip, store_dataset

        result = report.to_dict()
        store_dataset(bundle, [DatasetClip(c.clip_id, c.text, c.heldout, kept_audio[c.clip_id], PIPER_RATE)
                               for c in kept], speaker, result)
        logger.info("prepared %d clips (%.1f min) inside the bundle %s", result["clips_kept"], result["minutes_kept"],
                    persona_dir)
        return result
    staging = work.root / "dataset.new"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "wavs").mkdir(parents=True)
    (staging / "heldout").mkdir()
    for clip in kept:
        folder = staging / ("heldout" if clip.heldout else "wavs")
        write_wav_float(folder / f"{clip.clip_id}.wav", kept_audio[clip.clip_id], PIPER_RATE)
    _write_metadata(staging / "metadata.csv", [c for c in kept if not c.heldout])
    _write_metadata(staging / "heldout" / "metadata.csv", [c for c in kept if c.heldout])
    (staging / "speaker.json").write_text(json.dumps(speaker) + "\n", encoding="utf-8")
    result = report.to_dict()
    write_report(result, staging)
    _swap_in(staging, work.dataset)
    logger.info("prepared %d clips (%.1f min) for %s", result["clips_kept"], result["minutes_kept"], persona_dir)
    return result


def heldout_indices(n: int) -> set[int]:
    """Every HELDOUT_EVERY-th clip, spread over the set (at least one once there are 4 clips)."""
    if n < 4:
        return set()
    k = max(1, n // HELDOUT_EVERY)
    return {int((i + 0.5) * n / k) for i in range(k)}


def _first_failure(clip: ClipResult, piece: np.ndarray, settings: VoiceSettings) -> str:
    """The first signal-level rule the clip breaks ("" when none); speaker identity comes after."""
    if clip.duration_s < settings.min_clip_s:
        return "too-short"
    if clip.duration_s > settings.max_clip_s:
        return "too-long"
    if clipped_fraction(piece) > settings.max_clipped_fraction:
        return "clipped"
    if clip.snr_db is not None and clip.snr_db < settings.min_snr_db:
        return "noisy"
    return ""


def _write_metadata(path: Path, clips: list[ClipResult]) -> None:
    """LJSpeech-style ``id|text`` lines, as piper.train's VitsDataModule reads them."""
    path.write_text("".join(f"{c.clip_id}|{c.text}\n" for c in clips), encoding="utf-8")


def _swap_in(staging: Path, target: Path) -> None:
    """Replace the old data set only after the new one is complete (an interruption loses nothing)."""
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.replace(old)
    staging.replace(target)
    shutil.rmtree(old, ignore_errors=True)
