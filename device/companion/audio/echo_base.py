"""What every echo canceller shares: its result, its interface, and how it measures itself.

The built-in canceller (audio/echo.py) and WebRTC's AEC3 (audio/echo_webrtc.py) report the
same numbers the same way, so the barge-in monitor (service/bargein.py) and the benchmark
(tests/bench/bench_aec.py) can compare and trust them alike: an ERLE that rises fast and falls
slowly (a talker the double-talk test misses must not make the monitor deaf to that very
talker), the total ERLE over all echo-only audio since convergence, and CPU per audio second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .reference import ReferenceBuffer

ERLE_RISE = 0.05
"""Per 10 ms block, how far the ERLE moves towards a higher measurement (~0.2 s)."""
ERLE_FALL = 0.004
"""... and towards a lower one (~2.5 s)."""


@dataclass
class EchoResult:
    """One block of microphone audio after cancellation, with what was subtracted."""

    residual: np.ndarray
    """Mic minus estimated echo, int16, as long as the input."""
    echo: np.ndarray
    """The estimated echo that was subtracted (float32, int16 scale)."""
    reference_active: bool
    """The device played something the mic can still be hearing (its echo may come late)."""
    expected: np.ndarray | None = None
    """Per sample, the echo power to expect at the mic (path gain x what was played), int16 units."""
    aligned: bool = True
    """False while the timing of the echo is being checked (after each pause in the playback, or
    when the echo was found where the canceller does not look): the estimate may be off then."""


class EchoCanceller(Protocol):
    """Removes the device's own playback from microphone audio (16 kHz mono int16)."""

    reference: ReferenceBuffer

    @property
    def converged(self) -> bool:
        """True once the canceller can be trusted to remove the echo (delay found, filter adapted)."""
        ...

    @property
    def erle_db(self) -> float:
        """Echo return loss enhancement measured on echo-only audio (mic power / residual power)."""
        ...

    def process(self, mic: np.ndarray, start_time: float) -> EchoResult:
        """Cancel the echo in ``mic`` whose first sample was captured at ``start_time`` (wall clock)."""
        ...

    def reset(self) -> None: ...


class EchoMeter:
    """ERLE and CPU bookkeeping, the same for every canceller (a mixin: it defines ``converged``)."""

    def __init__(self) -> None:
        self.cpu_s = 0.0
        self.audio_s = 0.0
        self._energy = [0.0, 0.0]  # echo-only mic and residual energy while converged (a statistic)
        self._forget_erle()

    def _forget_erle(self) -> None:
        """A new echo path (a re-lock, a reset): measure again; the running totals are kept."""
        self._erle = 0.0  # dB, rises fast and falls slowly
        self._echo_blocks = 0

    @property
    def converged(self) -> bool:
        return self._echo_blocks >= 50 and self._erle >= 6.0

    @property
    def erle_db(self) -> float:
        """Cancellation on echo-only audio (mic over residual power): rises within ~0.2 s, falls
        over seconds, so a talker the double-talk test misses does not collapse it."""
        return self._erle

    @property
    def erle_total_db(self) -> float:
        """Mic energy over residual energy, summed over all echo-only audio since convergence."""
        mic, residual = self._energy
        return 10.0 * float(np.log10(mic / residual)) if mic > 0 and residual > 0 else 0.0

    @property
    def cpu_per_audio_s(self) -> float:
        return self.cpu_s / self.audio_s if self.audio_s else 0.0

    def _measure(self, mic_smoothed: float, out_smoothed: float, p_mic: float, p_out: float) -> None:
        """One 10 ms block of echo alone: move the ERLE towards this block's, count the energy."""
        now = 10.0 * float(np.log10((mic_smoothed + 1.0) / (out_smoothed + 1.0)))
        self._erle += (ERLE_RISE if now > self._erle else ERLE_FALL) * (now - self._erle)
        self._echo_blocks += 1
        if self.converged:
            self._energy[0] += p_mic
            self._energy[1] += p_out
