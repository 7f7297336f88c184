"""The wake word's refractory period."""

from companion.wake.base import Refractory


def test_repeats_within_the_period_are_suppressed() -> None:
    gate = Refractory(2.0)
    assert gate.allow(1.0)
    assert not gate.allow(1.5)
    assert not gate.allow(2.99)
    assert gate.allow(3.0)


def test_a_new_stream_starting_at_zero_is_not_blocked_by_the_old_one() -> None:
    gate = Refractory(2.0)
    assert gate.allow(1.3)
    assert gate.allow(0.2)
