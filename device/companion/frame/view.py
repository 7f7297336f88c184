"""What the frame shows, as a pure function of the feed's events, the connection and the clock.

The page (page/frame.js) only draws this dictionary; every decision (which state, which words
in which language, whether the crisis help is up, whether it is night) is made here, where unit
tests can reach it without a browser.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .. import feed

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "ai_label": "AI re-creation",
        "idle": "Touch here or press the button to talk",
        "listening": "Listening…",
        "thinking": "Thinking…",
        "speaking": "Speaking",
        "paused": "Paused by the family",
        "goodbye": "Goodbye has been said",
        "mic-missing": "The microphone is not connected",
        "offline": "The voice is not running",
        "connecting": "Starting…",
        "touch": "Touch to talk",
        "touch_stop": "Touch to stop",
        "crisis_title": "Please call for help now",
        "crisis_contact": "or",
        "heard": "You said",
        "note_folder": "No photos yet. Photos are kept in a persona bundle: companion persona add-photo.",
        "note_none_yet": "No photos yet. Add them with: companion persona add-photo.",
        "note_cannot_open": "The photos cannot be opened: {detail}",
        "note_cannot_read": "The photos cannot be read: {detail}",
        "note_none_showable": "The photos cannot be shown (damaged, or a type the screen cannot show).",
        "note_retired": "This persona was retired.",
    },
    "zh": {
        "ai_label": "AI 再现 · 不是本人",
        "idle": "轻触这里或按按钮说话",
        "listening": "正在听…",
        "thinking": "正在想…",
        "speaking": "正在说",
        "paused": "家人已暂停对话",
        "goodbye": "已经道别",
        "mic-missing": "麦克风没有连接",
        "offline": "语音服务没有运行",
        "connecting": "正在启动…",
        "touch": "轻触说话",
        "touch_stop": "轻触停止",
        "crisis_title": "请现在打电话求助",
        "crisis_contact": "或",
        "heard": "你说",
        "note_folder": "还没有照片。照片保存在人物包里：companion persona add-photo。",
        "note_none_yet": "还没有照片。用 companion persona add-photo 添加。",
        "note_cannot_open": "照片无法打开：{detail}",
        "note_cannot_read": "照片无法读取：{detail}",
        "note_none_showable": "照片无法显示（已损坏，或屏幕不支持这种格式）。",
        "note_retired": "这个人物已经退役。",
    },
}

ACTIVE = ("listening", "thinking", "speaking")


def texts_for(language: str) -> dict[str, str]:
    """The page's words in the persona's language (its family: "zh-TW" -> "zh"); English otherwise."""
    return TEXTS.get(language.lower().replace("_", "-").split("-")[0], TEXTS["en"])


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def night_mode(now: dt.time, start: str, end: str, mode: str) -> str:
    """"day", or the night ``mode`` ("dim"/"off") between ``start`` and ``end`` (may cross midnight)."""
    if mode == "none" or start == end:
        return "day"
    t, a, b = now.hour * 60 + now.minute, _minutes(start), _minutes(end)
    at_night = a <= t < b if a < b else (t >= a or t < b)
    return mode if at_night else "day"


@dataclass
class FrameView:
    """The frame's model; ``apply`` folds in feed events, ``to_dict`` is what the page draws."""

    display_name: str
    language: str = "en"
    connected: bool = False
    ever_connected: bool = False
    attempted: bool = False
    """A connection was tried (before that the page says "Starting…", after it "not running")."""
    state: str = "idle"
    subtitle: feed.Subtitle | None = None
    heard: str = ""
    crisis: feed.Crisis | None = None
    show_heard: bool = False
    retired: bool = False
    care_state: str | None = None
    """"paused"/"goodbye" read from the care state while the voice is not running."""
    photos: list[dict[str, Any]] = field(default_factory=list)
    photo_note: str = ""
    """Why no photo shows (photos.PhotoSource.note: "", "folder", "none_yet", ...)."""
    photo_detail: str = ""
    version: int = 0

    def apply(self, event: feed.Event) -> None:
        self.version += 1
        if isinstance(event, feed.Hello):
            self.connected = self.ever_connected = True
            self.display_name = event.persona.display_name or self.display_name
            self.language = event.persona.language or self.language
            self.state, self.crisis, self.show_heard = event.state, event.crisis, event.show_heard
            self.subtitle, self.heard = None, ""
        elif isinstance(event, feed.State):
            self.state = event.state
            if event.state not in ("thinking", "speaking"):
                self.subtitle, self.heard = None, ""
        elif isinstance(event, feed.Subtitle):
            if event.role == "heard":
                self.heard = event.text if self.show_heard else ""
            else:
                self.subtitle = event
        elif isinstance(event, feed.Clear):
            self.subtitle, self.heard = None, ""
        elif isinstance(event, feed.CrisisShown):
            self.crisis = event.crisis
        elif isinstance(event, feed.SessionEnd):
            self.crisis = None

    def disconnected(self) -> None:
        """The voice service went away: keep the crisis help (the session has not ended for the listener)."""
        self.version += 1
        self.connected = False
        self.attempted = True
        self.subtitle, self.heard = None, ""

    def effective_state(self) -> str:
        if self.retired:
            return "goodbye"
        if self.connected:
            return self.state
        if self.care_state is not None:
            return self.care_state
        return "offline" if self.attempted else "connecting"

    def to_dict(self, *, now: dt.time, night: tuple[str, str, str], slide_s: float) -> dict[str, Any]:
        words = texts_for(self.language)
        state = self.effective_state()
        mode = night_mode(now, *night)
        if state in ACTIVE or self.crisis is not None:
            mode = "day"  # a conversation at night lights the screen, and help is never dimmed
        subtitle = None if self.subtitle is None else {"role": self.subtitle.role, "text": self.subtitle.text}
        return {
            "version": self.version,
            "display_name": self.display_name,
            "language": self.language,
            "ai_label": words["ai_label"],
            "state": state,
            "state_text": words.get(state, state),
            "connected": self.connected,
            "touch_text": words["touch_stop"] if state in ("thinking", "speaking") else words["touch"],
            "touch_enabled": self.connected and state in ("idle", *ACTIVE),
            "subtitle": subtitle,
            "heard": self.heard if self.show_heard else "",
            "heard_label": words["heard"],
            "crisis": None if self.crisis is None else {
                "title": words["crisis_title"], "help_line": self.crisis.help_line,
                "contact": self.crisis.contact, "contact_label": words["crisis_contact"],
            },
            "night": mode,
            "photos": self.photos,
            "photo_note": words[f"note_{self.photo_note}"].format(detail=self.photo_detail) if self.photo_note else "",
            "photos_unshowable": words["note_none_showable"],
            "slide_s": slide_s,
        }
