"""A private, self-cleaning PulseAudio server for integration tests.

``PulseRig`` starts its own ``pulseaudio`` daemon (as the current user, root
included) in a fresh temporary directory, gives the device under test a speaker
and a microphone made of null sinks, and tears everything down again on exit,
also when the test body raised.

    with PulseRig() as rig:
        rig.apply_env()                      # before sounddevice opens anything
        import sounddevice as sd
        with sd.InputStream(device=rig.device_name, samplerate=16000,
                            channels=1, dtype="int16", callback=cb):
            rig.play_into_mic("question.wav").wait()
        rec = rig.record_speaker(tmp_path / "reply.wav")
        ...                                  # the device speaks
        rec.stop()

Topology (all inside the private server)::

    paplay --device=companion_mic_feed  ->  [null sink companion_mic_feed]
                                               `-> companion_mic_feed.monitor  = default source
                                                   (the device's microphone)
    device output  ->  [null sink companion_speaker] = default sink
                          `-> companion_speaker.monitor  -> parec -> WAV (record_speaker)

Findings this rig is built on (PulseAudio 16.1, PortAudio via sounddevice 0.5.6,
alsa-plugins ``libasound2-plugins`` on Debian):

* Running as root works with ``--system=false``; pulse only warns.
  ``-n`` skips default.pa; ``PULSE_CONFIG`` points the daemon at an empty
  daemon.conf so /etc/pulse and ~/.config/pulse are not read.
* sounddevice/PortAudio sees no device at all unless a pulse server is
  reachable *when PortAudio enumerates* (``import sounddevice`` calls
  ``sd._initialize()``).  The ALSA ``pulse`` PCM (from
  /etc/alsa/conf.d/50-pulseaudio.conf) is only listed if opening it succeeds,
  and ``default`` is only routed to pulse by the 99-pulse.conf hook if a server
  answers at that moment.  So: either set the env before ``import sounddevice``,
  or re-enumerate afterwards with ``sd._terminate(); sd._initialize()`` - that
  works (``apply_env()`` does it for you when sounddevice is already imported;
  it closes any open streams, so do it before opening any).  The env must also
  still be set when a stream is *opened*: the ALSA pulse plugin reads
  ``PULSE_SERVER``/``PULSE_SOURCE``/``PULSE_SINK`` at every open.
* Use ``device_name = "pulse"`` (``default`` also routes here, but only via the
  hook above and only if nothing overrides it).
* A null sink's clock ticks in blocks of up to 2 s when no client asked for low
  latency: a fresh stream on its monitor then gets its first data only after up
  to 2 s, in bursts.  The rig therefore keeps one low-latency ``parec`` reader
  on each monitor (a "keepalive", output discarded) and suspends/resumes the
  sink once so its timer restarts at the small block size.  With that, audio
  flows continuously in ~10 ms blocks from the moment the rig is up.
* Both null sinks are loaded with ``norewinds=1``.  Otherwise a new stream
  (paplay, the device's output) makes the sink rewind and mix into audio its
  monitor has already delivered: the first ~5 ms of every playback are lost at
  the monitor.  With it, what is played arrives bit-exact.
* libpulse clients create ``~/.config/pulse/cookie`` and a
  ``/tmp/pulse-XXXX`` runtime dir in the *real* home unless told otherwise:
  ``env`` sets ``PULSE_COOKIE``, ``PULSE_RUNTIME_PATH`` and
  ``PULSE_CLIENTCONFIG`` (autospawn off) to paths inside the rig's temp dir.
* PulseAudio >= 14 rescues streams itself: when ``companion_mic_feed`` is
  unloaded, a stream recording from it is *moved* to the fallback default
  source and keeps running, and when a source comes back every stream on the
  old default is moved to the new one.  Left alone, the fallback is
  ``companion_speaker.monitor`` (the device would hear itself, and the speaker
  recorder would be moved onto the mic on ``load_mic()``).  Hence the silent
  placeholder source ``companion_no_mic``, which wins the fallback.
  ``unload_mic()`` by default first kills the streams on the mic (over the CLI
  socket: ``pactl`` 16 has no kill command), like an unplugged USB mic: the
  sounddevice InputStream goes inactive (finished_callback fires ~20 ms later,
  PortAudio prints ALSA errors to stderr) and opening it again raises
  ``PortAudioError`` until ``load_mic()``.  ``PULSE_SOURCE`` in ``env`` keeps a
  reopening client from silently picking the placeholder or the speaker.
* ``env`` needs no ALSA configuration here: Debian's libasound2-plugins ships
  /etc/alsa/conf.d/50-pulseaudio.conf (the ``pulse`` PCM) and 99-pulse.conf
  (``default`` -> pulse when a server answers).  ``pulse_available()`` checks the
  plugin is installed.
* Parent-death signals (``setpriv --pdeathsig``) take the daemon and children
  down if the test process is killed; the leftover temp dir of such a run is
  swept by the next rig that starts.
* The 10 ms keepalive ticks cost the daemon ~3% of one CPU while a rig is up.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

__all__ = ["PulseRig", "PulseRigError", "PlayHandle", "RecordHandle", "pulse_available"]

_REQUIRED_TOOLS = ("pulseaudio", "pactl", "paplay", "parec")
_ALSA_PULSE_PLUGIN_GLOBS = (
    "/usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so",
    "/usr/lib/alsa-lib/libasound_module_pcm_pulse.so",
    "/usr/lib64/alsa-lib/libasound_module_pcm_pulse.so",
)


class PulseRigError(RuntimeError):
    """The rig could not be set up (missing tools, daemon did not come up, ...)."""


def pulse_available() -> str | None:
    """Return None if the rig can run here, else a human-readable reason."""
    missing = [t for t in _REQUIRED_TOOLS if shutil.which(t) is None]
    if missing:
        return f"missing PulseAudio tools: {', '.join(missing)} (apt: pulseaudio pulseaudio-utils)"
    import glob

    if not any(glob.glob(g) for g in _ALSA_PULSE_PLUGIN_GLOBS):
        return "ALSA pulse plugin not installed (apt: libasound2-plugins)"
    return None


def _pdeathsig_prefix() -> list[str]:
    # Children get SIGTERM if the process that started them dies without
    # cleaning up (e.g. pytest killed with SIGKILL).  setpriv execs the
    # command, so the setting applies to the command itself.  Note: the
    # "parent" is the *thread* that spawned it, so create the rig in a thread
    # that outlives it (the main thread, in pytest).
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--"] if setpriv else []


def _stop_process(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 3.0) -> None:
    if proc.poll() is not None:
        return
    try:
        proc.send_signal(sig)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)
    except ProcessLookupError:
        pass


_DIR_PREFIX = "companion-pulse-"
_OWNER_FILE = "owner.pid"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep_stale_dirs() -> None:
    """Remove rig dirs left by a test process that was killed (SIGKILL/SIGTERM).

    Their daemon and children already died with it (parent-death signal); a
    dir is only removed if it has our owner file and that process is gone.
    """
    for d in Path(tempfile.gettempdir()).glob(_DIR_PREFIX + "*"):
        try:
            owner = int((d / _OWNER_FILE).read_text().strip())
        except (OSError, ValueError):
            continue
        if not _pid_alive(owner):
            shutil.rmtree(d, ignore_errors=True)


class PlayHandle:
    """A running ``paplay``; ``wait()`` blocks until the file was played out."""

    def __init__(self, proc: subprocess.Popen, started_at: float, path: Path):
        self.proc = proc
        self.started_at = started_at  # time.monotonic() just before spawning
        self.path = path

    def wait(self, timeout: float | None = 30.0) -> int:
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as err:
            self.stop()
            raise PulseRigError(f"paplay {self.path} did not finish within {timeout}s") from err
        if rc != 0:
            err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
            raise PulseRigError(f"paplay {self.path} failed (rc={rc}): {err.strip()}")
        return rc

    def stop(self) -> None:
        _stop_process(self.proc)

    @property
    def running(self) -> bool:
        return self.proc.poll() is None


class RecordHandle:
    """A running ``parec`` on a monitor, written to a WAV by a reader thread.

    ``chunks`` holds ``(monotonic_arrival_time, first_sample_index, n_samples)``
    for every block read, so tests can tell *when* a given sample arrived.
    """

    def __init__(self, proc: subprocess.Popen, path: Path, rate: int, channels: int):
        self.proc = proc
        self.path = Path(path)
        self.rate = rate
        self.channels = channels
        self.started_at = time.monotonic()
        self.chunks: list[tuple[float, int, int]] = []
        self._buf = bytearray()
        self._lock = threading.Lock()
        self._grown = threading.Condition(self._lock)  # notified on every block read, and at EOF
        self._ended = False
        self._frame_bytes = 2 * channels
        self._wav = wave.open(str(self.path), "wb")
        self._wav.setnchannels(channels)
        self._wav.setsampwidth(2)
        self._wav.setframerate(rate)
        self._stopped = False
        self._thread = threading.Thread(target=self._pump, name="pulse-rig-record", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        fd = self.proc.stdout.fileno()
        pending = b""
        n_frames = 0
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            now = time.monotonic()
            data = pending + data
            usable = len(data) - len(data) % self._frame_bytes
            pending = data[usable:]
            if not usable:
                continue
            frames = usable // self._frame_bytes
            with self._lock:
                self._wav.writeframesraw(data[:usable])
                self._buf += data[:usable]
                self.chunks.append((now, n_frames, frames))
                self._grown.notify_all()
            n_frames += frames
        with self._lock:
            self._ended = True
            self._grown.notify_all()

    def wait_until(self, condition, timeout: float) -> bool:
        """Block until ``condition(samples)`` holds for what was captured so far, checked each
        time a block arrives; False if it did not within ``timeout`` s or the recorder ended."""
        deadline = time.monotonic() + timeout
        with self._grown:
            while True:
                if condition(self._samples_locked()):
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._ended:
                    return False
                self._grown.wait(remaining)

    def samples(self):
        """Everything captured so far as an int16 numpy array (frames x channels, or 1-D if mono)."""
        with self._lock:
            return self._samples_locked()

    def _samples_locked(self):
        import numpy as np

        a = np.frombuffer(bytes(self._buf), dtype="<i2")
        return a if self.channels == 1 else a.reshape(-1, self.channels)

    def arrival_time(self, sample_index: int) -> float | None:
        """monotonic time at which the block containing ``sample_index`` was read."""
        with self._lock:
            for t, first, n in self.chunks:
                if first <= sample_index < first + n:
                    return t
        return None

    def stop(self) -> Path:
        """Stop recording, finish the WAV header, return its path. Idempotent."""
        if self._stopped:
            return self.path
        self._stopped = True
        _stop_process(self.proc, signal.SIGINT)
        self._thread.join(timeout=5)
        with self._lock:
            self._wav.close()
        if self.proc.stdout:
            self.proc.stdout.close()
        return self.path


class PulseRig:
    """Private PulseAudio server with a virtual speaker and microphone. See module docstring."""

    SPEAKER_SINK = "companion_speaker"
    SPEAKER_MONITOR = "companion_speaker.monitor"
    MIC_FEED_SINK = "companion_mic_feed"
    MIC_SOURCE = "companion_mic_feed.monitor"
    NO_MIC_SOURCE = "companion_no_mic"  # placeholder default source while the mic is unloaded
    MIC_RATE = 16000
    SPEAKER_RATE = 22050  # Piper's native rate: no resampling of the device's speech
    device_name = "pulse"  # sounddevice device (ALSA host API) that talks to this server
    KEEPALIVE_LATENCY_MSEC = 10

    def __init__(self, start_timeout: float = 10.0, keep_dir_on_failure: bool = False):
        self.start_timeout = start_timeout
        self.keep_dir_on_failure = keep_dir_on_failure
        self.dir: Path | None = None
        self.socket_path: Path | None = None
        self.cli_socket_path: Path | None = None
        self.env: dict[str, str] = {}
        self._daemon_env: dict[str, str] = {}
        self._daemon: subprocess.Popen | None = None
        self._children: list[subprocess.Popen] = []
        self._recordings: list[RecordHandle] = []
        self._keepalive: dict[str, subprocess.Popen] = {}
        self._mic_module: int | None = None
        self._saved_env: dict[str, str | None] | None = None
        self._reinit_sd_on_restore = False

    # ------------------------------------------------------------------ setup
    def __enter__(self) -> "PulseRig":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> "PulseRig":
        reason = pulse_available()
        if reason:
            raise PulseRigError(reason)
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self) -> None:
        _sweep_stale_dirs()
        self.dir = Path(tempfile.mkdtemp(prefix=_DIR_PREFIX))
        d = self.dir
        (d / _OWNER_FILE).write_text(str(os.getpid()))
        for sub in ("home", "run", "run/pulse", "state", "client-runtime", "config"):
            (d / sub).mkdir(mode=0o700, exist_ok=True)
        (d / "daemon.conf").write_text("")  # ignore /etc/pulse/daemon.conf
        (d / "client.conf").write_text("autospawn = no\n")
        self.socket_path = d / "run" / "native"
        self.cli_socket_path = d / "run" / "cli"
        self.log_path = d / "pulse.log"
        (d / "rig.pa").write_text(
            "\n".join(
                [
                    # Anonymous auth is fine: the socket lives in a 0700 directory.
                    f"load-module module-native-protocol-unix socket={self.socket_path} auth-anonymous=1",
                    # Text CLI (what pacmd speaks): pactl 16 cannot kill a stream.
                    f"load-module module-cli-protocol-unix socket={self.cli_socket_path}",
                    f"load-module module-null-sink sink_name={self.SPEAKER_SINK} rate={self.SPEAKER_RATE}"
                    f" channels=1 format=s16le norewinds=1 sink_properties=device.description={self.SPEAKER_SINK}",
                    f"set-default-sink {self.SPEAKER_SINK}",
                    # Fallback default source while the mic is unloaded.  Without it the
                    # fallback is companion_speaker.monitor, and when the mic comes back
                    # the server *moves every stream on the old default* (the speaker
                    # recorder, the keepalive) over to the mic.  A non-monitor source
                    # wins the fallback over a monitor, so nothing ever sits on it.
                    f"load-module module-null-source source_name={self.NO_MIC_SOURCE} rate={self.MIC_RATE}"
                    f" channels=1 format=s16le description={self.NO_MIC_SOURCE}",
                    f"set-default-source {self.NO_MIC_SOURCE}",
                    "",
                ]
            )
        )
        base = {k: v for k, v in os.environ.items() if not k.startswith(("PULSE_", "XDG_"))}
        base.pop("DBUS_SESSION_BUS_ADDRESS", None)
        self._daemon_env = {
            **base,
            "HOME": str(d / "home"),
            "XDG_RUNTIME_DIR": str(d / "run"),
            "XDG_CONFIG_HOME": str(d / "config"),
            "PULSE_RUNTIME_PATH": str(d / "run" / "pulse"),
            "PULSE_STATE_PATH": str(d / "state"),
            "PULSE_CONFIG": str(d / "daemon.conf"),
            "PULSE_CLIENTCONFIG": str(d / "client.conf"),
            "PULSE_COOKIE": str(d / "cookie"),
        }
        # What a client (the device, pactl, paplay, sounddevice in-process) needs.
        self.env = {
            "PULSE_SERVER": f"unix:{self.socket_path}",
            "PULSE_SINK": self.SPEAKER_SINK,
            "PULSE_SOURCE": self.MIC_SOURCE,
            "PULSE_CLIENTCONFIG": str(d / "client.conf"),
            "PULSE_COOKIE": str(d / "cookie"),
            "PULSE_RUNTIME_PATH": str(d / "client-runtime"),
        }
        cmd = _pdeathsig_prefix() + [
            shutil.which("pulseaudio"),
            "--daemonize=no",
            "--system=false",
            "--exit-idle-time=-1",
            "--disallow-exit=yes",
            "--use-pid-file=no",
            "--realtime=no",
            "--high-priority=no",
            "--log-level=info",
            f"--log-target=file:{self.log_path}",
            "-n",
            f"--file={d / 'rig.pa'}",
        ]
        self._daemon = subprocess.Popen(
            cmd,
            env=self._daemon_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=str(d),
            start_new_session=True,
        )
        self._wait_ready()
        self._start_keepalive(self.SPEAKER_SINK, self.SPEAKER_RATE)
        self.load_mic()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        last = ""
        while time.monotonic() < deadline:
            if self._daemon.poll() is not None:
                raise PulseRigError(
                    f"pulseaudio exited with {self._daemon.returncode} during startup:\n{self.log_tail()}"
                )
            if self.socket_path.exists():
                try:
                    r = self._pactl("info", check=False, timeout=2)
                except subprocess.TimeoutExpired:  # a daemon still starting on a busy machine: ask again
                    last = "pactl info took over 2 s"
                    continue
                if r.returncode == 0:
                    return
                last = (r.stderr or r.stdout).strip()
            time.sleep(0.02)
        raise PulseRigError(
            f"pulseaudio did not answer `pactl info` within {self.start_timeout}s ({last}):\n{self.log_tail()}"
        )

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except (OSError, AttributeError):
            return "(no pulseaudio log)"

    # ------------------------------------------------------------ subprocess
    def client_env(self) -> dict[str, str]:
        """Full environment for a child process that should use this server."""
        return {**os.environ, **self.env}

    def _spawn(self, args: list[str], **kw) -> subprocess.Popen:
        if self._daemon is None:
            raise PulseRigError("rig is not running")
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.PIPE)
        proc = subprocess.Popen(_pdeathsig_prefix() + args, env=self.client_env(), **kw)
        self._children = [p for p in self._children if p.poll() is None]
        self._children.append(proc)
        return proc

    def _pactl(self, *args: str, check: bool = True, timeout: float = 5) -> subprocess.CompletedProcess:
        r = subprocess.run(
            ["pactl", *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and r.returncode != 0:
            raise PulseRigError(f"pactl {' '.join(args)} failed: {(r.stderr or r.stdout).strip()}")
        return r

    def pactl(self, *args: str) -> str:
        """Run pactl against this server; return stdout (raises on failure)."""
        return self._pactl(*args).stdout

    def sources(self) -> list[str]:
        return [l.split("\t")[1] for l in self.pactl("list", "short", "sources").splitlines() if "\t" in l]

    def sinks(self) -> list[str]:
        return [l.split("\t")[1] for l in self.pactl("list", "short", "sinks").splitlines() if "\t" in l]

    def _start_keepalive(self, sink: str, rate: int) -> None:
        old = self._keepalive.pop(sink, None)
        if old is not None:
            _stop_process(old)
        self._keepalive[sink] = self._spawn(
            [
                "parec",
                "--raw",
                f"--device={sink}.monitor",
                f"--rate={rate}",
                "--channels=1",
                "--format=s16le",
                f"--latency-msec={self.KEEPALIVE_LATENCY_MSEC}",
                "--client-name=pulse-rig-keepalive",
            ],
            stderr=subprocess.DEVNULL,
        )
        # Wait until the keepalive is connected, then restart the sink's timer
        # (suspend/resume) so it ticks at the small block size from now on.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if self._keepalive_connected(sink):
                break
            if self._keepalive[sink].poll() is not None:
                raise PulseRigError(f"keepalive parec on {sink}.monitor exited early")
            time.sleep(0.01)
        else:
            raise PulseRigError(f"keepalive parec on {sink}.monitor did not connect")
        self.pactl("suspend-sink", sink, "1")
        self.pactl("suspend-sink", sink, "0")

    def _keepalive_connected(self, sink: str) -> bool:
        sources = {
            l.split("\t")[0]: l.split("\t")[1]
            for l in self.pactl("list", "short", "sources").splitlines()
            if "\t" in l
        }
        want = [idx for idx, name in sources.items() if name == f"{sink}.monitor"]
        for l in self.pactl("list", "short", "source-outputs").splitlines():
            f = l.split("\t")
            if len(f) > 1 and f[1] in want:
                return True
        return False

    # ------------------------------------------------------------------- mic
    def load_mic(self) -> int:
        """(Re)create the virtual microphone; returns the module index."""
        if self._mic_module is not None:
            return self._mic_module
        out = self.pactl(
            "load-module",
            "module-null-sink",
            f"sink_name={self.MIC_FEED_SINK}",
            f"rate={self.MIC_RATE}",
            "channels=1",
            "format=s16le",
            "norewinds=1",
            f"sink_properties=device.description={self.MIC_FEED_SINK}",
        )
        self._mic_module = int(out.strip())
        self.pactl("set-default-source", self.MIC_SOURCE)
        self.pactl("set-default-sink", self.SPEAKER_SINK)
        self._start_keepalive(self.MIC_FEED_SINK, self.MIC_RATE)
        return self._mic_module

    def unload_mic(self, kill_streams: bool = True) -> None:
        """Make the microphone vanish.

        ``kill_streams=True`` (default) emulates an unplugged mic: every stream
        recording from it is killed first, so an open sounddevice InputStream
        hits an ALSA/PortAudio I/O error, and reopening fails ("No such
        entity") until ``load_mic()``.  With ``kill_streams=False`` you get
        PulseAudio's own behaviour instead: open streams are silently *moved* to
        the placeholder source ``companion_no_mic`` and keep delivering zeros.
        """
        if self._mic_module is None:
            return
        ka = self._keepalive.pop(self.MIC_FEED_SINK, None)
        if ka is not None:
            _stop_process(ka)
        if kill_streams:
            for idx in self.source_outputs_on(self.MIC_SOURCE):
                self.cli(f"kill-source-output {idx}")
        self.pactl("unload-module", str(self._mic_module))
        self._mic_module = None

    def source_outputs_on(self, source: str) -> list[str]:
        """Indices of the recording streams currently attached to ``source``."""
        src_idx = {
            f[0] for f in (l.split("\t") for l in self.pactl("list", "short", "sources").splitlines()) if f[1:2] == [source]
        }
        return [
            f[0]
            for f in (l.split("\t") for l in self.pactl("list", "short", "source-outputs").splitlines())
            if len(f) > 1 and f[1] in src_idx
        ]

    def cli(self, command: str, timeout: float = 5.0) -> str:
        """Run one pacmd-style command over the server's CLI socket; return its output."""
        import socket

        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(self.cli_socket_path))
            # Non-interactive CLI: no banner, no prompt.  Send, half-close, read to EOF
            # (the server closes the connection once it has answered).
            sock.sendall(command.encode() + b"\n")
            sock.shutdown(socket.SHUT_WR)
            buf = b""
            while chunk := sock.recv(4096):
                buf += chunk
            out = buf.decode(errors="replace").strip()
        if out:
            raise PulseRigError(f"pulse CLI `{command}` failed: {out}")
        return out

    @property
    def mic_loaded(self) -> bool:
        return self._mic_module is not None

    # ----------------------------------------------------------- play/record
    def play_into_mic(self, wav_path: str | os.PathLike, wait: bool = False) -> PlayHandle:
        """Play a WAV into the virtual mic. Returns a handle; ``wait=True`` blocks until done."""
        path = Path(wav_path)
        if not path.is_file():
            raise FileNotFoundError(path)
        t0 = time.monotonic()
        proc = self._spawn(["paplay", f"--device={self.MIC_FEED_SINK}", "--client-name=pulse-rig-mic", str(path)])
        h = PlayHandle(proc, t0, path)
        if wait:
            h.wait()
        return h

    def record_speaker(
        self, path: str | os.PathLike, rate: int | None = None, channels: int = 1
    ) -> RecordHandle:
        """Record ``companion_speaker.monitor`` to a 16-bit WAV at ``rate`` (default SPEAKER_RATE)."""
        rate = rate or self.SPEAKER_RATE
        proc = self._spawn(
            [
                "parec",
                "--raw",
                f"--device={self.SPEAKER_MONITOR}",
                f"--rate={rate}",
                f"--channels={channels}",
                "--format=s16le",
                "--latency-msec=20",
                "--client-name=pulse-rig-recorder",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        h = RecordHandle(proc, Path(path), rate, channels)
        self._recordings.append(h)
        return h

    # -------------------------------------------------------------------- env
    def apply_env(self, reinit_sounddevice: bool = True) -> None:
        """Put ``env`` into os.environ (restored by ``restore_env()``/exit).

        If sounddevice is already imported, PortAudio is re-initialised so it
        enumerates this server's devices (this closes any open streams).
        """
        if self._saved_env is None:
            self._saved_env = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        if reinit_sounddevice and "sounddevice" in sys.modules:
            self._reinit_sounddevice()
        # Also if sounddevice gets imported only after this: forget our devices on restore.
        self._reinit_sd_on_restore = reinit_sounddevice

    def restore_env(self) -> None:
        """Put os.environ back as it was before ``apply_env()``.

        If ``apply_env()`` re-initialised sounddevice, it is re-initialised
        again so it forgets this server's devices.  That re-enumeration runs
        while the rig's env is still in place (and, from ``close()``, after
        the daemon is gone): a PortAudio enumeration with *no* PULSE_* env
        makes libpulse create ``~/.config/pulse/<machine-id>-runtime`` and
        ``/tmp/pulse-XXXX`` in the real home (any plain ``import
        sounddevice`` on this machine does that).
        """
        if self._saved_env is None:
            return
        if self._reinit_sd_on_restore and "sounddevice" in sys.modules:
            self._reinit_sd_on_restore = False
            self._reinit_sounddevice()
        for k, v in self._saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self._saved_env = None

    @staticmethod
    def _reinit_sounddevice() -> None:
        sd = sys.modules["sounddevice"]
        sd._terminate()
        sd._initialize()

    # ---------------------------------------------------------------- cleanup
    @property
    def running(self) -> bool:
        return self._daemon is not None and self._daemon.poll() is None

    @property
    def pid(self) -> int | None:
        return self._daemon.pid if self._daemon else None

    def close(self) -> None:
        """Stop recordings, children and the daemon; remove the temp dir. Idempotent."""
        errors: list[BaseException] = []
        for rec in self._recordings:
            try:
                rec.stop()
            except Exception as e:  # keep cleaning up
                errors.append(e)
        self._recordings.clear()
        for proc in list(self._keepalive.values()) + self._children:
            try:
                _stop_process(proc)
            except Exception as e:
                errors.append(e)
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    stream.close()
        self._keepalive.clear()
        self._children.clear()
        if self._daemon is not None:
            try:
                _stop_process(self._daemon)
            except Exception as e:
                errors.append(e)
            self._daemon = None
        self._mic_module = None
        try:
            self.restore_env()
        except Exception as e:
            errors.append(e)
        if self.dir is not None and not (self.keep_dir_on_failure and errors):
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
        if errors:
            raise PulseRigError(f"errors while tearing down the pulse rig: {errors!r}")


def read_wav(path: str | os.PathLike):
    """(int16 samples, rate) of a mono or multi-channel 16-bit WAV."""
    import numpy as np

    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2, "expected 16-bit WAV"
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        if w.getnchannels() > 1:
            data = data.reshape(-1, w.getnchannels())
        return data, w.getframerate()


def write_tone_wav(
    path: str | os.PathLike, freq: float = 440.0, seconds: float = 1.0, rate: int = 16000, amplitude: float = 0.5
):
    """Write a mono 16-bit sine WAV; returns the int16 samples."""
    import numpy as np

    t = np.arange(int(round(seconds * rate))) / rate
    tone = (amplitude * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(tone.astype("<i2").tobytes())
    return tone


__all__ += ["read_wav", "write_tone_wav"]
