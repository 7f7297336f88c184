"""`companion chat`'s turn loop with the real ethics hooks and guardrails (a scripted engine only)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from companion.config import EthicsSettings
from companion.errors import PersonaError
from companion.ethics import cues
from companion.ethics.guardrails import guard
from companion.ethics.runtime import EthicsHooks
from companion.persona.base import Exchange
from companion.persona.folder import load_persona_folder
from companion.persona.reply import ReplyKind, ReplyPiece, piece
from companion.service.chat import (
    MAX_CHARS,
    ChatSession,
    TextOnlyVoice,
    read_lines,
    run_chat,
)


class EchoHistory:
    """Says how many exchanges it was given: the history is a value the session passes in."""

    display_name = name = "Walter"
    language = "en"
    fallback_replies = ("I don't remember.",)
    consent = None

    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[ReplyPiece]:
        yield piece(f"I heard {len(history)} before.", ReplyKind.MEMORY, score=0.9, message_id="m-1")


def session(now: list[float]) -> ChatSession:
    hooks = EthicsHooks(EthicsSettings(session_gap_min=30, help_number="116 123"), tts=TextOnlyVoice(), persona_name="Walter",
                        clock=lambda: now[0])
    return ChatSession(guard(EchoHistory(), crisis_template="Call {help_number}.", help_number="116 123"), hooks)


def test_the_session_opens_with_the_disclosure_and_forgets_at_the_gap() -> None:
    now = [1000.0]
    chat = session(now)
    first = chat.say("Hello")
    assert first.pieces[0].kind is ReplyKind.DISCLOSURE and "AI re-creation" in first.pieces[0].text
    assert first.new_session and first.reply == "I heard 0 before."
    now[0] += 60
    assert chat.say("And then?").reply == "I heard 1 before."
    assert chat.say("More?").pieces[0].kind is ReplyKind.MEMORY  # no second disclosure within the session
    now[0] += 31 * 60  # the session gap
    later = chat.say("Hello again")
    assert later.new_session and later.pieces[0].kind is ReplyKind.DISCLOSURE and later.reply == "I heard 0 before."


def test_guardrails_answer_before_the_engine() -> None:
    chat = session([0.0])
    turn = chat.say("I want to end my life")
    assert turn.to_dict()["kind"] == "crisis" and "116 123" in turn.reply


def test_bad_lines_get_one_clear_line_and_the_chat_goes_on() -> None:
    chat = session([0.0])
    data = b"Hello\n\n" + b"x" * 10_000 + b"\n\xff\xfe\xfa\nStill there?\n"
    out, err = io.StringIO(), io.StringIO()
    status = run_chat(chat, as_json=True, stdin=io.BytesIO(data), out=out, err=err, interactive=False)
    replies = [json.loads(line) for line in out.getvalue().splitlines()]
    assert status == 1 and len(replies) == 2
    assert set(replies[0]) >= {"reply", "kind", "message_id", "score", "latency_ms"}
    assert replies[1]["message_id"] == "m-1" and replies[1]["kind"] == "memory"
    problems = err.getvalue().splitlines()
    assert len(problems) == 3 and all(p.startswith("companion chat: line ") for p in problems)
    assert "empty" in problems[0] and "too long" in problems[1] and "UTF-8" in problems[2]


def test_an_endless_line_is_skipped_without_being_held() -> None:
    lines = list(read_lines(io.BytesIO(b"a" * 500_000 + b"\nok\n"), False, "", io.StringIO()))
    assert [(n, t) for n, t, _ in lines] == [(1, None), (2, "ok")]
    assert str(MAX_CHARS) in lines[0][2]


@pytest.mark.parametrize("question", [
    "What was your father's first name?", "Did you ever have an operation in hospital?",
    "What was your mother's maiden name?", "Is your brother still alive?", "How much did you pay for it?",
    "What name was on your birth certificate?",
])
def test_family_health_and_name_questions_are_not_cues(question: str) -> None:
    assert not cues.is_alive_question(question) and not cues.is_fraud_request(question)
    assert not cues.may_ask_alive(question) or question.startswith("Is your")  # "is your" is not "is this"
    assert not cues.may_ask_fraud(question) or "pay" in question


def test_the_semantic_classes_need_a_line_addressed_to_the_speaker_or_naming_money() -> None:
    assert cues.may_ask_alive("Am I talking to a machine?") and cues.may_ask_alive("Is this really you?")
    assert not cues.may_ask_alive("Did you ever play chess?")
    assert cues.may_ask_fraud("Can you lend me a few quid?") and cues.may_ask_fraud("Let's keep this from Mum")
    assert not cues.may_ask_fraud("What was your wife's maiden name?")


def _card(tmp_path: Path, extra: str) -> Path:
    (tmp_path / "persona.toml").write_text(
        'name = "June"\ndisplay_name = "Nana June"\ndescription = "x"\nlanguage = "en"\n'
        'fallback_replies = ["I forget, love."]\n' + extra, encoding="utf-8")
    (tmp_path / "messages.jsonl").write_text('{"id": "a", "text": "Hello love."}\n', encoding="utf-8")
    return tmp_path


def test_the_card_may_hold_lines_per_kind_and_the_way_of_address(tmp_path: Path) -> None:
    folder = load_persona_folder(_card(tmp_path, 'address = "love"\n[kind_replies]\nnews = ["Oh, well done!"]\n'))
    assert folder.address == "love" and folder.kind_replies == {"news": ("Oh, well done!",)}
    with pytest.raises(PersonaError, match="unknown kind_replies key 'gossip'"):
        load_persona_folder(_card(tmp_path, '[kind_replies]\ngossip = ["x"]\n'))
    with pytest.raises(PersonaError, match="kind_replies.news must be a list"):
        load_persona_folder(_card(tmp_path, '[kind_replies]\nnews = "x"\n'))
