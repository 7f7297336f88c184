"""Pick the lexical weight and decline threshold for the multilingual search on the DEV split only.

    PYTHONPATH=device:tests python tests/data/retrieval/calibrate.py

Prints, per lexical weight, the threshold that maximises the worse of (answered right, declined)
on dev; the chosen constants go to persona/retrieval.py (LEXICAL_WEIGHT, MULTILINGUAL_MIN_SCORE).
Then, for Chinese, the whole engine's answers on dev per quantile of the per-persona bar
(persona/zh_calibrate.py LOW_QUANTILE: the bar is calibrated from each persona's own data, the
quantile is the design constant chosen here). The test split is never read here.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from companion.persona.folder import load_persona_folder
from companion.persona.embedding_choice import embedding_for_language, load_embedder
from companion.persona.retrieval import RetrievalPersona
from support.retrieval_sets import questions, write_persona


def main(models_dir: Path) -> None:
    for lang in ("zh", "en"):
        with tempfile.TemporaryDirectory() as tmp:
            folder = load_persona_folder(write_persona(lang, Path(tmp) / "p"))
            name, _ = embedding_for_language(lang)
            persona = RetrievalPersona(folder, load_embedder(models_dir, name, 2))
            dev = questions(lang, "dev")
            for weight in (0.0, 0.15, 0.3, 0.45):
                persona.lexical_weight = weight
                scored = [(q, persona.scores(q.text)) for q in dev]
                best = None
                for threshold in np.arange(0.30, 0.80, 0.01):
                    right = np.mean([s.argmax() == [m.id for m in folder.messages].index(q.expected) and s.max() >= threshold
                                     for q, s in scored if q.expected != "absent"])
                    declined = np.mean([s.max() < threshold for q, s in scored if q.expected == "absent"])
                    key = (min(right, declined), right + declined)
                    if best is None or key > best[0]:
                        best = (key, threshold, right, declined)
                print(f"{lang} model={name} lexical_weight={weight:.2f}: threshold {best[1]:.2f} "
                      f"answered right {best[2]:.2f} declined {best[3]:.2f}")


def sweep_zh_quantile(models_dir: Path) -> None:
    from companion.persona import zh_calibrate

    with tempfile.TemporaryDirectory() as tmp:
        folder = load_persona_folder(write_persona("zh", Path(tmp) / "p"))
        name, min_score = embedding_for_language("zh")
        embedder = load_embedder(models_dir, name, 2)
        dev = questions("zh", "dev")
        chosen = zh_calibrate.LOW_QUANTILE
        for quantile in (0.6, 0.7, 0.75, 0.8, 0.85, 0.9):
            zh_calibrate.LOW_QUANTILE = quantile
            persona = RetrievalPersona(folder, embedder, min_score=min_score)
            replies = [(q, next(iter(persona.respond(q.text)))) for q in dev]
            right = np.mean([r.source.message_id == q.expected for q, r in replies if q.expected != "absent"])
            declined = np.mean([r.kind.value == "fallback" for q, r in replies if q.expected == "absent"])
            print(f"zh LOW_QUANTILE={quantile:.2f}: low bar {persona.catalogue.bars.low:.3f} "
                  f"answered right {right:.2f} declined {declined:.2f}")
        zh_calibrate.LOW_QUANTILE = chosen


if __name__ == "__main__":
    sweep_zh_quantile(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.home() / ".local/share/companion/models")
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.home() / ".local/share/companion/models")
