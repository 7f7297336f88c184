"""Thread plans: no two engines that run together may together ask for more than the cores."""

from __future__ import annotations

import pytest

from companion.service.threads import plan_threads


@pytest.mark.parametrize("cores", [1, 2, 4, 6, 8])
def test_auto_keeps_the_overlapping_engines_within_the_cores(cores: int) -> None:
    lm_plan = plan_threads("auto", engine="lm", cores=cores)
    assert lm_plan.lm + lm_plan.tts <= max(cores, 2) + (1 if cores <= 2 else 0)
    assert 1 <= lm_plan.asr <= 4
    retrieval = plan_threads("auto", engine="retrieval", cores=cores)
    assert retrieval.tts == min(cores, 2)


def test_all_gives_every_engine_every_core() -> None:
    assert plan_threads("all", cores=4) == plan_threads("all", engine="lm", cores=4)
    assert plan_threads("all", cores=4).lm == 4


def test_two_cores() -> None:
    plan = plan_threads("auto", engine="lm", cores=2)
    assert (plan.asr, plan.lm, plan.tts) == (2, 2, 1)
