"""`companion voice verify`: does the clone sound like the person, and does it speak clearly?

The clone reads the held-out sentences; its speaker embeddings are compared with the person's
real held-out clips and set against two baselines: real-vs-real (how alike the person's own
clips are: the ceiling) and impostor-vs-real (another voice: the floor). The ASR reads the clone
back for a word error rate. Only a clone at or above the threshold is installed into the persona
(a folder's voice-model/, or inside an encrypted bundle: persona/cloned_voice.py), unless the family
explicitly accepts a weak one. For a living person the clone must also match the
challenge-phrase enrolment (ETHICS C2).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from ..errors import CompanionError
from ..persona.cloned_voice import install_voice
from .media import decode_audio, find_recordings
from .prepare import ANALYSIS_RATE, PIPER_RATE, WorkDirs, _analysis_audio, load_asr
from .speaker import SpeakerEncoder, cosine, mean_pairwise

logger = logging.getLogger(__name__)

MAX_SENTENCES = 8


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level Levenshtein distance / reference words (case and punctuation ignored)."""
    from .challenge import normalise_words

    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[len(hyp)] / len(ref)


def _reference_clips(work: WorkDirs) -> list[tuple[Path, str]]:
    """Held-out real clips and their transcripts (topped up from training clips when too few)."""
    pairs: list[tuple[Path, str]] = []
    for folder in (work.dataset / "heldout", work.dataset / "wavs"):
        meta = folder / "metadata.csv" if folder.name == "heldout" else work.dataset / "metadata.csv"
        if not meta.is_file():
            continue
        for line in meta.read_text(encoding="utf-8").splitlines():
            clip_id, _, text = line.partition("|")
            if text.strip() and (folder / f"{clip_id}.wav").is_file():
                pairs.append((folder / f"{clip_id}.wav", text.strip()))
        if len(pairs) >= 3:
            break
    if len(pairs) < 2:
        raise CompanionError("too few real clips to verify against", where=str(work.dataset),
                             hint="run `companion voice prepare` with more recordings")
    return pairs[:MAX_SENTENCES]


def verify(
    persona_dir: Path,
    models_dir: Path,
    *,
    voice: Path | None = None,
    impostor: list[Path] | None = None,
    threshold: float = 0.80,
    accept_weak: bool = False,
    asr_model: str = "asr-tiny-en",
    progress: bool = True,
    key_file: str | Path | None = None,
    work: WorkDirs | None = None,
) -> dict[str, Any]:
    """Score the clone; install it into the persona when it passes (or is accepted).

    A plain folder gets ``<persona>/voice-model/``; an encrypted bundle stores it inside its
    database (unlocked with ``key_file`` or the usual key sources), see persona/cloned_voice.py.
    """
    if work is None:  # an encrypted bundle's real clips are decrypted to a private folder meanwhile
        from .recordings.voiceset import training_dirs

        with training_dirs(persona_dir, key_file) as work:
            return verify(persona_dir, models_dir, voice=voice, impostor=impostor, threshold=threshold,
                          accept_weak=accept_weak, asr_model=asr_model, progress=progress, key_file=key_file,
                          work=work)
    from ..tts.piper_tts import PiperSynthesizer

    onnx = voice or work.export / "voice.onnx"
    if not onnx.is_file():
        raise CompanionError("no exported voice to verify", where=str(onnx), hint="run `companion voice export` first")
    references = _reference_clips(work)
    impostor_files = find_recordings(impostor) if impostor else []
    clone = _load_voice(onnx)
    encoder = SpeakerEncoder()
    asr, asr_name = load_asr(models_dir, asr_model)

    real = [e for e in (encoder.embed(decode_audio(p, PIPER_RATE), PIPER_RATE) for p, _ in references) if e is not None]
    if len(real) < 2:
        raise CompanionError("the held-out real clips hold too little speech to compare with", where=str(work.dataset),
                             hint="run `companion voice prepare` with more recordings")
    clone_embs, wers = [], []
    for _, text in tqdm(references, desc="verifying", unit="sentence", file=sys.stderr, disable=None if progress else True):
        audio = clone.synthesize(text).astype(np.float32) / 32768.0
        emb = encoder.embed(audio, clone.sample_rate) if len(audio) else None
        if emb is not None:
            clone_embs.append(emb)
        heard = asr.transcribe(_analysis_audio(_to_piper_rate(audio, clone.sample_rate)), ANALYSIS_RATE).text
        wers.append(word_error_rate(text, heard))
    if impostor_files:
        impostor_embs = [e for e in (encoder.embed(decode_audio(p, PIPER_RATE), PIPER_RATE) for p in impostor_files)
                         if e is not None]
    else:  # the bundled neutral voice is someone else: a fair floor
        neutral = PiperSynthesizer(_neutral_voice_dir(models_dir))
        impostor_embs = [e for e in (encoder.embed(neutral.synthesize(t).astype(np.float32) / 32768.0,
                                                   neutral.sample_rate) for _, t in references) if e is not None]

    # A clone whose output the encoder cannot even find speech in is as unlike the person as it gets.
    similarity = mean_pairwise(clone_embs, real) or 0.0
    report: dict[str, Any] = {
        "voice": str(onnx), "threshold": threshold, "asr_model": asr_name, "sentences": len(references),
        "clone_vs_real": round(similarity, 3), "clone_sentences_with_speech": len(clone_embs),
        "real_vs_real": _round(mean_pairwise(real, real, same_set=True)),
        "impostor_vs_real": _round(mean_pairwise(impostor_embs, real)),
        "impostor": "given clips" if impostor_files else "bundled neutral voice",
        "wer": round(float(np.mean(wers)), 3) if wers else None,
    }
    speaker = _enrolment(work)
    passed = similarity >= threshold
    if speaker is not None and speaker["living"]:
        enrol = np.asarray(speaker["embedding"], dtype=np.float32)
        match = float(np.mean([cosine(e, enrol) for e in clone_embs])) if clone_embs else 0.0
        report["clone_vs_enrolment"] = round(match, 3)
        passed = passed and match >= threshold
    report["passed"] = passed
    report["accepted_weak"] = bool(accept_weak and not passed)
    (work.root / "verify.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if passed or accept_weak:
        report["installed"] = install_voice(persona_dir, onnx, report, key_file=key_file)
    else:
        report["installed"] = None
    return report


def _load_voice(onnx: Path) -> Any:
    from ..tts.piper_tts import PiperSynthesizer

    config = onnx.with_suffix(".onnx.json")
    if not config.is_file():
        raise CompanionError("the voice has no .onnx.json config beside it", where=str(config))
    staging = onnx.parent  # PiperSynthesizer takes a folder holding one voice
    if len(list(staging.glob("*.onnx"))) != 1:
        raise CompanionError("give a folder with exactly one .onnx voice", where=str(staging))
    return PiperSynthesizer(staging)


def _to_piper_rate(audio: np.ndarray, rate: int) -> np.ndarray:
    if rate == PIPER_RATE:
        return audio
    n = int(round(len(audio) * PIPER_RATE / rate))
    return np.interp(np.arange(n) * rate / PIPER_RATE, np.arange(len(audio)), audio).astype(np.float32)


def _neutral_voice_dir(models_dir: Path) -> Path:
    from ..models.store import ModelStore

    return ModelStore(models_dir).path("tts-joe-medium")


def _enrolment(work: WorkDirs) -> dict[str, Any] | None:
    try:
        return json.loads(work.speaker_file.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
