"""`persona eval`'s table for the retrieval engine only (no LM loaded): the same inputs, hiding,
crisis check and guarded engine as `companion persona eval`, in seconds instead of minutes.

    PYTHONPATH=device python tests/bench/eval_retrieval.py PERSONA_DIR [--key-file F] [--details]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from companion.config.loader import load_settings
from companion.ethics.spoken import as_spoken
from companion.persona.eval import build_inputs, evaluate_engine, grounding_judge, outcome
from companion.persona.multilingual import SharedMultilingual
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
    multilingual = SharedMultilingual(settings.paths.models)  # one copy: synonyms or search, and the crisis check
    loaded = load_retrieval_persona(Path(args.persona), settings.paths.models, None,
                                    model_name=settings.persona.embedding_model, min_score=settings.persona.min_score,
                                    key_file=args.key_file, multilingual=multilingual)
    inputs = build_inputs(loaded)
    retrieval = loaded.subset(hide_contexts=inputs.hidden)
    spoken = as_spoken(settings, loaded, multilingual)(retrieval)  # the crisis check, then the guardrails, as the device speaks
    result = evaluate_engine("retrieval", spoken, inputs, grounding_judge(loaded), _Quiet())
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
