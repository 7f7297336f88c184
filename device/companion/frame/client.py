"""The frame's side of the feed: connect, read events, reconnect when the voice restarts.

The voice service may restart (an update, a crash, systemd's Restart=): the frame keeps showing
"the voice is not running" and tries again with a capped back-off, then picks up the state from
the service's hello line. A line it cannot parse is skipped, not fatal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from .. import feed

logger = logging.getLogger(__name__)

RETRY_MIN_S = 0.25
RETRY_MAX_S = 3.0


class FeedClient:
    def __init__(
        self,
        path: Path,
        *,
        on_event: Callable[[feed.Event], None],
        on_disconnect: Callable[[], None],
        retry_min_s: float = RETRY_MIN_S,
        retry_max_s: float = RETRY_MAX_S,
    ) -> None:
        self.path = Path(path)
        self._on_event = on_event
        self._on_disconnect = on_disconnect
        self._retry = (retry_min_s, retry_max_s)
        self._writer: asyncio.StreamWriter | None = None
        self.connections = 0
        """How many times a connection was made (for tests: reconnects after a restart)."""
        self._stopped = asyncio.Event()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    @property
    def connected(self) -> bool:
        return self._writer is not None

    async def run(self) -> None:
        delay = self._retry[0]
        warned = False
        while not self._stopped.is_set():
            try:
                reader, writer = await asyncio.open_unix_connection(str(self.path), limit=feed.MAX_LINE)
            except OSError as exc:
                if not warned:
                    logger.warning("frame: no voice service at %s (%s); retrying", self.path, exc.strerror or exc)
                    warned = True
                self._on_disconnect()
                try:
                    await asyncio.wait_for(self._stopped.wait(), timeout=delay)
                except asyncio.TimeoutError:
                    pass
                delay = min(self._retry[1], delay * 2)
                continue
            warned = False
            delay = self._retry[0]
            self.connections += 1
            self._writer = writer
            logger.info("frame: connected to the voice service")
            try:
                await self._read(reader)
            finally:
                self._writer = None
                writer.transport.abort()
                self._on_disconnect()
            logger.info("frame: the voice service went away; waiting for it")

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while not self._stopped.is_set():
            try:
                line = await reader.readline()
            except (ValueError, asyncio.LimitOverrunError):
                logger.warning("frame: an over-long line from the voice service; reconnecting")
                return
            except OSError:
                return
            if not line:
                return
            try:
                event = feed.decode(line)
            except feed.FeedError as exc:
                logger.warning("frame: skipped a bad feed line (%s)", exc)
                continue
            if event is not None:
                self._on_event(event)

    def press(self) -> bool:
        """Send a button press; False when the voice service is not connected."""
        writer = self._writer
        if writer is None or writer.transport.is_closing():
            return False
        writer.write(feed.encode(feed.Command("press")))
        return True

    def stop(self) -> None:
        self._stopped.set()
        if self._writer is not None:
            self._writer.transport.abort()
