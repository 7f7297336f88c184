"""`companion chat`: a text conversation through exactly what the device speaks through.

A family tries a persona on a laptop before it goes on the frame, and tests and benchmarks talk
to it without audio. Everything but sound is the device's own: the consent gate and the
pause/goodbye check (ethics/setup.py), the guarded persona engine as configured (retrieval or
the language model), the ethics hooks (session, disclosure text, daily limit, break reminder,
generation log) and the turn's pieces (service/reply_line.py ``turn_pieces``); the history is
kept like the voice pipeline keeps it and forgotten at the session gap. No ASR or TTS model is
loaded: the hooks get a text-only voice that produces no audio.

One line in, one reply out. In a terminal it prompts; otherwise it reads stdin lines. Bad lines
(empty, too long, not UTF-8) get one clear line on stderr and the conversation goes on.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import IO, Any

import numpy as np

from ..config import Settings
from ..ethics.crisis import CrisisState
from ..ethics.runtime import EthicsHooks
from ..persona.base import Exchange, PersonaEngine
from ..persona.reply import ReplyKind, ReplyPiece, Voice, main_source, piece, reply_text
from .reply_line import turn_pieces

MAX_CHARS = 2000
"""A line longer than this is refused (a spoken question is a sentence or two; memory stays bounded)."""
MAX_LINE_BYTES = 64 * 1024
"""Bytes read per line at most; the rest of an over-long line is skipped, never held in memory."""


class TextOnlyVoice:
    """The chat's voice: the hooks ask for speech, the chat prints text, so no audio is made."""

    sample_rate = 16000

    def synthesize(self, sentence: str) -> np.ndarray:
        return np.zeros(0, dtype=np.int16)


@dataclass(frozen=True)
class ChatTurn:
    """One line answered: the pieces said (disclosure, reply, care lines) and the persona's time."""

    question: str
    pieces: tuple[ReplyPiece, ...]
    latency_s: float
    silent: bool = False
    new_session: bool = False

    @property
    def reply(self) -> str:
        return reply_text(p for p in self.pieces if p.kind is not ReplyKind.DISCLOSURE)

    def to_dict(self) -> dict[str, Any]:
        source = main_source(self.pieces)
        disclosure = [p.text for p in self.pieces if p.kind is ReplyKind.DISCLOSURE]
        return {
            "reply": self.reply,
            "kind": source.kind.value if source is not None else None,
            "message_id": source.message_id if source is not None else None,
            "score": round(float(source.score), 4) if source is not None else None,
            "latency_ms": round(self.latency_s * 1000, 2),
            "disclosure": disclosure[0] if disclosure else None,
            "pieces": [{"text": p.text, **p.source.to_dict()} for p in self.pieces],
        }


class ChatSession:
    """The device's turn logic for text: the hooks plan each turn, the guarded engine answers."""

    def __init__(self, persona: PersonaEngine, hooks: EthicsHooks, *, history_turns: int = 12) -> None:
        self.persona = persona
        self.hooks = hooks
        self.crisis = CrisisState()
        self.history: list[Exchange] = []
        self.history_turns = history_turns

    def say(self, line: str) -> ChatTurn:
        plan = self.hooks.start_turn(self.crisis)
        if plan.silent and not self.hooks.safety_turn(plan, line, tuple(self.history)):
            self.crisis = plan.crisis
            return ChatTurn(line, (), 0.0, silent=True)  # paused: silent, unless a crisis is heard (C9)
        if plan.new_session:
            self.history.clear()
        pieces: list[ReplyPiece] = []
        if plan.disclosed:
            pieces.append(piece(self.hooks.disclosure_text, ReplyKind.DISCLOSURE, score=1.0, voice=Voice.NEUTRAL))
        started = time.perf_counter()
        said = list(turn_pieces(plan, self.hooks, self.persona, line, tuple(self.history)))
        latency = time.perf_counter() - started
        pieces += [p for _, p in said]
        answer = [p for role, p in said if role == "reply"]
        self.crisis = plan.crisis  # the session's crisis state carries to the next line (C9)
        self.hooks.finish_turn(plan, source=main_source(pieces), audio_s=0.0, question=line, reply=reply_text(answer))
        if answer:
            self.history.append(Exchange(line, reply_text(answer), main_source(answer)))
            del self.history[: max(0, len(self.history) - self.history_turns)]
        return ChatTurn(line, tuple(pieces), latency, new_session=plan.new_session)


def open_chat(settings: Settings, *, clock: Callable[[], float] | None = None) -> ChatSession:
    """Check consent, load the configured engine (text only) with its guardrails and the hooks.

    ``clock`` (tests): the hooks' and the family memory's time, to drive the session gap."""
    from ..ethics.setup import build_hooks, check_can_start, crisis_detector, guard_persona, model_hashes, shared_models
    from ..models.store import ModelStore
    from ..persona.multilingual import SharedMultilingual
    from ..persona.remember import with_family_memory
    from ..persona.retrieval import load_retrieval_persona
    from .threads import plan_threads

    check_can_start(settings)
    store = ModelStore(settings.paths.models)
    store.path(settings.persona.embedding_model)  # one clear error if the embedding model is missing
    multilingual = SharedMultilingual(store.models_dir)  # one copy: persona (synonyms or search) and crisis check
    persona = load_retrieval_persona(settings.persona.path, store.models_dir, cache_dir=settings.paths.cache / "persona",
                                     model_name=settings.persona.embedding_model, min_score=settings.persona.min_score,
                                     key_file=settings.persona.key_file, multilingual=multilingual)
    engine: PersonaEngine = persona
    if settings.persona.engine != "retrieval":
        from ..persona.lm.loader import build_engine

        if not settings.persona.lm_threads:
            threads = plan_threads(settings.latency.threads, engine=settings.persona.engine)
            settings = replace(settings, persona=replace(settings.persona, lm_threads=threads.lm))
        engine = build_engine(settings, persona, cache_prefix=settings.latency.lm_prefix_cache)
    engine = with_family_memory(engine, settings.persona.path, key_file=settings.persona.key_file,
                                address=persona.catalogue.address, clock=clock or time.time)
    guarded = guard_persona(settings, engine, embedder=persona.embedder)
    voice = TextOnlyVoice()
    hooks = build_hooks(settings, tts=voice, neutral_tts=None, persona=guarded,
                        hashes=model_hashes(store.models_dir, [settings.persona.embedding_model]),
                        detector=crisis_detector(settings, *shared_models(guarded), multilingual=multilingual))
    if clock is not None:
        hooks.clock = clock
    return ChatSession(guarded, hooks, history_turns=settings.conversation.history_turns)


def read_lines(stream: IO[bytes], interactive: bool, prompt: str, err: IO[str]) -> Iterator[tuple[int, str | None, str]]:
    """(line number, text or None, problem) for each input line; bounded memory per line."""
    number = 0
    while True:
        if interactive:
            err.write(prompt)
            err.flush()
        raw = stream.readline(MAX_LINE_BYTES)
        if not raw:
            return
        number += 1
        too_long = not raw.endswith(b"\n") and len(raw) >= MAX_LINE_BYTES
        while too_long:  # skip the rest of an endless line without keeping it
            rest = stream.readline(MAX_LINE_BYTES)
            if not rest or rest.endswith(b"\n"):
                break
        try:
            text = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            yield number, None, "is not UTF-8 text; send UTF-8"
            continue
        if too_long or len(text) > MAX_CHARS:
            yield number, None, f"is too long (more than {MAX_CHARS} characters); say it in shorter lines"
            continue
        if not text:
            yield number, None, "is empty; type what you want to say (Ctrl-D ends the chat)"
            continue
        yield number, text, ""


def run_chat(session: ChatSession, *, as_json: bool, stdin: IO[bytes] | None = None, out: IO[str] | None = None,
             err: IO[str] | None = None, interactive: bool | None = None) -> int:
    """The conversation loop; returns the exit status (1 if any line was refused)."""
    stdin = stdin or sys.stdin.buffer
    out, err = out or sys.stdout, err or sys.stderr
    if interactive is None:
        interactive = sys.stdin.isatty() and not as_json
    name = session.persona.display_name
    if interactive:
        err.write(f"Talking with {name} (an AI re-creation). Ctrl-D ends the chat.\n")
    refused = 0
    for number, text, problem in read_lines(stdin, interactive, "you: ", err):
        if text is None:
            refused += 1
            err.write(f"companion chat: line {number} {problem}\n")
            continue
        turn = session.say(text)
        if as_json:
            out.write(json.dumps(turn.to_dict(), ensure_ascii=False) + "\n")
        elif turn.silent:
            out.write(f"({name} is paused and stays silent)\n")
        else:
            for voice, text in _by_voice(turn.pieces):
                out.write(f"{'device' if voice is Voice.NEUTRAL else name}: {text}\n")
        out.flush()
    if interactive:
        err.write("\n")
    return 1 if refused else 0


def _by_voice(pieces: tuple[ReplyPiece, ...]) -> list[tuple[Voice, str]]:
    """Consecutive pieces in one voice as one line (the disclosure, the reply, a care line)."""
    lines: list[tuple[Voice, str]] = []
    for p in pieces:
        if lines and lines[-1][0] is p.voice and p.kind is not ReplyKind.DISCLOSURE:
            lines[-1] = (p.voice, f"{lines[-1][1]} {p.text.strip()}")
        else:
            lines.append((p.voice, p.text.strip()))
    return lines


def cmd_chat(args: Any) -> int:
    from pathlib import Path

    from ..config import load_settings

    settings = load_settings(Path(args.config) if args.config else None)
    persona = replace(settings.persona, dir=str(args.persona)) if args.persona else settings.persona
    if args.key_file:
        persona = replace(persona, key_file=str(args.key_file))
    settings = replace(settings, persona=persona)
    session = open_chat(settings)
    return run_chat(session, as_json=args.json)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("chat", help="a text conversation with the persona, through the device's own turn logic")
    p.add_argument("--persona", help="persona folder or bundle (default: the configured one)")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per reply: reply, kind, message_id, score, latency_ms")
    p.add_argument("--key-file", help="file holding the persona bundle's passphrase")
    p.set_defaults(func=cmd_chat)
