"""Which persona engine runs: settings ("retrieval" | "lm" | "auto") and the evaluated choice.

``companion persona eval`` records the engine that won on the persona's own data in the cache
(the persona folder is read-only to the device); with ``engine = "auto"`` the runtime reads it.
A persona's own fine-tuned model (``lm/`` in a plain folder; inside the encrypted database of a
bundle, see bundle_model.py), written by ``persona train``, is used in place of the base model.
For a bundle the engine reuses the memories the retrieval persona already decrypted; the bundle
is unlocked again only to decrypt a fine-tuned model, into a private folder removed after loading.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ...atomicfile import write_atomic
from ...errors import ModelError
from ..base import PersonaEngine
from .gate import PassRecord

logger = logging.getLogger(__name__)

ENGINES = ("retrieval", "lm", "lm-tuned")
PERSONA_LM_DIR = "lm"
"""A fine-tuned persona model inside the persona folder / bundle."""


def choice_path(cache_dir: Path, persona_dir: Path) -> Path:
    key = hashlib.sha256(str(Path(persona_dir).resolve()).encode()).hexdigest()[:16]
    return Path(cache_dir) / f"engine-{key}.json"


def model_identity(model_dir: Path | None) -> str | None:
    """What a built model is, cheaply: its build record's file hashes, else its config and file sizes.

    The evaluated choice names the model it was won with, so swapping in another model (a
    stronger user-supplied one) does not inherit a verdict it never earned."""
    if model_dir is None:
        return None
    folder = Path(model_dir)
    digest = hashlib.sha256()
    try:
        record = json.loads((folder / "BUILD.json").read_text())
        digest.update(json.dumps(record.get("files", {}), sort_keys=True).encode())
    except (OSError, ValueError, AttributeError):
        try:
            digest.update((folder / "genai_config.json").read_bytes())
            for path in sorted(p for p in folder.iterdir() if p.is_file()):
                digest.update(f"{path.name}:{path.stat().st_size}".encode())
        except OSError:
            return None
    return digest.hexdigest()[:16]


def record_choice(cache_dir: Path, persona_dir: Path, engine: str, report: dict, *, model: str | None = None) -> Path:
    """Write the evaluated choice atomically (with the identity of the model an LM won with)."""
    if engine not in ENGINES:
        raise ValueError(engine)
    path = choice_path(cache_dir, persona_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps({"persona": str(Path(persona_dir).resolve()), "engine": engine, "model": model,
                                   "report": report}, indent=2, ensure_ascii=False) + "\n")
    return path


def read_choice(cache_dir: Path, persona_dir: Path, *, model: str | None = None) -> str | None:
    """The evaluated winner; None when never evaluated, or (given ``model``) when the base LM won
    but the configured model is not the one evaluated: run `persona eval` again."""
    try:
        data = json.loads(choice_path(cache_dir, persona_dir).read_text())
        engine = data.get("engine")
    except (OSError, ValueError, AttributeError):
        return None
    if engine == "lm" and model is not None and data.get("model") != model:
        logger.warning("the language model changed since `persona eval` chose it: retrieval answers until "
                       "`companion persona eval` is run again")
        return None
    return engine if engine in ENGINES else None


def recorded_generation(cache_dir: Path, persona_dir: Path, engine: str, *, model: str | None = None) -> PassRecord:
    """What is known of this LM's generation on this persona, for the gate to start from: what
    `persona eval` measured (unless it evaluated another model) plus the attempts of earlier runs."""
    record = PassRecord()
    try:
        data = json.loads(choice_path(cache_dir, persona_dir).read_text())
        if not (engine == "lm" and model is not None and data.get("model") != model):
            record = PassRecord.from_dict(data["report"]["engines"][engine].get("generation"))
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        pass
    try:
        earlier = PassRecord.from_dict(json.loads(_attempts_path(cache_dir, persona_dir, model).read_text()))
    except (OSError, ValueError):
        earlier = PassRecord()
    return PassRecord(attempts=record.attempts + earlier.attempts, passed=record.passed + earlier.passed)


def _attempts_path(cache_dir: Path, persona_dir: Path, model: str | None) -> Path:
    key = hashlib.sha256(f"{Path(persona_dir).resolve()}\0{model}".encode()).hexdigest()[:16]
    return Path(cache_dir) / f"lm-attempts-{key}.json"


def keep_attempts(cache_dir: Path, persona_dir: Path, model: str | None) -> Callable[[bool, float], None]:
    """A callback that counts this run's generation attempts into the cache (counts only, no words),
    so the measured pass rate outlives a restart and probes are not paid again."""
    path = _attempts_path(cache_dir, persona_dir, model)
    try:
        live = PassRecord.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        live = PassRecord()

    def attempt(spoken: bool, seconds: float) -> None:
        live.add(spoken, seconds)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, json.dumps(live.to_dict()) + "\n")
        except OSError as exc:
            logger.warning("cannot keep the LM's generation record (%s); it lasts until restart", exc)

    return attempt


def tuned_model_dir(persona_dir: Path) -> Path | None:
    path = Path(persona_dir) / PERSONA_LM_DIR
    return path if (path / "genai_config.json").is_file() else None


def resolve_engine(setting: str, cache_dir: Path, persona_dir: Path, *, model: str | None = None) -> str:
    """The engine to run: the setting, or for "auto" the evaluated winner (retrieval if none, or if
    the base LM won with another model than ``model``, the configured one's identity)."""
    if setting == "retrieval":
        return "retrieval"
    if setting == "lm":
        return "lm-tuned" if tuned_model_dir(persona_dir) else "lm"
    return read_choice(cache_dir, persona_dir, model=model) or "retrieval"


def lm_model_dir(engine: str, models_dir: Path, model_name: str, persona_dir: Path) -> Path:
    if engine == "lm-tuned":
        tuned = tuned_model_dir(persona_dir)
        if tuned is not None:
            return tuned
    path = Path(models_dir) / model_name
    if not (path / "genai_config.json").is_file():
        raise ModelError(f"the persona language model {model_name!r} is not built", where=str(path),
                         hint="run ./install.sh --dev, or companion models build-default-lm")
    return path


def build_engine(settings, retrieval, *, cache_prefix: bool = True) -> PersonaEngine:
    """The configured engine over an already-loaded RetrievalPersona (settings: config.Settings)."""
    from ..bundle.store import is_bundle

    persona = settings.persona
    if is_bundle(persona.path):
        return _build_bundle_engine(settings, retrieval, cache_prefix=cache_prefix)
    cache = settings.paths.cache / "persona"
    engine = resolve_engine(persona.engine, cache, persona.path,
                            model=model_identity(settings.paths.models / persona.lm_model))
    if engine == "retrieval":
        return retrieval
    from .engine import load_lm_persona
    from .grounding import RetrievalGrounding

    model_dir = lm_model_dir(engine, settings.paths.models, persona.lm_model, persona.path)
    logger.info("persona engine: %s (%s)", engine, model_dir)
    model = model_identity(model_dir)
    return load_lm_persona(model_dir, RetrievalGrounding(retrieval), threads=persona.lm_threads, cache_prefix=cache_prefix,
                           record=recorded_generation(cache, persona.path, engine, model=model),
                           on_attempt=keep_attempts(cache, persona.path, model))


def _build_bundle_engine(settings, retrieval, *, cache_prefix: bool) -> PersonaEngine:
    """Like build_engine for an encrypted bundle: its fine-tuned model (if any) is in the database."""
    persona = settings.persona
    if persona.engine == "retrieval":
        return retrieval
    # "lm": the persona's own model when the bundle has one; "auto": what eval recorded.
    wanted = "lm-tuned" if persona.engine == "lm" else read_choice(
        settings.paths.cache / "persona", persona.path, model=model_identity(settings.paths.models / persona.lm_model))
    if wanted in (None, "retrieval"):
        return retrieval
    from .engine import load_lm_persona
    from .grounding import RetrievalGrounding

    source = RetrievalGrounding(retrieval)
    cache = settings.paths.cache / "persona"
    options = {"threads": persona.lm_threads, "cache_prefix": cache_prefix}
    if wanted == "lm-tuned":
        with open_bundle(persona.path, persona.key_file) as bundle:
            from .bundle_model import decrypted_model, has_model

            if has_model(bundle):
                with decrypted_model(bundle) as model_dir:
                    logger.info("persona engine: lm-tuned (from the bundle)")
                    return load_lm_persona(model_dir, source, record=recorded_generation(cache, persona.path, "lm-tuned"),
                                           on_attempt=keep_attempts(cache, persona.path, "lm-tuned"), **options)
    model_dir = lm_model_dir("lm", settings.paths.models, persona.lm_model, persona.path)
    logger.info("persona engine: lm (%s)", model_dir)
    model = model_identity(model_dir)
    return load_lm_persona(model_dir, source, record=recorded_generation(cache, persona.path, "lm", model=model),
                           on_attempt=keep_attempts(cache, persona.path, model), **options)


@contextmanager
def open_bundle(path: Path, key_file: str | Path | None = None) -> Iterator:
    """Unlock a bundle with the key file / credential / passphrase (the way the retrieval loader
    does); a damaged page surfaces as one BundleError."""
    from ..bundle.keys import read_secret
    from ..bundle.store import Bundle, database_errors_as_bundle_errors

    secret = read_secret(settings_key_file=key_file or None, prompt_name=f"persona bundle {path}")
    with database_errors_as_bundle_errors(Path(path)), Bundle.open(Path(path), secret) as bundle:
        yield bundle


def language_model_note(settings, language: str) -> str | None:
    """For ``persona show``/eval: a line when the configured LM cannot speak ``language``.

    Reads only the tokenizer (cheap, no model load); None when the language is fine or no LM is built.
    """
    from tokenizers import Tokenizer

    from .language import CHINESE_SAMPLE, chinese_note

    if not language.lower().startswith("zh"):
        return None
    path = Path(settings.paths.models) / settings.persona.lm_model / "tokenizer.json"
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception:  # not built, or unreadable: nothing to warn about
        return None
    count = len(tokenizer.encode(CHINESE_SAMPLE, add_special_tokens=False).ids)
    note = chinese_note(count / len(CHINESE_SAMPLE))
    return f"{note}: the LM engine is not available for it; the retrieval engine answers" if note else None
