"""WebRTC's AEC3 (the echo canceller of Chrome and every WebRTC call) behind ``EchoCanceller``.

The ``pywebrtc-audio`` package (Apache-2.0 bindings of the BSD-licensed WebRTC audio processing
module, wheels for Linux x86_64 and aarch64) does the work: its own delay estimator, a
frequency-domain adaptive filter, and a residual echo suppressor for what a linear filter cannot
model (a small loudspeaker's distortion, a room that changes). Noise suppression can run after
it. This adapter only does what the rest of the device expects of a canceller:

- it feeds AEC3 what the speaker played at the wall-clock time each microphone block was
  captured (``ReferenceBuffer``), in whole 10 ms frames, so the render stream always leads the
  echo in the capture stream by the acoustic delay (which AEC3 finds by itself);
- it reports what was removed (``echo``), the echo power to expect from what is playing
  (``expected``: the removed power over the reference power, learnt on echo-only audio), and an
  ERLE measured on echo-only blocks (rises fast, falls slowly, like the built-in canceller's),
  so the barge-in monitor can tell the user's voice from leftover echo the same way for both.

``tests/bench/bench_aec.py`` measures it against the built-in canceller (room echo with
reverberation, loudspeaker distortion and a drifting delay): far more echo removed, but on the
live PulseAudio rig it let the device interrupt itself, so it is selectable
(``[barge_in] canceller = "webrtc"``), not the default: see the README's barge-in section.
"""

from __future__ import annotations

import time

import numpy as np

from .base import CAPTURE_RATE
from .echo_base import EchoMeter, EchoResult
from .echo_delay import mean_power
from .reference import ReferenceBuffer

__all__ = ["WebRtcEchoCanceller", "webrtc_available"]

FRAME = 160
"""Samples per AEC3 frame (10 ms at 16 kHz)."""


def webrtc_available() -> bool:
    """Whether the WebRTC audio-processing package can be imported here."""
    try:
        import pywebrtc_audio  # noqa: F401
    except ImportError:
        return False
    return True


class WebRtcEchoCanceller(EchoMeter):
    """AEC3 (+ optional noise suppression) on microphone blocks stamped with their capture time."""

    def __init__(
        self,
        reference: ReferenceBuffer | None = None,
        *,
        max_delay_s: float = 0.5,
        noise_suppression: bool = False,
        rate: int = CAPTURE_RATE,
    ) -> None:
        from pywebrtc_audio import AudioProcessor  # ImportError: the caller falls back (service/bargein.py)

        super().__init__()

        self._make = lambda: AudioProcessor(sample_rate=rate, echo_cancellation=True,
                                            noise_suppression=noise_suppression, ns_level=1)
        self.reference = reference or ReferenceBuffer(rate=rate)
        self.rate = rate
        self.max_lag = int(max_delay_s * rate)
        self.found_delay_s: float | None = None  # AEC3 keeps its delay estimate to itself
        self._apm = self._make()
        self._next_index: int | None = None
        self._pending_in = np.zeros(0, dtype=np.int16)
        self._pending_out = np.zeros(0, dtype=np.float32)
        self._pending_echo = np.zeros(0, dtype=np.float32)
        self._pending_expected = np.zeros(0, dtype=np.float32)
        self._forget_room()

    def _forget_room(self) -> None:
        self._echo_ratio = 0.0  # echo power at the mic / reference power over the echo window
        self._path = [0.0, 0.0]  # the sums that ratio is taken from
        self._learnt = 0  # frames it was learnt from
        self._freeze = 0  # frames until the path gain may be learnt again (after a talker)
        self._smoothed = np.zeros(3)  # mic, expected echo and residual power (30 ms smoothing)
        self._forget_erle()
        self._energy = [0.0, 0.0]

    # -- the EchoCanceller interface (converged, erle_db, erle_total_db, cpu_per_audio_s: EchoMeter)
    def reset(self) -> None:
        """Forget the echo path entirely (a different room, a moved speaker)."""
        self._apm = self._make()
        self._forget_room()

    def process(self, mic: np.ndarray, start_time: float) -> EchoResult:
        t = time.thread_time()
        first = round(start_time * self.rate)
        if self._next_index is None or abs(first - self._next_index) > FRAME:
            # Not continuous with the last call (a new reply, or the loop stalled): restart the
            # frames. AEC3 keeps what it learnt about the room and re-finds the delay itself.
            self._pending_in = np.zeros(0, dtype=np.int16)
            self._pending_out = np.zeros(0, dtype=np.float32)
            self._pending_echo = np.zeros(0, dtype=np.float32)
            self._pending_expected = np.zeros(0, dtype=np.float32)
            self._next_index = first
        index = self._next_index - len(self._pending_in)  # wall index of the first pending sample
        self._next_index += len(mic)
        data = np.concatenate([self._pending_in, mic.astype(np.int16)])
        usable = len(data) - len(data) % FRAME
        near = data[:usable]
        self._pending_in = data[usable:]
        if not usable:  # less than one frame so far: nothing to process yet
            out = echo = expected = np.zeros(0, dtype=np.float32)
            return self._emit(mic, out, echo, expected, False, t)
        far = self.reference.read(index, usable)
        cleaned = self._apm.process(near, np.clip(np.round(far), -32768, 32767).astype(np.int16))
        out = cleaned.astype(np.float32)
        echo = near.astype(np.float32) - out
        expected = np.zeros(usable, dtype=np.float32)
        # What played over the echo window of this call (for "is the device speaking" and the
        # expected echo power): the reference from max_lag before to the end of the call.
        history = self.reference.read(index - self.max_lag, self.max_lag + usable)
        active = bool(np.any(history))
        for offset in range(0, usable, FRAME):
            span = slice(offset, offset + FRAME)
            window = history[offset : offset + self.max_lag + FRAME]
            ref_power = mean_power(window)
            if ref_power <= 1e2:  # nothing played: what the high-pass filter took is not echo
                echo[span] = 0.0
            expected[span] = self._track(near[span], out[span], echo[span], ref_power)
        return self._emit(mic, out, echo, expected, active, t)

    def _emit(self, mic: np.ndarray, out: np.ndarray, echo: np.ndarray, expected: np.ndarray, active: bool,
              started: float) -> EchoResult:
        """The result for ``mic``: what was pending from the last call first, the rest kept."""
        out = np.concatenate([self._pending_out, out])
        echo = np.concatenate([self._pending_echo, echo])
        power = np.concatenate([self._pending_expected, expected])
        if len(out) < len(mic):  # the first calls, before a whole frame: pad the front
            pad = np.zeros(len(mic) - len(out), np.float32)
            out, echo, power = (np.concatenate([pad, a]) for a in (out, echo, power))
        self._pending_out, self._pending_echo = out[len(mic) :], echo[len(mic) :]
        self._pending_expected = power[len(mic) :]
        residual = np.clip(np.round(out[: len(mic)]), -32768, 32767).astype(np.int16)
        self.cpu_s += time.thread_time() - started
        self.audio_s += len(mic) / self.rate
        return EchoResult(residual=residual, echo=echo[: len(mic)], reference_active=active,
                          expected=power[: len(mic)], aligned=True)

    def _track(self, mic: np.ndarray, out: np.ndarray, echo: np.ndarray, ref_power: float) -> float:
        """Update the path gain and the ERLE from one 10 ms frame; the echo power to expect."""
        p_mic, p_out, p_echo = mean_power(mic), mean_power(out), mean_power(echo)
        reference_on = ref_power > 1e2
        # Not the removed power itself: AEC3's suppressor also removes some of a talker's voice
        # in double talk, which would make the talker look like echo to the barge-in monitor.
        expected = self._echo_ratio * ref_power if reference_on else 0.0
        if reference_on and self._learnt < 100:
            expected = max(expected, p_echo)  # under a second of echo to learn the path gain from
        self._smoothed = 0.7 * self._smoothed + 0.3 * np.array([p_mic, expected, p_out])
        mic_s, expected_s, out_s = self._smoothed
        # Double talk: the mic holds clearly more than the echo to expect (not more than AEC3
        # removed: in double talk that holds part of the talker, and its phase). The path gain
        # is learnt where AEC3 removed nearly everything (>= 10 dB: echo alone), and not within
        # 0.3 s of the mic holding far (8 dB) more than expected: AEC3 can duck a talker that
        # much, but the loudest syllables of echo alone never stand so far above the expectation
        # (a 4.8 dB test there would leave them out, and the gain would sink).
        double_talk = mic_s > 3.0 * expected_s + 1e4
        self._freeze = 30 if mic_s > 6.0 * expected_s + 1e4 else max(0, self._freeze - 1)
        if reference_on and not self._freeze and 10.0 * out_s < mic_s:
            # Ratio of (forgetful) sums, not a mean of ratios: quiet frames between syllables count.
            self._path[0] = 0.99 * self._path[0] + p_mic  # the mic was echo (what AEC3 removed
            # is not used: after a talker it can exceed the mic while AEC3 recovers)
            self._path[1] = 0.99 * self._path[1] + ref_power
            self._echo_ratio = self._path[0] / self._path[1]
            self._learnt += 1
        if reference_on and not double_talk and p_mic > 1e3:
            self._measure(mic_s, out_s, p_mic, p_out)
        return expected
