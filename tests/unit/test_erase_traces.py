"""Erase means erased (issue 19, item 7): after `persona erase` or `care goodbye`, nothing on the disk
(the persona folder, companion's cache, state and config folders) names the person."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from companion.cli import main
from companion.config import load_settings
from companion.ethics.gate import persona_id
from companion.ethics.genlog import GenerationLog
from companion.persona.lm.loader import record_choice
from companion.persona.traces import train_work_dir
from unit.chat_layouts import android_whatsapp, conversation

NAME = "Wilhelmina Trask"
OTHER = "Bartholomew Quince"


def mentions(root: Path, *words: str) -> list[str]:
    """Files under ``root`` whose name or content (UTF-8, any case) holds one of ``words``."""
    hits = []
    for path in root.rglob("*"):
        text = str(path.relative_to(root)).casefold()
        if path.is_file() and not path.is_symlink():
            text += path.read_bytes().decode("utf-8", "replace").casefold()
        if any(word.casefold() in text for word in words):
            hits.append(str(path.relative_to(root)))
    return sorted(hits)


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Cache, state and config folders of their own, as a user's would be."""
    for kind in ("cache", "state", "config"):
        (tmp_path / kind).mkdir()
        monkeypatch.setenv(f"XDG_{kind.upper()}_HOME", str(tmp_path / kind))
    monkeypatch.delenv("COMPANION_CONFIG", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO())  # not a terminal
    return tmp_path


def make_persona(home: Path, name: str, folder: str) -> tuple[Path, Path]:
    key = home / f"{folder}.key"
    key.write_text("family passphrase\n")
    bundle = home / "personas" / folder
    assert main(["persona", "create", name, "--dir", str(bundle), "--status", "living", "--audience", "household",
                 "--adult", "--confirm", "--key-file", str(key)]) == 0
    chat = android_whatsapp(home / f"WhatsApp Chat with {name}.txt", conversation(persona=name))
    assert main(["persona", "import", str(bundle), str(chat), "--speaker", name, "--no-index",
                 "--key-file", str(key)]) == 0
    chat.unlink()
    return bundle, key


def leave_derived_files(bundle: Path, name: str) -> None:
    """What `persona eval`, an interrupted `persona train`, a plain-folder cache and an opted-in
    conversation log leave behind, where they leave it."""
    settings = load_settings(None)
    cache = settings.paths.cache
    record_choice(cache / "persona", bundle, "retrieval", {"persona": name, "engines": {"retrieval": {}}})
    work = train_work_dir(cache, bundle)
    (work / "adapter").mkdir(parents=True)
    (work / "adapter" / "adapter_model.safetensors").write_bytes(os.urandom(4096))
    (work / "merged").mkdir()
    (work / "merged" / "README.md").write_text(f"---\nfine-tuned on the messages of {name}\n---\n")
    (work / "state.json").write_text('{"epochs_done": 1}')
    # a vector cache of the folder the bundle was made from (a bundle's own index is inside it)
    np.save(cache / "persona" / f"{bundle.name}.0123456789abcdef.npy", np.zeros((2, 3, 4)))
    (cache / "later-feature").mkdir(parents=True, exist_ok=True)
    (cache / "later-feature" / f"notes-{bundle.name}.json").write_text(f'{{"persona": "{bundle.resolve()}"}}')
    log = GenerationLog(settings.ethics.log_path, keep_transcripts=True)
    entry = log.record(7 if name == NAME else 8, persona_id=persona_id(bundle), kind="reply", models={})
    log.transcript(7 if name == NAME else 8, "Where did you grow up?", f"In Leeds, love. {name} never forgets.")
    assert entry["utterance_id"]


@pytest.mark.parametrize("command", ["erase", "goodbye"])
def test_nothing_names_the_person_after_erase(home: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    bundle, _ = make_persona(home, NAME, "p1")
    other, _ = make_persona(home, OTHER, "p2")
    leave_derived_files(bundle, NAME)
    leave_derived_files(other, OTHER)
    assert len(mentions(home, NAME)) == 3
    capsys.readouterr()
    if command == "erase":
        assert main(["persona", "erase", str(bundle), "--yes"]) == 0
        assert "4 derived files" in capsys.readouterr().out
    else:
        assert main(["care", "goodbye", "--persona", str(bundle), "--yes"]) == 0
    assert mentions(home, NAME, "wilhelmina", "trask") == []
    by_id = {"p1/AUDIT.log", "p1/ERASED", "state/companion/generation.jsonl"}  # content-free: the id, no name
    if command == "goodbye":
        by_id.add("state/companion/care.json")  # retired, for good
    assert set(mentions(home, persona_id(bundle))) <= {f"personas/{p}" if p.startswith("p1") else p for p in by_id}
    # The other persona keeps everything of its own.
    assert len(mentions(home, OTHER)) == 3
    assert main(["persona", "show", str(other), "--key-file", str(home / "p2.key")]) == 0


def test_erasing_again_removes_what_an_older_erase_left(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from companion.persona.bundle.maintenance import erase_bundle

    bundle, _ = make_persona(home, NAME, "p1")
    leave_derived_files(bundle, NAME)
    erase_bundle(bundle)  # what `persona erase` did before: the bundle only
    assert mentions(home / "cache", NAME)
    capsys.readouterr()
    assert main(["persona", "erase", str(bundle), "--yes"]) == 0
    assert "already erased; 4 derived files removed" in capsys.readouterr().out
    assert mentions(home, NAME, "trask") == []
