"""``companion persona eval D``: does the persona listen? Which engine answers best, honestly.

Three kinds of input (evalsets.py), judged by nothing the engines compute themselves:
- **in the data**: reworded questions of real exchanges whose answer holds a name or number. The
  stored question of each asked exchange and every stored question near it (cosine >= NEAR_DUP)
  are hidden from the index before anything is asked, so a question cannot be matched to a copy
  of itself; the answers stay. Right = the reply is that exchange's answer (or a near-identical
  one), or a generated reply built on it that states the fact.
- **absent**: questions about the person's own life whose topic words occur nowhere in the data
  (a word check, not an embedding score). Right = an in-character decline.
- **harmless**: questions about family, names and health history. Right = in character.
Each reply is classed: answered with the right memory, declined correctly, wrong memory, wrongly
declined, broke character. Grounding is judged apart from the engines' own filters: a spoken
memory must be one of the person's messages word for word; a generated sentence's numbers must
occur in the data and its meaning must be close (MiniLM cosine >= GROUNDED_SIM) to one message;
a reply that fails it counts as a wrong memory in the table (and so in the score), whatever it says.
The engine with the best share of right answers wins (an LM must beat retrieval by LM_MARGIN)
and is recorded where the runtime reads it for ``[persona] engine = "auto"``. The exchanges asked
here are the ones `persona train` leaves out, so a fine-tuned model has not seen them.
"""

from __future__ import annotations

import logging
import re
import statistics
import sys
import time
from contextlib import ExitStack
from dataclasses import replace
from functools import partial
from pathlib import Path
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np

from ..errors import CompanionError, PersonaError
from .base import Exchange, PersonaEngine
from .evalsets import FactQuestion, absent_questions, harmless_questions
from .evalzh import answer_facts_zh, has_han, paraphrase_zh, rewordable
from .folder import PersonaFolder, PersonaMessage
from .lm.engine import _COMMON
from .reply import ReplyKind, ReplyPiece, main_source, reply_text
from .retrieval import RetrievalPersona

if TYPE_CHECKING:
    from .multilingual import SharedMultilingual

logger = logging.getLogger(__name__)

LM_MARGIN = 0.02
"""An LM engine must beat retrieval by this much to become the default: retrieval is faster and
speaks only the person's own words, so a tie goes to it."""


def split_held_out(folder: PersonaFolder, fraction: float = 0.2, limit: int = 24) -> tuple[PersonaFolder, list]:
    """The exchanges `persona eval` asks about (and `persona train` leaves out): every n-th
    exchange whose answer states a name or number, spread over the history (deterministic); a
    Chinese question whose rewording would be a near-copy of it is not asked (evalzh.rewordable)."""
    with_context = [m for m in folder.messages if m.context and answer_facts(m.text) and rewordable(m.context)]
    if not with_context:
        return folder, []
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
    """Names (capitalised inside a sentence), numbers and number words of an answer, lower case;
    in Chinese, proper names and numbers by their part of speech (evalzh.py)."""
    found: list[str] = answer_facts_zh(text) if has_han(text) else []
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
    if has_han(question):
        return paraphrase_zh(question, turn)
    text = _VOCATIVE.sub("", question.strip()).strip() or question.strip()
    for pattern, replacement in _SWAPS:
        text = re.sub(pattern, replacement, text, flags=re.I)
    text = text[0].lower() + text[1:] if text[:1].isupper() and not text[:2] == "I " else text
    return f"{_OPENERS[turn % len(_OPENERS)]}{text}"


def fact_questions(kept: PersonaFolder, held: Sequence[PersonaMessage] = (),
                   limit: int = 24) -> list[FactQuestion]:
    """Reworded questions of the held exchanges whose answer states a name or number."""
    questions: list[FactQuestion] = []
    for turn, message in enumerate(held):
        if not message.context:
            continue
        asked = {w.casefold() for w in _TOKEN.findall(message.context)}
        facts = [f for f in answer_facts(message.text) if f not in asked and not (has_han(f) and f in message.context)]
        if facts:
            questions.append(FactQuestion(paraphrase(message.context, turn), message.id, facts[0]))
    return questions[:limit]


OUTCOMES = ("right", "declined", "wrong_memory", "wrongly_declined", "broke_character")
ANSWERED = frozenset({ReplyKind.MEMORY, ReplyKind.GENERATED, ReplyKind.RECORDING})
BROKE = frozenset({"crisis", "honesty", "refusal", "check_in"})
NEAR_DUP = 0.85
"""Stored questions this close to an asked exchange's question are hidden with it."""
SAME_ANSWER = 0.92
"""Answers this close to the asked exchange's answer count as the right memory too."""
GROUNDED_SIM = 0.5


def outcome(kind: str, pieces: Sequence[ReplyPiece], *, expected: frozenset[str] = frozenset(),
            fact: str = "") -> str:
    """The class of one reply to an input of ``kind`` ("in_data", "absent", "harmless")."""
    source = main_source(pieces)
    if source is None:
        return "wrongly_declined" if kind == "in_data" else "declined"
    if source.kind.value in BROKE:
        return "broke_character"
    answered = source.kind in ANSWERED
    if kind == "harmless":
        return "right"
    if kind == "absent":
        return "wrong_memory" if answered else "declined"
    if not answered:
        return "wrongly_declined"
    said = {w.casefold().removesuffix("'s") for w in _TOKEN.findall(reply_text(pieces))}
    on_it = source.message_id in expected
    if has_han(fact):  # Chinese has no spaces between words: the fact is found in the reply's text
        said.update({fact} if fact in reply_text(pieces) else set())
    if (on_it and source.kind is not ReplyKind.GENERATED) or fact in said:  # that memory, or its fact
        return "right"
    return "wrong_memory"


def grounded(pieces: Sequence[ReplyPiece], messages: frozenset[str], numbers: frozenset[str],
             closeness) -> bool:
    """Independent of the engines' filters: verbatim memories, or generated sentences close to one
    message whose numbers all occur in the data; fallbacks and guard lines are not claims."""
    for reply in pieces:
        if reply.kind in (ReplyKind.MEMORY, ReplyKind.RECORDING) and _norm(reply.text) not in messages:
            return False
        if reply.kind is ReplyKind.GENERATED:
            if set(re.findall(r"\d+", reply.text)) - numbers:
                return False
            if closeness(reply.text) < GROUNDED_SIM:
                return False
    return True


class EvalInputs(NamedTuple):
    facts: list[FactQuestion]
    expected: dict[str, frozenset[str]]
    absent: list[str]
    harmless: Sequence[str]
    hidden: frozenset[str]
    """Message ids whose stored question is hidden from the index."""


def build_inputs(retrieval: RetrievalPersona) -> EvalInputs:
    """The questions, the right memories, and which stored questions to hide (module docstring)."""
    folder = retrieval.folder
    _, held = split_held_out(folder)
    facts = fact_questions(folder, held)
    contexts, texts = retrieval.message_vectors()
    index = {m.id: i for i, m in enumerate(folder.messages)}
    has_context = np.array([m.context is not None for m in folder.messages])
    hidden: set[str] = set()
    expected: dict[str, frozenset[str]] = {}
    for question in facts:
        row = index[question.message_id]
        near = np.flatnonzero(has_context & (contexts @ contexts[row] >= NEAR_DUP))
        hidden.update(folder.messages[i].id for i in near)
        hidden.add(question.message_id)
        same = np.flatnonzero(texts @ texts[row] >= SAME_ANSWER)
        expected[question.message_id] = frozenset(folder.messages[i].id for i in same) | {question.message_id}
    data = [m.text for m in folder.messages] + [m.context or "" for m in folder.messages]
    data += [folder.display_name, folder.name, folder.description]
    return EvalInputs(facts, expected, absent_questions(folder.language, data), harmless_questions(folder.language),
                      frozenset(hidden))


class _Responder(Protocol):
    """What the evaluation asks of an engine: replies to a question (the device's whole answer path)."""

    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[ReplyPiece]: ...


def _run(engine: _Responder, question: str) -> tuple[list[ReplyPiece], float, float]:
    started = time.perf_counter()
    first = None
    pieces = []
    for piece in engine.respond(question, ()):
        first = first if first is not None else time.perf_counter() - started
        pieces.append(piece)
    total = time.perf_counter() - started
    return pieces, first or total, total


def evaluate_engine(name: str, engine: _Responder, inputs: EvalInputs, judge_ground, progress) -> dict:
    table = {kind: dict.fromkeys(OUTCOMES, 0) for kind in ("in_data", "absent", "harmless")}
    firsts, totals, grounded_count, replies = [], [], 0, 0
    rows = ([("in_data", q.question, inputs.expected[q.message_id], q.fact) for q in inputs.facts]
            + [("absent", q, frozenset(), "") for q in inputs.absent]
            + [("harmless", q, frozenset(), "") for q in inputs.harmless])
    for kind, question, expected, fact in rows:
        pieces, first, total = _run(engine, question)
        judged = outcome(kind, pieces, expected=expected, fact=fact)
        is_grounded = judge_ground(pieces)
        if not is_grounded and judged != "broke_character":
            judged = "wrong_memory"  # words the data does not hold are never right, whatever they say
        table[kind][judged] += 1
        grounded_count += is_grounded
        replies += 1
        firsts.append(first)
        totals.append(total)
        progress.update()
    right = sum(t["right"] + t["declined"] for t in table.values())
    result = {
        "table": table,
        "right_rate": round(right / replies, 3) if replies else 0.0,
        "grounded_rate": round(grounded_count / replies, 3) if replies else None,
        "first_piece_s_median": round(statistics.median(firsts), 3) if firsts else None,
        "reply_s_median": round(statistics.median(totals), 3) if totals else None,
    }
    for kind, counts in table.items():
        n = sum(counts.values())
        good = counts["right"] + counts["declined"]
        result[f"{kind}_rate"] = round(good / n, 3) if n else None
    result["score"] = result["right_rate"]
    logger.info("%s: %s", name, result)
    return result


def kept_retrieval(retrieval: RetrievalPersona, kept: PersonaFolder) -> RetrievalPersona:
    """The retrieval persona over the kept messages only, reusing its vectors (nothing re-embedded)."""
    return retrieval.subset(keep={m.id for m in kept.messages})


SpokenPath = Callable[[PersonaEngine], _Responder]
"""An engine as the device speaks through it (the crisis check, then the guardrails)."""


def grounding_judge(loaded: RetrievalPersona) -> Callable[[Sequence[ReplyPiece]], bool]:
    """``grounded`` over the persona's own messages, numbers and text vectors: the judge of every engine."""
    folder, embedder = loaded.folder, loaded.embedder
    _, texts = loaded.message_vectors()
    messages = frozenset(_norm(m.text) for m in folder.messages)
    numbers = frozenset(n for m in folder.messages for n in re.findall(r"\d+", f"{m.text} {m.context or ''}"))
    return lambda pieces: grounded(pieces, messages, numbers, lambda text: float(np.max(texts @ embedder.embed([text])[0])))


def run_eval(persona_dir: Path, settings, *,
             spoken: Callable[[Any, RetrievalPersona, SharedMultilingual], SpokenPath], progress: bool = True) -> dict:
    """Evaluate every available engine on the persona (folder or bundle); returns the report.

    ``spoken(settings, persona, multilingual)`` wraps each engine the way the device answers through
    it (ethics.spoken.as_spoken): what is scored is what a listener would hear. One multilingual model
    serves the persona (synonyms or search) and the crisis check, as in the composition root."""
    from tqdm import tqdm

    from .bundle.store import is_bundle
    from .lm.engine import load_lm_persona
    from .lm.grounding import RetrievalGrounding
    from .lm.loader import lm_model_dir, model_identity, open_bundle, record_choice, tuned_model_dir
    from .multilingual import SharedMultilingual
    from .retrieval import load_retrieval_persona

    persona_dir = Path(persona_dir)
    multilingual = SharedMultilingual(settings.paths.models)
    loaded = load_retrieval_persona(persona_dir, settings.paths.models, settings.paths.cache / "persona",
                                    model_name=settings.persona.embedding_model, min_score=settings.persona.min_score,
                                    key_file=settings.persona.key_file, multilingual=multilingual)
    folder = loaded.folder
    inputs = build_inputs(loaded)
    retrieval = loaded.subset(hide_contexts=inputs.hidden)
    grounding = RetrievalGrounding(retrieval)
    embedder = loaded.embedder
    judge_ground = grounding_judge(loaded)
    speak = spoken(settings, loaded, multilingual)  # the crisis check every turn starts with (C9), then the guardrails
    candidates: dict[str, Callable[[], PersonaEngine]] = {"retrieval": lambda: retrieval}
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
            candidates[name] = partial(load_lm_persona, model_dir, grounding, threads=settings.persona.lm_threads)
    report: dict = {"persona": folder.display_name, "language": folder.language,
                    "fact_questions": len(inputs.facts), "absent_questions": len(inputs.absent),
                    "harmless_questions": len(inputs.harmless), "hidden_stored_questions": len(inputs.hidden),
                    "paraphrase_similarity": _paraphrase_similarity(embedder, inputs.facts, retrieval),
                    "engines": {}}
    per_engine = len(inputs.facts) + len(inputs.absent) + len(inputs.harmless)
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
            report["engines"][name] = evaluate_engine(name, speak(engine), inputs, judge_ground, bar)
            if hasattr(engine, "generation"):  # the LM's measured pass rate: its gate starts from it (lm/gate.py)
                report["engines"][name]["generation"] = engine.generation.to_dict()
            if name == "lm":
                report["engines"][name]["model"] = str(models["lm"])
    bar.close()
    scored = {k: v["score"] - (0.0 if k == "retrieval" else LM_MARGIN)
              for k, v in report["engines"].items() if "score" in v}
    winner = max(scored, key=lambda k: (scored[k], k == "retrieval"))
    report["winner"] = winner
    report["recorded_in"] = str(record_choice(settings.paths.cache / "persona", persona_dir, winner, report,
                                              model=model_identity(models["lm"])))
    return report


def _paraphrase_similarity(embedder, facts: Sequence[FactQuestion], retrieval: RetrievalPersona) -> float | None:
    """Mean cosine of each asked question to the closest stored question the engines can still
    see (the asked ones and their near-copies are hidden): 1.0 would mean copies."""
    stored = [m.context for m in retrieval.folder.messages if m.context and retrieval.context_visible(m.id)]
    if not facts or not stored:
        return None
    asked = embedder.embed([f.question for f in facts])
    known = embedder.embed(stored)
    return round(float(np.mean(np.max(asked @ known.T, axis=1))), 3)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()
