"""`persona eval`'s table for the retrieval engine only (no LM loaded): the same inputs, hiding,
crisis check and guarded engine as `companion persona eval`, in seconds instead of minutes.

    PYTHONPATH=device python tests/bench/eval_retrieval.py PERSONA_DIR [--key-file F] [--details]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np
from companion.config.loader import load_settings
from companion.ethics.spoken import as_spoken
from companion.persona.eval import (
    _norm,
    build_inputs,
    evaluate_engine,
    grounded,
    outcome,
)
from companion.persona.reply import main_source, reply_text
from companion.persona.retrieval import load_retrieval_persona


class _Quiet:
    def update(self, *_: object) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("persona")
    parser.add_argument("--key-file")
    parser.add_argument("--details", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    loaded = load_retrieval_persona(Path(args.persona), settings.paths.models, None,
                                    model_name=settings.persona.embedding_model, min_score=settings.persona.min_score,
                                    key_file=args.key_file)
    inputs = build_inputs(loaded)
    retrieval = loaded.subset(hide_contexts=inputs.hidden)
    _, texts = loaded.message_vectors()
    messages = frozenset(_norm(m.text) for m in loaded.folder.messages)
    numbers = frozenset(n for m in loaded.folder.messages for n in re.findall(r"\d+", f"{m.text} {m.context or ''}"))
    spoken = as_spoken(settings, loaded)(retrieval)  # the crisis check, then the guardrails, as the device speaks
    result = evaluate_engine("retrieval", spoken, inputs, lambda pieces: grounded(
        pieces, messages, numbers, lambda text: float(np.max(texts @ loaded.embedder.embed([text])[0]))), _Quiet())
    print(json.dumps({"fact_questions": len(inputs.facts), "hidden": len(inputs.hidden), **result}, indent=1))
    if args.details:
        for q in inputs.facts:
            pieces = list(spoken.respond(q.question, ()))
            source = main_source(pieces)
            print(outcome("in_data", pieces, expected=inputs.expected[q.message_id], fact=q.fact), "|", q.question,
                  "|", q.message_id, q.fact, "->", source.message_id if source else None, reply_text(pieces)[:60])
    return 0


if __name__ == "__main__":
    sys.exit(main())
