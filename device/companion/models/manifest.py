"""The model manifest: which registry package ships each model file, its size, SHA-256 and licence.

The manifest is the only place that says where weights come from, so it is parsed strictly:
unknown keys, missing fields, malformed hashes and duplicate names are errors (a typo must not
silently turn off a checksum). Every problem is a ``ModelError`` naming the file and the entry.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn

from ..errors import ModelError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

logger = logging.getLogger(__name__)

SCHEMA = 1
ROLES = ("asr", "tts", "wake", "embedding", "vad", "lm")
ROLES_WITH_RATE = ("asr", "tts", "wake", "vad")
MANIFEST_ENV = "COMPANION_MANIFEST"
INSTALLED_RECORD = "INSTALLED.json"

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_PACKAGE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+!_-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Part:
    """One piece of a file that a package ships split (joined in manifest order)."""

    package: str
    version: str
    from_path: str
    sha256: str
    size: int

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class ModelFile:
    """One file of an installed model and where it comes from: a single ``from`` or ``parts``."""

    path: str
    sha256: str
    size: int
    parts: tuple[Part, ...]
    joined: bool
    """True when the file is assembled from several parts; False: ``parts`` has the one source."""


@dataclass(frozen=True)
class Licence:
    """SPDX id (or NOASSERTION), where the text is, and where the weights came from."""

    spdx: str
    text: str | None
    pointer: str | None
    provenance: str


@dataclass(frozen=True)
class ModelEntry:
    name: str
    role: str
    description: str
    optional: bool
    sample_rate: int | None
    files: tuple[ModelFile, ...]
    licence: Licence

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def requirements(self) -> tuple[str, ...]:
        """Pip specs (``pkg==version``) of every package this model's files come from, in order."""
        seen: dict[str, None] = {}
        for f in self.files:
            for part in f.parts:
                seen.setdefault(part.requirement)
        return tuple(seen)


@dataclass(frozen=True)
class Manifest:
    path: Path
    models: tuple[ModelEntry, ...]

    def get(self, name: str) -> ModelEntry:
        for entry in self.models:
            if entry.name == name:
                return entry
        known = ", ".join(m.name for m in self.models)
        raise ModelError(f"no model named {name!r} in the manifest", where=str(self.path),
                         hint=f"known models: {known}")

    def select(self, names: list[str] | None = None, include_optional: bool = False) -> list[ModelEntry]:
        """The named models, or else the default ones (plus the optional ones if asked)."""
        if names:
            return [self.get(n) for n in dict.fromkeys(names)]
        return [m for m in self.models if include_optional or not m.optional]

    def requirements(self, include_optional: bool = False) -> list[str]:
        """Unique, sorted pip specs for every package the selected models need."""
        return sorted({r for m in self.select(None, include_optional) for r in m.requirements})


def default_manifest_path() -> Path:
    """``$COMPANION_MANIFEST``, else the manifest shipped inside the package (a symlink in a checkout)."""
    env = os.environ.get(MANIFEST_ENV)
    if env:
        return Path(env).expanduser()
    try:
        from importlib.resources import files

        return Path(str(files("companion").joinpath("manifest.toml")))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - e.g. a zipped package
        return Path(__file__).resolve().parent.parent / "manifest.toml"


def load_manifest(path: Path | None = None) -> Manifest:
    """Read and validate a manifest file."""
    path = path if path is not None else default_manifest_path()
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ModelError("model manifest not found", where=str(path),
                         hint=f"reinstall companion or set {MANIFEST_ENV} to a manifest.toml") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"cannot read the model manifest: {exc}", where=str(path),
                         hint="restore models/manifest.toml from the release") from None
    return parse_manifest(text, path)


def parse_manifest(text: str, path: Path | str = "<manifest>") -> Manifest:
    """Parse manifest TOML text; raises only ``ModelError``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"the model manifest is not valid TOML: {exc}", where=str(path),
                         hint="fix the syntax (see the comment at the top of models/manifest.toml)") from None
    return manifest_from_data(data, path)


def manifest_from_data(data: Any, path: Path | str = "<manifest>") -> Manifest:
    """Validate already-parsed TOML data into a ``Manifest``."""
    where = str(path)
    table = _table(data, where, "the manifest")
    _keys(table, where, "the manifest", required=("model",), allowed=("schema",))
    schema = table.get("schema", SCHEMA)
    if schema != SCHEMA or isinstance(schema, bool):
        _fail(where, "the manifest", f"schema is {schema!r}, this companion reads schema {SCHEMA}")
    raw_models = table["model"]
    if not isinstance(raw_models, list) or not raw_models:
        _fail(where, "the manifest", "needs at least one [[model]] table")
    models: list[ModelEntry] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_models):
        entry = _model(raw, where, f"model[{i}]")
        if entry.name in seen:
            _fail(where, f"model[{i}]", f"duplicate model name {entry.name!r}")
        seen.add(entry.name)
        models.append(entry)
    pins: dict[str, str] = {}
    for entry in models:
        for part in (p for f in entry.files for p in f.parts):
            key = re.sub(r"[-_.]+", "-", part.package).lower()
            if pins.setdefault(key, part.version) != part.version:
                _fail(where, f"model {entry.name!r}", f"pins {part.package}=={part.version} but another "
                      f"entry pins {pins[key]}; one environment holds only one version")
    return Manifest(path=Path(path), models=tuple(models))


def _fail(where: str, ctx: str, what: str) -> NoReturn:
    raise ModelError(f"invalid model manifest: {ctx}: {what}", where=where,
                     hint="fix models/manifest.toml (see the comment at its top)")


def _table(value: Any, where: str, ctx: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        _fail(where, ctx, f"must be a table, not {type(value).__name__}")
    return value


def _keys(table: dict[str, Any], where: str, ctx: str, required: tuple[str, ...],
          allowed: tuple[str, ...] = ()) -> None:
    unknown = sorted(set(table) - set(required) - set(allowed))
    if unknown:
        _fail(where, ctx, f"unknown key(s) {', '.join(map(repr, unknown))}")
    missing = [k for k in required if k not in table]
    if missing:
        _fail(where, ctx, f"missing required key(s) {', '.join(map(repr, missing))}")


def _str(table: dict[str, Any], key: str, where: str, ctx: str, pattern: re.Pattern[str] | None = None) -> str:
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        _fail(where, ctx, f"{key} must be a non-empty string")
    if pattern is not None and not pattern.match(value):
        _fail(where, ctx, f"{key} {value!r} is malformed")
    return value


def _int(table: dict[str, Any], key: str, where: str, ctx: str, minimum: int) -> int:
    value = table[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        _fail(where, ctx, f"{key} must be an integer >= {minimum}, not {value!r}")
    return value


def _sha(table: dict[str, Any], where: str, ctx: str) -> str:
    value = table["sha256"]
    if not isinstance(value, str) or not _SHA256.match(value):
        _fail(where, ctx, f"sha256 must be 64 lower-case hex digits, not {value!r}")
    return value


def _relpath(value: str, where: str, ctx: str, key: str, allow_up: bool) -> str:
    p = PurePosixPath(value)
    if p.is_absolute() or "\\" in value or value.endswith("/") or not p.parts:
        _fail(where, ctx, f"{key} {value!r} must be a relative POSIX path to a file")
    if not allow_up and any(part in ("..", ".") for part in value.split("/")):
        _fail(where, ctx, f"{key} {value!r} must stay inside the model directory")
    return value


def _model(raw: Any, where: str, ctx: str) -> ModelEntry:
    table = _table(raw, where, ctx)
    _keys(table, where, ctx, required=("name", "role", "description", "licence", "files"),
          allowed=("optional", "sample_rate", "source"))
    name = _str(table, "name", where, ctx, _NAME)
    ctx = f"model {name!r}"
    role = _str(table, "role", where, ctx)
    if role not in ROLES:
        _fail(where, ctx, f"role {role!r} is not one of {', '.join(ROLES)}")
    description = _str(table, "description", where, ctx)
    optional = table.get("optional", False)
    if not isinstance(optional, bool):
        _fail(where, ctx, "optional must be true or false")
    sample_rate = None
    if "sample_rate" in table:
        sample_rate = _int(table, "sample_rate", where, ctx, minimum=1)
    elif role in ROLES_WITH_RATE:
        _fail(where, ctx, f"a {role} model needs sample_rate")
    source: tuple[str, str] | None = None
    if "source" in table:
        src = _table(table["source"], where, f"{ctx} source")
        _keys(src, where, f"{ctx} source", required=("package", "version"))
        source = (_str(src, "package", where, ctx, _PACKAGE), _str(src, "version", where, ctx, _VERSION))
    raw_files = table["files"]
    if not isinstance(raw_files, list) or not raw_files:
        _fail(where, ctx, "needs at least one [[model.files]] table")
    files: list[ModelFile] = []
    for i, raw_file in enumerate(raw_files):
        f = _file(raw_file, source, where, f"{ctx} files[{i}]")
        if f.path.casefold() in {g.path.casefold() for g in files} or f.path == INSTALLED_RECORD:
            _fail(where, f"{ctx} files[{i}]", f"path {f.path!r} is duplicated or reserved")
        files.append(f)
    return ModelEntry(name=name, role=role, description=description, optional=optional,
                      sample_rate=sample_rate, files=tuple(files), licence=_licence(table["licence"], where, ctx))


def _file(raw: Any, source: tuple[str, str] | None, where: str, ctx: str) -> ModelFile:
    table = _table(raw, where, ctx)
    _keys(table, where, ctx, required=("path", "sha256", "size"), allowed=("from", "parts", "package", "version"))
    path = _relpath(_str(table, "path", where, ctx), where, ctx, "path", allow_up=False)
    sha256, size = _sha(table, where, ctx), _int(table, "size", where, ctx, minimum=0)
    if ("from" in table) == ("parts" in table):
        _fail(where, ctx, "needs exactly one of 'from' or 'parts'")
    if "parts" in table:
        if "package" in table or "version" in table:
            _fail(where, ctx, "package/version go inside each of 'parts'")
        raw_parts = table["parts"]
        if not isinstance(raw_parts, list) or not raw_parts:
            _fail(where, ctx, "parts must be a non-empty list")
        parts = tuple(_part(p, where, f"{ctx} parts[{j}]") for j, p in enumerate(raw_parts))
        if sum(p.size for p in parts) != size:
            _fail(where, ctx, f"the parts' sizes add up to {sum(p.size for p in parts)}, not size {size}")
        return ModelFile(path=path, sha256=sha256, size=size, parts=parts, joined=True)
    package, version = source if source is not None else (None, None)
    if "package" in table:
        package = _str(table, "package", where, ctx, _PACKAGE)
    if "version" in table:
        version = _str(table, "version", where, ctx, _VERSION)
    if package is None or version is None:
        _fail(where, ctx, "no package/version: set them here or in [model.source]")
    from_path = _relpath(_str(table, "from", where, ctx), where, ctx, "from", allow_up=True)
    only = Part(package=str(package), version=str(version), from_path=from_path, sha256=sha256, size=size)
    return ModelFile(path=path, sha256=sha256, size=size, parts=(only,), joined=False)


def _part(raw: Any, where: str, ctx: str) -> Part:
    table = _table(raw, where, ctx)
    _keys(table, where, ctx, required=("package", "version", "from", "sha256", "size"))
    return Part(package=_str(table, "package", where, ctx, _PACKAGE),
                version=_str(table, "version", where, ctx, _VERSION),
                from_path=_relpath(_str(table, "from", where, ctx), where, ctx, "from", allow_up=True),
                sha256=_sha(table, where, ctx), size=_int(table, "size", where, ctx, minimum=0))


def _licence(raw: Any, where: str, ctx: str) -> Licence:
    ctx = f"{ctx} licence"
    table = _table(raw, where, ctx)
    _keys(table, where, ctx, required=("spdx", "provenance"), allowed=("text", "pointer"))
    if "text" not in table and "pointer" not in table:
        _fail(where, ctx, "needs 'text' or 'pointer' (where the licence text is)")
    text = _str(table, "text", where, ctx) if "text" in table else None
    pointer = _str(table, "pointer", where, ctx) if "pointer" in table else None
    return Licence(spdx=_str(table, "spdx", where, ctx), text=text, pointer=pointer,
                   provenance=_str(table, "provenance", where, ctx))
