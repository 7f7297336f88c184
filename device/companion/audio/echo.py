"""Acoustic echo cancellation: remove the device's own voice from what the microphone hears.

The device knows exactly what it plays: ``ReferenceTap`` (audio/reference.py) stores every
block the speaker is given, at 16 kHz and at the wall-clock time it is heard.
``NlmsEchoCanceller`` then, for each block of microphone audio (stamped with the wall-clock
time it was captured):

1. finds the bulk echo delay (output latency + air + input latency) by GCC-PHAT (echo_delay.py)
   cross-correlation of the microphone against the reference over 0..max_delay_s, locking it
   once two estimates agree, and re-checking it every second: an echo found where the filter
   does not look means the canceller is not converged (not trusted) until it re-locks;
2. re-measures the delay over the whole range after every pause in the playback, because the
   sound server restarts a drained stream earlier or later each time, and moves the filter
   there without forgetting the room if it is within the filter's reach; a measurement beyond
   that only makes the canceller untrusted until two periodic estimates agree (one short
   measurement can be wrong); until then the timing is unsure (``EchoResult.aligned``);
3. models the rest of the echo path (speaker, room, resamplers) with a partitioned-block
   frequency-domain NLMS filter (overlap-save, 10 ms blocks) and subtracts its output;
4. freezes adaptation while the near-end talker is speaking (double-talk guard: the
   microphone holds clearly more energy than the echo the filter and the measured echo gain
   explain), and shrinks the step when the residual is above the leftover echo the ERLE
   predicts, so the user's voice does not teach the filter to cancel the user.

Numpy only; ~1.5 ms per 30 ms block on this x86 box (see ``cpu_per_audio_s``).
``PassThroughCanceller`` is the "no cancellation" variant behind the same interface.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from .base import CAPTURE_RATE
from .echo_base import EchoCanceller, EchoMeter, EchoResult
from .echo_delay import gcc_phat_delay, mean_power
from .reference import ReferenceBuffer, ReferenceTap

__all__ = ["EchoCanceller", "EchoResult", "NlmsEchoCanceller", "PassThroughCanceller", "ReferenceBuffer",
           "ReferenceTap"]

logger = logging.getLogger(__name__)

BLOCK = 160
"""Samples per adaptive-filter block (10 ms at 16 kHz); every mic block size is a multiple."""
AUDIBLE_S = 2.0
"""How long after the reference places a sound its echo may still reach the mic: the echo delay
plus how late a loaded machine's playback can run behind the reference (up to 1.2 s measured
on the live rig under load). Only this long after the last sound is the device surely silent."""


class NlmsEchoCanceller(EchoMeter):
    """Delay estimation + partitioned-block frequency-domain NLMS; see the module docstring."""

    def __init__(
        self,
        reference: ReferenceBuffer | None = None,
        *,
        max_delay_s: float = 0.5,
        filter_s: float = 0.128,
        step: float = 0.8,
        rate: int = CAPTURE_RATE,
    ) -> None:
        super().__init__()
        self.reference = reference or ReferenceBuffer(rate=rate)
        self.rate = rate
        self.max_lag = int(max_delay_s * rate)
        self.partitions = max(1, int(np.ceil(filter_s * rate / BLOCK)))
        self.step = step
        self.guard = 16 * rate // 1000  # the filter starts 16 ms before the found delay (resamplers, jitter)
        self._window = rate  # 1 s of history for delay estimation
        self._history = np.zeros(self._window, dtype=np.float32)
        self._history_end: int | None = None
        self._history_fill = 0
        self.delay: int | None = None  # bulk delay in samples (the filter's start)
        self.found_delay_s: float | None = None
        self._candidate: int | None = None
        self._last_estimate = -np.inf
        self._echo_ratio = 0.0  # echo power / reference power (the echo path's energy gain)
        self._smoothed = np.zeros(3)  # mic, expected echo and residual power (30 ms smoothing)
        self._freeze = 0
        self._pending_in = np.zeros(0, dtype=np.float32)
        self._pending_out = np.zeros(0, dtype=np.float32)
        self._pending_echo = np.zeros(0, dtype=np.float32)
        self._pending_expected = np.zeros(0, dtype=np.float32)
        self._expected_now = 0.0
        self._next_index: int | None = None
        self._segment: int | None = None  # the playback restart whose timing was last checked
        self._settling = False
        self._misaligned = False  # the echo was found where the filter does not look
        self.realignments = 0
        self._reset_filter()

    # -- public ------------------------------------------------------------------------------
    @property
    def converged(self) -> bool:
        return self.delay is not None and not self._misaligned and super().converged

    def reset(self) -> None:
        """Forget the echo path entirely (a different room, a moved speaker)."""
        self.delay = None
        self.found_delay_s = None
        self._candidate = None
        self._echo_ratio = 0.0
        self._misaligned = False
        self._forget_erle()
        self._reset_filter()

    def process(self, mic: np.ndarray, start_time: float) -> EchoResult:
        t = time.thread_time()
        first = int(round(start_time * self.rate))
        if self._next_index is None or abs(first - self._next_index) > BLOCK:
            # Not continuous with the last call (a new reply, or the loop stalled): restart the blocks.
            self._pending_in = np.zeros(0, dtype=np.float32)
            self._pending_out = np.zeros(0, dtype=np.float32)
            self._pending_echo = np.zeros(0, dtype=np.float32)
            self._pending_expected = np.zeros(0, dtype=np.float32)
            self._history_end = None
            self._history_fill = 0
            self._fdl[:] = 0
            self._prev_ref = np.zeros(BLOCK, dtype=np.float32)
            self._next_index = first
        index = self._next_index - len(self._pending_in)  # wall index of the first pending sample
        self._next_index += len(mic)
        data = np.concatenate([self._pending_in, mic.astype(np.float32)])
        usable = len(data) - len(data) % BLOCK
        outs, echoes, expected = [self._pending_out], [self._pending_echo], [self._pending_expected]
        aligned = True
        for offset in range(0, usable, BLOCK):
            block = data[offset : offset + BLOCK]
            self._expected_now = 0.0
            e, y = self._block(block, index + offset)
            outs.append(e)
            echoes.append(y)
            expected.append(np.full(BLOCK, self._expected_now, dtype=np.float32))
            aligned = aligned and not self._settling and not self._misaligned
        self._pending_in = data[usable:]
        # Whatever delay was found (it can be wrong, or have changed since): anything played
        # within AUDIBLE_S may still be heard, so only then is the device surely silent.
        audible = int(AUDIBLE_S * self.rate)
        active = self.reference.any_sound(index - audible, audible + len(data))
        out, echo, power = np.concatenate(outs), np.concatenate(echoes), np.concatenate(expected)
        if len(out) < len(mic):  # the first call with a partial block: pad the front
            pad = np.zeros(len(mic) - len(out), np.float32)
            out, echo, power = (np.concatenate([pad, a]) for a in (out, echo, power))
        self._pending_out, self._pending_echo = out[len(mic) :], echo[len(mic) :]
        self._pending_expected = power[len(mic) :]
        residual = np.clip(np.round(out[: len(mic)]), -32768, 32767).astype(np.int16)
        self.cpu_s += time.thread_time() - t
        self.audio_s += len(mic) / self.rate
        return EchoResult(residual=residual, echo=echo[: len(mic)], reference_active=active,
                          expected=power[: len(mic)], aligned=aligned)

    # -- internals ---------------------------------------------------------------------------
    def _reset_filter(self) -> None:
        bins = BLOCK + 1
        self._weights = np.zeros((self.partitions, bins), dtype=np.complex128)
        self._fdl = np.zeros((self.partitions, bins), dtype=np.complex128)
        self._prev_ref = np.zeros(BLOCK, dtype=np.float32)
        self._constrain_next = 0

    def _remember(self, block: np.ndarray, index: int) -> None:
        """Keep the last second of raw mic audio for delay estimation."""
        self._history = np.roll(self._history, -len(block))
        self._history[-len(block) :] = block
        self._history_end = index + len(block)
        self._history_fill = min(self._window, self._history_fill + len(block))

    def _maybe_estimate_delay(self, now_index: int) -> None:
        """Find the echo delay by correlation, twice in agreement to lock it; once locked, check it
        every second. Also while the filter seems to cancel well or someone seems to talk: a wrong
        delay makes the echo itself look like a talker (the mic holds far more than the filter
        explains), which would freeze the filter, its ERLE and so the wrong lock for good. A
        talker cannot fool the check: their voice is not correlated with what was played."""
        due = 0.5 if self.delay is None or self._misaligned else 1.0
        if (now_index - self._last_estimate) / self.rate < due or self._history_fill < self._window:
            return
        self._last_estimate = now_index
        end = self._history_end
        assert end is not None
        ref = self.reference.read(end - self._window - self.max_lag, self._window + self.max_lag)
        if mean_power(ref[self.max_lag :]) < 1e3 or mean_power(self._history) < 1e2:
            return  # the device was (nearly) silent: nothing to correlate
        lag, ratio, gain = gcc_phat_delay(self._history.astype(np.float64), ref.astype(np.float64), self.max_lag)
        if ratio < 12.0:
            self._candidate = None
            if self.delay is not None and mean_power(self._history) > 0.5 * self._echo_ratio * mean_power(ref):
                # The mic holds as much as the echo should, yet nothing of it within the range:
                # the playback runs later than the reference says (by seconds on a loaded
                # machine). Where the echo is, the filter is not: not trusted until re-locked.
                self._misaligned = True
            return
        if self.delay is not None:
            covered = self._covers(lag)
            if not covered and not self._misaligned:
                logger.info("echo found at %.1f ms, outside the filter (%.1f ms): not trusted until re-locked",
                            1000 * lag / self.rate, 1000 * (self.delay + self.guard) / self.rate)
            self._misaligned = not covered
        if self._candidate is not None and abs(lag - self._candidate) <= 16:
            new_delay = max(0, lag - self.guard)
            if self.delay is None or abs(new_delay - self.delay) > self.guard:
                logger.info("echo delay %.1f ms (gain %.2f)", 1000 * lag / self.rate, gain)
                self._reset_filter()
                self._forget_erle()
                self._misaligned = False
                self.delay = new_delay
                self.found_delay_s = lag / self.rate
                self._prime(end - BLOCK)
                # A restart in the last 0.3 s is checked again: the window hardly held it.
                self._segment = self.reference.last_restart(end - self.SETTLE)
                # A new echo path: its gain is measured again. Kept from a wrong first lock (0.09
                # where the echo's was 0.61, on the loaded live rig), the echo to expect was a
                # seventh of the real one, and the device took its own echo for a voice.
                self._echo_ratio = 0.0
            if self._echo_ratio == 0.0:  # a (re-)lock: the window's energy ratio (no talker assumed)
                self._echo_ratio = mean_power(self._history) / max(mean_power(ref[self.max_lag :]), 1.0)
        self._candidate = lag

    def _covers(self, lag: int) -> bool:
        """The echo's main path at ``lag`` lies where the filter can model it, room tail included."""
        assert self.delay is not None
        return self.delay <= lag <= self.delay + self.guard + self.partitions * BLOCK // 2

    def _prime(self, index: int) -> None:
        """Fill the delay line with the reference already played, so the filter starts whole."""
        assert self.delay is not None
        span = self.reference.read(index - self.delay - (self.partitions + 1) * BLOCK, (self.partitions + 1) * BLOCK)
        for p in range(self.partitions):
            end = len(span) - p * BLOCK
            self._fdl[p] = np.fft.rfft(span[end - 2 * BLOCK : end])
        self._prev_ref = span[-BLOCK:]

    def _block(self, mic: np.ndarray, index: int) -> tuple[np.ndarray, np.ndarray]:
        self._remember(mic, index)
        self._maybe_estimate_delay(index + BLOCK)
        if self.delay is None:
            return mic.copy(), np.zeros(BLOCK, np.float32)
        self._check_restart(index)
        ref = self.reference.read(index - self.delay, BLOCK)
        spectrum = np.fft.rfft(np.concatenate([self._prev_ref, ref]))
        self._prev_ref = ref
        self._fdl = np.roll(self._fdl, 1, axis=0)
        self._fdl[0] = spectrum
        echo = np.fft.irfft(np.sum(self._weights * self._fdl, axis=0))[BLOCK:].astype(np.float32)
        error = mic - echo
        p_mic, p_echo, p_err = mean_power(mic), mean_power(echo), mean_power(error)
        # Reference energy over the filter span, scaled by the echo gain: the echo we can expect.
        span_power = float(np.mean(np.abs(self._fdl) ** 2)) / (2 * BLOCK)
        reference_on = span_power > 1e2
        # Double talk: the mic holds clearly more than the echo the filter or the path gain explain.
        expected = max(p_echo, self._echo_ratio * span_power)
        self._expected_now = expected
        self._smoothed = 0.7 * self._smoothed + 0.3 * np.array([p_mic, expected, p_err])
        double_talk = reference_on and self._smoothed[0] > 3.0 * self._smoothed[1] + 1e4
        if reference_on and not double_talk and self.converged:
            # The path gain from the filter's own echo estimate, which holds no one else's voice
            # (the mic's power would: a talker the guard misses would inflate the expectation).
            self._echo_ratio = 0.95 * self._echo_ratio + 0.05 * p_echo / span_power
        self._freeze = 12 if double_talk else max(0, self._freeze - 1)  # 120 ms hangover
        if reference_on and self._freeze == 0 and not self._settling:
            mic_s, expected_s, err_s = self._smoothed
            self._measure(mic_s, err_s, p_mic, p_err)
            # Soft double-talk guard: a residual above the leftover echo the ERLE predicts is
            # mostly someone else's voice, so the step shrinks in proportion (a quiet talker the
            # energy test above misses must not teach the filter either).
            leftover = expected_s / 10.0 ** (self._erle / 10.0)
            self._adapt(error, self.step * min(1.0, (leftover + 1e3) / (err_s + 1e3)))
        return error, echo

    SETTLE = 4800
    """Samples of a restarted playback heard (at the found delay) before its timing is checked (0.3 s)."""

    def _check_restart(self, index: int) -> None:
        """After a pause, playback restarts earlier or later than the reference says: the sound
        server's start-up latency varies, by hundreds of ms on a loaded machine. From the moment
        the restart can be heard until 0.3 s of it were heard at the found delay, the timing is
        unsure (``aligned`` is False); then the delay is measured again over the whole range, on
        everything heard since the restart, and the filter moves there, keeping the room."""
        assert self.delay is not None
        restart = self.reference.last_restart(index + BLOCK)  # heard if the echo delay were 0
        if restart is not None and restart != self._segment:
            self._segment = restart
            self._settling = True
        if not self._settling or restart is None:
            return
        heard = index + BLOCK - restart
        expected_lag = self.delay + self.guard
        if heard < expected_lag + self.SETTLE:
            return
        self._settling = False
        span = min(heard, self._history_fill)
        if span < self.SETTLE:
            return  # the mic was interrupted meanwhile: the periodic check takes over
        mic = self._history[-span:].astype(np.float64)
        ref = self.reference.read(index + BLOCK - span - self.max_lag, span + self.max_lag).astype(np.float64)
        if mean_power(ref) < 1e3:
            return
        lag, confidence, _ = gcc_phat_delay(mic, ref, self.max_lag)
        if confidence < 8.0 or abs(lag - expected_lag) <= 8:
            return
        if not self._covers(lag):
            # One short measurement far from the echo the filter models is not enough to move
            # it (on the live rig one said 269 ms where the echo was at 92 ms, and the device then
            # took its own echo for a voice): not trusted until two periodic checks agree.
            logger.info("echo after a pause measured at %.1f ms, outside the filter: not trusted until re-locked",
                        1000 * lag / self.rate)
            self._misaligned = True
            self._candidate = lag
            return
        self.delay = max(0, lag - self.guard)  # > 0.5 ms off but within the filter's reach: move it there
        self.found_delay_s = lag / self.rate
        self.realignments += 1
        self._misaligned = False
        self._prime(index)

    def _adapt(self, error: np.ndarray, step: float) -> None:
        err_spec = np.fft.rfft(np.concatenate([np.zeros(BLOCK, np.float32), error]))
        # Normalise per bin by the reference power over the whole filter span (instantaneous:
        # a smoothed power lags a loud onset after a pause and the step then blows up).
        norm = np.sum(np.abs(self._fdl) ** 2, axis=0) + 1e6 * self.partitions
        self._weights += step * np.conj(self._fdl) * (err_spec / norm)
        # Gradient constraint (keep each partition a causal BLOCK-tap filter), one per block.
        p = self._constrain_next
        taps = np.fft.irfft(self._weights[p])
        taps[BLOCK:] = 0.0
        self._weights[p] = np.fft.rfft(taps)
        self._constrain_next = (p + 1) % self.partitions


class PassThroughCanceller:
    """No cancellation: the residual is the microphone (a headset, or to show what AEC is for)."""

    def __init__(self, reference: ReferenceBuffer | None = None) -> None:
        self.reference = reference or ReferenceBuffer()
        self.cpu_s = 0.0
        self.audio_s = 0.0

    @property
    def converged(self) -> bool:
        return True

    @property
    def erle_db(self) -> float:
        return 0.0

    @property
    def cpu_per_audio_s(self) -> float:
        return 0.0

    def process(self, mic: np.ndarray, start_time: float) -> EchoResult:
        self.audio_s += len(mic) / CAPTURE_RATE
        return EchoResult(residual=mic.astype(np.int16, copy=True), echo=np.zeros(len(mic), np.float32),
                          reference_active=False)

    def reset(self) -> None:
        pass
