"""Shared fixtures for the integration tests.

``pulse_rig``: a private PulseAudio server (see ``tests/support/pulse_rig.py``)
with the device's speaker (``companion_speaker``) and a virtual microphone
(``companion_mic_feed.monitor``), started fresh for each test and torn down
afterwards, also when the test fails.  A missing PulseAudio is a failure, not a skip:
``./install.sh --dev`` installs it, and a skipped live test would hide a broken install.  The fixture does *not* touch
``os.environ``: call ``pulse_rig.apply_env()`` before sounddevice opens a stream
in-process, or pass ``pulse_rig.client_env()`` to a subprocess.  Tests using it
should be marked ``@pytest.mark.live``.

``demo_walter``: the demo persona through the real factory (``load_retrieval_persona``: MiniLM,
the word model, the calibrated answer floor), loaded once per session; ``walter`` is a fresh view of
it for each test module (the same vectors and models, its own turn counter), so modules do not see
each other's fallback rotation. ``shared_multilingual``: the session's one multilingual model, as
the composition root keeps one per process.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from support.pulse_rig import PulseRig, pulse_available

if TYPE_CHECKING:
    from companion.config import Settings
    from companion.persona.multilingual import SharedMultilingual
    from companion.persona.retrieval import RetrievalPersona


@pytest.fixture
def pulse_rig():
    reason = pulse_available()
    if reason:
        pytest.fail(f"{reason}; run ./install.sh --dev")
    with PulseRig() as rig:
        yield rig


@pytest.fixture(scope="session")
def shared_multilingual(models_dir: Path) -> SharedMultilingual:
    """The multilingual model, loaded once for the session (~1 s and ~120 MB a copy)."""
    from companion.persona.multilingual import SharedMultilingual

    return SharedMultilingual(models_dir)


@pytest.fixture(scope="session")
def persona_cache(test_settings: Settings) -> Path:
    """Where personas' vectors are cached: the test settings' own, so the app, the CLI runs with
    ``cli_env`` and the tests' own loads of the demo persona all find its vectors warm."""
    return test_settings.paths.cache / "persona"


@pytest.fixture(scope="session")
def demo_walter(models_dir: Path, persona_cache: Path, shared_multilingual: SharedMultilingual) -> RetrievalPersona:
    """The demo persona as the device loads it, once per session. Read-only use; a test that asks
    it questions takes ``walter`` (its own view) instead."""
    from companion.config import DEMO_PERSONA_DIR
    from companion.persona.retrieval import load_retrieval_persona

    return load_retrieval_persona(DEMO_PERSONA_DIR, models_dir, persona_cache, multilingual=shared_multilingual)


@pytest.fixture(scope="module")
def walter(demo_walter: RetrievalPersona) -> RetrievalPersona:
    """The demo persona for one test module: a view of ``demo_walter`` over all its messages (the
    same vectors, synonyms and answer floor; its own turn counter and lock), built in well under a second."""
    return demo_walter.subset()
