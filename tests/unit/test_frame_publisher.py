"""The publisher on a real Unix socket: readers get a snapshot then events; a stuck reader is
dropped without the voice waiting; no reader costs nothing; a press comes back as a button press;
the socket is group-readable; the crisis help goes at the end of the session."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from companion import feed
from companion.config import Settings
from companion.service import publisher as publisher_module
from companion.service.feed_hooks import FeedHooks
from companion.service.publisher import FramePublisher
from companion.service.state import Phase


def make(tmp_path: Path, **kwargs: object) -> FramePublisher:
    settings = replace(Settings().frame, socket=str(tmp_path / "run" / "frame.sock"), group="")
    return FramePublisher(settings, persona=feed.Persona("Walter", "en"), **kwargs)  # type: ignore[arg-type]


async def read_event(reader: asyncio.StreamReader) -> feed.Event | None:
    return feed.decode(await asyncio.wait_for(reader.readline(), 5))


def test_snapshot_then_events_and_a_press(tmp_path: Path) -> None:
    presses: list[float] = []

    async def main() -> None:
        pressed = asyncio.Event()

        def on_press() -> None:  # called on the event loop, as the publisher reads the command
            presses.append(time.monotonic())
            pressed.set()

        pub = make(tmp_path, on_press=on_press)
        assert await pub.start()
        mode = stat.S_IMODE(os.stat(pub.path).st_mode)
        assert mode == 0o600  # no group configured: owner only
        pub.state("speaking")
        pub.say("reply", "The lake was cold.")
        reader, writer = await asyncio.open_unix_connection(str(pub.path))
        hello = await read_event(reader)
        assert hello == feed.Hello(feed.Persona("Walter", "en"), "speaking", None, False)
        assert await read_event(reader) == feed.Subtitle("reply", "The lake was cold.")  # a late reader catches up
        # from another thread, as the speaker thread does
        threading.Thread(target=pub.say, args=("reply", "We fished until dark.")).start()
        assert await read_event(reader) == feed.Subtitle("reply", "We fished until dark.")
        pub.say("heard", "what about the lake")  # privacy: not shown unless show_heard
        pub.state("listening")
        assert await read_event(reader) == feed.Clear()
        assert await read_event(reader) == feed.State("listening")
        writer.write(feed.encode(feed.Command("press")) + feed.encode(feed.Command("press")) + b"nonsense\n")
        await writer.drain()
        await asyncio.wait_for(pressed.wait(), 5)
        writer.close()
        await pub.close()
        assert not pub.path.exists()

    asyncio.run(main())
    assert len(presses) == 1  # the second press came within PRESS_GAP_S (a bouncing touch)


def test_a_stuck_reader_is_dropped_and_publishing_never_waits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publisher_module, "MAX_BUFFER", 16 * 1024)

    async def main() -> None:
        pub = make(tmp_path)
        await pub.start()
        stuck = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stuck.connect(str(pub.path))  # connects, never reads
        reader, writer = await asyncio.open_unix_connection(str(pub.path))
        await read_event(reader)
        for _ in range(500):  # the stuck one is a client too: no event to await, checked often with a deadline
            if len(pub._clients) == 2:
                break
            await asyncio.sleep(0.01)
        assert len(pub._clients) == 2
        received: list[bytes] = []
        all_received = asyncio.Event()

        async def drain() -> None:  # the live reader keeps up
            while line := await reader.readline():
                received.append(line)
                if len(received) >= 3000:
                    all_received.set()

        draining = asyncio.get_running_loop().create_task(drain())
        for i in range(3000):
            assert pub.say("reply", f"sentence {i} " + "x" * 200) is None  # a plain call: nothing to await
            if i % 20 == 0:
                await asyncio.sleep(0)
        await asyncio.wait_for(all_received.wait(), 60)
        draining.cancel()
        assert pub.dropped == 1 and len(pub._clients) == 1  # the stuck one went, the live one stayed
        stuck.close()
        writer.close()
        await pub.close()

    asyncio.run(main())


def test_no_reader_and_no_socket_cost_nothing(tmp_path: Path) -> None:
    async def main() -> None:
        pub = make(tmp_path)
        pub.say("reply", "before start: ignored")  # no loop yet: nothing happens, nothing raises
        await pub.start()
        for i in range(1000):
            pub.say("reply", f"nobody listens {i}")
        await pub.close()
        blocked = tmp_path / "file"
        blocked.write_text("")
        bad = FramePublisher(replace(Settings().frame, socket=str(blocked / "frame.sock")), persona=feed.Persona("W"))
        assert await bad.start() is False  # one warning; the voice goes on
        bad.say("reply", "still fine")
        await bad.close()

    asyncio.run(main())


def test_crisis_help_stays_until_the_session_ends(tmp_path: Path) -> None:
    async def main() -> None:
        pub = make(tmp_path, session_gap_s=0.3)
        await pub.start()
        pub.crisis("988", "your sister Anna")
        pub.turn_done()
        reader, writer = await asyncio.open_unix_connection(str(pub.path))
        hello = await read_event(reader)
        assert isinstance(hello, feed.Hello) and hello.crisis == feed.Crisis("988", "your sister Anna")
        pub.state("idle")
        pub.state("listening")
        assert await read_event(reader) == feed.State("listening")  # state changes do not hide it
        assert await read_event(reader) == feed.SessionEnd()  # after session_gap_s without a turn
        writer.close()
        await pub.close()

    asyncio.run(main())


def test_the_socket_is_given_to_the_frame_group(tmp_path: Path) -> None:
    import grp

    group = grp.getgrgid(os.getgid()).gr_name  # a group this user is in, standing in for companion-frame

    async def main() -> None:
        settings = replace(Settings().frame, socket=str(tmp_path / "frame.sock"), group=group)
        pub = FramePublisher(settings, persona=feed.Persona("W"))
        await pub.start()
        info = os.stat(pub.path)
        assert stat.S_IMODE(info.st_mode) == 0o660 and info.st_gid == grp.getgrnam(group).gr_gid
        await pub.close()

    asyncio.run(main())


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, tuple[object, ...]]] = []

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return lambda *args: self.events.append((name, args))


def test_hooks_turn_pipeline_callbacks_into_feed_events() -> None:
    from companion.events import Trigger
    from companion.persona.reply import ReplyKind, ReplySource, Voice
    from companion.service.turn import TurnResult

    care: list[str | None] = [None]
    rec = Recorder()
    hooks = FeedHooks(rec, Settings(), persona_name="Walter", care_state=lambda: care[0])  # type: ignore[arg-type]
    hooks.on_phase(Phase.LISTENING)
    hooks.on_text("heard", "how was the lake")
    hooks.on_text("prelude", "earcon")
    hooks.on_text("prelude", "disclosure")
    hooks.on_text("reply", "Cold.")
    hooks.on_text("filler", "Hmm.")
    hooks.on_turn(TurnResult(Trigger.BUTTON, "q", source=ReplySource(ReplyKind.CRISIS, 1.0, voice=Voice.NEUTRAL)))
    hooks.mic_fault()
    hooks.on_phase(Phase.IDLE)
    hooks.mic_back()
    care[0] = "paused"
    hooks.on_phase(Phase.IDLE)
    assert rec.events == [
        ("state", ("listening",)),
        ("say", ("heard", "how was the lake")),
        ("say", ("disclosure", "This is an AI re-creation based on Walter's messages. It is not Walter, and it can be wrong.")),
        ("say", ("reply", "Cold.")),
        ("crisis", ("988", "")),
        ("turn_done", ()),
        ("state", ("listening",)),  # the mic went while listening: the pipeline drops to idle next
        ("state", ("mic-missing",)),
        ("state", ("idle",)),
        ("state", ("paused",)),
    ]


def test_a_failing_publisher_never_reaches_the_voice() -> None:
    class Broken:
        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            def fail(*args: object) -> None:
                raise RuntimeError("boom")
            return fail

    hooks = FeedHooks(Broken(), Settings(), persona_name="W")  # type: ignore[arg-type]
    hooks.on_phase(Phase.SPEAKING)
    hooks.on_text("reply", "still speaking")


def test_a_folder_someone_else_can_write_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)

    async def main() -> bool:
        pub = FramePublisher(replace(Settings().frame, socket=str(shared / "frame.sock"), group=""), persona=feed.Persona("W"))
        started = await pub.start()
        await pub.close()
        return started

    assert asyncio.run(main()) is False
    assert not (shared / "frame.sock").exists()
