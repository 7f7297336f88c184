"""The PulseAudio rig really carries audio to and from sounddevice, and cleans up.

Latency figures are printed (run with ``-s`` to see them) and attached to the
JUnit report via ``record_property``.
"""
from __future__ import annotations

import os
import select
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from support.pulse_rig import PulseRig, PulseRigError, pulse_available, read_wav, write_tone_wav

pytestmark = [pytest.mark.integration, pytest.mark.live]

MIC_RATE = PulseRig.MIC_RATE
TONE_SECONDS = 0.5
PLAYER_LATENCY_S = 0.25
"""The output test's device buffer: a callback that runs late by less than this leaves no gap."""
AMPLITUDE = 0.5


def _onset(x: np.ndarray, peak: float) -> int:
    """Index of the first sample louder than 10% of the expected peak, or -1."""
    hits = np.flatnonzero(np.abs(x.astype(np.float64)) > 0.1 * peak)
    return int(hits[0]) if hits.size else -1


def _best_correlation(captured: np.ndarray, ref: np.ndarray, onset: int, search: int = 20) -> float:
    """Max normalised correlation of ref against captured, around onset."""
    ref = ref.astype(np.float64)
    best = 0.0
    for start in range(max(0, onset - search), onset + search + 1):
        seg = captured[start : start + len(ref)].astype(np.float64)
        if len(seg) < len(ref):
            break
        denom = np.linalg.norm(seg) * np.linalg.norm(ref)
        if denom:
            best = max(best, float(np.dot(seg, ref) / denom))
    return best


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) if len(x) else 0.0


class Captured:
    """What an input stream's callback delivered, and a way to wait for it (no fixed sleeps)."""

    def __init__(self) -> None:
        self.items: list[tuple[float, np.ndarray]] = []  # (arrival time, block)
        self._grown = threading.Condition()

    def callback(self, indata, frames, time_info, status) -> None:  # only enqueue, like the device
        with self._grown:
            self.items.append((time.monotonic(), indata.copy()))
            self._grown.notify_all()

    @property
    def samples(self) -> int:
        return sum(len(c) for _, c in self.items)

    def data(self) -> np.ndarray:
        return np.concatenate([c[:, 0] for _, c in self.items]) if self.items else np.zeros(0, np.int16)

    def wait_until(self, condition, timeout: float) -> bool:
        """Checked as each block arrives; True as soon as ``condition(self)`` holds."""
        with self._grown:
            return self._grown.wait_for(lambda: condition(self), timeout)


def whole(length: int, peak: float, after: int):
    """A condition on captured audio: a sound of ``length`` samples arrived whole, and ``after`` more."""

    def holds(data: np.ndarray) -> bool:
        onset = _onset(data, peak)
        return onset >= 0 and len(data) >= onset + length + after

    return holds


@pytest.fixture
def sd_env(pulse_rig):
    """sounddevice enumerating the rig's server (env applied, PortAudio re-initialised)."""
    pulse_rig.apply_env()
    import sounddevice as sd

    # apply_env() re-enumerated if sounddevice was already imported; if it was
    # not, the import above enumerated with the env in place.
    assert any(d["name"] == pulse_rig.device_name for d in sd.query_devices()), sd.query_devices()
    return sd


def test_sounddevice_captures_tone_played_into_mic(pulse_rig, sd_env, tmp_path, record_property):
    sd = sd_env
    tone = write_tone_wav(tmp_path / "tone.wav", 440, TONE_SECONDS, MIC_RATE, AMPLITUDE)
    captured = Captured()
    peak = AMPLITUDE * 32767

    opened = time.monotonic()
    with sd.InputStream(
        device=pulse_rig.device_name, samplerate=MIC_RATE, channels=1, dtype="int16", callback=captured.callback
    ) as stream:
        assert captured.wait_until(lambda c: c.samples >= 0.3 * MIC_RATE, 10), "no audio callbacks"  # silence first
        play = pulse_rig.play_into_mic(tmp_path / "tone.wav")
        play.wait(timeout=10)
        tone_in = whole(len(tone), peak, MIC_RATE // 10)
        assert captured.wait_until(lambda c: tone_in(c.data()), 10), "the tone did not arrive whole"
        stream_latency = stream.latency
    closed = time.monotonic()

    items = list(captured.items)
    assert items, "no audio callbacks at all"
    data = np.concatenate([c[:, 0] for _, c in items])
    # chunk arrival time for each sample index
    starts = np.cumsum([0] + [len(c) for _, c in items])
    arrivals = [t for t, _ in items]

    # continuous flow (no 2-second null-sink bursts): we got ~ wall time worth of samples
    assert len(data) / MIC_RATE > 0.8 * (closed - opened) - 0.1, (len(data) / MIC_RATE, closed - opened)

    onset = _onset(data, peak)
    assert onset > 0, "tone never arrived in the captured audio"
    silence = data[:onset]
    played = data[onset : onset + len(tone)]
    corr = _best_correlation(data, tone, onset)
    assert _rms(silence) < 50, _rms(silence)
    assert _rms(played) > 0.5 * peak / np.sqrt(2), _rms(played)
    assert corr > 0.99, corr  # bit-exact in practice (0.99x = lost samples)

    chunk_of_onset = int(np.searchsorted(starts, onset, side="right") - 1)
    wall_latency = arrivals[chunk_of_onset] - play.started_at
    samples_before_play = int(starts[np.searchsorted(arrivals, play.started_at)])
    audio_latency = (onset - samples_before_play) / MIC_RATE
    msg = (
        f"mic: paplay start -> tone in callback {wall_latency * 1000:.0f} ms "
        f"(audio-time {audio_latency * 1000:.0f} ms), corr {corr:.4f}, "
        f"rms tone {_rms(played):.0f} vs silence {_rms(silence):.1f}, "
        f"PortAudio input latency {stream_latency * 1000:.1f} ms, "
        f"{len(data) / MIC_RATE:.2f}s captured in {closed - opened:.2f}s"
    )
    print(msg)
    record_property("mic_latency_ms", round(wall_latency * 1000))
    record_property("mic_correlation", round(corr, 4))
    assert wall_latency < 1.0, msg


def test_sounddevice_output_is_recorded_from_speaker(pulse_rig, sd_env, tmp_path, record_property):
    sd = sd_env
    rate = PulseRig.SPEAKER_RATE
    tone = write_tone_wav(tmp_path / "ref.wav", 440, TONE_SECONDS, rate, AMPLITUDE)
    rec = pulse_rig.record_speaker(tmp_path / "speaker.wav")
    assert rec.wait_until(lambda a: len(a) > 0, 30), "speaker recorder got no data"  # connected and flowing
    peak = AMPLITUDE * 32767

    pos = 0

    def callback(outdata, frames, time_info, status):
        nonlocal pos
        out = np.zeros(frames, dtype=np.int16)
        n = max(0, min(frames, len(tone) - pos))
        out[:n] = tone[pos : pos + n]
        pos += frames
        outdata[:, 0] = out

    # A deep buffer: on a starved machine a low-latency callback underruns, and the gap it leaves
    # in the tone is the player's, not the rig's (a 15 ms silent gap inside the tone, 2 of 5 runs
    # with 3 busy loops). PortAudio's "high" latency is only ~35 ms on the ALSA pulse device.
    stream = sd.OutputStream(
        device=pulse_rig.device_name, samplerate=rate, channels=1, dtype="int16", callback=callback,
        latency=PLAYER_LATENCY_S,
    )
    try:
        started = time.monotonic()
        stream.start()
        assert rec.wait_until(whole(len(tone), peak, rate // 10), 10), "the tone did not reach the speaker whole"
        out_latency = stream.latency
    finally:
        stream.close()
    path = rec.stop()

    data, wav_rate = read_wav(path)
    assert wav_rate == rate
    onset = _onset(data, peak)
    assert onset >= 0, "the tone never reached the speaker monitor"
    corr = _best_correlation(data, tone, onset)
    played = data[onset : onset + len(tone)]
    assert _rms(data[:onset]) < 50
    assert _rms(played) > 0.5 * peak / np.sqrt(2), _rms(played)
    assert corr > 0.99, corr  # bit-exact in practice (0.99x = lost samples)

    wall_latency = rec.arrival_time(onset) - started
    msg = (
        f"speaker: stream.start() -> tone at recorder {wall_latency * 1000:.0f} ms, corr {corr:.4f}, "
        f"PortAudio output latency {out_latency * 1000:.1f} ms"
    )
    print(msg)
    record_property("speaker_latency_ms", round(wall_latency * 1000))
    record_property("speaker_correlation", round(corr, 4))
    assert wall_latency < 1.0, msg


def test_vanished_mic_breaks_stream_and_comes_back(pulse_rig, sd_env, tmp_path):
    sd = sd_env
    tone = write_tone_wav(tmp_path / "tone.wav", 440, 0.3, MIC_RATE, AMPLITUDE)
    finished = []
    ended = threading.Event()
    captured = Captured()

    def on_finished() -> None:
        finished.append(time.monotonic())
        ended.set()

    kwargs = dict(device=pulse_rig.device_name, samplerate=MIC_RATE, channels=1, dtype="int16",
                  callback=captured.callback)
    stream = sd.InputStream(finished_callback=on_finished, **kwargs)
    stream.start()
    # The first block delivered means the server has our recording stream on the mic (beside the
    # rig's keep-alive), so the unplug below really kills it, also on a busy machine.
    assert captured.wait_until(lambda c: c.items, 30), "the mic stream delivered nothing"
    assert len(pulse_rig.source_outputs_on(PulseRig.MIC_SOURCE)) >= 2
    assert stream.active

    t = time.monotonic()
    pulse_rig.unload_mic()  # kill_streams=True: like pulling the USB mic
    assert ended.wait(30) and not stream.active, "stream survived the vanished mic"
    stream.close()
    assert PulseRig.MIC_SOURCE not in pulse_rig.sources()
    with pytest.raises(sd.PortAudioError):
        sd.InputStream(**kwargs)  # reopening fails while the mic is gone
    print(f"vanished mic: stream finished {(finished[0] - t) * 1000:.0f} ms after unload")

    pulse_rig.load_mic()
    captured = Captured()
    with sd.InputStream(**{**kwargs, "callback": captured.callback}):
        pulse_rig.play_into_mic(tmp_path / "tone.wav").wait(timeout=10)
        tone_in = whole(len(tone), AMPLITUDE * 32767, 0)
        assert captured.wait_until(lambda c: tone_in(c.data()), 10), "no tone after the mic came back"
    assert _rms(captured.data()) > 1000


def test_unload_mic_without_kill_moves_stream_to_silent_placeholder(pulse_rig, sd_env):
    sd = sd_env
    captured = Captured()
    with sd.InputStream(
        device=pulse_rig.device_name,
        samplerate=MIC_RATE,
        channels=1,
        dtype="int16",
        callback=captured.callback,
    ) as stream:
        assert captured.wait_until(lambda c: c.samples > 0, 30), "the stream delivered nothing"
        pulse_rig.unload_mic(kill_streams=False)
        n0 = captured.samples
        # Still delivering (moved, not killed): another 0.1 s of audio comes.
        assert captured.wait_until(lambda c: c.samples >= n0 + MIC_RATE // 10, 30)
        assert stream.active
        assert pulse_rig.source_outputs_on(PulseRig.NO_MIC_SOURCE)
    pulse_rig.load_mic()
    assert PulseRig.MIC_SOURCE in pulse_rig.sources()


def test_speaker_recorder_is_not_moved_when_mic_comes_back(pulse_rig, tmp_path):
    rec = pulse_rig.record_speaker(tmp_path / "spk.wav")
    assert rec.wait_until(lambda a: len(a) > 0, 30), "the recorder is not connected"
    before = pulse_rig.source_outputs_on(PulseRig.SPEAKER_MONITOR)
    pulse_rig.unload_mic()
    pulse_rig.load_mic()
    assert pulse_rig.source_outputs_on(PulseRig.SPEAKER_MONITOR) == before
    rec.stop()


def test_rig_cleans_up_even_when_the_test_fails(tmp_path):
    reason = pulse_available()
    if reason:
        pytest.skip(reason)
    env_before = {k: os.environ.get(k) for k in ("PULSE_SERVER", "PULSE_SINK", "PULSE_SOURCE")}
    rig = PulseRig()
    with pytest.raises(RuntimeError, match="boom"):
        with rig:
            rig.apply_env()
            assert os.environ["PULSE_SERVER"] == rig.env["PULSE_SERVER"]
            pid, rig_dir = rig.pid, rig.dir
            children = [p.pid for p in rig._children]
            write_tone_wav(tmp_path / "t.wav", seconds=5)
            play = rig.play_into_mic(tmp_path / "t.wav")
            rec = rig.record_speaker(tmp_path / "r.wav")
            assert play.running
            raise RuntimeError("boom")
    assert not rig.running
    assert not rig_dir.exists()
    for p in [pid, play.proc.pid, rec.proc.pid, *children]:
        assert not Path(f"/proc/{p}").exists() or "Z" in Path(f"/proc/{p}/stat").read_text().split()[2], p
    assert {k: os.environ.get(k) for k in env_before} == env_before


LIFECYCLE_PROBE = textwrap.dedent(
    """
    import json, os, sys, threading
    sys.path.insert(0, sys.argv[1])
    from support.pulse_rig import PulseRig
    try:
        with PulseRig() as rig:
            rig_dir = rig.dir
            rig.apply_env()
            import sounddevice as sd
            flowing = threading.Event()
            with sd.InputStream(device=rig.device_name, samplerate=16000, channels=1, dtype="int16",
                                callback=lambda *args: flowing.set()):
                assert flowing.wait(10), "the stream delivered nothing"
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    names = [d["name"] for d in sd.query_devices()]
    print(json.dumps({"dir_left": rig_dir.exists(), "devices_after": names}))
    """
)


def test_rig_leaves_nothing_in_home(tmp_path):
    """Whole lifecycle in a child with a fake HOME: pulse clients must not write there."""
    if pulse_available():
        pytest.skip(pulse_available())
    import json

    home = tmp_path / "home"
    home.mkdir()
    tests_dir = Path(__file__).resolve().parents[1]
    r = subprocess.run(
        [sys.executable, "-c", LIFECYCLE_PROBE, str(tests_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("PULSE_", "XDG_"))}, "HOME": str(home)},
    )
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert not res["dir_left"]
    assert PulseRig.device_name not in res["devices_after"]  # sounddevice forgot the dead server
    assert list(home.rglob("*")) == [], "a pulse client wrote into $HOME"


def test_startup_failure_is_reported_and_cleaned_up(monkeypatch):
    if pulse_available():
        pytest.skip(pulse_available())
    rig = PulseRig(start_timeout=0.5)
    # A server that never answers: point the readiness check at a wrong socket.
    monkeypatch.setattr(PulseRig, "_pactl", lambda self, *a, **k: subprocess.CompletedProcess(a, 1, "", "nope"))
    with pytest.raises(PulseRigError, match="did not answer"):
        rig.start()
    assert not rig.running and rig.dir is None


ENUM_PROBE = textwrap.dedent(
    """
    import os, json, sys
    env = json.loads(sys.argv[1])
    mode = sys.argv[2]
    if mode == "before":
        os.environ.update(env)
    import sounddevice as sd
    names = lambda: [d["name"] for d in sd.query_devices()]
    first = names()
    os.environ.update(env)
    after_env = names()
    sd._terminate(); sd._initialize()
    print(json.dumps({"first": first, "after_env": after_env, "after_reinit": names()}))
    """
)


def exit_within(pids: list[int], timeout: float) -> bool:
    """Wait for processes that are not our children to exit: a pidfd becomes readable then."""
    fds = []
    for pid in pids:
        try:
            fds.append(os.pidfd_open(pid))
        except ProcessLookupError:
            pass  # already gone (and reaped)
    poller = select.poll()
    for fd in fds:
        poller.register(fd, select.POLLIN)
    pending, deadline = set(fds), time.monotonic() + timeout
    try:
        while pending and (remaining := deadline - time.monotonic()) > 0:
            for fd, _ in poller.poll(remaining * 1000):
                pending.discard(fd)
                poller.unregister(fd)
    finally:
        for fd in fds:
            os.close(fd)
    return not pending


@pytest.mark.parametrize("mode", ["before", "after"])
def test_env_must_be_set_before_portaudio_enumerates(pulse_rig, mode):
    import json

    r = subprocess.run(
        [sys.executable, "-c", ENUM_PROBE, json.dumps(pulse_rig.env), mode],
        capture_output=True,
        text=True,
        timeout=30,
        # Everything but the server address: keeps libpulse from writing a cookie
        # or runtime dir into the real home while it looks for a server.
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("PULSE_")},
            **{k: v for k, v in pulse_rig.env.items() if k not in ("PULSE_SERVER", "PULSE_SINK", "PULSE_SOURCE")},
        },
    )
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout.strip().splitlines()[-1])
    dev = pulse_rig.device_name
    if mode == "before":
        assert dev in res["first"]
    else:
        assert dev not in res["first"]  # imported without the env: nothing to see
        assert dev not in res["after_env"]  # setting env later is not enough...
    assert dev in res["after_reinit"]  # ...but re-initialising PortAudio is


CRASH_PROBE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from support.pulse_rig import PulseRig
    rig = PulseRig().start()
    print(rig.pid, rig.dir, *[p.pid for p in rig._keepalive.values()], flush=True)
    sys.stdin.read()  # until killed (or, should the test die first, until its end of the pipe closes)
    """
)


def test_killed_test_process_takes_its_daemon_along(tmp_path):
    """SIGKILL of the owner: daemon and children die (parent-death signal), the next rig sweeps the dir."""
    if pulse_available():
        pytest.skip(pulse_available())

    tests_dir = Path(__file__).resolve().parents[1]
    owner = subprocess.Popen(
        [sys.executable, "-c", CRASH_PROBE, str(tests_dir)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        fields = owner.stdout.readline().split()
        daemon_pid, rig_dir, children = int(fields[0]), Path(fields[1]), [int(f) for f in fields[2:]]
        assert rig_dir.exists()
    finally:
        owner.kill()
        owner.wait()
        owner.stdin.close()
        owner.stdout.close()

    def gone(pid):
        try:
            return "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
        except FileNotFoundError:
            return True

    assert exit_within([daemon_pid, *children], 5), "the daemon or its children outlived their owner"
    assert all(gone(p) for p in [daemon_pid, *children])
    assert rig_dir.exists()  # nobody could clean up...
    with PulseRig():
        assert not rig_dir.exists()  # ...until the next rig starts
