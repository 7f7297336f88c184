"""A real spoken turn through the real pipeline publishes the frame's feed: the states in order,
what was heard (privacy permitting), the disclosure while it is spoken, and each reply sentence
as it starts playing, which together are exactly what was said."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from companion import feed
from companion.audio.wavfile import WavFileSink, WavFileSource
from companion.service.app import build_pipeline
from companion.service.feed_hooks import build_feed

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("show_heard", [True, False])
def test_a_spoken_turn_publishes_states_and_subtitles(loaded_models, test_settings, speak, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                      show_heard: bool) -> None:
    settings = replace(test_settings, frame=replace(test_settings.frame, socket=str(tmp_path / "feed.sock"), group="",
                                                    show_heard=show_heard))
    question = speak("What was your favourite fishing spot?")

    async def main() -> tuple[list[feed.Event], object]:
        hooks = build_feed(settings, loaded_models.persona, on_press=lambda: None)
        assert hooks is not None and await hooks.publisher.start()
        reader, writer = await asyncio.open_unix_connection(str(hooks.publisher.path))
        events: list[feed.Event] = [feed.decode(await asyncio.wait_for(reader.readline(), 10))]  # type: ignore[list-item]
        source = WavFileSource(question, block_ms=settings.audio.block_ms, trailing_silence_s=settings.vad.hangover_s + 1.0)
        sink = WavFileSink(tmp_path / "reply.wav")
        pipeline = build_pipeline(settings, loaded_models, source=source, sink=sink, follow_up=False, use_wake=False,
                                  on_turn=hooks.on_turn, on_phase=hooks.on_phase, on_text=hooks.on_text)
        try:
            results = await pipeline.run(start_listening=True, max_turns=1, fail_fast=True)
        finally:
            source.close()
        while events[-1] != feed.State("idle"):
            event = feed.decode(await asyncio.wait_for(reader.readline(), 10))
            assert event is not None
            events.append(event)
        writer.close()
        await hooks.publisher.close()
        return events, results[0]

    events, result = asyncio.run(main())
    assert isinstance(events[0], feed.Hello) and events[0].persona.display_name == "Grandpa Walt"
    states = [e.state for e in events if isinstance(e, feed.State)]
    assert states == ["listening", "thinking", "speaking", "idle"]
    subtitles = [e for e in events if isinstance(e, feed.Subtitle)]
    heard = [s.text for s in subtitles if s.role == "heard"]
    assert heard == ([result.transcript] if show_heard else [])  # type: ignore[attr-defined]
    disclosure = [s.text for s in subtitles if s.role == "disclosure"]
    assert len(disclosure) == 1 and "AI re-creation" in disclosure[0]
    said = [s.text for s in subtitles if s.role == "reply"]
    assert said and " ".join(said) == result.reply  # type: ignore[attr-defined]
    # the order a listener sees: heard while thinking, the disclosure, then the reply sentences
    order = [e.role if isinstance(e, feed.Subtitle) else e.type for e in events[1:]]
    assert order.index("disclosure") < order.index("reply")
    assert order[-2:] == ["clear", "state"]
