"""Shared fixtures for the integration tests.

``pulse_rig``: a private PulseAudio server (see ``tests/support/pulse_rig.py``)
with the device's speaker (``companion_speaker``) and a virtual microphone
(``companion_mic_feed.monitor``), started fresh for each test and torn down
afterwards, also when the test fails.  A missing PulseAudio is a failure, not a skip:
``./install.sh --dev`` installs it, and a skipped live test would hide a broken install.  The fixture does *not* touch
``os.environ``: call ``pulse_rig.apply_env()`` before sounddevice opens a stream
in-process, or pass ``pulse_rig.client_env()`` to a subprocess.  Tests using it
should be marked ``@pytest.mark.live``.
"""
from __future__ import annotations

import pytest

from support.pulse_rig import PulseRig, pulse_available


@pytest.fixture
def pulse_rig():
    reason = pulse_available()
    if reason:
        pytest.fail(f"{reason}; run ./install.sh --dev")
    with PulseRig() as rig:
        yield rig
