"""Speech events hold audio arrays yet compare and hash like the small values they are."""

from __future__ import annotations

import numpy as np
import pytest

from companion.events import SpeechEnded, SpeechPaused


def _pcm(seed: int, n: int = 1600) -> np.ndarray:
    return np.random.default_rng(seed).integers(-3000, 3000, n).astype(np.int16)


def test_events_with_the_same_audio_are_equal_and_hash_alike() -> None:
    a = SpeechEnded(_pcm(1), 16000, 1.0, 0.6, pause_id=3)
    b = SpeechEnded(_pcm(1), 16000, 1.0, 0.6, pause_id=3)  # another array, the same samples
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    p, q = SpeechPaused(_pcm(2), 16000, 0.5, 3), SpeechPaused(_pcm(2), 16000, 0.5, 3)
    assert p == q and hash(p) == hash(q)


@pytest.mark.parametrize("other", [
    lambda pcm: SpeechEnded(_pcm(2), 16000, 1.0, 0.6),  # other samples
    lambda pcm: SpeechEnded(pcm[:-1], 16000, 1.0, 0.6),  # one sample shorter
    lambda pcm: SpeechEnded(pcm.astype(np.int32), 16000, 1.0, 0.6),  # same numbers, other type
    lambda pcm: SpeechEnded(pcm, 8000, 1.0, 0.6),  # other rate
    lambda pcm: SpeechEnded(pcm, 16000, 1.0, 0.6, truncated=True),
])
def test_any_difference_makes_them_unequal(other) -> None:  # type: ignore[no-untyped-def]
    pcm = _pcm(1)
    assert SpeechEnded(pcm, 16000, 1.0, 0.6) != other(pcm)


def test_the_audio_an_event_compares_by_cannot_change_under_it() -> None:
    pcm = _pcm(1)
    event = SpeechEnded(pcm, 16000, 1.0, 0.6)
    with pytest.raises(ValueError):
        event.pcm[0] = 1
    assert np.array_equal(event.pcm, pcm) and "pcm" not in repr(event)
    assert pcm.flags.writeable  # the caller's own array is left as it was


def test_a_paused_and_an_ended_event_are_never_equal() -> None:
    pcm = _pcm(1)
    assert SpeechPaused(pcm, 16000, 1.0, 1) != SpeechEnded(pcm, 16000, 1.0, 0.6, pause_id=1)
