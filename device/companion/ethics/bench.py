"""Watermark robustness benchmark: `companion watermark bench` (JSON; ETHICS.md C4 targets).

Synthesizes real utterances of 4-10 s with the bundled Piper voice (the demo persona's own
messages), marks each with a fresh random key, and runs every attack of wmattacks.py on it (crop
at a random offset, a 3 s excerpt, tempo 0.9 / 1.1, pitch -1 / +1 semitone, 1.1x speed, MP3
64 kbps, an 8 kHz G.711 phone line, resampling), then detects. False alarms are counted on clean
clips made here: unmarked speech excerpts, noise, music-like tones, and speech marked with a
different key, each searched with the bench key exactly as `watermark detect` does. Reports SNR
and, when the optional `pesq` package is installed, wide-band PESQ; otherwise says it was not
measured. Every rate is a count over the trials run, never a target assumed.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from . import watermark as wm
from .audiofile import resample_hq
from .wmattacks import ATTACKS

logger = logging.getLogger(__name__)

TARGET_DETECTION = 0.99
TARGET_FALSE_ALARMS = 0
LOG_CANDIDATES = 1000


def demo_sentences() -> list[str]:
    """Texts of varied length: the demo persona's messages, and their sentences alone."""
    from ..config import DEMO_PERSONA_DIR
    from ..persona.folder import load_persona_folder
    from ..tts.splitter import split_sentences

    folder = load_persona_folder(DEMO_PERSONA_DIR)
    texts: list[str] = []
    for message in folder.messages:
        sentences = split_sentences(message.text)
        texts.append(message.text)
        if len(sentences) > 1:
            texts.append(sentences[0])
    return texts


def synthesize(tts: Any, count: int, rng: np.random.Generator, *, min_s: float, max_s: float,
               progress: bool) -> list[np.ndarray]:
    """``count`` utterances of min_s..max_s (two messages joined when one is too short)."""
    texts = demo_sentences()
    rate = tts.sample_rate
    out: list[np.ndarray] = []
    bar = tqdm(total=count, desc="synthesizing", disable=not progress)
    pending = np.zeros(0, dtype=np.int16)
    for i in rng.permutation(len(texts)):
        if len(out) >= count:
            break
        pcm = np.concatenate([pending, tts.synthesize(texts[i])])
        if len(pcm) / rate < min_s:
            pending = np.concatenate([pcm, np.zeros(int(0.2 * rate), dtype=np.int16)])
            continue
        pending = np.zeros(0, dtype=np.int16)
        if len(pcm) / rate <= max_s:
            out.append(pcm)
            bar.update(1)
    bar.close()
    if len(out) < count:
        logger.warning("only %d utterances of %.0f-%.0f s available", len(out), min_s, max_s)
    return out


def clean_clips(speech: Sequence[np.ndarray], rate: int, count: int, rng: np.random.Generator) -> list[tuple[str, np.ndarray]]:
    """Unmarked clips of 3-3.6 s (one search window each): speech excerpts, noises, music-like
    tones, speech + noise."""
    kinds = ("speech", "white noise", "pink noise", "brown noise", "music-like", "speech+noise")
    out = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        n = int(rng.uniform(3.0, 3.6) * rate)
        if kind in ("speech", "speech+noise"):
            src = speech[int(rng.integers(len(speech)))]
            start = int(rng.integers(0, max(1, len(src) - n)))
            audio = src[start:start + n].astype(np.float64)
            if kind == "speech+noise":
                audio = audio + rng.standard_normal(len(audio)) * np.std(audio) * 10 ** (-rng.uniform(5, 25) / 20)
        elif kind == "music-like":
            audio = _music(n, rate, rng)
        else:
            tilt = {"white noise": 0.0, "pink noise": 0.5, "brown noise": 1.0}[kind]
            spectrum = np.fft.rfft(rng.standard_normal(n)) / np.maximum(np.fft.rfftfreq(n, 1 / rate), 20.0) ** tilt
            audio = np.fft.irfft(spectrum, n)
        peak = float(np.max(np.abs(audio))) or 1.0
        out.append((kind, (audio / peak * rng.uniform(3000, 20000)).astype(np.int16)))
    return out


def _music(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Notes of a scale, each a few harmonics with a decaying envelope, over a drone."""
    t = np.arange(n) / rate
    audio = 0.3 * np.sin(2 * np.pi * 110.0 * t)
    note_s = rng.uniform(0.12, 0.5)
    for start in np.arange(0.0, n / rate, note_s):
        f0 = 220.0 * 2 ** (int(rng.choice([0, 2, 4, 5, 7, 9, 11, 12])) / 12)
        seg = (t >= start) & (t < start + note_s * 1.5)
        tt = t[seg] - start
        env = np.exp(-tt * rng.uniform(2, 8))
        for h in range(1, 6):
            audio[seg] += env * np.sin(2 * np.pi * f0 * h * tt) / h
    return audio


def run_bench(tts: Any, *, count: int = 100, clean: int = 1000, attacks: Sequence[str] | None = None,
              seed: int = 7, min_s: float = 4.0, max_s: float = 10.0, progress: bool = True) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    rate = tts.sample_rate
    key = os.urandom(32)  # a fresh secret, as each device makes at install
    utterances = synthesize(tts, count, rng, min_s=min_s, max_s=max_s, progress=progress)
    names = list(attacks) if attacks else list(ATTACKS)
    rows: dict[str, dict[str, Any]] = {name: {"detected": 0, "payload_exact": 0, "log_match": 0, "trials": 0,
                                              "scores": [], "seconds": []} for name in names}
    snrs, pesqs, embed_rtf = [], [], []
    pesq_fn = _pesq()
    for pcm in tqdm(utterances, desc="marking + attacks", disable=not progress):
        payload = int(rng.integers(0, 2**32))
        started = time.perf_counter()
        marked = wm.embed(pcm, rate, payload, key=key)
        embed_rtf.append((time.perf_counter() - started) / (len(pcm) / rate))
        snrs.append(wm.snr_db(pcm, marked))
        if pesq_fn is not None:
            pesqs.append(pesq_fn(resample_hq(pcm, rate, 16000), resample_hq(marked, rate, 16000)))
        candidates = [payload] + [int(c) for c in rng.integers(0, 2**32, LOG_CANDIDATES - 1)]
        for name in names:
            received, rrate = ATTACKS[name](marked, rate, rng)
            started = time.perf_counter()
            found = wm.detect(received, rrate, key=key, read_payload=False)  # presence: the first window that finds it
            row = rows[name]
            row["seconds"].append(time.perf_counter() - started)
            row["trials"] += 1
            row["scores"].append(found.score)
            row["detected"] += found.present
            row["payload_exact"] += found.present and found.payload == payload
            best = max(candidates, key=found.match_score)
            row["log_match"] += found.present and best == payload and \
                found.match_score(best) > wm.presence_threshold(len(candidates))
    per_attack = {name: _summary(row) for name, row in rows.items()}
    false_alarms = _false_alarms(utterances, rate, clean, key, rng, progress)
    required = [n for n in names if n != "none"]
    report: dict[str, Any] = {
        "utterances": len(utterances),
        "duration_s": _stats([len(p) / rate for p in utterances], 2),
        "attacks": per_attack,
        "false_alarms": false_alarms,
        "snr_db": _stats(snrs, 2),
        "pesq_wb": _stats(pesqs, 3) if pesqs else "not measured (install the optional `pesq` package: pip install 'companion[bench]')",
        "embed_real_time_factor": _stats(embed_rtf, 4),
        "detect_window_s": wm.wmsearch.WINDOW_S,
        "hypotheses_per_window": wm._searcher(key).hypotheses,
        "false_alarm_bound_per_file": wm.wmsearch.FALSE_ALARM,
        "targets": {"detection_per_attack": TARGET_DETECTION, "false_alarms": TARGET_FALSE_ALARMS},
    }
    report["meets_targets"] = bool(
        all(per_attack[n]["detection_rate"] >= TARGET_DETECTION for n in required)
        and false_alarms["false_alarms"] <= TARGET_FALSE_ALARMS and false_alarms["clips"] >= 1000
        and all(per_attack[n]["trials"] >= 100 for n in required))
    return report


def _false_alarms(speech: Sequence[np.ndarray], rate: int, clean: int, key: bytes, rng: np.random.Generator,
                  progress: bool) -> dict[str, Any]:
    clips = clean_clips(speech, rate, clean, rng)
    other = os.urandom(32)
    by_kind: dict[str, list[int]] = {}
    scores = []
    for i, (kind, clip) in enumerate(tqdm(clips, desc="clean clips", disable=not progress)):
        if i % 5 == 4:  # one in five: marked by another device (a different key)
            kind, clip = "marked with another key", wm.embed(clip, rate, int(rng.integers(0, 2**32)), key=other)
        found = wm.detect(clip, rate, key=key, read_payload=False)
        scores.append(found.score)
        counts = by_kind.setdefault(kind, [0, 0])
        counts[0] += 1
        counts[1] += found.present
    total = sum(c[1] for c in by_kind.values())
    return {"clips": len(clips), "false_alarms": total,
            "by_kind": {k: {"clips": c[0], "false_alarms": c[1]} for k, c in by_kind.items()},
            "score_max": round(max(scores), 2) if scores else None,
            "score_median": round(statistics.median(scores), 2) if scores else None}


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    n = max(1, row["trials"])
    return {"trials": row["trials"], "detected": row["detected"], "detection_rate": round(row["detected"] / n, 4),
            "payload_exact_rate": round(row["payload_exact"] / n, 4),
            "log_match_rate": round(row["log_match"] / n, 4),
            "score": _stats(row["scores"], 2), "detect_s_median": round(statistics.median(row["seconds"]), 3)
            if row["seconds"] else None}


def _stats(values: Sequence[float], digits: int) -> dict[str, float]:
    if not values:
        return {}
    return {"min": round(min(values), digits), "median": round(statistics.median(values), digits),
            "max": round(max(values), digits)}


def _pesq() -> Any:
    try:
        from pesq import pesq
    except ImportError:
        return None

    def score(ref: np.ndarray, deg: np.ndarray) -> float:
        n = min(len(ref), len(deg))
        return float(pesq(16000, ref[:n].astype(np.float64), deg[:n].astype(np.float64), "wb"))

    return score


def load_bench_tts(models_dir: Path | None = None) -> Any:
    from ..models.store import ModelStore
    from ..tts.piper_tts import PiperSynthesizer

    return PiperSynthesizer(ModelStore(models_dir).path("tts-joe-medium"))

