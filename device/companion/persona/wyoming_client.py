"""The persona answered by `companion serve` on the home server (a bigger model there), with the
local engine as fall-back. Same interface as every engine: pieces of whole sentences.

The device sends only the transcript and what was actually heard before (``companion_history``),
and says it discloses itself (``companion_discloses``). Each ``handled-chunk`` becomes one piece
as it arrives, so the device starts speaking before the server has finished. The guardrails
wrap this engine on the device (service/app.py), so crisis check, honesty and refusals happen
before the server is asked and every piece it returns passes the device's own filter.

What the server may say about a piece is limited: in-character kinds keep their kind and speak
in the persona's voice; a crisis or honesty answer from the server speaks in the neutral voice;
disclosure and care lines from a server are dropped (the device says its own).

Fall-back: if the server cannot be reached, or gives no first piece within the time budget, the
local engine answers the whole question. If it breaks off after some pieces were already said,
the reply ends there (half of two different answers would make no sense), and the next turns go
to the local engine until [network] retry_after_s has passed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence

from ..remote.fallback import RemoteStage
from ..remote.link import Connection, RemoteError, WyomingUri
from ..remote.protocol import DISCLOSES_KEY, HISTORY_KEY, SOURCE_KEY
from .base import Exchange, PersonaEngine, WrappedPersona
from .reply import ReplyKind, ReplyPiece, ReplySource, Voice

logger = logging.getLogger(__name__)

IN_CHARACTER = frozenset({ReplyKind.MEMORY, ReplyKind.RECORDING, ReplyKind.GENERATED, ReplyKind.FALLBACK, ReplyKind.REFUSAL,
                          ReplyKind.WITHHELD})
NEUTRAL_FROM_SERVER = frozenset({ReplyKind.CRISIS, ReplyKind.HONESTY})


def piece_from_server(text: str, data: object) -> ReplyPiece | None:
    """A chunk's text and its ``companion_source`` as a piece the device accepts (None: dropped)."""
    source = data if isinstance(data, dict) else {}
    try:
        kind = ReplyKind(source.get("kind", ReplyKind.GENERATED.value))
    except ValueError:
        kind = ReplyKind.GENERATED
    if kind not in IN_CHARACTER and kind not in NEUTRAL_FROM_SERVER:
        return None
    try:
        score = min(1.0, max(0.0, float(source.get("score", 0.0))))
    except (TypeError, ValueError):
        score = 0.0
    message_id = source.get("message_id")
    voice = Voice.NEUTRAL if kind in NEUTRAL_FROM_SERVER else Voice.PERSONA
    return ReplyPiece(text, ReplySource(kind=kind, score=score, voice=voice,
                                        message_id=str(message_id)[:64] if message_id is not None else None))


class WyomingPersona(WrappedPersona):
    """`companion serve` on the home server answers; the device's own engine (``local``) says who the
    person is and answers whenever the server cannot."""

    def __init__(self, uri: WyomingUri, local: PersonaEngine, *, timeout_s: float, connect_timeout_s: float,
                 retry_after_s: float, history_turns: int = 4) -> None:
        self.inner = self.local = local  # who the person is (WrappedPersona): always the device's own persona
        self.history_turns = history_turns
        self.remote = RemoteStage("persona", uri, timeout_s=timeout_s, connect_timeout_s=connect_timeout_s,
                                  retry_after_s=retry_after_s)

    # -- answering ------------------------------------------------------------------------------
    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[ReplyPiece]:
        stage = self.remote
        if stage.health.should_try():
            t0 = time.perf_counter()
            said = False
            try:
                for reply in self.respond_remote(question, history):
                    said = True
                    yield reply
            except RemoteError as exc:
                stage.health.failed(exc)
                if said:
                    logger.warning("the home server broke off mid-reply: the reply ends here")
                    return
                stage.stats.fallback_s.append(time.perf_counter() - t0)
            else:
                stage.health.succeeded()
                stage.stats.remote += 1
                return
        stage.stats.local += 1
        yield from self.local.respond(question, history)

    def respond_remote(self, question: str, history: Sequence[Exchange]) -> Iterator[ReplyPiece]:
        """Only the server, piece by piece (RemoteError when it cannot answer in time)."""
        from wyoming.asr import Transcript

        stage = self.remote
        past = list(history)[-self.history_turns:] if self.history_turns else []
        context = {DISCLOSES_KEY: True, HISTORY_KEY: [[h.question, h.reply] for h in past]}
        streamed = False
        with Connection(stage.uri, connect_timeout=stage.connect_timeout_s, deadline=stage.deadline()) as conn:
            conn.send(Transcript(text=question, context=context, language=self.local.language).event())
            while True:
                event = conn.receive()
                if event.type == "handled-chunk":
                    streamed = True
                    conn.deadline = stage.deadline()  # the budget is per piece, not for the whole reply
                    reply = piece_from_server(str(event.data.get("text", "")), event.data.get(SOURCE_KEY))
                    if reply is not None and reply.text.strip():
                        yield reply
                elif event.type == "handled-stop":
                    return
                elif event.type == "handled":  # a handle service that does not stream
                    text = str(event.data.get("text") or "")
                    if not streamed and text.strip():
                        yield ReplyPiece(text, ReplySource(kind=ReplyKind.GENERATED))
                    return
                elif event.type == "not-handled":
                    raise RemoteError(f"{stage.uri} did not handle the question")
