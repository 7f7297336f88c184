"""`companion serve`: the guarded persona engine as a Wyoming ``handle`` service on a home server.

A ``transcript`` event in; the reply streamed out as ``handled-start``, one ``handled-chunk`` per
sentence, ``handled-stop``, then one ``handled`` with the whole text (Home Assistant's
conversation agent reads only that last one; streaming clients use the chunks). The answer
comes from the same guarded engine the device runs (crisis check, "are you alive", refusals,
unsafe-reply filter), so a bigger model on the server is still inside the guardrails.

Clients other than the companion device (Home Assistant) do not play the device's disclosure,
so the first answer of each conversation begins with the disclosure text itself; the device
says ``companion_discloses`` in the context because it discloses locally, in the neutral voice.
History: the device sends what was actually heard (``companion_history``); for other clients
the server remembers a few exchanges per ``conversation_id`` (bounded).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import threading
import time
from collections import OrderedDict
from typing import Any

from ..config import Settings
from ..ethics.crisis import CrisisDetector, CrisisState
from ..ethics.disclosure import disclosure_text
from ..ethics.helplines import DEFAULT
from ..ethics.safety import SafetyCheck
from ..persona.base import Exchange, PersonaEngine
from ..persona.reply import ReplyKind, ReplyPiece, Voice, piece, reply_text
from ..remote.protocol import DISCLOSES_KEY, HISTORY_KEY, SOURCE_KEY

logger = logging.getLogger(__name__)

MAX_CONVERSATIONS = 64
"""Conversations whose history the server keeps (least recently used dropped first)."""


class PersonaService:
    """What every connection shares: the engine (one at a time), history, disclosure state."""

    def __init__(self, persona: PersonaEngine, *, disclosure: str = "", history_turns: int = 4,
                 disclosure_interval_s: float = 7200.0, safety: SafetyCheck | None = None) -> None:
        self.persona = persona
        # Never an empty disclosure (C3): without one given, the fixed English sentence.
        self.disclosure = disclosure.strip() or disclosure_text(persona.name or persona.display_name)
        self.safety = safety
        """The crisis check each question starts with (ETHICS C9), before the engine; None: rules only."""
        self._crisis: OrderedDict[str, CrisisState] = OrderedDict()
        self.history_turns = history_turns
        self.disclosure_interval_s = disclosure_interval_s
        self.lock = threading.Lock()  # the engine and its guardrails are not re-entrant
        self._conversations: OrderedDict[str, list[Exchange]] = OrderedDict()
        self._disclosed: OrderedDict[str, float] = OrderedDict()

    def info(self) -> Any:
        from wyoming.info import Attribution, HandleModel, HandleProgram, Info

        from .. import __version__

        attribution = Attribution(name="companion", url="https://www.gnu.org/licenses/gpl-3.0.html")
        name = self.persona.display_name
        model = HandleModel(name=name, attribution=attribution, installed=True, languages=["en"], version=__version__,
                            description=f"an AI re-creation of {name}, from their own messages")
        return Info(handle=[HandleProgram(name="companion", attribution=attribution, installed=True,
                                          description="offline voice companion persona", version=__version__,
                                          models=[model], supports_handled_streaming=True)])

    def answer(self, question: str, context: dict[str, Any] | None) -> list[ReplyPiece]:
        """The reply's pieces (blocking: runs the engine; call from a worker thread)."""
        context = context or {}
        conversation = context.get("conversation_id")
        conversation = conversation if isinstance(conversation, str) and conversation else None
        sent = context.get(HISTORY_KEY)
        if isinstance(sent, list):  # the device says what was actually heard
            history = [Exchange(str(x[0]), str(x[1])) for x in sent if isinstance(x, list) and len(x) == 2]
        else:
            history = list(self._conversations.get(conversation, [])) if conversation else []
        history = history[-self.history_turns:] if self.history_turns else []
        pieces: list[ReplyPiece] = []
        if not context.get(DISCLOSES_KEY) and self._needs_disclosure(conversation):
            text = self.disclosure.replace("{name}", self.persona.name or self.persona.display_name)
            pieces.append(piece(text, ReplyKind.DISCLOSURE, score=1.0, voice=Voice.NEUTRAL))
        with self.lock:
            state = self._crisis.get(conversation, CrisisState()) if conversation else CrisisState()
            said, assessment = self._safety().turn(question, [h.question for h in history], state, time.time())
            if conversation is not None:
                _remember(self._crisis, conversation, assessment.state)
            if said:  # the crisis check first, on the server too (the device checks again itself)
                pieces.extend(said)
            else:
                pieces.extend(p for p in self.persona.respond(question, history) if p.text.strip())
        if conversation is not None and not isinstance(sent, list):
            _remember(self._conversations, conversation, history + [Exchange(question, reply_text(pieces))])
        return pieces

    def _safety(self) -> SafetyCheck:
        if self.safety is None:  # never unguarded: the auditable rules at least
            self.safety = SafetyCheck(CrisisDetector(), name=self.persona.name or self.persona.display_name,
                                      help_number=DEFAULT.number)
        return self.safety

    def _needs_disclosure(self, conversation: str | None) -> bool:
        """Once per conversation, and again after the disclosure interval (ETHICS C3)."""
        if conversation is None:
            return True  # a one-off question: always disclose
        now = time.monotonic()
        last = self._disclosed.get(conversation)
        if last is not None and now - last <= self.disclosure_interval_s:
            return False
        _remember(self._disclosed, conversation, now)
        return True


def _remember(store: OrderedDict[str, Any], key: str, value: Any) -> None:
    store[key] = value
    store.move_to_end(key)
    while len(store) > MAX_CONVERSATIONS:
        store.popitem(last=False)


def handler_factory(service: PersonaService) -> Any:
    from wyoming.asr import Transcript
    from wyoming.error import Error
    from wyoming.event import Event
    from wyoming.handle import Handled, HandledChunk, HandledStart, HandledStop
    from wyoming.info import Describe
    from wyoming.ping import Ping, Pong
    from wyoming.server import AsyncEventHandler

    class Handler(AsyncEventHandler):
        async def handle_event(self, event: Event) -> bool:
            if Describe.is_type(event.type):
                await self.write_event(service.info().event())
            elif Ping.is_type(event.type):
                await self.write_event(Pong(text=Ping.from_event(event).text).event())
            elif Transcript.is_type(event.type):
                transcript = Transcript.from_event(event)
                try:
                    pieces = await asyncio.to_thread(service.answer, transcript.text, transcript.context)
                except Exception as exc:  # the engine failed: say so, keep serving
                    logger.exception("the persona engine failed")
                    await self.write_event(Error(text=f"the persona engine failed: {exc}", code="engine").event())
                    return True
                context = {"conversation_id": (transcript.context or {}).get("conversation_id")}
                await self.write_event(HandledStart(context=context).event())
                for reply in pieces:
                    chunk = HandledChunk(text=reply.text).event()
                    chunk.data[SOURCE_KEY] = reply.source.to_dict()
                    await self.write_event(chunk)
                await self.write_event(HandledStop().event())
                await self.write_event(Handled(text=reply_text(pieces), context=context).event())
            else:
                logger.debug("ignored event %s", event.type)
            return True

    return Handler


def build_service(settings: Settings) -> PersonaService:
    """Consent (including home-server permission) first, then the guarded engine."""
    from ..ethics.setup import check_can_start, crisis_detector, safety_check, shared_models
    from ..models.store import ModelStore
    from ..persona.multilingual import SharedMultilingual
    from ..service.app import load_guarded_persona
    from ..service.threads import plan_threads
    from ..ethics.home_server import check_home_server_allowed

    check_can_start(settings)
    check_home_server_allowed(settings.persona.path, settings.persona.key_file)
    threads = plan_threads(settings.latency.threads, engine=settings.persona.engine)
    store = ModelStore(settings.paths.models)
    multilingual = SharedMultilingual(store.models_dir)  # one copy: persona (synonyms or search) and crisis check
    persona, _, _ = load_guarded_persona(settings, store, lm_threads=threads.lm, remote=False,  # answers itself
                                         multilingual=multilingual)
    detector = crisis_detector(settings, *shared_models(persona), multilingual=multilingual)
    name = persona.name or persona.display_name
    return PersonaService(persona, disclosure=disclosure_text(name, "en", settings.ethics.disclosure_addition),
                          history_turns=settings.conversation.history_turns,
                          disclosure_interval_s=settings.ethics.disclosure_interval_min * 60,
                          safety=safety_check(settings, persona, detector))


async def serve(service: PersonaService, uri: str, *, ready: asyncio.Event | None = None) -> None:
    """Answer on ``uri`` until cancelled. Once it accepts connections: ``ready`` is set, and
    READY=1 goes to systemd (or whoever set $NOTIFY_SOCKET, e.g. a test waiting for it)."""
    from wyoming.server import AsyncServer

    from ..service.notify import Notifier

    server = AsyncServer.from_uri(uri)
    await server.start(handler_factory(service))
    logger.warning("serving %s on %s (Wyoming handle; unencrypted: home network only)",
                   service.persona.display_name, uri)
    if ready is not None:
        ready.set()
    Notifier().ready(f"serving on {uri}")
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def cmd_serve(args: argparse.Namespace) -> int:
    from ..config import settings_from_args
    from ..remote.link import check_home, parse_uri

    settings = settings_from_args(args)
    uri = parse_uri(args.uri, "--uri", listen=True)
    check_home(uri, "--uri", allow_public=args.allow_public or settings.network.allow_public)
    service = build_service(settings)
    print(f"serving {service.persona.display_name} on {uri} (Ctrl+C to stop)", flush=True)
    try:
        asyncio.run(serve(service, str(uri)))
    except KeyboardInterrupt:
        pass
    return 0
