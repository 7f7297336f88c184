"""Review and undo (issue 19, item 6): `persona imports`, `persona forget IMPORT`, `persona messages`.

Exports are written in the apps' real layouts (chat_layouts.py) and imported as a user would."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from companion.cli import main
from companion.consent import new_record
from companion.persona.bundle.importer import import_files
from companion.persona.bundle.imports import (
    EARLIER,
    forget_import,
    list_imports,
    resolve_import,
)
from companion.persona.bundle.index import build_index, text_key
from companion.persona.bundle.keys import BundleError
from companion.persona.bundle.maintenance import verify_bundle
from companion.persona.bundle.store import Bundle, PersonaCard, new_bundle_id
from support.kill import kill_until_done
from unit.chat_layouts import T0, android_whatsapp, conversation

SECRET = "family passphrase"


class TextEmbedder:
    """A deterministic stand-in for the sentence embedder: the index's bookkeeping is under test
    here, not the model (tests/integration/test_bundle_index.py runs the real one)."""

    fingerprint = "test-embedder"
    dimension = 8

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = [np.frombuffer(text_key(t)[:16], dtype=np.uint8).astype(np.float32)[:8] + 1 for t in texts]
        matrix = np.array(rows, dtype=np.float32)
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def make_bundle(folder: Path) -> Bundle:
    consent = new_record(persona_name="Rose", authorised_by="Tom", relationship="grandchild", status="deceased",
                         audience=["household"], valid_until=None, owner_is_adult=True, bundle_id=new_bundle_id())
    card = PersonaCard(name="Rose", display_name="Grandma Rose", language="en", fallback_replies=("I forget.",))
    return Bundle.create(folder, SECRET.encode(), card, consent)


@pytest.fixture()
def bundle(tmp_path: Path) -> Iterator[Bundle]:
    with make_bundle(tmp_path / "rose") as opened:
        yield opened


def state(bundle: Bundle) -> tuple[set[str], int, int]:
    texts = {row[0] for row in bundle.db.execute("SELECT text FROM records WHERE role = 'persona'")}
    return texts, bundle.count("reply_pairs"), bundle.count("vectors")


def test_forget_removes_exactly_that_imports_messages_pairs_and_memories(bundle: Bundle, tmp_path: Path) -> None:
    old = android_whatsapp(tmp_path / "WhatsApp Chat with Tom.txt", conversation(n=4))
    newer = android_whatsapp(tmp_path / "WhatsApp Chat with Tom (1).txt", conversation(n=6))  # the same chat, later
    other = android_whatsapp(tmp_path / "WhatsApp Chat with Ann.txt",
                             conversation(listener="Ann", n=3, topic="bakery", start=T0 + dt.timedelta(days=40)))
    import_files(bundle, [old], fmt="auto", speaker="Grandma Rose", progress=False)
    build_index(bundle, TextEmbedder(), progress=False)
    before = state(bundle)
    import_files(bundle, [newer, other], fmt="auto", speaker="Grandma Rose", progress=False)
    build_index(bundle, TextEmbedder(), progress=False)
    everything = state(bundle)
    assert len(everything[0]) == 6 + 3

    imports = list_imports(bundle)
    assert [i.files[0]["filename"] for i in imports] == [old.name, newer.name, other.name]
    assert [(i.messages, i.pairs) for i in imports] == [(4, 4), (6, 6), (3, 3)]
    assert imports[0].files[0]["format"] == "whatsapp" and len(imports[0].id) == 64

    # The other chat goes, and only it: its words, pairs, memories, journal line and consent entry.
    gone = forget_import(bundle, resolve_import(bundle, imports[2].id[:8]))
    assert (gone.records, gone.pairs, gone.vectors, gone.files) == (6, 3, 6, 1)
    texts, pairs, vectors = state(bundle)
    assert texts == everything[0] - {t for t in everything[0] if "bakery" in t}
    assert (pairs, vectors) == (everything[1] - 3, everything[2] - 6)
    assert imports[2].id not in bundle.consent().source_hashes  # type: ignore[union-attr]
    assert verify_bundle(bundle).ok

    # Forgetting the older export keeps what the newer one holds too; only the newer's extra stays extra.
    forget_import(bundle, resolve_import(bundle, old.name))
    assert state(bundle)[0] == everything[0] - {t for t in everything[0] if "bakery" in t}
    forget_import(bundle, resolve_import(bundle, imports[1].id))
    assert state(bundle) == (set(), 0, 0) and bundle.count("records") == 0
    assert bundle.count("import_journal") == 0 and list_imports(bundle) == []
    assert verify_bundle(bundle).ok

    # A forgotten file can be imported again (with the right speaker this time).
    [summary] = import_files(bundle, [old], fmt="auto", speaker="Grandma Rose", progress=False)
    assert summary.status == "imported" and summary.kept == 4
    assert before[0] == state(bundle)[0]


def test_unknown_or_ambiguous_import_is_one_clear_error(bundle: Bundle, tmp_path: Path) -> None:
    import_files(bundle, [android_whatsapp(tmp_path / "chat.txt", conversation(n=2))], fmt="auto",
                 speaker="Grandma Rose", progress=False)
    with pytest.raises(BundleError, match="no import 'abc'") as error:
        resolve_import(bundle, "abc")
    assert "persona imports" in (error.value.hint or "")
    with pytest.raises(BundleError, match="no import"):
        resolve_import(bundle, EARLIER)  # a new bundle has no earlier import


def test_a_bundle_from_before_per_message_imports_lists_them_as_one_earlier_import(tmp_path: Path) -> None:
    folder = tmp_path / "rose"
    with make_bundle(folder) as bundle:
        import_files(bundle, [android_whatsapp(tmp_path / "a.txt", conversation(n=3)),
                              android_whatsapp(tmp_path / "b.txt", conversation(listener="Ann", n=2, topic="cake"))],
                     fmt="auto", speaker="Grandma Rose", progress=False)
        build_index(bundle, TextEmbedder(), progress=False)
        with bundle.transaction():  # what a bundle made before this change holds
            for table in ("record_imports", "pair_imports"):
                bundle.db.execute(f"DROP TABLE {table}")
    with Bundle.open(folder, SECRET.encode()) as bundle:
        [earlier] = list_imports(bundle)
        assert earlier.id == EARLIER and [f["filename"] for f in earlier.files] == ["a.txt", "b.txt"]
        assert (earlier.messages, earlier.pairs) == (5, 5)
        (tmp_path / "later").mkdir()  # a later export of the first chat
        [summary] = import_files(bundle, [android_whatsapp(tmp_path / "later" / "a.txt", conversation(n=4))],
                                 fmt="auto", speaker="Grandma Rose", progress=False)
        assert summary.kept == 1  # three of its four answers were already there
        assert [(i.id == EARLIER, i.messages) for i in list_imports(bundle)] == [(True, 5), (False, 4)]
        forget_import(bundle, resolve_import(bundle, summary.sha256[:6]))  # the shared three stay with 'earlier'
        assert bundle.count("records") == 10 and bundle.count("reply_pairs") == 5
        forget_import(bundle, resolve_import(bundle, EARLIER))
        assert bundle.count("records") == bundle.count("reply_pairs") == bundle.count("vectors") == 0
        assert bundle.consent().source_hashes == ()  # type: ignore[union-attr]
        assert verify_bundle(bundle).ok


def test_imports_forget_and_messages_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO())  # not a terminal
    key = tmp_path / "key"
    key.write_text(SECRET + "\n")
    folder = tmp_path / "rose"
    make_bundle(folder).close()
    chat = android_whatsapp(tmp_path / "WhatsApp Chat with Tom.txt", conversation(n=3))
    cake = android_whatsapp(tmp_path / "WhatsApp Chat with Ann.txt", conversation(listener="Ann", n=2, topic="cake"))
    k = ["--key-file", str(key)]
    assert main(["persona", "import", str(folder), str(chat), str(cake), "--speaker", "Grandma Rose", "--no-index",
                 *k]) == 0
    capsys.readouterr()

    assert main(["persona", "imports", str(folder), *k]) == 0
    out = capsys.readouterr().out
    assert "WhatsApp Chat with Tom.txt" in out and "whatsapp" in out and "read 6, kept 3" in out
    assert "now 3 messages + 3 context, 3 reply pairs" in out
    assert main(["persona", "imports", str(folder), "--json", *k]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [i["files"][0]["filename"] for i in listed] == [chat.name, cake.name]

    assert main(["persona", "messages", str(folder), "--search", "CAKE is", *k]) == 0
    captured = capsys.readouterr()
    assert captured.out.count("The cake is lovely today") == 2 and "garden" not in captured.out
    assert "2 messages containing 'CAKE is'" in captured.err

    assert main(["persona", "forget", str(folder), listed[1]["short_id"], *k]) == 1  # needs --yes here
    assert "--yes" in capsys.readouterr().err
    assert main(["persona", "forget", str(folder), listed[1]["short_id"], "--yes", *k]) == 0
    assert "forgot WhatsApp Chat with Ann.txt: 4 records, 2 reply pairs" in capsys.readouterr().out
    assert main(["persona", "messages", str(folder), "--json", *k]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 3 and all(line["imports"] == [listed[0]["id"]] for line in lines)
    assert main(["persona", "forget", str(folder), "nonsense", "--yes", *k]) == 1
    assert "no import 'nonsense'" in capsys.readouterr().err
    assert main(["persona", "verify", str(folder), *k]) == 0


FORGETTER = """
import sys
from pathlib import Path
from companion.persona.bundle.imports import forget_import
from companion.persona.bundle.store import Bundle

with Bundle.open(Path(sys.argv[1]), sys.argv[2].encode()) as bundle:
    print("open", flush=True)
    forget_import(bundle, sys.argv[3])
print("done", flush=True)
"""


def test_kill_minus_nine_during_forget_leaves_the_import_wholly_there_or_wholly_gone(tmp_path: Path) -> None:
    import random
    import sys

    from companion.persona.bundle.importer import import_records
    from companion.persona.ingest.records import ChatRecord

    folder = tmp_path / "rose"
    files = 2
    with make_bundle(folder) as bundle:
        for n in range(files):
            records = (ChatRecord("whatsapp", f"chat{n}", speaker, f"{speaker} {n}-{i}: the roses, love.",
                                  T0 + dt.timedelta(hours=i, minutes=m))
                       for i in range(2500) for speaker, m in (("Tom", 0), ("Rose", 1)))
            import_records(bundle, records, filename=f"chat{n}.txt", file_sha256=f"{n + 1:064x}", fmt="whatsapp",
                           speaker="Rose", redactor=lambda text: text, progress=False)
    script = tmp_path / "forget.py"
    script.write_text(FORGETTER)
    rng = random.Random(19)
    for n in range(files):
        import_id = f"{n + 1:064x}"

        def forgotten(n: int = n, import_id: str = import_id) -> bool:
            with Bundle.open(folder, SECRET.encode()) as bundle:
                assert verify_bundle(bundle).ok
                left = [i.id for i in list_imports(bundle)]
                gone = import_id not in left
                assert left == [f"{k + 1:064x}" for k in range(n + gone, files)]
                assert bundle.count("records") == len(left) * 5000 and bundle.count("reply_pairs") == len(left) * 2500
            return gone

        kill_until_done([sys.executable, str(script), str(folder), SECRET, import_id], rng, 0.8, forgotten)
