"""Sentence embeddings (all-MiniLM-L6-v2) on ONNX Runtime, so the device needs no PyTorch.

Reproduces the sentence-transformers pipeline of all-MiniLM-L6-v2: WordPiece tokens truncated
to 256, the transformer's token embeddings, mean pooling over the attention mask, then L2
normalisation, so a dot product of two rows is their cosine similarity.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from .embed_base import RemembersLastText, files_fingerprint

logger = logging.getLogger(__name__)

MAX_TOKENS = 256  # sentence-transformers max_seq_length for all-MiniLM-L6-v2
BATCH_SIZE = 32
_INSTALL_HINT = "run `companion models install`"
_KNOWN_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class SentenceEmbedder(RemembersLastText):
    """Turns texts into unit vectors (``embed``); blocking, one call at a time per instance."""

    def __init__(self, model_path: Path, tokenizer_path: Path, threads: int = 2) -> None:
        self.model_path = Path(model_path)
        self.tokenizer_path = Path(tokenizer_path)
        for path, what in ((self.model_path, "embedding model"), (self.tokenizer_path, "embedding tokenizer")):
            if not path.is_file():
                raise ModelError(f"{what} not found", where=str(path), hint=_INSTALL_HINT)

        # Heavy imports stay here so importing the package costs nothing.
        import onnxruntime
        from tokenizers import Tokenizer

        try:
            tokenizer = Tokenizer.from_file(str(self.tokenizer_path))
        except Exception as exc:  # the Rust side raises plain Exception subclasses
            raise ModelError(
                f"embedding tokenizer is unreadable ({_short(exc)})", where=str(self.tokenizer_path), hint=_INSTALL_HINT
            ) from None
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        pad_id = tokenizer.token_to_id("[PAD]")
        tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id, pad_token="[PAD]")
        self._tokenizer = tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        # No busy-waiting between operators: on a 2-core device shared with ASR and TTS, spinning
        # threads steal the cores the work needs (measured under load: query embedding wall p50
        # 42 -> 22 ms, CPU 18 -> 11 ms; bulk indexing 35 -> 47 texts per CPU-second).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only; ORT warns about harmless graph details
        options.enable_mem_pattern = False  # one plan per question length would grow RSS (see tts/piper_tts.py)
        try:
            self._session = onnxruntime.InferenceSession(
                str(self.model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise ModelError(
                f"embedding model is corrupt or unreadable ({_short(exc)})", where=str(self.model_path), hint=_INSTALL_HINT
            ) from None

        self._input_names = [node.name for node in self._session.get_inputs()]
        unknown = [name for name in self._input_names if name not in _KNOWN_INPUTS]
        if "input_ids" not in self._input_names or unknown:
            raise ModelError(
                f"embedding model has unexpected inputs {self._input_names}", where=str(self.model_path), hint=_INSTALL_HINT
            )
        output = self._session.get_outputs()[0]
        self._output_name = output.name
        # Rank 3 is token embeddings (pool them here); rank 2 is an already pooled sentence vector.
        self._pooled_output = len(output.shape) == 2
        self._fingerprint: str | None = None
        try:
            probe = self._run(["hello"])
        except Exception as exc:
            raise ModelError(
                f"embedding model fails to run ({_short(exc)})", where=str(self.model_path), hint=_INSTALL_HINT
            ) from None
        self.dimension = int(probe.shape[1])
        logger.debug(
            "embedder ready: %s (inputs %s, output %s %s, dim %d)",
            self.model_path, self._input_names, self._output_name, "pooled" if self._pooled_output else "tokens",
            self.dimension,
        )

    @property
    def fingerprint(self) -> str:
        """sha256 of the model and tokenizer files: what a cache of vectors must match."""
        if self._fingerprint is None:
            self._fingerprint = files_fingerprint(f"minilm-meanpool-{MAX_TOKENS}", (self.model_path, self.tokenizer_path))
        return self._fingerprint

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        # Batch texts of similar length together so little time goes into padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        result = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), BATCH_SIZE):
            chunk = order[start : start + BATCH_SIZE]
            result[chunk] = self._run([texts[i] for i in chunk])
        return result

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds: dict[str, Any] = {"input_ids": ids}
        if "attention_mask" in self._input_names:
            feeds["attention_mask"] = mask
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        (output,) = self._session.run([self._output_name], feeds)
        output = np.asarray(output, dtype=np.float32)
        if self._pooled_output:
            pooled = output
        else:
            weights = mask[:, :, None].astype(np.float32)
            pooled = (output * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."
