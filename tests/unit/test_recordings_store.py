"""Recordings (issue 20): found in an export zip, probed, stored encrypted; the person's voice
picked out of several; transcripts cut into passages. Real bundle, real PyAV; no models."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from companion.consent import new_record
from companion.persona.bundle.store import Bundle, PersonaCard, new_bundle_id
from companion.persona.bundle import recordings as store
from companion.voice.recordings.importer import (
    RecordingsSummary,
    store_candidates,
    voice_profile,
)
from companion.voice.recordings.sources import find, whatsapp_zip
from companion.persona.bundle.recordings import Segment
from companion.voice.recordings.transcribe import passages
from hypothesis import given, settings
from hypothesis import strategies as st

CHAT = """\
12/03/2019, 09:15 - Tom: What did you grow?
12/03/2019, 09:17 - Rose: \u200ePTT-20190312-WA0001.opus (file attached)
12/03/2019, 09:18 - Tom: \u200ePTT-20190312-WA0002.opus (file attached)
12/03/2019, 09:19 - Rose: \u200ePTT-20190312-WA0003.opus (file attached)
"""


def opus(seconds: float, rate: int = 16000) -> bytes:
    import av

    t = np.arange(int(seconds * rate)) / rate
    pcm = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype(np.int16)
    out = io.BytesIO()
    with av.open(out, "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=48000, layout="mono")
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    return out.getvalue()


@pytest.fixture()
def bundle(tmp_path: Path) -> Iterator[Bundle]:
    bundle_id = new_bundle_id()
    consent = new_record(persona_name="Rose", authorised_by="Ann", relationship="child", status="deceased",
                         audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=bundle_id)
    card = PersonaCard(name="Rose", display_name="Grandma Rose", language="en", fallback_replies=("I forget.",))
    with Bundle.create(tmp_path / "b", b"passphrase-123", card, consent) as opened:
        yield opened


def rose(record: object) -> bool:
    return getattr(record, "speaker", "") == "Rose"


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_a_zip_with_path_traversal_loses_only_that_member(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "chat.zip", {
        "WhatsApp Chat with Rose.txt": CHAT.encode(), "PTT-20190312-WA0001.opus": b"a",
        "PTT-20190312-WA0002.opus": b"b", "../../PTT-20190312-WA0003.opus": b"evil",
    })
    found = whatsapp_zip(archive, rose)
    assert len(found.problems) == 1 and "leaves the archive" in found.problems[0]
    # Tom's note is not the person's words: never a candidate; the traversal member is never read.
    assert [c.filename for c in found.candidates] == ["PTT-20190312-WA0001.opus"]
    only = found.candidates[0]
    assert only.speaker == "Rose" and only.time == "2019-03-12T09:17:00" and only.context == "What did you grow?"
    assert only.read() == b"a"
    assert not (tmp_path.parent / "PTT-20190312-WA0003.opus").exists()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=30), max_size=6))
def test_any_member_names_never_escape_or_crash(tmp_path_factory: pytest.TempPathFactory, names: list[str]) -> None:
    folder = tmp_path_factory.mktemp("z")
    members = {"WhatsApp Chat with Rose.txt": CHAT.encode()}
    members.update({name + ".opus": b"x" for name in names if "\x00" not in name})
    found = find([make_zip(folder / "e.zip", members)], rose)
    for candidate in found.candidates:
        assert ".." not in Path(candidate.where.split("!", 1)[1]).parts


def test_store_keeps_good_notes_and_reports_each_bad_one(bundle: Bundle, tmp_path: Path) -> None:
    folder = tmp_path / "loose"
    folder.mkdir()
    (folder / "good.opus").write_bytes(opus(2.0))
    (folder / "corrupt.opus").write_bytes(b"OggS" + bytes(range(256)) * 8)
    (folder / "long.opus").write_bytes(opus(12.0))
    summary = RecordingsSummary()
    store_candidates(bundle, find([folder], rose).candidates, summary, progress=False, max_duration_s=10.0)
    assert summary.stored == 1 and summary.found == 3
    assert len(summary.problems) == 2
    assert any(line.startswith(f"{folder / 'corrupt.opus'}: skipped") for line in summary.problems)
    assert any("long.opus: skipped" in line and "limit" in line for line in summary.problems)
    (row,) = store.recordings(bundle.db)
    assert row.filename == "good.opus" and row.status == "pending" and 1.9 < row.duration_s < 2.2
    assert store.recording_bytes(bundle.db, row.id) == (folder / "good.opus").read_bytes()
    again = RecordingsSummary()
    store_candidates(bundle, find([folder / "good.opus"], rose).candidates, again, progress=False)
    assert again.already == 1 and again.stored == 0
    # the bytes are inside the encrypted database only
    bundle.close()
    raw = b"".join(p.read_bytes() for p in bundle.path.iterdir() if p.is_file())
    assert b"OggS" not in raw


def unit(v: list[float]) -> np.ndarray:
    a = np.array(v, dtype=np.float32)
    return a / np.linalg.norm(a)


def test_the_voice_most_recordings_share_is_the_persons() -> None:
    rng = np.random.default_rng(3)
    person = unit(list(rng.normal(size=16)))
    other = unit(list(rng.normal(size=16)))
    embs = {i: unit(list(person + 0.08 * rng.normal(size=16))) for i in range(4)}
    embs[9] = unit(list(other + 0.1 * rng.normal(size=16)))
    profile = voice_profile(embs, 0.75)
    assert profile is not None
    assert all(float(embs[i] @ profile) >= 0.75 for i in range(4)) and float(embs[9] @ profile) < 0.75
    assert float(profile @ person) > 0.9 and float(profile @ other) < 0.3
    # an enrolment clip decides, whatever the majority
    assert float(voice_profile(embs, 0.75, enrolment=other * 2) @ other) == pytest.approx(1.0, abs=1e-6)
    assert voice_profile({}, 0.75) is None


def test_passages_split_long_transcripts_and_keep_their_times() -> None:
    segs = [Segment(i * 5.0, i * 5.0 + 4.5, " ".join(["word"] * 15)) for i in range(5)]
    parts = passages(segs, max_words=40, max_s=25.0)
    assert [len(p.text.split()) for p in parts] == [30, 30, 15]
    assert (parts[0].start_s, parts[0].end_s, parts[2].start_s, parts[2].end_s) == (0.0, 9.5, 20.0, 24.5)
    assert passages([]) == []


def test_a_bundles_training_set_is_decrypted_only_while_used(bundle: Bundle) -> None:
    from companion.voice.recordings.voiceset import (
        DatasetClip,
        dataset_info,
        materialise,
        private_folder,
        store_dataset,
    )

    clips = [DatasetClip(f"clip_{i:05d}", f"words {i}", i == 2, np.full(2205, 0.1, np.float32), 22050)
             for i in range(3)]
    store_dataset(bundle, clips, {"embedding": [0.1]}, {"clips_kept": 2})
    assert dataset_info(bundle) == {"speaker": {"embedding": [0.1]}, "report": {"clips_kept": 2}}
    with private_folder() as folder:
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
        assert materialise(bundle, folder / "dataset") == 2
        assert (folder / "dataset" / "metadata.csv").read_text() == "clip_00000|words 0\nclip_00001|words 1\n"
        assert (folder / "dataset" / "heldout" / "clip_00002.wav").read_bytes()[:4] == b"RIFF"
    assert not folder.exists()
    store_dataset(bundle, clips[:1], {}, {})  # prepared again: the new set replaces the old
    assert bundle.db.execute("SELECT count(*) FROM voice_clips").fetchone()[0] == 1


def test_a_telegram_export_folder_links_voice_and_video_messages(tmp_path: Path) -> None:
    import json

    folder = tmp_path / "ChatExport_2024-01-01"
    (folder / "voice_messages").mkdir(parents=True)
    (folder / "round_video_messages").mkdir()
    (folder / "voice_messages" / "audio_1@01-02-2023_10-00-00.ogg").write_bytes(b"rose's note")
    (folder / "voice_messages" / "audio_2@01-02-2023_10-05-00.ogg").write_bytes(b"tom's note")
    (folder / "round_video_messages" / "file_3@01-02-2023_11-00-00.mp4").write_bytes(b"rose's video")
    messages = [
        {"id": 1, "type": "message", "date": "2023-02-01T09:59:00", "from": "Tom", "text": "How was the trip?"},
        {"id": 2, "type": "message", "date": "2023-02-01T10:00:00", "from": "Rose", "text": "",
         "file": "voice_messages/audio_1@01-02-2023_10-00-00.ogg", "media_type": "voice_message"},
        {"id": 3, "type": "message", "date": "2023-02-01T10:05:00", "from": "Tom", "text": "",
         "file": "voice_messages/audio_2@01-02-2023_10-05-00.ogg", "media_type": "voice_message"},
        {"id": 4, "type": "message", "date": "2023-02-01T11:00:00", "from": "Rose", "text": "",
         "file": "round_video_messages/file_3@01-02-2023_11-00-00.mp4", "media_type": "video_message"},
    ]
    (folder / "result.json").write_text(json.dumps({"name": "Tom", "type": "personal_chat", "id": 7,
                                                    "messages": messages}))
    found = find([folder], rose)
    assert [(c.filename, c.time, c.context) for c in found.candidates] == [
        ("audio_1@01-02-2023_10-00-00.ogg", "2023-02-01T10:00:00", "How was the trip?"),
        ("file_3@01-02-2023_11-00-00.mp4", "2023-02-01T11:00:00", "How was the trip?"),
    ]
    assert found.candidates[1].read() == b"rose's video" and found.problems == []
