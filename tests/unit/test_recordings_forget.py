"""Forgetting an import removes the recordings it brought (issue 20, left item 1), and
`persona imports` / `persona show` count them (item 2).

Real bundle, real exports (a WhatsApp zip with voice notes, a folder of loose notes), real PyAV;
the speaker encoder and Whisper are injected stand-ins (their outputs are not under test here:
tests/integration/test_recordings.py runs the real ones), the memory index a deterministic one.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from companion.persona.bundle import recording_claims as claims
from companion.persona.bundle import recordings as store
from companion.persona.bundle.importer import import_files, source_hash
from companion.persona.bundle.imports import EARLIER, forget_import, list_imports, resolve_import
from companion.persona.bundle.index import build_index, text_key
from companion.persona.bundle.maintenance import verify_bundle
from companion.persona.bundle.recordings import Segment
from companion.persona.bundle.store import Bundle
from companion.voice.recordings.importer import RecordingsSummary, check_and_transcribe, store_candidates
from companion.voice.recordings.sources import find
from support.kill import kill_until_done
from unit.test_bundle_review import SECRET, TextEmbedder, make_bundle
from unit.test_recordings_store import opus

CHAT = """\
12/03/2019, 09:15 - Tom: What did you grow?
12/03/2019, 09:16 - Rose: Tomatoes, love, and beans.
12/03/2019, 09:17 - Rose: \u200ePTT-20190312-WA0001.opus (file attached)
12/03/2019, 09:18 - Tom: And the roses?
12/03/2019, 09:19 - Rose: \u200ePTT-20190312-WA0002.opus (file attached)
"""


class Voice:
    """The speaker encoder's place: every clip is the same voice."""

    def embed(self, audio: np.ndarray, rate: int) -> np.ndarray:
        return np.ones(8, dtype=np.float32) / np.sqrt(8)


class Words:
    """Whisper's place: one segment naming how long the clip is (distinct words per note)."""

    def segments(self, audio: np.ndarray) -> list[Segment]:
        return [Segment(0.1, len(audio) / 16000 - 0.1, f"I said this for {len(audio) // 1600} tenths")]


def add(bundle: Bundle, inputs: list[Path], speaker: str = "Rose") -> RecordingsSummary:
    summary = RecordingsSummary()
    found = find(inputs, lambda record: record.speaker == speaker)
    store_candidates(bundle, found.candidates, summary, progress=False, speaker=speaker)
    check_and_transcribe(bundle, encoder=Voice(), transcriber_factory=Words, threshold=0.7, summary=summary,
                         redactor=lambda text: text, progress=False)
    build_index(bundle, TextEmbedder(), progress=False)
    return summary


@pytest.fixture()
def exports(tmp_path: Path) -> dict[str, Path]:
    notes = {"PTT-20190312-WA0001.opus": opus(1.5), "PTT-20190312-WA0002.opus": opus(2.5)}
    archive = tmp_path / "WhatsApp Chat with Tom.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("WhatsApp Chat with Tom.txt", CHAT)
        for name, data in notes.items():
            z.writestr(name, data)
    folder = tmp_path / "loose"
    folder.mkdir()
    (folder / "shared.opus").write_bytes(notes["PTT-20190312-WA0002.opus"])  # the same note, saved apart
    (folder / "birthday.opus").write_bytes(opus(3.5))
    return {"zip": archive, "folder": folder}


def recording_names(bundle: Bundle) -> list[str]:
    return sorted(r.filename for r in store.recordings(bundle.db))


def passage_texts(bundle: Bundle) -> set[str]:
    return {row[0] for row in bundle.db.execute("SELECT text FROM records WHERE source = 'recording'")}


def has_vector(bundle: Bundle, text: str) -> bool:
    return bundle.db.execute("SELECT 1 FROM vectors WHERE text_hash = ?", (text_key(text),)).fetchone() is not None


def test_forget_removes_exactly_the_recordings_no_other_import_holds(tmp_path: Path,
                                                                    exports: dict[str, Path]) -> None:
    with make_bundle(tmp_path / "rose") as bundle:
        import_files(bundle, [exports["zip"]], fmt="auto", speaker="Rose", progress=False)
        add(bundle, [exports["zip"]])
        add(bundle, [exports["folder"]])
        zip_id = source_hash(exports["zip"])
        imports = {i.id: i for i in list_imports(bundle)}
        folder_id = claims.import_id_for(source_hash(exports["folder"]), False)
        assert set(imports) == {zip_id, folder_id}
        assert [f["format"] for f in imports[folder_id].files] == ["recordings"]
        counts = claims.counts_by_import(bundle.db)
        assert (counts[zip_id].recordings, counts[folder_id].recordings) == (2, 2)  # the shared note in both
        assert counts[zip_id].minutes == pytest.approx(4.0 / 60, abs=0.01)
        assert claims.total_counts(bundle.db).recordings == 3
        texts = {"I said this for 15 tenths", "I said this for 25 tenths", "I said this for 35 tenths"}
        assert passage_texts(bundle) == texts and all(has_vector(bundle, t) for t in texts)
        shas = {r.filename: r.sha256 for r in store.recordings(bundle.db)}
        assert set(shas.values()) <= set(bundle.consent().source_hashes)  # type: ignore[union-attr]

        gone = forget_import(bundle, resolve_import(bundle, exports["zip"].name))
        # the zip's own note goes (bytes, transcript, passage, memory); the note the folder also holds stays
        assert recording_names(bundle) == ["PTT-20190312-WA0002.opus", "birthday.opus"]
        assert (gone.recordings, gone.training_clips) == (1, -1)
        assert passage_texts(bundle) == texts - {"I said this for 15 tenths"}
        assert not has_vector(bundle, "I said this for 15 tenths") and has_vector(bundle, "I said this for 25 tenths")
        assert shas["PTT-20190312-WA0001.opus"] not in bundle.consent().source_hashes  # type: ignore[union-attr]
        assert bundle.db.execute("SELECT count(*) FROM recording_passages").fetchone()[0] == 2
        assert verify_bundle(bundle).ok

        forget_import(bundle, folder_id)
        assert recording_names(bundle) == [] and passage_texts(bundle) == set() and list_imports(bundle) == []
        assert bundle.count("vectors") == 0 and verify_bundle(bundle).ok
        for table in ("recording_passages", "recording_imports"):
            assert bundle.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_the_training_set_drawn_from_a_forgotten_recording_goes_with_it(tmp_path: Path,
                                                                       exports: dict[str, Path]) -> None:
    from companion.voice.recordings.voiceset import DatasetClip, dataset_info, store_dataset

    with make_bundle(tmp_path / "rose") as bundle:
        add(bundle, [exports["folder"] / "birthday.opus"])
        add(bundle, [exports["folder"] / "shared.opus"])
        birthday = next(r for r in store.recordings(bundle.db) if r.filename == "birthday.opus")
        label = claims.training_label(birthday.filename, birthday.time)
        clip = DatasetClip("clip_00001", "I said this", False, np.zeros(2205, np.float32), 22050)
        report = {"clips": [{"source": label, "clip_id": "clip_00001", "kept": True, "text": "I said this"}]}
        store_dataset(bundle, [clip], {"enrolment": "enrol.wav"}, report)
        ids = {f["filename"]: i.id for i in list_imports(bundle) for f in i.files}

        assert forget_import(bundle, ids["shared.opus"]).training_clips == -1  # the set did not use it
        assert dataset_info(bundle) is not None
        gone = forget_import(bundle, ids["birthday.opus"])
        assert gone.training_clips == 1 and dataset_info(bundle) is None
        assert bundle.db.execute("SELECT count(*) FROM voice_clips").fetchone()[0] == 0


def test_a_voice_profile_from_the_recordings_is_a_trace_of_each_of_them(tmp_path: Path,
                                                                      exports: dict[str, Path]) -> None:
    from companion.voice.recordings.voiceset import DatasetClip, dataset_info, store_dataset

    with make_bundle(tmp_path / "rose") as bundle:
        add(bundle, [exports["folder"]])
        clip = DatasetClip("clip_00001", "words", False, np.zeros(2205, np.float32), 22050)
        store_dataset(bundle, [clip], {"enrolment": "recordings"}, {"clips": []})
        [only] = list_imports(bundle)
        assert forget_import(bundle, only.id).training_clips == 1 and dataset_info(bundle) is None


def test_recordings_imported_before_claims_are_held_by_earlier(tmp_path: Path, exports: dict[str, Path]) -> None:
    folder = tmp_path / "rose"
    with make_bundle(folder) as bundle:
        add(bundle, [exports["folder"]])
        with bundle.transaction():  # as a bundle of the first recordings release left it
            bundle.db.execute("DROP TABLE recording_imports")
            bundle.db.execute("DELETE FROM import_journal")
            bundle.db.execute("DELETE FROM record_imports")
            bundle.db.execute("DELETE FROM pair_imports")
    with Bundle.open(folder, SECRET.encode()) as bundle:
        [earlier] = list_imports(bundle)
        assert earlier.id == EARLIER and earlier.messages == 2 and earlier.pairs == 2
        assert claims.counts_by_import(bundle.db)[EARLIER].recordings == 2
        forget_import(bundle, EARLIER)
        assert recording_names(bundle) == [] and bundle.count("records") == 0 and verify_bundle(bundle).ok


def test_a_summary_of_counts_is_json_ready() -> None:
    counts = claims.RecordingCounts(3, 2.04, 2)
    assert json.loads(json.dumps(counts.to_dict())) == {"recordings": 3, "minutes": 2.0, "in_their_voice": 2}


def test_kill_minus_nine_during_forget_leaves_the_recordings_wholly_there_or_wholly_gone(tmp_path: Path) -> None:
    import os
    import random
    import sys

    from companion.persona.bundle.store import utc_now
    from companion.voice.recordings.importer import _add_passages
    from unit.test_bundle_review import FORGETTER

    folder = tmp_path / "rose"
    per_import, imports = 24, [f"{n + 1:064x}" for n in range(2)]
    with make_bundle(folder) as bundle:
        for n, import_id in enumerate(imports):
            with bundle.transaction():
                store.ensure_tables(bundle.db)
                claims.journal_recordings_import(bundle.db, import_id, f"notes{n}", "Rose", utc_now())
                bundle.add_source_hashes([import_id])
                for i in range(per_import):  # 1 MB each: the forget overwrites their pages with zeros
                    data = os.urandom(1 << 20)
                    rid = store.add_recording(bundle.db, sha256=f"{n}-{i}", filename=f"n{n}-{i}.opus",
                                              source="folder", conversation="recordings", speaker="", time=None,
                                              message_origin="", context=None, data=data, duration_s=60.0,
                                              added=utc_now())
                    claims.claim_recording(bundle.db, rid, import_id)
                    segments = [Segment(0.0, 5.0, f"note {n} {i} part {k}") for k in range(3)]
                    store.finish_recording(bundle.db, rid, status="done", whose="persona", similarity=1.0,
                                           segments=segments)
                    _add_passages(bundle, store.recordings(bundle.db)[-1], segments, lambda text: text)
    script = tmp_path / "forget.py"
    script.write_text(FORGETTER)
    rng = random.Random(20)
    for n, import_id in enumerate(imports):

        def forgotten(n: int = n, import_id: str = import_id) -> bool:
            with Bundle.open(folder, SECRET.encode()) as bundle:
                assert verify_bundle(bundle).ok
                left = [i.id for i in list_imports(bundle)]
                gone = import_id not in left
                assert left == imports[n + gone:]
                held = claims.counts_by_import(bundle.db)
                assert [held[i].recordings for i in left] == [per_import] * len(left)
                assert len(store.recordings(bundle.db)) == per_import * len(left)
                assert len(passage_texts(bundle)) == bundle.count("reply_pairs") == per_import * len(left)
            return gone

        kill_until_done([sys.executable, str(script), str(folder), SECRET, import_id], rng, 0.6, forgotten)


def test_imports_show_and_forget_commands_count_the_recordings(tmp_path: Path, exports: dict[str, Path],
                                                              capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from companion.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO())
    key = tmp_path / "key"
    key.write_text(SECRET + "\n")
    folder = tmp_path / "rose"
    with make_bundle(folder) as bundle:
        import_files(bundle, [exports["zip"]], fmt="auto", speaker="Rose", progress=False)
        add(bundle, [exports["zip"]])
        add(bundle, [exports["folder"]])
    k = ["--key-file", str(key)]
    assert main(["persona", "imports", str(folder), *k]) == 0
    out = capsys.readouterr().out
    assert "2 recordings (0.1 min), 2 in their voice" in out and "recordings loose (sha256" in out
    assert main(["persona", "imports", str(folder), "--json", *k]) == 0
    listed = {i["files"][0]["filename"]: i for i in json.loads(capsys.readouterr().out)}
    assert listed["loose"]["recordings"] == {"recordings": 2, "minutes": 0.1, "in_their_voice": 2}
    assert listed[exports["zip"].name]["recordings"]["recordings"] == 2

    assert main(["persona", "show", str(folder), "--json", *k]) == 0
    shown = json.loads(capsys.readouterr().out)["recordings"]
    assert (shown["recordings"], shown["minutes"], shown["in_their_voice"]) == (3, 0.1, 3)
    assert sorted(e["recordings"] for e in shown["by_import"]) == [2, 2]
    assert main(["persona", "show", str(folder), *k]) == 0
    assert "recordings: 3 recordings (0.1 min), 3 in their voice" in capsys.readouterr().out

    assert main(["persona", "forget", str(folder), "loose", "--yes", *k]) == 0
    assert "and 1 recordings (0.1 min) with their transcripts" in capsys.readouterr().out
    assert main(["persona", "show", str(folder), "--json", *k]) == 0
    assert json.loads(capsys.readouterr().out)["recordings"]["recordings"] == 2
