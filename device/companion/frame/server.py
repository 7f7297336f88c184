"""`companion frame`: the feed client, the photo source and a local page, on 127.0.0.1 only.

The page (page/) is plain HTML, CSS and JavaScript shipped in the package: no CDN, no web font,
no script from anywhere else (the Content-Security-Policy says so to the browser too). It gets
the view as Server-Sent Events, one JSON document per change, so an idle frame sends nothing
but a comment every ``PING_S``.

Only the browser on this device can reach it: the server listens on 127.0.0.1, every request
must name 127.0.0.1 or localhost as its Host (a page elsewhere cannot rebind its name to reach
us), and the touch-to-talk POST must carry the token of the page the server just served.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import secrets
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from .. import feed
from ..config import Settings
from .client import FeedClient
from .photos import PhotoSource
from .view import FrameView

logger = logging.getLogger(__name__)

PING_S = 15.0
CLOCK_CHECK_S = 30.0
PHOTO_REFRESH_S = 300.0
STATIC = {"frame.css": "text/css", "frame.js": "text/javascript"}
CSP = "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'"


class Frame:
    """Everything `companion frame` runs, on one asyncio loop."""

    def __init__(
        self,
        settings: Settings,
        *,
        socket_path: Path | None = None,
        port: int | None = None,
        clock: Callable[[], dt.datetime] = dt.datetime.now,
    ) -> None:
        self.settings = settings
        self.port = settings.frame.port if port is None else port
        self.clock = clock
        self.photos = PhotoSource(settings.persona.path, key_file=settings.persona.key_file)
        self.view = FrameView(display_name=settings.persona.path.name)
        self.client = FeedClient(socket_path or settings.frame.socket_path, on_event=self._on_event,
                                 on_disconnect=self._on_disconnect)
        self.token = secrets.token_urlsafe(24)
        self._listeners: set[asyncio.Event] = set()
        self._night = ""
        self._runner: Any = None
        self._tasks: list[asyncio.Task[None]] = []
        self.ready = asyncio.Event()

    # -- model ---------------------------------------------------------------------------------
    def _on_event(self, event: feed.Event) -> None:
        self.view.apply(event)
        self._changed()

    def _on_disconnect(self) -> None:
        was = self.view.connected or not self.view.attempted
        self.view.disconnected()
        self.view.care_state = self._care_state()
        if was:
            self._changed()

    def _care_state(self) -> str | None:
        """Paused or retired: why the voice is not running, if the care state says so."""
        from ..ethics.care import CareError, CareState
        from ..ethics.setup import persona_id

        try:
            care, pid = CareState(self.settings.ethics.log_path), persona_id(self.settings)
            return "goodbye" if care.is_retired(pid) else "paused" if care.is_paused(pid) else None
        except (CareError, OSError):
            return None

    def _changed(self) -> None:
        for listener in self._listeners:
            listener.set()

    def view_dict(self) -> dict[str, Any]:
        frame = self.settings.frame
        now = self.clock()
        return self.view.to_dict(now=now.time(), night=(frame.night_start, frame.night_end, frame.night_mode),
                                 slide_s=frame.slide_s)

    def _load_photos(self) -> None:
        self.view.retired = self.photos.card.retired
        self.view.display_name = self.photos.card.display_name
        self.view.language = self.photos.card.language
        self.view.photos = [{"id": p.id, "caption": p.caption} for p in self.photos.photos if p.showable]
        self.view.photo_note, self.view.photo_detail = self.photos.note, self.photos.detail
        self.view.version += 1

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        from aiohttp import web

        await asyncio.to_thread(self.photos.open)
        self._load_photos()
        async def local_only(request: Any, handler: Any) -> Any:
            return await self._local_only(request, handler)

        app = web.Application(middlewares=[web.middleware(local_only)], client_max_size=4096)
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_get("/photo/{id}", self._photo)
        app.router.add_get("/events", self._events)
        app.router.add_get("/view", self._view)
        app.router.add_post("/press", self._press)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            from ..errors import CompanionError

            raise CompanionError(f"cannot serve the frame page on 127.0.0.1:{self.port} ({exc.strerror or exc})",
                                 hint="is another frame running? set [frame] port to a free port") from None
        if self.port == 0:
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self.client.run()), loop.create_task(self._clock_loop())]
        logger.info("frame page on http://127.0.0.1:%d/", self.port)
        self.ready.set()

    async def stop(self) -> None:
        self.client.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for listener in self._listeners:
            listener.set()
        if self._runner is not None:
            await self._runner.cleanup()
        await asyncio.to_thread(self.photos.close)

    async def _clock_loop(self) -> None:
        """Night begins and ends by the clock; photos added meanwhile join the slideshow."""
        since_refresh = 0.0
        while True:
            await asyncio.sleep(CLOCK_CHECK_S)
            since_refresh += CLOCK_CHECK_S
            if since_refresh >= PHOTO_REFRESH_S:
                since_refresh = 0.0
                before = (self.view.photos, self.view.photo_note)
                await asyncio.to_thread(self.photos.refresh)
                self._load_photos()
                if (self.view.photos, self.view.photo_note) != before:
                    self._changed()
            night = self.view_dict()["night"]
            if night != self._night:
                self._night = night
                self.view.version += 1
                self._changed()

    # -- HTTP ----------------------------------------------------------------------------------
    @property
    def _hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}

    async def _local_only(self, request: Any, handler: Any) -> Any:
        from aiohttp import web

        if request.host not in self._hosts:
            return web.Response(status=421, text="this frame answers only to 127.0.0.1")
        response = await handler(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    async def _index(self, request: Any) -> Any:
        from aiohttp import web

        html = _page("index.html").decode("utf-8").replace("{{TOKEN}}", self.token)
        html = html.replace("{{LANG}}", self.view.language)
        return web.Response(text=html, content_type="text/html", charset="utf-8")

    async def _static(self, request: Any) -> Any:
        from aiohttp import web

        name = request.match_info["name"]
        if name not in STATIC:
            raise web.HTTPNotFound()
        return web.Response(body=_page(name), content_type=STATIC[name], charset="utf-8")

    async def _photo(self, request: Any) -> Any:
        from aiohttp import web

        try:
            photo_id = int(request.match_info["id"])
        except ValueError:
            raise web.HTTPNotFound() from None
        found = await asyncio.to_thread(self.photos.data, photo_id)
        if found is None:
            raise web.HTTPNotFound()
        mime, data = found
        # no-store: the decrypted photo must not land in the browser's disk cache.
        return web.Response(body=data, content_type=mime, headers={"Cache-Control": "no-store"})

    async def _view(self, request: Any) -> Any:
        from aiohttp import web

        return web.json_response(self.view_dict())

    async def _events(self, request: Any) -> Any:
        from aiohttp import web

        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
        response.headers["Content-Security-Policy"] = CSP
        await response.prepare(request)
        changed = asyncio.Event()
        self._listeners.add(changed)
        sent = -1
        try:
            while not self.client.stopped:
                if self.view.version != sent:
                    sent = self.view.version
                    data = json.dumps(self.view_dict(), ensure_ascii=False)
                    await response.write(f"data: {data}\n\n".encode())
                try:
                    await asyncio.wait_for(changed.wait(), timeout=PING_S)
                except asyncio.TimeoutError:
                    await response.write(b": ping\n\n")
                changed.clear()
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._listeners.discard(changed)
        return response

    async def _press(self, request: Any) -> Any:
        from aiohttp import web

        if not secrets.compare_digest(request.headers.get("X-Frame-Token", ""), self.token):
            return web.json_response({"ok": False, "reason": "forbidden"}, status=403)
        if not self.client.press():
            return web.json_response({"ok": False, "reason": "the voice is not running"}, status=503)
        return web.json_response({"ok": True})


def _page(name: str) -> bytes:
    return (resources.files(__package__) / "page" / name).read_bytes()


async def serve(settings: Settings, *, port: int | None = None, stop: asyncio.Event | None = None) -> None:
    """Run the frame until ``stop`` is set (or the task is cancelled)."""
    frame = Frame(settings, port=port)
    await frame.start()
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        await frame.stop()
