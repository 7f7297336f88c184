"""iMessage voice notes and videos (issue 20, left item 3): chat.db's ``attachment`` and
``message_attachment_join`` rows name files under ~/Library/Messages/Attachments/<xx>/<nn>/<GUID>/;
a copy of the Messages folder keeps them in ``Attachments`` beside chat.db, an iPhone backup as
files named by the SHA-1 of ``MediaDomain-<path>``. Both are written here in those layouts."""

from __future__ import annotations

import hashlib
import io
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from companion.persona.bundle import recordings as store
from companion.persona.ingest.imessage import IOS_SMS_DB, attachment_file
from companion.voice.recordings.commands import has_media, speaker_matcher
from companion.voice.recordings.importer import RecordingsSummary, store_candidates
from companion.voice.recordings.sources import find
from unit.test_bundle_review import make_bundle
from unit.ingest_helpers import utc
from unit.test_ingest_imessage import SAMPLES

ROOT = "~/Library/Messages/Attachments"
T1 = 707313600000000000  # message 1 of the sample: "Hi Grandpa! Are you free Sunday?"


def caf(seconds: float, rate: int = 16000) -> bytes:
    """A Core Audio Format file (what Messages records audio messages in)."""
    import av

    pcm = (0.3 * np.sin(2 * np.pi * 200 * np.arange(int(seconds * rate)) / rate) * 32767).astype(np.int16)
    out = io.BytesIO()
    with av.open(out, "w", format="caf") as container:
        stream = container.add_stream("alac", rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    return out.getvalue()


def mov(seconds: int, rate: int = 16000) -> bytes:
    """A tiny QuickTime video with a sound track (a phone clip)."""
    import av

    out = io.BytesIO()
    with av.open(out, "w", format="mov") as container:
        video = container.add_stream("mpeg4", rate=1)
        video.width = video.height = 32
        video.pix_fmt = "yuv420p"
        audio = container.add_stream("aac", rate=rate, layout="mono")
        for second in range(seconds):
            picture = av.VideoFrame.from_ndarray(np.full((32, 32, 3), 40 * second % 255, np.uint8), format="rgb24")
            picture.pts = second
            for packet in video.encode(picture):
                container.mux(packet)
        pcm = (0.3 * np.sin(np.arange(seconds * rate) / 5) * 32767).astype(np.int16).reshape(1, -1)
        sound = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        sound.sample_rate, sound.pts = rate, 0
        for packet in [*audio.encode(sound), *video.encode(None), *audio.encode(None)]:
            container.mux(packet)
    return out.getvalue()


ATTACHMENTS = [
    # message rowid, from me, attachment guid, stored path, uti, mime, data (None: not copied)
    (10, 1, "AT2", f"{ROOT}/3d/13/AT2-5C1F/Audio Message.caf", "com.apple.coreaudio-format", None, caf(2.0)),
    (11, 1, "AT3", f"{ROOT}/7a/10/AT3-9E02/IMG_0042.MOV", "com.apple.quicktime-movie", "video/quicktime", mov(3)),
    (12, 0, "AT4", f"{ROOT}/1c/02/AT4-0BB7/Audio Message.caf", "com.apple.coreaudio-format", None, caf(1.0)),
    (13, 1, "AT5", f"{ROOT}/44/08/AT5-77AA/Audio Message.caf", "com.apple.coreaudio-format", None, None),
    (14, 1, "AT6", f"{ROOT}/../../../../etc/evil.caf", "com.apple.coreaudio-format", None, None),
    (15, 1, "AT7", f"{ROOT}/0f/0f/AT7-1111/IMG_0001.HEIC", "public.heic", "image/heic", b"not audio"),
]


def chat_db(folder: Path) -> Path:
    """The sample chat.db (Grandpa is "Me") plus the messages above, in Messages' own tables."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "chat.db"
    db = sqlite3.connect(path)
    db.executescript((SAMPLES / "chat_db.sql").read_text(encoding="utf-8"))
    for rowid, mine, guid, stored, uti, mime, _ in ATTACHMENTS:
        db.execute("INSERT INTO message (ROWID, guid, text, handle_id, date, is_from_me, cache_has_attachments,"
                   " service) VALUES (?, ?, '\ufffc', ?, ?, ?, 1, 'iMessage')",
                   (rowid, f"M{rowid}", 0 if mine else 1, T1 + (rowid - 9) * 60_000_000_000, mine))
        db.execute("INSERT INTO chat_message_join VALUES (1, ?, 0)", (rowid,))
        db.execute("INSERT INTO attachment (ROWID, guid, filename, uti, mime_type, transfer_name) VALUES"
                   " (?, ?, ?, ?, ?, ?)", (rowid, guid, stored, uti, mime, stored.rsplit("/", 1)[-1]))
        db.execute("INSERT INTO message_attachment_join VALUES (?, ?)", (rowid, rowid))
    db.commit()
    db.close()
    return path


def messages_copy(tmp_path: Path) -> Path:
    """A copy of ~/Library/Messages: chat.db and Attachments/<xx>/<nn>/<GUID>/<name>."""
    path = chat_db(tmp_path / "Messages")
    for *_, stored, _uti, _mime, data in ATTACHMENTS:
        if data is not None and ".." not in stored:
            file = path.parent / "Attachments" / stored.split("Attachments/", 1)[1]
            file.parent.mkdir(parents=True)
            file.write_bytes(data)
    return path


def test_a_messages_folder_copy_links_the_persons_notes_and_videos_to_their_messages(tmp_path: Path) -> None:
    path = messages_copy(tmp_path)
    assert has_media(path)
    with utc():
        found = find([path], speaker_matcher("Me"))
    got = [(c.filename, c.time, c.context, c.message_origin) for c in found.candidates]
    assert got == [
        ("Audio Message.caf", "2023-06-01T12:01:00", "Hi Grandpa! Are you free Sunday?", f"{path}:message#10"),
        ("IMG_0042.MOV", "2023-06-01T12:02:00", "Hi Grandpa! Are you free Sunday?", f"{path}:message#11"),
    ]  # the grandchild's note (12) is not the person's; the photo (15) is not a recording
    assert found.candidates[0].read() == ATTACHMENTS[0][6] and found.candidates[1].read() == ATTACHMENTS[1][6]
    assert len(found.problems) == 2
    assert any("1 of the person's recordings skipped: missing from" in line for line in found.problems)
    assert any("leaves the Attachments folder" in line for line in found.problems)


def test_an_iphone_backup_keeps_attachments_under_hashed_names(tmp_path: Path) -> None:
    source = chat_db(tmp_path / "src")
    db = sqlite3.connect(source)
    db.execute("UPDATE attachment SET filename = replace(filename, 'Library/Messages', 'Library/SMS')")
    db.commit()
    db.close()
    backup = tmp_path / "Backup" / "00008030-001A"
    sms = backup / IOS_SMS_DB[:2] / IOS_SMS_DB
    sms.parent.mkdir(parents=True)
    shutil.copy(source, sms)
    for *_, stored, _uti, _mime, data in ATTACHMENTS[:2]:
        digest = hashlib.sha1(("MediaDomain-" + stored.replace("Library/Messages", "Library/SMS")[2:]).encode())
        file = backup / digest.hexdigest()[:2] / digest.hexdigest()
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(data)
    found = find([sms], speaker_matcher("Me"))
    assert [c.read() for c in found.candidates] == [ATTACHMENTS[0][6], ATTACHMENTS[1][6]]


def test_attachment_paths_never_leave_the_attachments_folder(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    outside = tmp_path / "secret.caf"
    outside.write_bytes(b"x")
    (tmp_path / "Attachments" / "ab").mkdir(parents=True)
    (tmp_path / "Attachments" / "ab" / "link.caf").symlink_to(outside)
    assert attachment_file(db, f"{ROOT}/ab/link.caf")[0] is None
    assert attachment_file(db, f"{ROOT}/ab/../../secret.caf") == (None, f"leaves the Attachments folder "
                                                                     f"('{ROOT}/ab/../../secret.caf')")
    assert attachment_file(db, "/etc/passwd")[0] is None and attachment_file(db, f"{ROOT}/")[0] is None


def test_imessage_recordings_are_stored_with_their_message_and_date(tmp_path: Path) -> None:
    path = messages_copy(tmp_path)
    with make_bundle(tmp_path / "grandpa") as bundle:
        summary = RecordingsSummary()
        with utc():
            candidates = find([path], speaker_matcher("Me")).candidates
        store_candidates(bundle, candidates, summary, progress=False, speaker="Me")
        assert (summary.stored, summary.problems) == (2, [])
        rows = {r.filename: r for r in store.recordings(bundle.db)}
        assert rows["Audio Message.caf"].source == "imessage" and rows["Audio Message.caf"].speaker == "Me"
        assert rows["Audio Message.caf"].time == "2023-06-01T12:01:00"
        assert rows["Audio Message.caf"].duration_s == pytest.approx(2.0, abs=0.05)
        assert rows["IMG_0042.MOV"].duration_s == pytest.approx(3.0, abs=0.1)
        assert store.recording_bytes(bundle.db, rows["IMG_0042.MOV"].id) == ATTACHMENTS[1][6]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["..", ".", "", "ab", "Attachments", "Library", "Messages", "SMS", "~", "x.caf",
                                 "/", "\\", "..\\..", "%2e%2e"]), max_size=10),
       st.sampled_from([ROOT + "/", "~/Library/SMS/Attachments/", "/Users/rose/Library/Messages/Attachments/", ""]))
def test_no_stored_path_resolves_outside_the_attachments(tmp_path_factory: pytest.TempPathFactory, parts: list[str],
                                                         root: str) -> None:
    folder = tmp_path_factory.mktemp("m")
    (folder / "Attachments" / "ab").mkdir(parents=True)
    (folder / "Attachments" / "ab" / "x.caf").write_bytes(b"x")
    (folder / "x.caf").write_bytes(b"outside")
    (folder.parent / "x.caf").write_bytes(b"outside")
    found, why = attachment_file(folder / "chat.db", root + "/".join(parts))
    assert (found is None) != (why is None)
    if found is not None:
        assert (folder / "Attachments").resolve() in found.resolve().parents and found.read_bytes() == b"x"
