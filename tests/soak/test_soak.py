"""The short soak run CI does: a few turns through the live service on the PulseAudio rig.

The full run (hundreds of turns, RSS over time) is `python tests/soak/soak.py --turns 300`.
"""

from __future__ import annotations

import pytest

from support.pulse_rig import pulse_available

pytestmark = [pytest.mark.integration, pytest.mark.live]


def test_a_few_live_turns_all_answered(loaded_models) -> None:  # type: ignore[no-untyped-def]
    reason = pulse_available()
    if reason:
        pytest.fail(f"{reason}; run ./install.sh --dev")
    from soak.soak import run_soak

    report = run_soak(3, warmup=1, progress=False, models=loaded_models)
    assert report["failed_turns"] == []
    assert len(report["rss_mib"]) == 4 and report["mic_faults"] == 0
