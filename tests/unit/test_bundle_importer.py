"""The importer: speaker selection, reply pairs, group skip, redaction, dedupe, atomicity; style; photos."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.consent import new_record
from companion.persona.bundle.importer import default_redactor, import_records
from companion.persona.bundle.pairing import SKIP_DUPLICATE, SKIP_GROUP, SKIP_OTHER
from companion.persona.bundle.keys import BundleError
from companion.persona.bundle.maintenance import add_photo, read_captions, verify_bundle
from companion.persona.bundle.store import Bundle, PersonaCard, new_bundle_id
from companion.persona.bundle.style import summarise_style
from companion.persona.ingest.records import ChatRecord, ExportFormatError

T0 = dt.datetime(2022, 5, 1, 8, 0)


@pytest.fixture()
def bundle(tmp_path: Path) -> Iterator[Bundle]:
    bundle_id = new_bundle_id()
    consent = new_record(persona_name="Rose", authorised_by="Ann", relationship="child", status="deceased",
                         audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=bundle_id)
    card = PersonaCard(name="Rose", display_name="Grandma Rose", language="en", fallback_replies=("I forget.",))
    with Bundle.create(tmp_path / "b", b"passphrase-123", card, consent) as opened:
        yield opened


def msg(speaker: str, text: str, minutes: float, **kw: object) -> ChatRecord:
    fields: dict[str, object] = {"conversation": "Ann"}
    fields.update(kw)
    return ChatRecord(source=str(fields.pop("source", "whatsapp")), speaker=speaker, text=text,
                      time=T0 + dt.timedelta(minutes=minutes), **fields)  # type: ignore[arg-type]


def run(bundle: Bundle, records: list[ChatRecord], sha: str = "a" * 64, **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("redactor", lambda text: text)
    return import_records(bundle, records, filename="chat.txt", file_sha256=sha, fmt="whatsapp",
                          speaker=str(kw.pop("speaker", "rose")), progress=False, **kw)  # type: ignore[arg-type]


def pairs(bundle: Bundle) -> list[tuple[str | None, str]]:
    return [(p[1], p[2]) for p in bundle.pairs()]


CHAT = [
    msg("Ann", "Morning Mum!", 0),
    msg("Ann", "How do you make your apple pie?", 1),
    msg("Rose", "Cold butter, love.", 3),
    msg("Rose", "And a pinch of nutmeg.", 4),
    msg("Ann", "Thanks!", 5),
    msg("Bob", "Is the car fixed?", 60 * 30),  # 30 h later: nobody answered it
    msg("Ann", "Where did you meet Dad?", 60 * 60),
    msg("Rose", "At the dance hall in Leeds, 1961.", 60 * 60 + 2),
]


def test_speaker_selection_and_reply_pairs_from_turn_order(bundle: Bundle) -> None:
    summary = run(bundle, CHAT, speaker="  ROSE ")
    assert (summary.read, summary.kept, summary.pairs) == (8, 3, 2)
    assert pairs(bundle) == [
        ("Morning Mum! How do you make your apple pie?", "Cold butter, love. And a pinch of nutmeg."),
        ("Where did you meet Dad?", "At the dance hall in Leeds, 1961."),
    ]
    speakers = dict(bundle.db.execute("SELECT speaker, count(*) FROM records GROUP BY speaker"))
    assert speakers == {"Rose": 3, "Ann": 3}  # "Thanks!" and Bob's question are not kept (C7)
    assert summary.skipped[SKIP_OTHER] == 2
    assert bundle.card.speakers == ("ROSE",)
    assert verify_bundle(bundle).ok


def test_reply_to_names_the_context(bundle: Bundle) -> None:
    records = [
        msg("Ann", "What was your first job?", 0, record_id="1"),
        msg("Ann", "Also, are you coming Sunday?", 1, record_id="2"),
        msg("Rose", "Yes, I'll bring the trifle.", 2, record_id="3", reply_to="2"),
        msg("Rose", "My first job was at the mill, at fourteen.", 3, record_id="4", reply_to="1"),
    ]
    run(bundle, records)
    assert pairs(bundle) == [
        ("Also, are you coming Sunday?", "Yes, I'll bring the trifle."),
        ("What was your first job?", "My first job was at the mill, at fourteen."),
    ]


def test_old_messages_are_not_context_and_documents_are_the_persona_words(bundle: Bundle) -> None:
    records = [
        msg("Ann", "Happy birthday!", 0),
        msg("Rose", "Thank you, sweetheart.", 60 * 24 * 3),  # three days later
        msg("", "Dear Ann, the garden is full of roses this year.", 0, source="text", conversation="letters"),
    ]
    summary = run(bundle, records)
    assert summary.kept == 2
    assert sorted(pairs(bundle), key=str) == sorted(
        [(None, "Thank you, sweetheart."), (None, "Dear Ann, the garden is full of roses this year.")], key=str
    )


def test_group_chats_are_skipped_unless_asked_for(bundle: Bundle) -> None:
    group = [msg("Ann", "Family dinner?", 0, is_group=True, conversation="Family"),
             msg("Rose", "Count me in!", 1, is_group=True, conversation="Family")]
    summary = run(bundle, group)
    assert summary.kept == 0 and summary.skipped[SKIP_GROUP] == 2
    summary = run(bundle, group, sha="b" * 64, include_groups=True)
    assert summary.kept == 1 and pairs(bundle) == [("Family dinner?", "Count me in!")]


def test_reimport_adds_nothing_twice(bundle: Bundle) -> None:
    run(bundle, CHAT)
    before = (bundle.count("records"), bundle.count("reply_pairs"))
    again = run(bundle, CHAT)
    assert again.status == "already imported" and again.read == 0
    overlapping = run(bundle, CHAT + [msg("Rose", "Love you.", 60 * 70)], sha="f" * 64)  # a newer export
    assert overlapping.kept == 1 and overlapping.skipped[SKIP_DUPLICATE] == 3
    assert (bundle.count("records"), bundle.count("reply_pairs")) == (before[0] + 1, before[1] + 1)
    assert set(bundle.consent().source_hashes) == {"a" * 64, "f" * 64}  # type: ignore[union-attr]
    assert verify_bundle(bundle).ok


def test_a_failing_file_leaves_the_bundle_as_before(bundle: Bundle) -> None:
    run(bundle, CHAT[:4])
    before = bundle.db.execute("SELECT count(*), (SELECT record FROM consent) FROM records").fetchone()

    def broken() -> Iterator[ChatRecord]:
        yield from CHAT
        raise ExportFormatError("bad line", where="chat2.txt, line 99")

    with pytest.raises(ExportFormatError):
        run(bundle, broken(), sha="2" * 64)  # type: ignore[arg-type]
    assert bundle.db.execute("SELECT count(*), (SELECT record FROM consent) FROM records").fetchone() == before
    assert bundle.imported_file("2" * 64) is None
    assert verify_bundle(bundle).ok


def test_the_redactor_runs_on_every_kept_text(bundle: Bundle) -> None:
    run(bundle, CHAT, redactor=lambda text: text.replace("Leeds", "[place]").replace("apple", "[x]"))
    texts = " ".join(row[0] for row in bundle.db.execute("SELECT text FROM records"))
    texts += " ".join(str(p) for p in pairs(bundle))
    assert "Leeds" not in texts and "apple" not in texts and "[place]" in texts


def test_third_party_contact_details_are_redacted_by_default(bundle: Bundle) -> None:
    redact = default_redactor()
    records = [msg("Ann", "Call Dr Patel on +44 7700 900123 or mail patel@example.org", 0),
               msg("Rose", "I'll ring him at 07700 900123 tomorrow, love.", 1)]
    run(bundle, records, redactor=redact)
    stored = " ".join(row[0] for row in bundle.db.execute("SELECT text FROM records"))
    assert "900123" not in stored and "patel@example.org" not in stored
    assert "love" in stored


def test_style_summary() -> None:
    style = summarise_style(["Hi kiddo, how was school? 😀", "Love you, kiddo!", "Goodnight kiddo ❤",
                             "See you soon, sweetheart.", "Love you, kiddo.", "Fine 😀", "今天天气很好"])
    assert style.messages == 7 and style.median_words == 3
    assert style.emoji[0] == ("😀", 2)
    assert style.address_terms[0] == ("kiddo", 4)
    assert ("love you kiddo", 2) in style.phrases


def test_photos_with_captions(bundle: Bundle, tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "lake.jpg").write_bytes(b"\xff\xd8\xff\xe0fake-jpeg")
    (folder / "captions.csv").write_text("file,caption\nlake.jpg,\"Rose at the lake, 1975\"\n")
    with bundle.transaction():
        assert [add_photo(bundle, p, c) for p, c in read_captions(folder)] == [True]
        assert add_photo(bundle, folder / "lake.jpg", "again") is False
    assert bundle.db.execute("SELECT caption FROM photos").fetchone()[0] == "Rose at the lake, 1975"
    (folder / "captions.csv").write_text("../secret.jpg,nope\n")
    with pytest.raises(BundleError, match="outside the folder"):
        read_captions(folder)
    (folder / "notes.txt").write_text("x")
    with pytest.raises(BundleError, match="photo type"):
        add_photo(bundle, folder / "notes.txt", "a note")


def test_a_wrong_speaker_imports_nothing_and_does_not_block_a_retry(bundle: Bundle) -> None:
    wrong = run(bundle, CHAT, speaker="Rosie")
    assert wrong.status.startswith("nothing by this speaker") and wrong.kept == 0
    assert bundle.count("records") == 0 and bundle.count("import_journal") == 0
    assert bundle.consent().source_hashes == ()  # type: ignore[union-attr]
    assert run(bundle, CHAT, speaker="Rose").kept == 3


def test_the_shortlist_finds_the_exact_best_text() -> None:
    import numpy as np

    from companion.persona.shortlist import Shortlist

    rng = np.random.default_rng(3)
    # Embedding-like: 400 topics, texts scattered around them, unit length.
    topics = rng.normal(size=(400, 384)).astype(np.float32)
    matrix = topics[rng.integers(400, size=30_000)] + rng.normal(scale=0.6, size=(30_000, 384)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    shortlist = Shortlist(matrix)
    for row in rng.integers(30_000, size=50):
        query = matrix[row] + rng.normal(scale=0.03, size=384).astype(np.float32)
        query /= np.linalg.norm(query)
        exact = matrix @ query
        fast = shortlist.similarity(matrix, query)
        assert int(np.argmax(fast)) == int(np.argmax(exact))
        assert np.isclose(fast.max(), exact.max()) and (fast[fast > -1] <= exact.max() + 1e-6).all()
