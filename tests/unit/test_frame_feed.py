"""The frame feed's schema: every event survives a round trip, the parser never fails on garbage
except with FeedError, newer versions and unknown types are skipped, not fatal."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion import feed

texts = st.text(max_size=200)
crises = st.builds(feed.Crisis, texts, texts)
events = st.one_of(
    st.builds(feed.Hello, st.builds(feed.Persona, texts, texts), st.sampled_from(feed.STATES),
              st.none() | crises, st.booleans()),
    st.builds(feed.State, st.sampled_from(feed.STATES)),
    st.builds(feed.Subtitle, st.sampled_from(feed.ROLES), texts),
    st.builds(feed.Clear),
    st.builds(feed.CrisisShown, crises),
    st.builds(feed.SessionEnd),
    st.builds(feed.Command, st.sampled_from(feed.COMMANDS)),
)


@given(events)
def test_every_event_round_trips(event: feed.Event) -> None:
    line = feed.encode(event)
    assert line.endswith(b"\n") and line.count(b"\n") == 1  # one event, one line, whatever the text
    assert feed.decode(line) == event


@given(st.binary(max_size=300))
def test_garbage_is_one_clear_error(data: bytes) -> None:
    try:
        feed.decode(data)
    except feed.FeedError:
        pass


@given(st.dictionaries(st.sampled_from(["v", "type", "state", "role", "text", "persona", "crisis", "command"]),
                       st.none() | st.integers() | st.text(max_size=20) | st.booleans() | st.dictionaries(st.text(max_size=5), st.text(max_size=5))))
def test_wrong_shapes_are_feed_errors(data: dict[str, object]) -> None:
    try:
        feed.decode(json.dumps(data))
    except feed.FeedError:
        pass


def test_newer_versions_and_unknown_types_are_skipped() -> None:
    assert feed.decode(b'{"v": 2, "type": "state", "state": "dancing"}') is None
    assert feed.decode(b'{"v": 1, "type": "photo_cue", "id": 3}') is None
    with pytest.raises(feed.FeedError, match="one of"):
        feed.decode(b'{"v": 1, "type": "state", "state": "dancing"}')
    with pytest.raises(feed.FeedError, match="version"):
        feed.decode(b'{"type": "clear"}')
    with pytest.raises(feed.FeedError, match="too long"):
        feed.decode(b" " * (feed.MAX_LINE + 1))


def test_long_subtitles_are_cut_not_refused() -> None:
    event = feed.decode(feed.encode(feed.Subtitle("reply", "word " * 1000)))
    assert isinstance(event, feed.Subtitle) and len(event.text) == feed.MAX_TEXT


def test_chinese_text_is_sent_as_utf8() -> None:
    line = feed.encode(feed.Subtitle("reply", "湖水六月还很冷。"))
    assert "湖水六月还很冷。".encode() in line
