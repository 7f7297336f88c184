"""The three fixes piper-tts 1.8.0's trainer needs here (FINDINGS.md), applied without editing the package.

1. ``piper.train.vits.monotonic_align`` imports a Cython extension whose source is not shipped:
   ``install_monotonic_align`` registers a numba implementation under that module name.
2. The default checkpoint callback watches ``val_mos``, whose UTMOS model is fetched from a hub
   at run time: training here builds its own callbacks on ``val_mel`` and sets ``mos_metric=None``.
3. ``torch.onnx.export`` defaults to the dynamo exporter on torch 2.13, which fails on VITS:
   ``export_onnx`` passes ``dynamo=False``.
"""

from __future__ import annotations

import logging
import sys
import types
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

_CORE = "piper.train.vits.monotonic_align.monotonic_align.core"
OPSET_VERSION = 15


def maximum_path_each(path: np.ndarray, value: np.ndarray, t_y: int, t_x: int) -> None:
    """Monotonic alignment search (VITS) for one utterance, in place.

    Dynamic programming over text positions x and spectrogram frames y: each frame is aligned to
    the same or the next text position, maximising the summed log-likelihood ``value``; then the
    best path is traced back and marked with ones in ``path``.
    """
    neg_inf = -1e9
    for y in range(t_y):
        for x in range(max(0, t_x + y - t_y), min(t_x, y + 1)):
            stay = neg_inf if x == y else value[y - 1, x]
            if x == 0:
                advance = 0.0 if y == 0 else neg_inf
            else:
                advance = value[y - 1, x - 1]
            value[y, x] += max(stay, advance)
    index = t_x - 1
    for y in range(t_y - 1, -1, -1):
        path[y, index] = 1
        if index != 0 and (index == y or value[y - 1, index] < value[y - 1, index - 1]):
            index -= 1


def maximum_path_batch(paths: np.ndarray, values: np.ndarray, t_ys: np.ndarray, t_xs: np.ndarray) -> None:
    """The Cython ``maximum_path_c`` signature: int32 paths, float32 values, lengths per item."""
    for i in range(paths.shape[0]):
        _each(paths[i], values[i], int(t_ys[i]), int(t_xs[i]))


_each = maximum_path_each
try:  # numba (a piper[train] dependency) makes this ~100x faster than plain Python
    import numba

    _each = numba.njit(cache=False, nogil=True)(maximum_path_each)
except ImportError:  # pragma: no cover - numba comes with piper-tts[train]
    logger.warning("numba missing: monotonic alignment runs in plain Python (slow)")


def install_monotonic_align() -> None:
    """Register the replacement before piper's VITS model imports its missing extension."""
    if _CORE in sys.modules:
        return
    parent = types.ModuleType(_CORE.rsplit(".", 1)[0])
    core = types.ModuleType(_CORE)
    core.maximum_path_c = maximum_path_batch  # type: ignore[attr-defined]
    parent.core = core  # type: ignore[attr-defined]
    parent.__path__ = []  # type: ignore[attr-defined]
    sys.modules[parent.__name__] = parent
    sys.modules[_CORE] = core


def export_onnx(checkpoint: Path, output: Path) -> None:
    """Export a generator checkpoint to ONNX the way piper's export_onnx does, with the legacy exporter."""
    import torch

    install_monotonic_align()
    from piper.train.vits.lightning import VitsModel

    torch.manual_seed(1234)
    model = VitsModel.load_from_checkpoint(checkpoint, map_location="cpu", mos_metric=None)
    generator = model.model_g
    generator.eval()
    with torch.no_grad():
        generator.dec.remove_weight_norm()

    def infer_forward(text, text_lengths, scales, sid=None):  # type: ignore[no-untyped-def]
        return generator.infer(text, text_lengths, noise_scale=scales[0], length_scale=scales[1],
                               noise_scale_w=scales[2], sid=sid)[0].unsqueeze(1)

    generator.forward = infer_forward  # type: ignore[method-assign,assignment]
    sequences = torch.randint(low=0, high=generator.n_vocab, size=(1, 50), dtype=torch.long)
    lengths = torch.LongTensor([sequences.size(1)])
    sid = torch.LongTensor([0]) if generator.n_speakers > 1 else None
    scales = torch.FloatTensor([0.667, 1.0, 0.8])
    output.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model=generator, args=(sequences, lengths, scales, sid), f=str(output), verbose=False,
        opset_version=OPSET_VERSION, input_names=["input", "input_lengths", "scales", "sid"],
        output_names=["output"], dynamo=False,
        dynamic_axes={"input": {0: "batch_size", 1: "phonemes"}, "input_lengths": {0: "batch_size"},
                      "output": {0: "batch_size", 2: "time"}},
    )
