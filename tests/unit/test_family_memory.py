"""What the family told the persona, across sessions (issue 13 item 4): consent field, the sealed
file, and the remembering engine over a session boundary driven by an injectable clock."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from companion.consent import ConsentRecord, new_record, sign, verify
from companion.persona.base import Exchange
from companion.persona.bundle.family import (
    FAMILY_FILE,
    MAX_ENTRIES,
    MAX_SAID,
    NEWS,
    FamilyFile,
    Told,
    clear_family_file,
    open_family_file,
)
from companion.persona.bundle.keys import BundleError
from companion.persona.remember import (
    FamilyMemory,
    RememberingPersona,
    with_family_memory,
)
from companion.persona.reply import ReplyKind, ReplyPiece, piece
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

DATA_KEY = bytes(range(32))


def record(**overrides: object) -> ConsentRecord:
    fields = {"persona_name": "Walter", "authorised_by": "Ann", "relationship": "child", "status": "deceased",
                  "audience": ["household"], "valid_until": None, "owner_is_adult": True, "bundle_id": "b-1"}
    fields.update(overrides)
    return new_record(**fields)  # type: ignore[arg-type]


# -- consent -------------------------------------------------------------------------------------

def test_family_memory_defaults_to_off_and_old_records_still_verify() -> None:
    key = Ed25519PrivateKey.generate()
    old = sign(record(), key)
    assert old.family_memory is False
    legacy = json.loads(old.to_json())
    legacy.pop("family_memory")  # a record written before the field existed
    restored = ConsentRecord.from_json(json.dumps(legacy))
    assert restored.family_memory is False and verify(restored)


def test_the_family_memory_permission_is_signed() -> None:
    key = Ed25519PrivateKey.generate()
    allowed = sign(record(family_memory=True), key)
    assert allowed.family_memory and verify(allowed)
    granted_later = ConsentRecord.from_json(sign(record(), key).to_json().replace('"family_memory": false',
                                                                                  '"family_memory": true'))
    assert granted_later.family_memory and not verify(granted_later)  # nobody can grant it after signing


# -- the sealed file -----------------------------------------------------------------------------

def test_the_file_is_sealed_bound_to_its_bundle_and_bounded(tmp_path: Path) -> None:
    family = open_family_file(tmp_path, "b-1", DATA_KEY)
    entries = [Told(NEWS, f"I got the nurse job number {i}!" + "x" * 400, "Lucy", "2026-01-01T00:00:00+00:00")
               for i in range(MAX_ENTRIES + 5)]
    family.save(entries)
    raw = (tmp_path / FAMILY_FILE).read_bytes()
    assert b"nurse" not in raw and b"Lucy" not in raw  # nothing in plaintext
    loaded = family.load()
    assert len(loaded) == MAX_ENTRIES and all(len(t.said) <= MAX_SAID for t in loaded)
    assert loaded[-1].said.startswith(f"I got the nurse job number {MAX_ENTRIES + 4}")  # the oldest dropped
    with pytest.raises(BundleError):
        open_family_file(tmp_path, "b-2", DATA_KEY).load()  # moved into another bundle: does not open
    with pytest.raises(BundleError):
        open_family_file(tmp_path, "b-1", bytes(32)).load()  # another bundle's key
    assert clear_family_file(tmp_path) and not (tmp_path / FAMILY_FILE).exists()
    assert family.load() == [] and not clear_family_file(tmp_path)


def test_a_damaged_file_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / FAMILY_FILE).write_bytes(os.urandom(64))
    with pytest.raises(BundleError, match="family memory"):
        open_family_file(tmp_path, "b-1", DATA_KEY).load()


# -- the remembering engine ----------------------------------------------------------------------

class Inner:
    """The wrapped engine (a seam: the real engines are tested elsewhere; this one says what it was asked)."""

    display_name = name = "Walter"
    language = "en"
    fallback_replies = ("I don't remember.",)

    def __init__(self, consent: object | None = None) -> None:
        self.consent = consent
        self.asked: list[str] = []

    def respond(self, question: str, history: Sequence[Exchange] = ()) -> Iterator[ReplyPiece]:
        self.asked.append(question)
        return iter((piece("You'll have to remind me, kiddo.", ReplyKind.FALLBACK),))


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def talk(engine: RememberingPersona, lines: list[str]) -> list[ReplyPiece]:
    """One session: each line with the history so far (as the pipeline keeps it)."""
    history: list[Exchange] = []
    said = []
    for line in lines:
        reply = next(iter(engine.respond(line, tuple(history))))
        history.append(Exchange(line, reply.text, reply.source))
        said.append(reply)
    return said


def engine_on(folder: Path, clock: Clock) -> RememberingPersona:
    """A fresh engine over the same bundle folder: what a new start of the device sees."""
    return RememberingPersona(Inner(), FamilyMemory(open_family_file(folder, "b-1", DATA_KEY), clock=clock),
                              address="kiddo")


def test_news_told_in_one_session_is_remembered_in_the_next(tmp_path: Path) -> None:
    clock = Clock()
    first = engine_on(tmp_path, clock)
    talk(first, ["Hi grandpa", "My name is Lucy.", "I got the nurse job!", "I miss you so much",
                 "The door code is 4821, I'm pregnant"])
    clock.now += 3 * 3600  # a new session, hours later, after a restart
    second = engine_on(tmp_path, clock)
    reply = talk(second, ["Do you remember what I told you?"])[0]
    assert reply.kind is ReplyKind.REFLECTION
    assert reply.text == "You told me you got the nurse job, kiddo."  # the listener's own words, said back
    entries = second.memory.entries()
    assert [(t.kind, t.said, t.listener) for t in entries] == [("name", "Lucy", "Lucy"),
                                                              ("news", "I got the nurse job!", "Lucy")]
    assert entries[1].at.startswith("2027-01-15")  # stamped with the injected clock
    name = talk(second, ["What's my name?"])[0]
    assert name.kind is ReplyKind.REFLECTION and name.text == "You're Lucy, aren't you, kiddo?"


def test_this_session_answers_first_and_earlier_sessions_when_asked_about_them(tmp_path: Path) -> None:
    clock = Clock()
    talk(engine_on(tmp_path, clock), ["I'm pregnant!"])
    engine = engine_on(tmp_path, clock)
    now = talk(engine, ["We bought a house!", "What did I just tell you?"])
    assert "What did I just tell you?" in engine.inner.asked  # this session's memory: the engine's own (conversation.py)
    assert "pregnant" not in now[1].text
    before = talk(engine, ["We bought a house!", "What did I tell you last time?"])
    assert before[1].kind is ReplyKind.REFLECTION and "pregnant" in before[1].text


def test_another_listeners_news_is_not_told_as_theirs(tmp_path: Path) -> None:
    clock = Clock()
    talk(engine_on(tmp_path, clock), ["It's Tom", "I passed my driving test!"])
    talk(engine_on(tmp_path, clock), ["It's Lucy", "I got engaged!"])
    engine = engine_on(tmp_path, clock)
    lucy = talk(engine, ["It's Lucy", "Do you remember my news?"])[1]
    assert lucy.text == "You told me you got engaged, kiddo."
    someone = talk(engine, ["Do you remember what I told you?"])[0]
    assert "Lucy told me" in someone.text and "Tom told me" in someone.text  # whose news it was, in their words
    assert talk(engine, ["What's my name?"])[0].text == "Are you Tom or Lucy, kiddo?"


def test_nothing_remembered_means_the_inner_engine_answers(tmp_path: Path) -> None:
    engine = engine_on(tmp_path, Clock())
    reply = talk(engine, ["Do you remember what I told you?"])[0]
    assert reply.kind is ReplyKind.FALLBACK and engine.inner.asked == ["Do you remember what I told you?"]
    assert not (tmp_path / FAMILY_FILE).exists()


def test_clearing_while_running_forgets_at_the_next_turn(tmp_path: Path) -> None:
    clock = Clock()
    engine = engine_on(tmp_path, clock)
    talk(engine, ["I got the job!"])
    assert clear_family_file(tmp_path)
    assert talk(engine, ["What did I tell you last time?"])[0].kind is ReplyKind.FALLBACK
    talk(engine, ["We adopted a puppy!"])
    assert [t.said for t in FamilyFile(tmp_path, "b-1", engine.memory.file._key).load()] == ["We adopted a puppy!"]


def test_without_consent_nothing_is_kept(tmp_path: Path) -> None:
    inner = Inner(consent=record())
    assert with_family_memory(inner, tmp_path) is inner  # family_memory is off: not even unlocked
    plain = Inner(consent=None)
    assert with_family_memory(plain, tmp_path) is plain


@settings(max_examples=60, deadline=None)
@given(blob=st.binary(max_size=400))
def test_any_bytes_in_the_file_load_or_fail_with_one_bundle_error(blob: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / FAMILY_FILE).write_bytes(blob)
        try:
            assert open_family_file(Path(folder), "b-1", DATA_KEY).load() == []
        except BundleError as exc:
            assert "family memory" in str(exc)


@settings(max_examples=30, deadline=None)
@given(said=st.text(max_size=500), listener=st.one_of(st.none(), st.text(max_size=40)))
def test_whatever_is_said_round_trips_bounded(said: str, listener: str | None) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        family = open_family_file(Path(folder), "b-1", DATA_KEY)
        family.save([Told(NEWS, said or "x", listener, "2026-01-01T00:00:00+00:00")])
        loaded = family.load()
        if (said or "x").strip():
            assert loaded == [Told(NEWS, (said or "x")[:MAX_SAID], listener or None, "2026-01-01T00:00:00+00:00")]
