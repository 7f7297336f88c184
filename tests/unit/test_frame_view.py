"""The frame's model: states, subtitles, privacy, crisis help, the voice going away, night, language."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from companion import feed
from companion.frame.photos import sniff_ok
from companion.frame.view import FrameView, night_mode, texts_for

NOON = dt.time(12, 0)
NIGHT = ("22:00", "07:00", "dim")


def draw(view: FrameView, now: dt.time = NOON) -> dict:
    return view.to_dict(now=now, night=NIGHT, slide_s=20.0)


def test_a_turn_moves_through_the_states() -> None:
    view = FrameView("walter")
    assert draw(view)["state"] == "connecting"
    view.disconnected()
    assert draw(view)["state_text"] == "The voice is not running"
    view.apply(feed.Hello(feed.Persona("Walter", "en"), "idle", None, show_heard=False))
    shown = draw(view)
    assert (shown["display_name"], shown["ai_label"], shown["state"], shown["touch_enabled"]) == ("Walter", "AI re-creation", "idle", True)
    view.apply(feed.State("listening"))
    view.apply(feed.Subtitle("heard", "how was the lake"))
    assert draw(view)["heard"] == ""  # privacy: not without show_heard
    view.apply(feed.State("thinking"))
    view.apply(feed.Subtitle("disclosure", "This is an AI re-creation."))
    view.apply(feed.State("speaking"))
    assert draw(view)["subtitle"] == {"role": "disclosure", "text": "This is an AI re-creation."}
    view.apply(feed.Subtitle("reply", "Cold, always cold."))
    shown = draw(view)
    assert shown["subtitle"]["text"] == "Cold, always cold." and shown["touch_text"] == "Touch to stop"
    view.apply(feed.State("listening"))
    assert draw(view)["subtitle"] is None


def test_heard_is_shown_only_when_the_service_allows_it() -> None:
    view = FrameView("w")
    view.apply(feed.Hello(feed.Persona("W"), "listening", None, show_heard=True))
    view.apply(feed.Subtitle("heard", "how was the lake"))
    assert draw(view)["heard"] == "how was the lake"


def test_crisis_help_survives_state_changes_and_the_voice_going_away() -> None:
    view = FrameView("w")
    view.apply(feed.Hello(feed.Persona("W"), "idle"))
    view.apply(feed.CrisisShown(feed.Crisis("988", "Anna, 555 0100")))
    view.apply(feed.State("idle"))
    view.disconnected()
    shown = draw(view, dt.time(23, 30))
    assert shown["crisis"]["help_line"] == "988" and shown["night"] == "day"  # help is never dimmed
    view.apply(feed.Hello(feed.Persona("W"), "idle", feed.Crisis("988")))
    view.apply(feed.SessionEnd())
    assert draw(view)["crisis"] is None


def test_care_state_and_retired_explain_a_silent_voice() -> None:
    view = FrameView("w")
    view.disconnected()
    view.care_state = "paused"
    assert draw(view)["state_text"] == "Paused by the family"
    view.retired = True
    assert draw(view)["state"] == "goodbye"


def test_chinese_persona_gets_chinese_labels() -> None:
    view = FrameView("w", language="zh-CN")
    assert draw(view)["ai_label"] == "AI 再现 · 不是本人"
    assert texts_for("fr")["ai_label"] == "AI re-creation"


@given(st.times(), st.sampled_from(["22:00", "00:00", "07:00", "23:59"]), st.sampled_from(["06:30", "07:00", "22:00"]))
def test_night_is_the_span_from_start_to_end(now: dt.time, start: str, end: str) -> None:
    mode = night_mode(now, start, end, "off")
    minutes = now.hour * 60 + now.minute
    a = int(start[:2]) * 60 + int(start[3:])
    b = int(end[:2]) * 60 + int(end[3:])
    inside = a <= minutes < b if a < b else (a != b and (minutes >= a or minutes < b))
    assert mode == ("off" if inside else "day")
    assert night_mode(now, start, end, "none") == "day"


def test_a_conversation_at_night_lights_the_screen() -> None:
    view = FrameView("w")
    view.apply(feed.Hello(feed.Persona("W"), "idle"))
    assert draw(view, dt.time(23, 0))["night"] == "dim"
    view.apply(feed.State("listening"))
    assert draw(view, dt.time(23, 0))["night"] == "day"


def test_photo_types_are_checked_by_their_bytes() -> None:
    assert sniff_ok("image/png", b"\x89PNG\r\n\x1a\n....")
    assert sniff_ok("image/jpeg", b"\xff\xd8\xff\xe0")
    assert sniff_ok("image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    assert not sniff_ok("image/png", b"\xff\xd8\xff\xe0")  # mislabelled
    assert not sniff_ok("image/heic", b"\x00\x00\x00\x18ftypheic")  # Chromium cannot show it
    assert not sniff_ok("image/jpeg", b"")
