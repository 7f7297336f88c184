"""The one atomic-write helper: the old file or the new one, never half, and durable."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.atomicfile import atomic_path, leftovers, write_atomic


@given(data=st.binary(max_size=4096) | st.text(max_size=1024))
def test_the_file_holds_exactly_what_was_written(tmp_path_factory: pytest.TempPathFactory, data: bytes | str) -> None:
    path = tmp_path_factory.mktemp("w") / "state.json"
    path.write_bytes(b"old contents")
    write_atomic(path, data)
    assert path.read_bytes() == (data.encode("utf-8") if isinstance(data, str) else data)
    assert leftovers(path) == [] and sorted(path.parent.iterdir()) == [path]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "care.json"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        tmp.write_text("half of the new")
        raise RuntimeError("killed mid-write")
    assert path.read_text() == "old" and sorted(tmp_path.iterdir()) == [path]


def test_a_failed_rename_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keys.json"
    path.write_text("old")

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        write_atomic(path, b"new")
    assert path.read_text() == "old" and sorted(tmp_path.iterdir()) == [path]


def test_the_file_and_then_its_folder_are_synced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[tuple[bool, bytes | None]] = []  # (is a folder, the file's contents at sync time)
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        info = os.fstat(fd)
        synced.append((stat.S_ISDIR(info.st_mode), None if stat.S_ISDIR(info.st_mode) else os.pread(fd, 100, 0)))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    write_atomic(tmp_path / "provenance.wav", b"signed audio")
    assert synced == [(False, b"signed audio"), (True, None)]  # the data before the rename, the rename after it


def test_a_mode_is_exact_and_none_is_what_a_plain_open_makes(tmp_path: Path) -> None:
    write_atomic(tmp_path / "device.key", "secret\n", mode=0o600)
    assert stat.S_IMODE((tmp_path / "device.key").stat().st_mode) == 0o600
    write_atomic(tmp_path / "device.pub", "public\n", mode=0o644)
    assert stat.S_IMODE((tmp_path / "device.pub").stat().st_mode) == 0o644
    (tmp_path / "plain").write_text("x")
    write_atomic(tmp_path / "state.json", "{}")
    assert stat.S_IMODE((tmp_path / "state.json").stat().st_mode) == stat.S_IMODE((tmp_path / "plain").stat().st_mode)


def test_two_writers_of_one_file_never_share_a_temporary(tmp_path: Path) -> None:
    path = tmp_path / "question.wav"
    with atomic_path(path) as first, atomic_path(path) as second:
        assert first != second
        first.write_bytes(b"one")
        second.write_bytes(b"two")
    assert path.read_bytes() == b"one" and leftovers(path) == []  # the outer writer finished last


def test_leftovers_finds_what_a_killed_writer_left(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    stale = [tmp_path / ".keys.json.77-00ff00ff.tmp", tmp_path / ".keys.json.tmp"]
    for p in [*stale, tmp_path / ".other.json.1-2.tmp", tmp_path / "keys.json"]:
        p.write_bytes(b"")
    assert leftovers(path) == sorted(stale)
