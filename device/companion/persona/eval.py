"""``companion persona eval D``: which engine answers most like the person, on their own data.

A slice of the person's real exchanges is held out (removed from what the engines may
retrieve). Each engine then answers:
- the held-out questions: similarity of its reply to what the person really answered
  (MiniLM sentence embeddings, cosine);
- questions made from the remaining memories (what was asked, with a name or number in the
  answer): grounded-fact accuracy = the reply contains that name or number;
- questions whose answers are in no memory: the "don't remember" rate;
- latency to the first piece and to the whole reply (medians).
The winner (mean of similarity, fact accuracy and don't-remember rate) is recorded where the
runtime reads it for ``[persona] engine = "auto"``.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..errors import CompanionError, PersonaError
from .base import PersonaEngine
from .folder import PersonaFolder, load_persona_folder
from .lm.engine import _fact_words
from .retrieval import RetrievalPersona

logger = logging.getLogger(__name__)

UNANSWERABLE = {
    "en": (
        "What did you think of your trip to Japan?", "Which hospital were you born in?",
        "What was your army service number?", "Who did you vote for in 1972?",
        "What was your favourite video game?", "What was the name of your college roommate?",
        "Did you ever visit Paris?", "What was your favourite Beatles album?",
    ),
    "zh": (
        "你去日本旅行觉得怎么样？", "你是在哪家医院出生的？", "你当兵时的编号是多少？",
        "你最喜欢的电子游戏是什么？", "你去过巴黎吗？", "你大学室友叫什么名字？",
    ),
}
"""Questions about things a family memory collection does not hold (checked against the demo persona:
none is answered by its messages). A persona whose messages do answer one lowers every engine alike."""
LM_MARGIN = 0.02
"""An LM engine must beat retrieval by this much to become the default: retrieval is faster and
speaks only the person's own words, so a tie goes to it."""


def split_held_out(folder: PersonaFolder, fraction: float = 0.1, limit: int = 24) -> tuple[PersonaFolder, list]:
    """Every n-th exchange with a context is held out (deterministic, spread over the history)."""
    with_context = [m for m in folder.messages if m.context]
    count = max(1, min(limit, int(len(with_context) * fraction)))
    step = max(1, len(with_context) // count)
    held = with_context[::step][:count]
    held_ids = {m.id for m in held}
    kept = tuple(m for m in folder.messages if m.id not in held_ids)
    return replace(folder, messages=kept), held


def fact_questions(folder: PersonaFolder, limit: int = 16) -> list[tuple[str, str]]:
    """(question as it was asked, a name or number from the real answer)."""
    out = []
    for message in folder.messages:
        if not message.context:
            continue
        facts = sorted(_fact_words(message.text))
        if facts:
            out.append((message.context, facts[0]))
    step = max(1, len(out) // limit)
    return out[::step][:limit]


def _run(engine: PersonaEngine, question: str) -> tuple[str, str, float, float]:
    started = time.perf_counter()
    first = None
    pieces = []
    for piece in engine.respond(question, ()):
        first = first if first is not None else time.perf_counter() - started
        pieces.append(piece)
    total = time.perf_counter() - started
    source = engine.last_source
    return "".join(pieces).strip(), source.kind if source else "?", first or total, total


def evaluate_engine(name: str, engine: PersonaEngine, embedder, held: list, facts: list, unanswerable,
                    progress) -> dict:
    sims, firsts, totals = [], [], []
    for message in held:
        reply, _, first, total = _run(engine, message.context)
        vectors = embedder.embed([reply, message.text])
        sims.append(float(np.dot(vectors[0], vectors[1])))
        firsts.append(first)
        totals.append(total)
        progress.update()
    hits = 0
    for question, fact in facts:
        reply, _, first, total = _run(engine, question)
        hits += fact.casefold() in reply.casefold()
        firsts.append(first)
        totals.append(total)
        progress.update()
    declined = 0
    for question in unanswerable:
        _, kind, first, total = _run(engine, question)
        declined += kind == "fallback"
        firsts.append(first)
        totals.append(total)
        progress.update()
    result = {
        "similarity": round(statistics.mean(sims), 3) if sims else None,
        "fact_accuracy": round(hits / len(facts), 3) if facts else None,
        "dont_remember_rate": round(declined / len(unanswerable), 3) if unanswerable else None,
        "first_piece_s_median": round(statistics.median(firsts), 3),
        "reply_s_median": round(statistics.median(totals), 3),
    }
    parts = [v for k, v in result.items() if k in ("similarity", "fact_accuracy", "dont_remember_rate") and v is not None]
    result["score"] = round(sum(parts) / len(parts), 3) if parts else 0.0
    logger.info("%s: %s", name, result)
    return result


def run_eval(persona_dir: Path, settings, *, progress: bool = True) -> dict:
    """Evaluate every available engine on the persona; returns the report (winner included)."""
    from tqdm import tqdm

    from .lm.engine import load_lm_persona
    from .lm.grounding import RetrievalGrounding
    from .lm.loader import lm_model_dir, record_choice, tuned_model_dir
    from .retrieval import _load_embedder

    folder = load_persona_folder(Path(persona_dir))
    kept, held = split_held_out(folder)
    facts = fact_questions(kept)
    unanswerable = UNANSWERABLE["zh" if folder.language.lower().startswith("zh") else "en"]
    embedder = _load_embedder(settings.paths.models, settings.persona.embedding_model, 2)
    retrieval = RetrievalPersona(kept, embedder, min_score=settings.persona.min_score,
                                 cache_dir=settings.paths.cache / "persona")
    candidates: dict[str, object] = {"retrieval": lambda: retrieval}
    models = {"lm": None, "lm-tuned": None}
    try:
        models["lm"] = lm_model_dir("lm", settings.paths.models, settings.persona.lm_model, persona_dir)
    except CompanionError as exc:
        logger.warning("base LM not evaluated: %s", exc.message)
    models["lm-tuned"] = tuned_model_dir(persona_dir)
    for name, model_dir in models.items():
        if model_dir is not None:
            candidates[name] = (lambda d=model_dir: load_lm_persona(d, RetrievalGrounding(retrieval),
                                                                     threads=settings.persona.lm_threads))
    report: dict = {"persona": folder.display_name, "language": folder.language, "held_out": len(held),
                    "fact_questions": len(facts), "unanswerable_questions": len(unanswerable), "engines": {}}
    per_engine = len(held) + len(facts) + len(unanswerable)
    bar = tqdm(total=per_engine * len(candidates), desc="persona eval", unit="q", disable=not progress, file=sys.stderr)
    for name, make in candidates.items():
        try:
            engine = make()
        except PersonaError as exc:  # e.g. an English-only model for a Chinese persona
            report["engines"][name] = {"skipped": exc.message}
            bar.update(per_engine)
            continue
        bar.set_postfix_str(name)
        report["engines"][name] = evaluate_engine(name, engine, embedder, held, facts, unanswerable, bar)
    bar.close()
    scored = {k: v["score"] - (0.0 if k == "retrieval" else LM_MARGIN)
              for k, v in report["engines"].items() if "score" in v}
    winner = max(scored, key=lambda k: (scored[k], k == "retrieval"))
    report["winner"] = winner
    report["recorded_in"] = str(record_choice(settings.paths.cache / "persona", persona_dir, winner, report))
    return report
