"""One live onnxruntime-genai generator whose KV cache keeps the persona prefix across turns.

onnxruntime-genai 0.18 lets a live ``Generator`` take more tokens at any time (``append_tokens``)
and drop the tail of its sequence (``rewind_to(n)``), keeping the KV cache of the first ``n``
tokens. So the persona prefix (card, style notes, real example replies: a few hundred tokens,
about a second of prefill on a Pi) is read once at load; a turn appends only its own tokens, and
rewinding to the end of the prefix forgets a conversation without re-reading the prefix.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import ModelError

logger = logging.getLogger(__name__)

REQUIRED_FILES = ("genai_config.json", "tokenizer.json")


def auto_threads(cpu_count: int | None = None) -> int:
    """Threads for the LM: all of a 2-core board; on 4+ cores leave one for Piper, at most 4."""
    cores = cpu_count or os.cpu_count() or 2
    return max(1, cores if cores <= 2 else min(4, cores - 1))


@dataclass
class TurnStats:
    """Timings of one turn (for ``companion bench``, bench-lm and the turn's --json).

    A turn answered without the model (verbatim, "don't remember") has zero tokens and no
    ``first_token_s``. Times count from the turn's first prompt token, prefill included.
    """

    appended_tokens: int = 0
    """Prompt tokens the model read this turn (history re-read, the turn, the prefix when uncached)."""
    prefill_s: float = 0.0
    first_token_s: float | None = None
    """Seconds from the start of the turn's prefill to the first generated token."""
    generated_tokens: int = 0
    decode_s: float = 0.0
    """Seconds from the end of prefill to the last generated token."""
    cached_tokens: int = 0
    """Prompt tokens reused from the KV cache (the persona prefix, earlier turns)."""
    ended_by_eos: bool = False
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def prompt_tokens(self) -> int:
        return self.appended_tokens

    @property
    def tokens_per_s(self) -> float:
        """Decode rate after the first token (the first one carries the prefill's last step)."""
        if self.generated_tokens < 2 or self.first_token_s is None:
            return 0.0
        after_first = self.decode_s - (self.first_token_s - self.prefill_s)
        return (self.generated_tokens - 1) / after_first if after_first > 0 else 0.0


class LmSession:
    """A model, its tokenizer and one generator; not thread-safe (the engine holds a lock)."""

    def __init__(self, model_dir: Path, *, threads: int = 0, max_length: int | None = None,
                 repetition_penalty: float = 1.15) -> None:
        import onnxruntime_genai as og

        self.model_dir = Path(model_dir)
        for name in REQUIRED_FILES:
            if not (self.model_dir / name).is_file():
                raise ModelError(f"not an ONNX Runtime GenAI model folder (no {name})", where=str(self.model_dir),
                                 hint="build one with: companion models build-lm --from SRC --out DIR")
        self.threads = threads or auto_threads()
        started = time.perf_counter()
        try:
            config = og.Config(str(self.model_dir))
            config.overlay(json.dumps({"model": {"decoder": {"session_options": {
                "intra_op_num_threads": self.threads, "inter_op_num_threads": 1}}}}))
            self._model = og.Model(config)
            self.tokenizer = og.Tokenizer(self._model)
        except Exception as exc:  # onnxruntime-genai raises plain RuntimeError with its message
            raise ModelError(f"cannot load the language model: {exc}", where=str(self.model_dir),
                             hint="rebuild it with companion models build-lm") from exc
        genai = json.loads((self.model_dir / "genai_config.json").read_text())
        self.max_length = int(max_length or genai["search"].get("max_length", 2048))
        self.eos_ids = frozenset(int(t) for t in self.tokenizer.eos_token_ids)
        self._repetition_penalty = repetition_penalty
        self._generator: Any = None  # an onnxruntime_genai.Generator once the prefix is set
        self._prefix_len = 0
        self._pending: list[int] = []
        self.load_s = time.perf_counter() - started
        self.last = TurnStats()

    # -- the cached prefix -----------------------------------------------------------------------

    def encode(self, text: str) -> list[int]:
        return [int(t) for t in self.tokenizer.encode(text)]

    def prime(self, prefix: str) -> float:
        """Start a fresh generator and run the persona prefix through it; returns seconds taken."""
        import onnxruntime_genai as og

        params = og.GeneratorParams(self._model)
        params.set_search_options(max_length=self.max_length, do_sample=False,
                                  repetition_penalty=self._repetition_penalty)
        self._generator = og.Generator(self._model, params)
        self._pending = []
        tokens = self.encode(prefix)
        if len(tokens) >= self.max_length // 2:
            raise ModelError(f"persona prefix too long ({len(tokens)} tokens)", where=str(self.model_dir),
                             hint="use fewer example replies or a shorter description")
        started = time.perf_counter()
        self._generator.append_tokens(tokens)
        self._prefix_len = len(tokens)
        took = time.perf_counter() - started
        self.last.appended_tokens += len(tokens)
        self.last.prefill_s += took
        self.last.cached_tokens = 0
        logger.info("persona prefix: %d tokens in %.2f s", len(tokens), took)
        return took

    @property
    def prefix_tokens(self) -> int:
        return self._prefix_len

    @property
    def length(self) -> int:
        """Tokens in the KV cache now (prefix + conversation)."""
        return int(self._generator.token_count()) if self._generator is not None else 0

    def rewind_to_prefix(self) -> None:
        """Forget the conversation, keep the prefix's KV cache."""
        self._require()
        if self.length > self._prefix_len:
            self._generator.rewind_to(self._prefix_len)
        self._pending = []

    def room(self) -> int:
        return self.max_length - self.length

    def mark(self) -> tuple[int, tuple[int, ...]]:
        """Where the conversation is now, to come back to with ``rewind_to_mark``."""
        self._require()
        return self.length, tuple(self._pending)

    def rewind_to_mark(self, mark: tuple[int, tuple[int, ...]]) -> None:
        """Drop everything after ``mark`` (e.g. a generated reply that was not spoken)."""
        self._require()
        length, pending = mark
        if self.length > length:
            self._generator.rewind_to(length)
        self._pending = list(pending)

    def begin_turn(self) -> TurnStats:
        """Start counting a new turn's statistics (``last``)."""
        self.last = TurnStats()
        return self.last

    # -- a turn ----------------------------------------------------------------------------------

    def append(self, text: str, *, count: bool = True) -> int:
        """Add text (a turn's prompt) to the cache; returns the number of tokens added.

        ``count=False``: bookkeeping after the reply (not part of the turn's prompt statistics).
        """
        self._require()
        tokens = self._pending + self.encode(text)
        self._pending = []
        if not tokens:
            return 0
        if len(tokens) >= self.room():
            raise ModelError("the conversation does not fit the model's context", where=str(self.model_dir))
        before = self.length
        started = time.perf_counter()
        self._generator.append_tokens(tokens)
        if count:
            if self.last.appended_tokens == 0:
                self.last.cached_tokens = before
            self.last.appended_tokens += len(tokens)
            self.last.prefill_s += time.perf_counter() - started
        return len(tokens)

    def stream(self, max_new_tokens: int) -> Generator[str, None, None]:
        """Generate after what was appended, yielding text as tokens decode; stops at EOS or the cap.

        Stopping early (the caller breaks out) leaves the generated tokens in the cache, which is
        what a conversation wants: the model then sees what it really said.
        """
        self._require()
        stream = self.tokenizer.create_stream()
        started = time.perf_counter()
        stats = self.last
        stats.first_token_s, stats.generated_tokens, stats.decode_s, stats.ended_by_eos = None, 0, 0.0, False
        budget = min(max_new_tokens, self.room() - 1)
        last_token = None
        try:
            for _ in range(max(0, budget)):
                if self._generator.is_done():
                    break
                self._generator.generate_next_token()
                last_token = int(self._generator.get_next_tokens()[0])
                now = time.perf_counter()
                if stats.first_token_s is None:
                    stats.first_token_s = stats.prefill_s + (now - started)
                stats.generated_tokens += 1
                stats.decode_s = now - started
                if last_token in self.eos_ids:
                    stats.ended_by_eos = True
                    break
                piece = stream.decode(last_token)
                if piece:
                    yield piece
        finally:
            # The newest token is in the sequence but the model has not read it yet (its KV comes
            # with the next step), and onnxruntime-genai 0.18 refuses to append right after it
            # with unshared KV buffers or to rewind by just one. So take the last two tokens out
            # and feed them back at the start of the next append: the cache stays exact.
            if last_token is not None:
                sequence = [int(t) for t in self._generator.get_sequence(0)]
                keep = max(self._prefix_len, len(sequence) - 2)
                self._generator.rewind_to(keep)
                self._pending = sequence[keep:]

    def _require(self) -> None:
        if self._generator is None:
            raise RuntimeError("LmSession.prime() must run first")
