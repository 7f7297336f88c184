"""A persona's own fine-tuned model, kept inside its encrypted bundle.

A model fine-tuned on the person's messages can repeat them, so it is personal data like the
messages: it lives in the bundle's SQLCipher database (every page encrypted with the bundle's
data key, erased with it by crypto-shredding), in chunks, with each file's sha256. To load it,
onnxruntime-genai needs a folder, so the files are decrypted into a private folder (0700, files
0600; in RAM under /dev/shm when there is one) that is removed as soon as the model is loaded.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...errors import ModelError

logger = logging.getLogger(__name__)

CHUNK_BYTES = 8 * 1024 * 1024
"""Rows of 8 MiB: a 270 MB model never needs one huge blob in memory at once."""
MODEL_FILES = ("genai_config.json", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja",
               "model.onnx", "model.onnx.data", "BUILD.json")
_TABLES = """
CREATE TABLE IF NOT EXISTS persona_lm_files(name TEXT PRIMARY KEY, size INTEGER NOT NULL, sha256 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS persona_lm_chunks(name TEXT NOT NULL, chunk INTEGER NOT NULL, data BLOB NOT NULL,
                                             PRIMARY KEY(name, chunk));
"""
RAM_DIR = Path("/dev/shm")


def _has_tables(bundle: Any) -> bool:
    row = bundle.db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'persona_lm_files'").fetchone()
    return bool(row[0])


def has_model(bundle: Any) -> bool:
    """True when the bundle holds a fine-tuned persona model."""
    if not _has_tables(bundle):
        return False
    return bool(bundle.db.execute("SELECT count(*) FROM persona_lm_files WHERE name = 'genai_config.json'").fetchone()[0])


def store_model(bundle: Any, model_dir: Path) -> int:
    """Put an ONNX Runtime GenAI model folder into the bundle (replacing any earlier one); bytes stored."""
    model_dir = Path(model_dir)
    files = [model_dir / name for name in MODEL_FILES if (model_dir / name).is_file()]
    if not (model_dir / "genai_config.json").is_file():
        raise ModelError("not an ONNX Runtime GenAI model folder (no genai_config.json)", where=str(model_dir))
    total = 0
    with bundle.transaction() as db:
        for statement in _TABLES.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("DELETE FROM persona_lm_chunks")
        db.execute("DELETE FROM persona_lm_files")
        for path in files:
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for index, chunk in enumerate(iter(lambda: handle.read(CHUNK_BYTES), b"")):
                    digest.update(chunk)
                    db.execute("INSERT INTO persona_lm_chunks(name, chunk, data) VALUES (?, ?, ?)", (path.name, index, chunk))
            size = path.stat().st_size
            db.execute("INSERT INTO persona_lm_files(name, size, sha256) VALUES (?, ?, ?)", (path.name, size, digest.hexdigest()))
            total += size
    logger.info("fine-tuned persona model stored in the bundle (%d files, %.0f MB)", len(files), total / 1e6)
    return total


def remove_model(bundle: Any) -> None:
    """Forget the bundle's fine-tuned model (the base model answers again)."""
    if _has_tables(bundle):
        with bundle.transaction() as db:
            db.execute("DELETE FROM persona_lm_chunks")
            db.execute("DELETE FROM persona_lm_files")


def private_dir(prefix: str = "companion-lm-") -> Path:
    """A new folder only this user can read: in RAM (/dev/shm) when possible, else the temp folder."""
    base = RAM_DIR if RAM_DIR.is_dir() and os.access(RAM_DIR, os.W_OK) else None
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))  # mkdtemp creates it 0700
    os.chmod(path, 0o700)
    return path


def extract_model(bundle: Any, out: Path) -> Path:
    """Decrypt the bundle's model into ``out`` (files 0600), checking every file's sha256."""
    if not has_model(bundle):
        raise ModelError("the persona bundle holds no fine-tuned model", where=str(bundle.path),
                         hint="train one with `companion persona train`")
    for name, size, sha256 in bundle.db.execute("SELECT name, size, sha256 FROM persona_lm_files ORDER BY name").fetchall():
        if Path(name).name != name:
            raise ModelError(f"bad file name {name!r} in the bundle's model", where=str(bundle.path))
        digest = hashlib.sha256()
        fd = os.open(out / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            for (chunk,) in bundle.db.execute("SELECT data FROM persona_lm_chunks WHERE name = ? ORDER BY chunk", (name,)):
                digest.update(chunk)
                handle.write(chunk)
        if digest.hexdigest() != sha256 or (out / name).stat().st_size != size:
            raise ModelError(f"the bundle's fine-tuned model is damaged ({name})", where=str(bundle.path),
                             hint="run `companion persona verify`, or train the model again")
    return out


@contextmanager
def decrypted_model(bundle: Any) -> Iterator[Path]:
    """The bundle's model as a private folder that exists only inside the ``with`` block."""
    folder = private_dir()
    try:
        yield extract_model(bundle, folder)
    finally:
        remove_private(folder)


def remove_private(folder: Path) -> None:
    """Delete a private folder; on disk (not RAM) overwrite its files first, as a courtesy."""
    folder = Path(folder)
    if not folder.exists():
        return
    if not str(folder.resolve()).startswith(str(RAM_DIR) + os.sep):
        from ..bundle.keys import shred_file

        for path in folder.rglob("*"):
            if path.is_file():
                shred_file(path)
    shutil.rmtree(folder, ignore_errors=True)
