"""`companion voice train` refuses, with an explanation, to start without a usable base checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.errors import CompanionError
from companion.voice.train import train


@pytest.fixture()
def persona(tmp_path: Path) -> Path:
    folder = tmp_path / "p"
    folder.mkdir()
    return folder


def test_without_base_it_explains_where_checkpoints_come_from(persona: Path) -> None:
    with pytest.raises(CompanionError) as err:
        train(persona, base=None, epochs=10)
    assert "base checkpoint" in err.value.message and "hours" in err.value.message and ".ckpt" in err.value.message


def test_from_scratch_is_only_the_tiny_ci_check(persona: Path) -> None:
    with pytest.raises(CompanionError, match="base checkpoint"):
        train(persona, base=None, epochs=10, from_scratch=True)


def test_an_onnx_voice_or_missing_file_is_not_a_base(persona: Path, tmp_path: Path) -> None:
    onnx = tmp_path / "voice.onnx"
    onnx.write_bytes(b"onnx")
    with pytest.raises(CompanionError, match="cannot be fine-tuned"):
        train(persona, base=onnx, epochs=10)
    with pytest.raises(CompanionError, match="not found"):
        train(persona, base=tmp_path / "missing.ckpt", epochs=10)


def test_a_prepared_set_is_needed_first(persona: Path, tmp_path: Path) -> None:
    with pytest.raises(CompanionError, match="voice prepare"):
        train(persona, base=None, epochs=1, from_scratch=True, tiny=True)


def test_the_training_cache_belongs_to_one_prepared_set(persona: Path) -> None:
    """piper keys its cache by row and text: a re-prepared set must not reuse the old clips' audio."""
    from companion.voice.prepare import WorkDirs
    from companion.voice.train import _dataset_cache

    wavs = persona / "voice" / "dataset" / "wavs"
    wavs.mkdir(parents=True)
    (wavs / "clip_00000.wav").write_bytes(b"RIFF old audio")
    metadata = persona / "voice" / "dataset" / "metadata.csv"
    metadata.write_text("clip_00000|Hello there.\n")
    work = WorkDirs.for_persona(persona)
    (work.train / "cache").mkdir(parents=True)
    (work.train / "cache" / "0_Hello_there.audio.pt").write_text("from an older layout")

    first = _dataset_cache(work, metadata)
    assert _dataset_cache(work, metadata) == first  # resuming: the same cache
    assert [p.name for p in (work.train / "cache").iterdir()] == [first.name]
    (wavs / "clip_00000.wav").write_bytes(b"RIFF new, longer audio")  # `voice prepare` ran again, same words
    second = _dataset_cache(work, metadata)
    assert second != first and second.is_dir() and not first.exists()


class _Planted:
    """An object whose unpickling runs code: what a hostile "checkpoint" would carry."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.marker,))


def test_a_checkpoint_that_would_run_code_is_refused_without_running_it(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from companion.voice.train import base_architecture

    marker = tmp_path / "code-ran"
    hostile = tmp_path / "voice.ckpt"
    torch.save({"hyper_parameters": {"sample_rate": 22050, "payload": _Planted(marker)}, "state_dict": {}}, hostile)
    with pytest.raises(CompanionError, match="not a Piper training checkpoint"):
        base_architecture(hostile)
    assert not marker.exists()

    plain = tmp_path / "plain.ckpt"  # tensors and plain values, as Lightning writes them: read as before
    torch.save({"hyper_parameters": {"sample_rate": 22050, "hidden_channels": 192}, "state_dict": {"w": torch.zeros(2)}}, plain)
    assert base_architecture(plain)["hidden_channels"] == 192
