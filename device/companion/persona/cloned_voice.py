"""The persona's own (cloned) voice on the device: where `voice verify` installs it, and loading it.

Runtime code (service/app.py imports it): only the standard library, numpy, onnxruntime and piper,
never torch or the training code. A plain persona folder keeps the voice in
``<persona>/voice-model/``. An encrypted bundle keeps it inside its SQLCipher database (table
``voice_model``), so it is encrypted at rest and erased with the bundle's key (ETHICS C6); at start
it is decrypted into memory only (onnxruntime loads the model from bytes), never into a file.

The cloned voice speaks only the persona's replies: disclosures and crisis answers stay with the
bundled neutral voice (``[tts] neutral_voice``, ETHICS C3/C9), which app.py loads beside it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from ..errors import CompanionError, ModelError
from ..tts.piper_tts import PiperSynthesizer

logger = logging.getLogger(__name__)

INSTALL_DIR = "voice-model"
ONNX_NAME = "voice.onnx"
CONFIG_NAME = "voice.onnx.json"
REPORT_NAME = "verify.json"
ATTESTATION_NAME = "verify.sig.json"
"""The device's signature over the model's sha256 and the report (plain folders only)."""
_TABLE = """CREATE TABLE IF NOT EXISTS voice_model(
    id INTEGER PRIMARY KEY CHECK (id = 1),
    onnx BLOB NOT NULL,                  -- the exported Piper voice
    config TEXT NOT NULL,                -- its .onnx.json
    report TEXT NOT NULL,                -- the `voice verify` report that let it in
    sha256 TEXT NOT NULL,
    installed TEXT NOT NULL
)"""


@dataclass(frozen=True)
class InstalledVoice:
    """A verified clone as installed in a persona (a folder's files, or a bundle's decrypted bytes)."""

    where: str
    """Where it lives, for logs and `companion doctor` (never the voice itself)."""
    config: dict[str, Any]
    sha256: str
    report: dict[str, Any]
    path: Path | None = None
    """The .onnx file (plain persona folder)."""
    onnx: bytes | None = field(default=None, repr=False)
    """The model, decrypted into memory (bundle)."""


def _is_bundle(persona_dir: Path) -> bool:
    from ..persona.bundle.store import is_bundle

    return is_bundle(persona_dir)


def _open_bundle(persona_dir: Path, key_file: str | Path | None) -> Any:
    from ..persona.bundle.keys import read_secret
    from ..persona.bundle.store import Bundle

    secret = read_secret(settings_key_file=key_file or None, prompt_name=f"persona bundle {persona_dir}")
    return Bundle.open(persona_dir, secret)


def install_voice(persona_dir: Path, onnx: Path, report: dict[str, Any], *,
                  key_file: str | Path | None = None) -> str:
    """Install a verified voice into the persona, replacing an older one; returns where it went."""
    config_path = onnx.with_suffix(".onnx.json")
    if not config_path.is_file():
        raise CompanionError("the voice has no .onnx.json config beside it", where=str(config_path))
    if _is_bundle(persona_dir):
        from ..persona.bundle.store import audit, database_errors_as_bundle_errors, utc_now

        model = onnx.read_bytes()
        digest = hashlib.sha256(model).hexdigest()
        with database_errors_as_bundle_errors(persona_dir), _open_bundle(persona_dir, key_file) as bundle:
            with bundle.transaction() as db:
                db.execute(_TABLE)
                db.execute("INSERT OR REPLACE INTO voice_model(id, onnx, config, report, sha256, installed) "
                           "VALUES (1, ?, ?, ?, ?, ?)",
                           (model, config_path.read_text(encoding="utf-8"), json.dumps(report), digest, utc_now()))
        audit(persona_dir, f"installed a verified cloned voice (sha256 {digest[:16]})")
        return f"{persona_dir} (encrypted bundle)"
    target = persona_dir / INSTALL_DIR
    staging = target.with_name(target.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    shutil.copy2(onnx, staging / ONNX_NAME)
    shutil.copy2(config_path, staging / CONFIG_NAME)
    (staging / REPORT_NAME).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    # A plain folder is writable by anyone who can copy files: the device signs what `verify`
    # let in (the model's sha256 and the report), and only a signed model is ever loaded (C2).
    from ..consent import default_authority

    statement = _statement(hashlib.sha256(onnx.read_bytes()).hexdigest(), report)
    (staging / ATTESTATION_NAME).write_text(json.dumps(default_authority().attest(statement)) + "\n",
                                            encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    staging.replace(target)
    logger.info("installed the cloned voice into %s", target)
    return str(target)


def read_installed_voice(persona_dir: Path, *, key_file: str | Path | None = None) -> InstalledVoice | None:
    """The persona's installed clone, or None; a bundle is unlocked and the voice decrypted to memory."""
    persona_dir = Path(persona_dir)
    if _is_bundle(persona_dir):
        from ..persona.bundle.store import database_errors_as_bundle_errors

        with database_errors_as_bundle_errors(persona_dir), _open_bundle(persona_dir, key_file) as bundle:
            exists = bundle.db.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'voice_model'").fetchone()[0]
            row = bundle.db.execute("SELECT onnx, config, report, sha256 FROM voice_model WHERE id = 1").fetchone() \
                if exists else None
        if row is None:
            return None
        model = bytes(row[0])
        if hashlib.sha256(model).hexdigest() != row[3]:
            raise ModelError("the persona's cloned voice is damaged (checksum mismatch)", where=str(persona_dir),
                             hint="install it again with `companion voice verify`")
        return InstalledVoice(where=f"{persona_dir} (encrypted bundle)", config=_json(row[1], persona_dir),
                              sha256=row[3], report=_json(row[2], persona_dir), onnx=model)
    folder = persona_dir / INSTALL_DIR
    onnx = folder / ONNX_NAME
    if not onnx.is_file():
        return None
    report_path = folder / REPORT_NAME
    digest = hashlib.sha256(onnx.read_bytes()).hexdigest()
    report = _json(_read(report_path), report_path) if report_path.is_file() else {}
    _check_attested(folder, digest, report)
    return InstalledVoice(
        where=str(onnx), config=_json(_read(folder / CONFIG_NAME), folder / CONFIG_NAME),
        sha256=digest, report=report, path=onnx,
    )


def _statement(sha256: str, report: dict[str, Any]) -> dict[str, Any]:
    return {"what": "companion voice verify", "onnx_sha256": sha256, "report": report}


def _check_attested(folder: Path, sha256: str, report: dict[str, Any]) -> None:
    """A plain folder's voice model speaks only with this device's signature over its sha256."""
    from ..consent import default_authority

    path = folder / ATTESTATION_NAME
    try:
        attestation = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        attestation = None
    if not default_authority().check_attestation(_statement(sha256, report), attestation):
        raise ModelError("the cloned voice in this persona folder was not installed by `companion voice verify` "
                         "on this device (no valid signature over the model): it is not used", where=str(folder),
                         hint="run `companion voice verify` for this persona, or remove the voice-model folder")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"cannot read the persona's cloned voice ({exc.strerror or exc})", where=str(path),
                         hint="install it again with `companion voice verify`") from None


def _json(text: str, where: Path) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ModelError(f"the persona's cloned voice has an unreadable config ({exc})", where=str(where),
                         hint="install it again with `companion voice verify`") from None
    if not isinstance(data, dict):
        raise ModelError("the persona's cloned voice has an unreadable config", where=str(where))
    return data


class ClonedVoice(PiperSynthesizer):
    """A SpeechSynthesizer over the persona's installed clone (from a file, or from decrypted bytes)."""

    kind = "clone"

    def __init__(self, installed: InstalledVoice, *, length_scale: float = 1.0, threads: int = 0) -> None:
        """``threads`` = 0 lets ONNX Runtime use every core (as the bundled PiperSynthesizer)."""
        model: str | bytes = installed.onnx if installed.onnx is not None else str(installed.path)
        failure = ModelError("cannot load the persona's cloned voice", where=installed.where,
                             hint="install it again with `companion voice verify`, or set [voice] speak_with_clone = false")
        self._load(model, installed.config, length_scale=length_scale, threads=threads, failure=failure)
        self.source = installed.where
        self.sha256 = installed.sha256


def load_persona_voice(persona_dir: Path, *, enabled: bool = True, key_file: str | Path | None = None,
                       length_scale: float = 1.0, threads: int = 0) -> ClonedVoice | None:
    """The synthesizer for the persona's replies when it has an installed clone and it is enabled."""
    if not enabled:
        logger.info("[voice] speak_with_clone = false: the bundled voice speaks")
        return None
    installed = read_installed_voice(persona_dir, key_file=key_file)
    if installed is None:
        return None
    voice = ClonedVoice(installed, length_scale=length_scale, threads=threads)
    logger.info("the persona speaks with its cloned voice from %s", installed.where)
    return voice


def describe_voice(persona_dir: Path, bundled_voice: str, *, enabled: bool = True,
                   key_file: str | Path | None = None) -> str:
    """One line for `companion doctor`: which voice speaks the persona's replies, and why."""
    if not enabled:
        return f"the bundled voice {bundled_voice} ([voice] speak_with_clone = false)"
    installed = read_installed_voice(persona_dir, key_file=key_file)
    if installed is None:
        return f"the bundled voice {bundled_voice} (no cloned voice installed)"
    similarity = installed.report.get("clone_vs_real")
    weak = " (accepted as weak)" if installed.report.get("accepted_weak") else ""
    score = f", similarity {similarity}{weak}" if similarity is not None else ""
    return f"the cloned voice in {installed.where}{score}"
