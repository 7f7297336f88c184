"""The frame feed's publisher: state and subtitles out on a Unix socket, a button press back in.

The voice must never wait for a display. Every write is a non-blocking transport write on the
event loop; a reader that lets more than ``MAX_BUFFER`` bytes pile up (stuck, asleep, gone) is
dropped, and a socket that cannot be created is one warning, not a failed service. Events may
be published from any thread (the speaker thread announces each sentence as it starts playing).

The only thing a reader can send back is ``{"command": "press"}``, which is handed to the same
place a GPIO button press goes. Only members of the socket's group (``companion-frame``) can
connect, the service keeps no network, and a press does nothing a person at the device could
not do with the button; presses closer than ``PRESS_GAP_S`` are ignored (a bouncing touch).
"""

from __future__ import annotations

import asyncio
import grp
import logging
import os
import shutil
import stat
import threading
import time
from collections.abc import Callable

from .. import feed
from ..config import FrameSettings

logger = logging.getLogger(__name__)

MAX_BUFFER = 64 * 1024
"""Bytes a reader may fall behind before it is dropped (hundreds of subtitles)."""
MAX_CLIENTS = 4
PRESS_GAP_S = 0.5


class FramePublisher:
    """Owns the socket; ``publish`` is thread-safe and never blocks."""

    def __init__(
        self,
        settings: FrameSettings,
        *,
        persona: feed.Persona,
        on_press: Callable[[], None] = lambda: None,
        session_gap_s: float = 1800.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.path = settings.socket_path
        self.persona = persona
        self._on_press = on_press
        self._session_gap_s = session_gap_s
        self._clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._server: asyncio.AbstractServer | None = None
        self._clients: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[None]] = set()
        self._state = "idle"
        self._crisis: feed.Crisis | None = None
        self._subtitle: feed.Subtitle | None = None
        self._session_timer: asyncio.TimerHandle | None = None
        self._last_press = -PRESS_GAP_S
        self.dropped = 0
        """Readers dropped for falling behind (for tests and `doctor`)."""

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> bool:
        """Listen on the socket; False (and a warning) when that is impossible: the voice goes on."""
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o751)
            folder = os.lstat(self.path.parent)
            if not stat.S_ISDIR(folder.st_mode) or folder.st_uid != os.getuid() or folder.st_mode & 0o022:
                # e.g. /tmp/companion-<uid> made by someone else first: never put the feed there
                raise OSError(f"{self.path.parent} is not a folder of this user's that only it can write")
            if self.path.is_socket():
                self.path.unlink()  # left behind by a killed predecessor (systemd runs one service)
            self._server = await asyncio.start_unix_server(self._serve, path=str(self.path), limit=feed.MAX_LINE)
            os.chmod(self.path, 0o660 if self.settings.group else 0o600)
            self._give_to_group()
        except OSError as exc:
            logger.warning("frame feed: cannot listen on %s (%s); the frame will show 'voice not running'",
                           self.path, exc.strerror or exc)
            self._server = None
            return False
        logger.info("frame feed on %s", self.path)
        return True

    def _give_to_group(self) -> None:
        group = self.settings.group
        if not group:
            return
        try:
            grp.getgrnam(group)
            shutil.chown(self.path, group=group)
        except KeyError:
            logger.info("frame feed: no group %r; only this user can read the feed (install.sh --frame adds it)", group)
        except OSError as exc:
            logger.warning("frame feed: cannot give the socket to group %r (%s)", group, exc.strerror or exc)

    async def close(self) -> None:
        if self._session_timer is not None:
            self._session_timer.cancel()
        if self._server is not None:
            self._server.close()
        for writer in list(self._clients):
            writer.transport.abort()
        self._clients.clear()
        await asyncio.gather(*self._handlers, return_exceptions=True)  # each sees its reader end
        if self._server is not None:
            self._server = None
            try:
                self.path.unlink()
            except OSError:
                pass

    # -- publishing (any thread) -------------------------------------------------------------
    def publish(self, event: feed.Event | _TurnDone) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if threading.get_ident() == self._loop_thread:
            self._publish(event)
        else:
            try:
                loop.call_soon_threadsafe(self._publish, event)
            except RuntimeError:  # the loop closed meanwhile: nobody to tell
                pass

    def state(self, state: str) -> None:
        self.publish(feed.State(state))

    def say(self, role: str, text: str) -> None:
        """A subtitle: ``role`` is reply, care, disclosure or heard (only if privacy allows)."""
        if role == "heard" and not self.settings.show_heard:
            return
        if text.strip():
            self.publish(feed.Subtitle(role, text.strip()))

    def crisis(self, help_line: str, contact: str = "") -> None:
        self.publish(feed.CrisisShown(feed.Crisis(help_line, contact)))

    def turn_done(self) -> None:
        """A turn ended: the session ends ``session_gap_s`` after the last one (crisis help goes then)."""
        self.publish(_TurnDone())

    # -- on the loop thread ------------------------------------------------------------------
    def _publish(self, event: feed.Event | _TurnDone) -> None:
        if isinstance(event, _TurnDone):
            self._restart_session_timer()
            return
        if isinstance(event, feed.State):
            if event.state == self._state:
                return
            self._state = event.state
            if event.state not in ("thinking", "speaking") and self._subtitle is not None:
                self._subtitle = None
                self._send(feed.encode(feed.Clear()))
        elif isinstance(event, feed.Subtitle):
            self._subtitle = event
        elif isinstance(event, feed.Clear):
            self._subtitle = None
        elif isinstance(event, feed.CrisisShown):
            self._crisis = event.crisis
            self._restart_session_timer()
        elif isinstance(event, feed.SessionEnd):
            self._crisis = None
        try:
            line = feed.encode(event)
        except feed.FeedError as exc:
            logger.warning("frame feed: event not sent (%s)", exc)
            return
        self._send(line)

    def _restart_session_timer(self) -> None:
        if self._session_timer is not None:
            self._session_timer.cancel()
            self._session_timer = None
        if self._crisis is not None and self._loop is not None:
            self._session_timer = self._loop.call_later(self._session_gap_s, self._publish, feed.SessionEnd())

    def _send(self, line: bytes) -> None:
        for writer in list(self._clients):
            transport = writer.transport
            if transport.is_closing():
                self._clients.discard(writer)
                continue
            transport.write(line)
            if transport.get_write_buffer_size() > MAX_BUFFER:
                logger.warning("frame feed: a reader fell %d bytes behind; dropped", transport.get_write_buffer_size())
                self.dropped += 1
                self._clients.discard(writer)
                transport.abort()

    def snapshot(self) -> list[feed.Event]:
        """What a newly connected reader is told first."""
        events: list[feed.Event] = [feed.Hello(self.persona, self._state, self._crisis, self.settings.show_heard)]
        if self._subtitle is not None:
            events.append(self._subtitle)
        return events

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        if self._server is None or len(self._clients) >= MAX_CLIENTS:
            logger.warning("frame feed: more than %d readers; refusing another", MAX_CLIENTS)
            writer.transport.abort()
            return
        for event in self.snapshot():
            writer.transport.write(feed.encode(event))
        self._clients.add(writer)
        try:
            while True:
                try:
                    line = await reader.readline()
                except (ValueError, asyncio.LimitOverrunError, OSError):
                    break  # an over-long line or a reset: this reader is done
                if not line:
                    break
                self._command(line)
        finally:
            self._clients.discard(writer)
            writer.transport.abort()

    def _command(self, line: bytes) -> None:
        try:
            event = feed.decode(line)
        except feed.FeedError as exc:
            logger.info("frame feed: ignored a malformed line from a reader (%s)", exc)
            return
        if not isinstance(event, feed.Command) or event.command != "press":
            return
        now = self._clock()
        if now - self._last_press < PRESS_GAP_S:
            return
        self._last_press = now
        logger.info("button pressed on the frame")
        self._on_press()


class _TurnDone:
    """Internal marker: a turn ended (restarts the session timer); never sent."""
