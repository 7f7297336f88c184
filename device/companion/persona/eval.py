"""``companion persona eval D``: which engine answers most like the person, on their own data.

A slice of the person's real exchanges is held out (removed from what the engines may
retrieve). Each engine then answers:
- the held-out questions: similarity of its reply to what the person really answered
  (MiniLM sentence embeddings, cosine);
- fact questions: paraphrases (rule-made: reworded, not copied) of what was said to the person,
  whose real answer holds a name or number that the remaining memories contain; held-out pairs
  first (their exact question is not in the memories at all), then kept ones. Fact accuracy =
  the reply contains that name or number. Asking the stored question word for word would let
  retrieval win trivially; the report gives how close the paraphrases still are (cosine);
- groundedness: the share of replies whose names and numbers all occur in the memories, the
  question or the card (an invented name or year fails it);
- questions whose answers are in no memory: the "don't remember" rate;
- latency to the first piece and to the whole reply (medians).
The winner (mean of similarity, fact accuracy, groundedness and don't-remember rate) is recorded
where the runtime reads it for ``[persona] engine = "auto"``. Plain folders and encrypted bundles
both work; a bundle's memories stay in memory (its index is reused, nothing is written in clear).
"""

from __future__ import annotations

import logging
import re
import statistics
import sys
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..errors import CompanionError, PersonaError
from .base import PersonaEngine
from .folder import PersonaFolder
from .reply import main_source, reply_text
from .lm.engine import _COMMON, _fact_words
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


_NUMBER_WORDS = frozenset("""two three four five six seven eight nine ten eleven twelve thirteen fourteen
fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred""".split())
_NOT_FACTS = _COMMON | frozenset("""if then she he they it we you that there this those these get why because
so and but or when what where who how same ask lucky fair be put don't i'll we'll you'll it's that's""".split())
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+")


def answer_facts(text: str) -> list[str]:
    """Names (capitalised inside a sentence), numbers and number words of an answer, lower case."""
    found: list[str] = []
    for sentence in _SENTENCE.split(text):
        for position, token in enumerate(_TOKEN.findall(sentence)):
            word = token.casefold().removesuffix("'s")
            if token.isdigit() or word in _NUMBER_WORDS or (position > 0 and token[0].isupper()):
                if word not in _NOT_FACTS and word not in found:
                    found.append(word)
    return found


_VOCATIVE = re.compile(r"^(grandpa|grandma|granddad|grandad|nana|papa|dad|mom|mum)\s*,\s*|\s*,\s*(grandpa|grandma)(?=[?.!]*$)", re.I)
_SWAPS = (
    (r"\bbest\b", "finest"), (r"\bfavou?rite\b", "most loved"), (r"\bjob\b", "line of work"), (r"\bbuild\b", "make"), (r"\bbuilt\b", "made"),
    (r"\bmeet\b", "first meet"), (r"\bmom\b", "my mother"), (r"\bdad\b", "your father"), (r"\bhouse\b", "home"),
    (r"\bkids\b", "children"), (r"\bgrandma\b", "your wife"), (r"\bname\b", "call"), (r"\bnamed\b", "called"),
    (r"\blittle\b", "a child"),
)
_OPENERS = ("I've always wondered: ", "Remind me, ", "Something I keep thinking about: ", "Tell me again, ")


def paraphrase(question: str, turn: int = 0) -> str:
    """A reworded question (vocative dropped, words swapped, a new opening), never the original text.

    Rule-made, so the wording moves but the meaning stays; how far it moved is measured and reported.
    """
    text = _VOCATIVE.sub("", question.strip()).strip() or question.strip()
    for pattern, replacement in _SWAPS:
        text = re.sub(pattern, replacement, text, flags=re.I)
    text = text[0].lower() + text[1:] if text[:1].isupper() and not text[:2] == "I " else text
    return f"{_OPENERS[turn % len(_OPENERS)]}{text}"


class FactQuestion(NamedTuple):
    question: str
    """Paraphrased, never the stored wording."""
    fact: str
    """A name or number of the real answer, lower case; the kept memories contain it."""
    held_out: bool
    """From a held-out exchange: no stored question resembles it word for word (the hard case)."""


def fact_questions(kept: PersonaFolder, held: list = (), limit: int = 16, supports=None) -> list[FactQuestion]:
    """(paraphrased question, a name or number of the real answer that the kept memories hold).

    Held-out exchanges come first: their question is in no memory, only the fact is; with
    ``supports(question, fact)`` (the best memories for the question contain the fact) a held-out
    fact that only turns up in unrelated memories is not asked.
    """
    memory_words = {w.casefold().removesuffix("'s") for m in kept.messages for w in _TOKEN.findall(m.text)}
    held_facts, kept_facts = [], []
    for pool, messages in ((held_facts, held), (kept_facts, kept.messages)):
        for message in messages:
            if not message.context:
                continue
            asked = {w.casefold() for w in _TOKEN.findall(message.context)}
            facts = [f for f in answer_facts(message.text) if f in memory_words and f not in asked]
            if pool is held_facts and supports is not None:
                facts = [f for f in facts if supports(message.context, f)]
            if facts:
                pool.append((message.context, facts[0]))
    step = max(1, len(kept_facts) // max(1, limit - len(held_facts)))
    chosen = ([(q, f, True) for q, f in held_facts] + [(q, f, False) for q, f in kept_facts[::step]])[:limit]
    return [FactQuestion(paraphrase(question, i), fact, was_held) for i, (question, fact, was_held) in enumerate(chosen)]


def _grounded(reply: str, question: str, corpus_words: set[str]) -> bool:
    """Every name and number in the reply occurs in the memories, the question or the card."""
    asked = {w.casefold().removesuffix("'s") for w in _TOKEN.findall(question)}
    return _fact_words(reply) <= corpus_words | asked


def _run(engine: PersonaEngine, question: str) -> tuple[str, str, float, float]:
    started = time.perf_counter()
    first = None
    pieces = []
    for piece in engine.respond(question, ()):
        first = first if first is not None else time.perf_counter() - started
        pieces.append(piece)
    total = time.perf_counter() - started
    source = main_source(pieces)
    return reply_text(pieces), source.kind.value if source else "?", first or total, total


def evaluate_engine(name: str, engine: PersonaEngine, embedder, held: list, facts: list, unanswerable,
                    progress, corpus_words: set[str] = frozenset()) -> dict:
    sims, firsts, totals = [], [], []
    grounded = answered = 0
    for message in held:
        reply, _, first, total = _run(engine, message.context)
        vectors = embedder.embed([reply, message.text])
        sims.append(float(np.dot(vectors[0], vectors[1])))
        grounded += _grounded(reply, message.context, corpus_words)
        answered += 1
        firsts.append(first)
        totals.append(total)
        progress.update()
    hits = held_hits = 0
    for question, fact, held_out in facts:
        reply, _, first, total = _run(engine, question)
        hit = fact.casefold() in {w.casefold().removesuffix("'s") for w in _TOKEN.findall(reply)}
        hits += hit
        held_hits += hit and held_out
        grounded += _grounded(reply, question, corpus_words)
        answered += 1
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
        "fact_accuracy_held_out": round(held_hits / held_facts, 3) if (held_facts := sum(f.held_out for f in facts)) else None,
        "dont_remember_rate": round(declined / len(unanswerable), 3) if unanswerable else None,
        "grounded_rate": round(grounded / answered, 3) if answered else None,
        "first_piece_s_median": round(statistics.median(firsts), 3),
        "reply_s_median": round(statistics.median(totals), 3),
    }
    parts = [v for k, v in result.items() if k in ("similarity", "fact_accuracy", "grounded_rate", "dont_remember_rate") and v is not None]
    result["score"] = round(sum(parts) / len(parts), 3) if parts else 0.0
    logger.info("%s: %s", name, result)
    return result


def kept_retrieval(retrieval: RetrievalPersona, kept: PersonaFolder) -> RetrievalPersona:
    """The retrieval persona over the kept messages only, reusing its vectors (nothing re-embedded)."""
    rows = {m.id: i for i, m in enumerate(retrieval.folder.messages)}
    keep = np.array([rows[m.id] for m in kept.messages], dtype=np.int64)
    index = (retrieval._matrix, retrieval._context_rows[keep], retrieval._text_rows[keep])
    return RetrievalPersona(kept, retrieval._embedder, min_score=retrieval.min_score, index=index)


def run_eval(persona_dir: Path, settings, *, progress: bool = True) -> dict:
    """Evaluate every available engine on the persona (folder or bundle); returns the report."""
    from tqdm import tqdm

    from .bundle.store import is_bundle
    from .lm.engine import load_lm_persona
    from .lm.grounding import RetrievalGrounding
    from .lm.loader import lm_model_dir, open_bundle, record_choice, tuned_model_dir
    from .retrieval import load_retrieval_persona

    persona_dir = Path(persona_dir)
    loaded = load_retrieval_persona(persona_dir, settings.paths.models, settings.paths.cache / "persona",
                                    model_name=settings.persona.embedding_model, min_score=settings.persona.min_score,
                                    key_file=settings.persona.key_file)
    folder = loaded.folder
    kept, held = split_held_out(folder)
    unanswerable = UNANSWERABLE["zh" if folder.language.lower().startswith("zh") else "en"]
    embedder = loaded._embedder
    retrieval = kept_retrieval(loaded, kept)
    grounding = RetrievalGrounding(retrieval)

    def supports(question: str, fact: str) -> bool:
        return any(fact in {w.casefold() for w in _TOKEN.findall(m.text)} for m in grounding.search(question, 3))

    facts = fact_questions(kept, held, supports=supports)
    card = [folder.display_name, folder.name, folder.description]
    corpus_words = {w.casefold().removesuffix("'s") for m in kept.messages for t in (m.text, m.context or "")
                    for w in _TOKEN.findall(t)} | {w.casefold() for t in card for w in _TOKEN.findall(t)}
    candidates: dict[str, object] = {"retrieval": lambda: retrieval}
    stack = ExitStack()
    models: dict[str, Path | None] = {"lm": None, "lm-tuned": None}
    try:
        models["lm"] = lm_model_dir("lm", settings.paths.models, settings.persona.lm_model, persona_dir)
    except CompanionError as exc:
        logger.warning("base LM not evaluated: %s", exc.message)
    if is_bundle(persona_dir):
        from .lm.bundle_model import decrypted_model, has_model

        with open_bundle(persona_dir, settings.persona.key_file) as bundle:
            if has_model(bundle):  # decrypted to a private folder for the length of the evaluation
                models["lm-tuned"] = stack.enter_context(decrypted_model(bundle))
    else:
        models["lm-tuned"] = tuned_model_dir(persona_dir)
    for name, model_dir in models.items():
        if model_dir is not None:
            candidates[name] = (lambda d=model_dir: load_lm_persona(d, grounding,
                                                                     threads=settings.persona.lm_threads))
    report: dict = {"persona": folder.display_name, "language": folder.language, "held_out": len(held),
                    "fact_questions": len(facts), "held_out_fact_questions": sum(f.held_out for f in facts),
                    "unanswerable_questions": len(unanswerable),
                    "paraphrase_similarity": _paraphrase_similarity(embedder, facts, held, kept), "engines": {}}
    per_engine = len(held) + len(facts) + len(unanswerable)
    bar = tqdm(total=per_engine * len(candidates), desc="persona eval", unit="q", disable=not progress, file=sys.stderr)
    with stack:
        for name, make in candidates.items():
            try:
                engine = make()
            except PersonaError as exc:  # e.g. an English-only model for a Chinese persona
                report["engines"][name] = {"skipped": exc.message}
                bar.update(per_engine)
                continue
            bar.set_postfix_str(name)
            report["engines"][name] = evaluate_engine(name, engine, embedder, held, facts, unanswerable, bar,
                                                      corpus_words)
    bar.close()
    scored = {k: v["score"] - (0.0 if k == "retrieval" else LM_MARGIN)
              for k, v in report["engines"].items() if "score" in v}
    winner = max(scored, key=lambda k: (scored[k], k == "retrieval"))
    report["winner"] = winner
    report["recorded_in"] = str(record_choice(settings.paths.cache / "persona", persona_dir, winner, report))
    return report


def _paraphrase_similarity(embedder, facts: list[tuple[str, str]], held: list, kept: PersonaFolder) -> float | None:
    """Mean cosine of each paraphrased fact question to the closest question stored in the memories:
    1.0 would mean copies; the lower, the less retrieval can match words instead of meaning."""
    stored = [m.context for m in kept.messages if m.context]
    if not facts or not stored:
        return None
    asked = embedder.embed([f.question for f in facts])
    known = embedder.embed(stored)
    return round(float(np.mean(np.max(asked @ known.T, axis=1))), 3)
