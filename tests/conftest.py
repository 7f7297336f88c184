"""Shared fixtures: the installed models, loaded once, and spoken questions made with Piper."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from companion.config import Settings
from companion.models.store import ModelStore, default_models_dir

REQUIRED_MODELS = ("asr-tiny-en", "tts-joe-medium", "wake-okay-nabu", "embed-minilm", "embed-use-multilingual")

# Property tests check behaviour, not speed: a per-example deadline only measures how busy the
# (2-core, shared) machine is. Speed is reported by the benchmarks.
hypothesis_settings.register_profile("companion", deadline=None)
hypothesis_settings.load_profile("companion")

_INTEGRATION_DIR = Path(__file__).parent / "integration"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything under tests/integration is an integration test, marked or not: the fast lane
    (`pytest -m "not integration"`) must never pick up a test that starts servers or runs models."""
    for item in items:
        if _INTEGRATION_DIR in item.path.parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session", autouse=True)
def consent_authority(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The device's consent key for this test session (never the real one): what `install.sh`
    makes on a device. Commands run by the tests inherit it through the environment."""
    from companion.consent.authority import ENV_DIR

    folder = tmp_path_factory.mktemp("consent-authority")
    before = os.environ.get(ENV_DIR)
    os.environ[ENV_DIR] = str(folder)
    yield folder
    if before is None:
        os.environ.pop(ENV_DIR, None)
    else:
        os.environ[ENV_DIR] = before


@pytest.fixture(scope="session")
def models_dir() -> Path:
    """The models `./install.sh --dev` installed; a clear failure (not a skip) when absent."""
    directory = default_models_dir()
    store = ModelStore(directory)
    for name in REQUIRED_MODELS:
        store.path(name)  # raises ModelError naming the model and what to run
    return directory


@pytest.fixture(scope="session")
def test_settings(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    cache = tmp_path_factory.mktemp("cache")
    state = tmp_path_factory.mktemp("state")  # generation log, care state, signing key: never the real home
    base = Settings()
    return replace(
        base,
        paths=replace(base.paths, models_dir=str(models_dir), cache_dir=str(cache)),
        ethics=replace(base.ethics, log_dir=str(state)),
    )


@pytest.fixture(scope="session")
def loaded_models(test_settings: Settings):  # type: ignore[no-untyped-def]
    from companion.service.app import load_models

    return load_models(test_settings, with_wake=True)


@pytest.fixture(scope="session")
def speak(loaded_models, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:  # type: ignore[no-untyped-def]
    """Synthesize a spoken question with the bundled Piper voice; returns the WAV path."""
    from companion.audio.wavfile import write_wav

    folder = tmp_path_factory.mktemp("questions")
    cache: dict[str, Path] = {}

    def make(text: str) -> Path:
        if text not in cache:
            path = folder / f"q{len(cache)}.wav"
            write_wav(path, loaded_models.tts.synthesize(text), loaded_models.tts.sample_rate)
            cache[text] = path
        return cache[text]

    return make


@pytest.fixture()
def cli_env(test_settings: Settings) -> Iterator[dict[str, str]]:
    """Environment for running the `companion` command as a user would, against the test models."""
    env = dict(os.environ)
    env["COMPANION_MODELS_DIR"] = test_settings.paths.models_dir
    env["XDG_CACHE_HOME"] = test_settings.paths.cache_dir
    env["XDG_STATE_HOME"] = test_settings.ethics.log_dir
    env.pop("COMPANION_CONFIG", None)
    yield env


@pytest.fixture(autouse=True)
def _forget_typed_passphrases() -> Iterator[None]:
    """Each test types its own passphrases (the process remembers typed ones for start-up)."""
    from companion.persona.bundle import keys

    keys._typed.clear()
    yield
    keys._typed.clear()
