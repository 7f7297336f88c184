"""The real Wyoming home-server programs, as a home server runs them, for integration tests.

``wyoming-faster-whisper`` and ``wyoming-piper`` are installed from PyPI into a venv of their
own (not the device's: a home server is another machine), cached under
``$XDG_CACHE_HOME/companion-tests`` and reused by later runs; a file lock keeps two test
sessions from building it at once. They are fed from our verified model store and listen on
127.0.0.1 on a free port. ``WyomingServer`` cleans up after itself, also when a test fails.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

SERVER_PACKAGES = ("wyoming==1.10.2", "wyoming-faster-whisper==3.8.1", "wyoming-piper==2.5.2")


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "companion-tests"


def server_venv() -> Path:
    """The servers' venv, built once (needs PyPI the first time; a few minutes)."""
    tag = hashlib.sha256(" ".join(SERVER_PACKAGES).encode()).hexdigest()[:10]
    venv = cache_root() / f"wyoming-servers-{tag}"
    ready = venv / ".ready"
    if ready.is_file():
        return venv
    cache_root().mkdir(parents=True, exist_ok=True)
    with open(cache_root() / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready.is_file():
            return venv
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        result = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *SERVER_PACKAGES],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"cannot install the Wyoming servers from PyPI:\n{result.stderr[-3000:]}")
        ready.write_text(" ".join(SERVER_PACKAGES) + "\n")
    return venv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WyomingServer:
    """One server process on 127.0.0.1; ``uri`` once started."""

    def __init__(self, args: list[str], *, log: Path, port: int | None = None, ready_timeout_s: float = 180.0) -> None:
        self.port = port or free_port()
        self.uri = f"tcp://127.0.0.1:{self.port}"
        self.args = [a.replace("{uri}", self.uri) for a in args]
        self.log = log
        self.ready_timeout_s = ready_timeout_s
        self.proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def faster_whisper(cls, models_dir: Path, tmp: Path, **kw: object) -> WyomingServer:
        python = str(server_venv() / "bin" / "python")
        return cls([python, "-m", "wyoming_faster_whisper", "--uri", "{uri}", "--model", str(models_dir / "asr-tiny-en"),
                    "--data-dir", str(tmp), "--local-files-only", "--language", "en", "--beam-size", "1",
                    "--compute-type", "int8", "--cpu-threads", "1"], log=tmp / "faster-whisper.log", **kw)  # type: ignore[arg-type]

    @classmethod
    def piper(cls, models_dir: Path, tmp: Path, **kw: object) -> WyomingServer:
        python = str(server_venv() / "bin" / "python")
        return cls([python, "-m", "wyoming_piper", "--uri", "{uri}", "--voice", "en_US-joe-medium",
                    "--data-dir", str(models_dir / "tts-joe-medium")], log=tmp / "piper.log", **kw)  # type: ignore[arg-type]

    def start(self, env: dict[str, str] | None = None) -> WyomingServer:
        from companion.remote.link import RemoteError, parse_uri, probe

        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.args, stdout=out, stderr=subprocess.STDOUT, env=env,
                                         start_new_session=True)
        deadline = time.monotonic() + self.ready_timeout_s
        uri = parse_uri(self.uri, "test")
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.args[2]} exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                probe(uri, timeout_s=1.0)
                return self
            except RemoteError as err:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{self.args[2]} not ready after {self.ready_timeout_s} s:\n{self.log.read_text()[-3000:]}") from err
                time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL, as a crash or a pulled plug would."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> WyomingServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_companion_serve(uri: str, env: dict[str, str], log_path: Path, timeout_s: float = 120.0) -> subprocess.Popen[bytes]:
    """`companion serve --uri URI`, returned once it says READY=1 (sd_notify, to a socket of ours).

    Waits on the socket, not by polling the port: ``select`` wakes the moment the datagram
    arrives, or each second to see whether the server died (its log is then the failure).
    """
    import select
    import tempfile

    with tempfile.TemporaryDirectory(prefix="notify-") as folder:
        address = os.path.join(folder, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(address)
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "companion", "serve", "--uri", uri],
                                    env={**env, "NOTIFY_SOCKET": address}, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                readable, _, _ = select.select([sock], [], [], 1.0)
                if readable:
                    fields = dict(line.split("=", 1) for line in sock.recv(4096).decode().splitlines())
                    if fields.get("READY") == "1":
                        return proc
                    continue
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"companion serve never became ready:\n{log_path.read_text()}")
        except BaseException:
            if proc.poll() is None:
                proc.terminate()
            proc.wait(timeout=20)
            raise
        finally:
            sock.close()
