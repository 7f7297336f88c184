"""The QC report of a prepared training set: JSON for tools, plain text for the family.

It says how many minutes of the person's speech survived, why the rest was dropped, how clean
(SNR) and how surely theirs (speaker similarity) the kept clips are, and in plain words whether
that is enough to clone the voice.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .quality import histogram

SNR_EDGES = (-60.0, 0.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 60.0)
SIMILARITY_EDGES = (-1.0, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0)
MIN_USABLE_MINUTES = 5.0
"""Below this even a fine-tune from a good base checkpoint does not pick up the person's voice."""


@dataclass
class ClipResult:
    """One speech segment found in a recording, and what became of it."""

    source: str
    start_s: float
    duration_s: float
    snr_db: float | None = None
    similarity: float | None = None
    kept: bool = False
    reason: str = ""
    """Why it was dropped ("" when kept): too-short, too-long, clipped, noisy, other-speaker, no-speech, no-words."""
    clip_id: str = ""
    text: str = ""
    heldout: bool = False


@dataclass
class QcReport:
    persona: str
    enrolment: str
    living: bool
    asr_model: str
    thresholds: dict[str, float]
    clips: list[ClipResult] = field(default_factory=list)
    recordings: int = 0
    enough_minutes: float = 30.0

    def to_dict(self) -> dict[str, Any]:
        kept = [c for c in self.clips if c.kept]
        train = [c for c in kept if not c.heldout]
        dropped = Counter(c.reason for c in self.clips if not c.kept)
        minutes = sum(c.duration_s for c in train) / 60.0
        return {
            "persona": self.persona,
            "enrolment": self.enrolment,
            "living_person": self.living,
            "asr_model": self.asr_model,
            "thresholds": self.thresholds,
            "recordings": self.recordings,
            "segments_found": len(self.clips),
            "clips_kept": len(train),
            "clips_heldout": len(kept) - len(train),
            "minutes_kept": round(minutes, 2),
            "minutes_heldout": round(sum(c.duration_s for c in kept if c.heldout) / 60.0, 2),
            "minutes_found": round(sum(c.duration_s for c in self.clips) / 60.0, 2),
            "dropped": dict(sorted(dropped.items())),
            "snr_histogram_db": histogram([c.snr_db for c in self.clips if c.snr_db is not None], SNR_EDGES),
            "similarity_histogram": histogram(
                [c.similarity for c in self.clips if c.similarity is not None], SIMILARITY_EDGES),
            "verdict": verdict(minutes, self.enough_minutes),
            "clips": [vars(c) for c in self.clips],
        }


def verdict(minutes: float, enough: float) -> dict[str, str]:
    """A plain answer to "is this enough?", with the level and what to do next."""
    if minutes < MIN_USABLE_MINUTES:
        return {"level": "not-enough",
                "text": f"Not enough: {minutes:.1f} minutes of clean speech by this person were found. A cloned "
                        f"voice needs at least {MIN_USABLE_MINUTES:.0f} minutes, and {enough:.0f} or more to "
                        "sound like them. Add more recordings (voice messages, videos) and run prepare again."}
    if minutes < enough:
        return {"level": "weak",
                "text": f"Usable but thin: {minutes:.1f} minutes. Fine-tuning from a base voice will give a rough "
                        f"likeness; {enough:.0f}+ minutes give a clearly recognisable voice. More recordings help."}
    return {"level": "enough",
            "text": f"Enough: {minutes:.1f} minutes of clean speech, sufficient to fine-tune a base voice."}


def render_text(report: dict[str, Any]) -> str:
    """The human-readable report, with bar-chart histograms."""
    lines = [
        f"Voice data report for {report['persona']}",
        "",
        f"Verdict: {report['verdict']['text']}",
        "",
        f"Recordings read:   {report['recordings']}",
        f"Speech segments:   {report['segments_found']} ({report['minutes_found']:.2f} min)",
        f"Kept for training: {report['clips_kept']} clips, {report['minutes_kept']:.2f} min",
        f"Held out (verify): {report['clips_heldout']} clips, {report['minutes_heldout']:.2f} min",
        f"Living person:     {'yes (challenge phrase checked)' if report['living_person'] else 'no'}",
        f"Transcribed with:  {report['asr_model']}",
        "",
        "Dropped, and why:",
    ]
    reasons = {
        "too-short": "shorter than the minimum clip length", "too-long": "longer than the maximum clip length",
        "clipped": "distorted (clipped) audio", "noisy": "too much background noise (low SNR)",
        "other-speaker": "someone else's voice", "no-speech": "too little speech to identify the speaker",
        "no-words": "no words recognised",
    }
    if not report["dropped"]:
        lines.append("  nothing")
    for reason, count in report["dropped"].items():
        lines.append(f"  {count:4d}  {reason}: {reasons.get(reason, reason)}")
    for title, key in (("Estimated SNR (dB) of all segments:", "snr_histogram_db"),
                       ("Similarity to the enrolment voice:", "similarity_histogram")):
        lines += ["", title]
        for b in report[key]:
            lines.append(f"  {b['from']:6.2f} .. {b['to']:6.2f} | {'#' * int(b['count']):<30} {b['count']}")
    return "\n".join(lines) + "\n"


def write_report(report: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """Write qc.json and qc.txt into ``folder``."""
    json_path, text_path = folder / "qc.json", folder / "qc.txt"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    text_path.write_text(render_text(report), encoding="utf-8")
    return json_path, text_path
