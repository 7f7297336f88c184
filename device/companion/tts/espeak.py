"""espeak-ng as a SpeechSynthesizer: the neutral voice for languages no installed Piper voice speaks.

No registry package ships a Chinese Piper voice, so a Chinese persona's disclosure, crisis and
"are you alive?" answers would otherwise be read by the English voice ("Chinese letter, Chinese
letter..."). espeak-ng's Mandarin voice (``cmn-latn-pinyin``, Debian package ``espeak-ng``) is robotic but
intelligible, offline, and a formant synthesizer: a neutral voice that nobody takes for the
person. It runs as a subprocess per sentence (~40 ms here), with the text on stdin so no text
can be read as an option.
"""

from __future__ import annotations

import logging
import shutil
import subprocess

import numpy as np

from ..errors import ModelError

logger = logging.getLogger(__name__)

ESPEAK = "espeak-ng"
INSTALL_HINT = "install the Debian package espeak-ng (apt-get install espeak-ng; ./install.sh does it)"
ESPEAK_PREFIX = "espeak-ng:"
"""A voice name meaning "espeak-ng with this voice" instead of a Piper model folder."""
VOICES = {"zh": "cmn-latn-pinyin"}
"""Persona language family -> espeak-ng voice. Not plain ``cmn``: in espeak-ng 1.51 (Debian 12) it
turns each character into pinyin with a tone digit and then reads that "as English" (奶奶 ->
"nay three nay three"); ``cmn-latn-pinyin`` reads the same pinyin as Mandarin."""


def espeak_available() -> bool:
    return shutil.which(ESPEAK) is not None


class EspeakSynthesizer:
    """Mono int16 speech from the espeak-ng command line; blocking, call from a worker thread."""

    def __init__(self, voice: str = "cmn-latn-pinyin", *, words_per_minute: int = 150, timeout_s: float = 30.0) -> None:
        binary = shutil.which(ESPEAK)
        if binary is None:
            raise ModelError("espeak-ng is not installed (the Mandarin neutral voice)", hint=INSTALL_HINT)
        self._binary = binary
        self.voice = voice
        self.words_per_minute = words_per_minute
        self.timeout_s = timeout_s
        self.sample_rate = 22050
        self.language = next((lang for lang, v in VOICES.items() if v == voice), voice)
        probe = self._run("你好" if self.language == "zh" else "hello")
        if probe.size == 0:
            raise ModelError(f"espeak-ng voice {voice!r} produced no audio", hint=INSTALL_HINT)

    def synthesize(self, sentence: str) -> np.ndarray:
        """Mono int16 audio for one sentence (empty for empty text)."""
        if not sentence.strip():
            return np.zeros(0, dtype=np.int16)
        return self._run(sentence)

    def _run(self, text: str) -> np.ndarray:
        command = [self._binary, "-v", self.voice, "-s", str(self.words_per_minute), "-b", "1", "--stdout"]
        try:
            done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True,
                                  timeout=self.timeout_s, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ModelError(f"espeak-ng failed to run ({exc})", hint=INSTALL_HINT) from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()[:160]
            raise ModelError(f"espeak-ng failed (voice {self.voice!r}): {message}", hint=INSTALL_HINT)
        return _pcm_from_wav(done.stdout, self)


def _pcm_from_wav(data: bytes, synth: EspeakSynthesizer) -> np.ndarray:
    """The samples of espeak-ng's WAV on stdout (its header sizes are unreliable on a pipe)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ModelError("espeak-ng did not return WAV audio", hint=INSTALL_HINT)
    position = 12
    while position + 8 <= len(data):
        chunk, size = data[position:position + 4], int.from_bytes(data[position + 4:position + 8], "little")
        if chunk == b"fmt ":
            synth.sample_rate = int.from_bytes(data[position + 12:position + 16], "little")
        if chunk == b"data":
            payload = data[position + 8:]
            payload = payload[: len(payload) - len(payload) % 2]
            return np.frombuffer(payload, dtype="<i2").astype(np.int16)
        position += 8 + size + (size & 1)
    return np.zeros(0, dtype=np.int16)
