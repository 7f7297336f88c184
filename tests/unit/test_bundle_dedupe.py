"""One chat is one chat (issue 19, item 3): the same conversation exported again under another name,
or from Android WhatsApp, iPhone WhatsApp and Telegram, adds each message once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from companion.persona.bundle.dedupe import message_key, minute, normalise_text
from companion.persona.bundle.importer import SKIP_DUPLICATE, import_files
from companion.persona.bundle.imports import forget_import
from companion.persona.bundle.maintenance import verify_bundle
from companion.persona.bundle.store import Bundle
from companion.persona.bundle.style import summarise_style
from unit.chat_layouts import (
    T0,
    android_whatsapp,
    conversation,
    iphone_whatsapp,
    telegram_json,
)
from unit.test_bundle_review import SECRET, make_bundle


@pytest.fixture()
def bundle(tmp_path: Path) -> Iterator[Bundle]:
    with make_bundle(tmp_path / "rose") as opened:
        yield opened


def persona_texts(bundle: Bundle) -> list[str]:
    return sorted(row[0] for row in bundle.db.execute("SELECT text FROM records WHERE role = 'persona'"))


def test_the_same_chat_from_android_iphone_and_telegram_is_added_once(bundle: Bundle, tmp_path: Path) -> None:
    chat = conversation(n=6)
    android = android_whatsapp(tmp_path / "WhatsApp Chat with Tom.txt", chat)
    iphone = iphone_whatsapp(tmp_path / "_chat.txt", chat, names={"Grandma Rose": "Gran"})
    telegram = telegram_json(tmp_path / "result.json", chat, chat="Tom", names={"Grandma Rose": "Rose Smith"})
    [first] = import_files(bundle, [android], fmt="auto", speaker="Grandma Rose", progress=False)
    once = (persona_texts(bundle), bundle.count("records"), bundle.count("reply_pairs"))
    assert (first.kept, len(once[0]), once[2]) == (6, 6, 6)
    [second] = import_files(bundle, [iphone], fmt="auto", speaker="Gran", progress=False)
    [third] = import_files(bundle, [telegram], fmt="auto", speaker="Rose Smith", progress=False)
    assert (second.format, third.format) == ("whatsapp", "telegram")
    for summary in (second, third):
        assert summary.status == "imported" and summary.read >= 12
        assert (summary.kept, summary.pairs, summary.skipped[SKIP_DUPLICATE]) == (0, 0, 6)
    assert (persona_texts(bundle), bundle.count("records"), bundle.count("reply_pairs")) == once
    style = summarise_style(persona_texts(bundle))
    assert style.messages == 6  # not 18: the statistics are not skewed
    assert verify_bundle(bundle).ok

    # Every export holds the chat: forgetting two of them leaves it whole.
    forget_import(bundle, first.sha256)
    forget_import(bundle, third.sha256)
    assert (persona_texts(bundle), bundle.count("records"), bundle.count("reply_pairs")) == once
    forget_import(bundle, second.sha256)
    assert bundle.count("records") == bundle.count("reply_pairs") == 0


def test_a_newer_export_under_another_name_adds_only_what_is_new(bundle: Bundle, tmp_path: Path) -> None:
    (tmp_path / "march").mkdir()
    old = android_whatsapp(tmp_path / "march" / "WhatsApp Chat with Tom.txt", conversation(n=4))
    newer = android_whatsapp(tmp_path / "WhatsApp Chat with Tom 2021-04.txt", conversation(n=6))
    import_files(bundle, [old], fmt="auto", speaker="Grandma Rose", progress=False)
    [summary] = import_files(bundle, [newer], fmt="auto", speaker="Grandma Rose", progress=False)
    assert (summary.kept, summary.pairs, summary.skipped[SKIP_DUPLICATE]) == (2, 2, 4)
    assert len(persona_texts(bundle)) == 6 and bundle.count("reply_pairs") == 6
    assert bundle.count("records") == 12
    assert verify_bundle(bundle).ok


def test_repeats_within_one_export_stay_and_match_one_for_one(bundle: Bundle, tmp_path: Path) -> None:
    t = T0
    chat = [("Tom", t, "Are you home?"), ("Grandma Rose", t + dt.timedelta(seconds=20), "ok"),
            ("Grandma Rose", t + dt.timedelta(seconds=40), "ok")]
    import_files(bundle, [android_whatsapp(tmp_path / "a.txt", chat)], fmt="auto", speaker="Grandma Rose",
                 progress=False)
    assert persona_texts(bundle) == ["ok", "ok"]
    import_files(bundle, [iphone_whatsapp(tmp_path / "b.txt", chat)], fmt="auto", speaker="Grandma Rose",
                 progress=False)
    assert persona_texts(bundle) == ["ok", "ok"]
    more = [*chat, ("Grandma Rose", t + dt.timedelta(seconds=50), "OK ")]
    import_files(bundle, [iphone_whatsapp(tmp_path / "c.txt", more)], fmt="auto", speaker="Grandma Rose",
                 progress=False)
    assert persona_texts(bundle) == ["OK", "ok", "ok"]  # the third one is new


def test_different_messages_stay_apart() -> None:
    t = "2021-03-12T09:15:27"
    key = message_key("persona", "Rose", t, "Come at two")
    assert key == message_key("persona", "Gran", "2021-03-12T09:15:00", "come  at two")  # any name for the persona
    assert key != message_key("persona", "Rose", "2021-03-12T09:16:00", "Come at two")  # another minute
    assert key != message_key("persona", "Rose", t, "Come at three")
    assert key != message_key("context", "Rose", t, "Come at two")
    assert message_key("context", "Tom", t, "hi") != message_key("context", "Ann", t, "hi")


@pytest.mark.parametrize("a, b", [
    ("Don\u2019t forget \u2764\ufe0f", "don't forget \u2764"),  # curly apostrophe, emoji presentation selector
    ("\u200eimage omitted", "image omitted"),  # iPhone's left-to-right mark
    ("See you Sunday <This message was edited>", "See you Sunday"),
    ("Ｃａｆé  ok", "café ok"),  # full-width letters, composed accents, double spaces
])
def test_normalised_text(a: str, b: str) -> None:
    assert normalise_text(a) == normalise_text(b)


def test_minute_takes_wall_clock_time() -> None:
    assert minute("2021-03-12T09:15:59") == minute("2021-03-12T09:15") == "2021-03-12T09:15"
    assert minute(None) == ""
    aware = dt.datetime(2021, 3, 12, 9, 15, 30, tzinfo=dt.timezone.utc)
    assert minute(aware.isoformat()) == aware.astimezone().strftime("%Y-%m-%dT%H:%M")


def test_a_bundle_from_before_the_keys_gets_them_on_opening(tmp_path: Path) -> None:
    folder = tmp_path / "rose"
    chat = conversation(n=3)
    with make_bundle(folder) as bundle:
        import_files(bundle, [android_whatsapp(tmp_path / "a.txt", chat)], fmt="auto", speaker="Grandma Rose",
                     progress=False)
        with bundle.transaction():
            bundle.db.execute("DROP TABLE message_keys")
    with Bundle.open(folder, SECRET.encode()) as bundle:
        [summary] = import_files(bundle, [iphone_whatsapp(tmp_path / "b.txt", chat)], fmt="auto",
                                 speaker="Grandma Rose", progress=False)
        assert summary.kept == 0 and len(persona_texts(bundle)) == 3
