"""``companion persona eval | train | bench-lm``: the persona-model commands, wired into the persona CLI."""

from __future__ import annotations

import argparse
import json
import logging
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from ...config import settings_from_args

logger = logging.getLogger(__name__)

BENCH_QUESTIONS = (
    "Who was your first boss?",
    "What did you do on Sunday mornings?",
    "Tell me about the canoe you built.",
    "What did you and grandma do on your anniversary?",
)


def _retrieval(settings, persona_dir: Path):
    """A persona folder, or a bundle unlocked with the key file / credential / passphrase."""
    from ..retrieval import load_retrieval_persona

    return load_retrieval_persona(persona_dir, settings.paths.models, settings.paths.cache / "persona",
                                  model_name=settings.persona.embedding_model, min_score=settings.persona.min_score,
                                  key_file=settings.persona.key_file)


def cmd_bench_lm(args: argparse.Namespace) -> int:
    """Time to first token with the cached prefix vs re-reading it, decode tokens/s, peak RSS."""
    from .engine import LmOptions, LmPersona
    from .grounding import RetrievalGrounding
    from .loader import lm_model_dir
    from .prompt import build_user_turn, render_turn
    from .session import LmSession

    settings = settings_from_args(args)
    persona_dir = Path(args.dir) if args.dir else settings.persona.path
    model_dir = Path(args.model) if args.model else lm_model_dir("lm", settings.paths.models, settings.persona.lm_model, persona_dir)
    source = RetrievalGrounding(_retrieval(settings, persona_dir))
    options = LmOptions(relevant_score=-1.0, verbatim_score=2.0)  # always generate: this measures the model
    started = time.perf_counter()
    persona = LmPersona(LmSession(model_dir, threads=args.threads), source, options)
    load_s = time.perf_counter() - started
    session = persona.session
    cached: list[float] = []
    uncached: list[float] = []
    rates: list[float] = []
    for round_ in range(args.rounds):
        for question in BENCH_QUESTIONS:
            memories = source.search(question, options.top_k)
            turn = render_turn(persona.chat, build_user_turn(question, memories, source.language))
            # Without the cache: a fresh generator reads prefix + turn before the first token.
            t = time.perf_counter()
            session.begin_turn()
            session.prime(persona.prefix)
            session.append(turn)
            next(iter(session.stream(1)), None)
            uncached.append(time.perf_counter() - t)
            # With the cache: the prefix is already in the KV cache, only the turn is read.
            session.rewind_to_prefix()
            session.begin_turn()
            session.append(turn)
            text = "".join(session.stream(args.tokens))
            stats = session.last
            if stats.first_token_s is not None:  # a round that generated nothing has no first token
                cached.append(stats.first_token_s)
            if stats.tokens_per_s > 0:
                rates.append(stats.tokens_per_s)
            logger.info("round %d %r -> %r", round_, question, text[:80])
            session.rewind_to_prefix()
    report = {
        "model": str(model_dir),
        "threads": session.threads,
        "load_s": round(load_s, 2),
        "prefix_tokens": session.prefix_tokens,
        "prefix_prefill_s": round(persona.prefix_s, 3),
        "ttft_uncached_s_median": round(statistics.median(uncached), 3),
        "ttft_cached_s_median": round(statistics.median(cached), 3),
        "decode_tokens_per_s_median": round(statistics.median(rates), 1) if rates else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "turns": len(cached),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from ...ethics.spoken import as_spoken
    from ..eval import run_eval

    settings = settings_from_args(args)
    report = run_eval(Path(args.dir), settings, spoken=as_spoken, progress=sys.stderr.isatty())
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print(f"{report['persona']}: {report['fact_questions']} reworded questions answered in the data "
          f"(their stored questions and {report['hidden_stored_questions']} near-copies hidden; closest stored "
          f"question still seen: cosine {report['paraphrase_similarity']}), {report['absent_questions']} questions "
          f"about their life the data does not cover, {report['harmless_questions']} harmless family/health questions")
    header = ("input", "n", "right memory", "declined ok", "wrong memory", "wrongly declined", "broke character")
    for name, result in report["engines"].items():
        if "skipped" in result:
            print(f"\n{name}: not evaluated: {result['skipped']}")
            continue
        print(f"\n{name}: right {result['right_rate']}, grounded {result['grounded_rate']}, first piece "
              f"{result['first_piece_s_median']} s, reply {result['reply_s_median']} s")
        print("  " + " | ".join(header))
        for kind, counts in result["table"].items():
            cells = [kind, str(sum(counts.values()))] + [str(counts[k]) for k in
                                                         ("right", "declined", "wrong_memory", "wrongly_declined",
                                                          "broke_character")]
            print("  " + " | ".join(cells))
    print(f"default engine for this persona: {report['winner']} (recorded in {report['recorded_in']})")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from ..train import run_training

    settings = settings_from_args(args)
    result = run_training(Path(args.dir), settings, epochs=args.epochs, work_dir=Path(args.work) if args.work else None,
                          progress=sys.stderr.isatty(), max_pairs=args.max_pairs,
                          checkpointing=not args.no_checkpointing)
    print(json.dumps(result, indent=2) if args.json else f"fine-tuned model written to {result['model_dir']} "
          f"({result['epochs']} epoch(s), {result['seconds_per_epoch']} s per epoch)")
    return 0


KEY_FILE_HELP = "for a bundle: file holding its passphrase (default: credential, settings, prompt)"


def register(sub: Any) -> None:
    """Add eval, train and bench-lm to the ``companion persona`` subcommands."""
    c = sub.add_parser("eval", help="compare the persona engines on the person's own held-out exchanges")
    c.add_argument("dir", help="the persona folder or bundle")
    c.add_argument("--json", action="store_true", help="print the report as JSON")
    c.add_argument("--key-file", help=KEY_FILE_HELP)
    c.set_defaults(func=cmd_eval)
    c = sub.add_parser("train", help="LoRA fine-tune the persona LM on the person's reply pairs (needs the [train] extra)")
    c.add_argument("dir", help="the persona folder or bundle")
    c.add_argument("--epochs", type=int, default=1, help="passes over the reply pairs (default 1)")
    c.add_argument("--work", help="folder for checkpoints (default: the cache); a rerun resumes from it")
    c.add_argument("--max-pairs", type=int, help="train on at most this many pairs (a quick trial)")
    c.add_argument("--no-checkpointing", action="store_true",
                   help="keep every layer's activations: about a third faster, but ~6 GB instead of ~3.6 GB peak for the default model")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.add_argument("--key-file", help=KEY_FILE_HELP)
    c.set_defaults(func=cmd_train)
    c = sub.add_parser("bench-lm", help="time to first token with/without the prefix cache, tokens/s, peak RSS")
    c.add_argument("dir", nargs="?", help="the persona folder or bundle (default: the configured one)")
    c.add_argument("--model", help="an ONNX Runtime GenAI model folder (default: the configured one)")
    c.add_argument("--threads", type=int, default=0, help="LM threads (0 = auto)")
    c.add_argument("--rounds", type=int, default=1, help="times to ask each question")
    c.add_argument("--tokens", type=int, default=48, help="new tokens per reply")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.add_argument("--key-file", help=KEY_FILE_HELP)
    c.set_defaults(func=cmd_bench_lm)
