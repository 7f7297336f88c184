"""`companion voice train`: fine-tune a Piper voice on the prepared set (wraps piper.train).

Starts from a user-supplied pretrained Piper checkpoint (its architecture is read from the
checkpoint, its weights copied in), uses a GPU when there is one, resumes from ``last.ckpt``
after an interruption, and keeps only the best checkpoint by validation mel loss (plus
``last.ckpt`` for resuming). From-scratch training is offered only as the tiny CI check.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import CompanionError
from .piper_fixes import install_monotonic_align
from .prepare import PIPER_RATE, WorkDirs

logger = logging.getLogger(__name__)

NO_BASE_HINT = (
    "pass --base PATH to a pretrained Piper checkpoint (.ckpt, not .onnx: an .onnx cannot be trained). "
    "Piper's authors publish training checkpoints of their voices (the rhasspy 'piper-checkpoints' "
    "collection, e.g. en_US lessac or ryan, medium quality); download one on another computer and copy it "
    "here, since this device never downloads models. Training from scratch needs several hours of one "
    "person's clean speech and days of GPU time; a family's voice messages (minutes) only work as a "
    "fine-tune of such a base voice"
)

TINY_MODEL: dict[str, Any] = {
    # A deliberately tiny VITS so CI can prove the pipeline in about a minute per epoch on a CPU.
    "hidden_channels": 32, "inter_channels": 32, "filter_channels": 64, "n_heads": 2, "n_layers": 2,
    "n_layers_q": 1, "upsample_initial_channel": 32, "resblock": "2", "resblock_kernel_sizes": (3,),
    "resblock_dilation_sizes": ((1, 2),), "use_sdp": False, "segment_size": 4096,
}
ARCHITECTURE_KEYS = (
    "resblock", "resblock_kernel_sizes", "resblock_dilation_sizes", "upsample_rates", "upsample_initial_channel",
    "upsample_kernel_sizes", "filter_length", "hop_length", "win_length", "mel_channels", "mel_fmin", "mel_fmax",
    "inter_channels", "hidden_channels", "filter_channels", "n_heads", "n_layers", "kernel_size", "p_dropout",
    "n_layers_q", "use_spectral_norm", "gin_channels", "use_sdp", "segment_size", "num_symbols", "num_speakers",
    "sample_rate", "use_mrd",
)
MIN_CLIPS = 8
BEST_NAME = "best"
LAST_NAME = "last"


def checkpoint_dir(work: WorkDirs) -> Path:
    return work.train / "checkpoints"


def best_checkpoint(work: WorkDirs) -> Path:
    """The best checkpoint kept so far (by val_mel), or an error saying to train first."""
    path = checkpoint_dir(work) / f"{BEST_NAME}.ckpt"
    if not path.is_file():
        raise CompanionError("no trained checkpoint yet", where=str(path), hint="run `companion voice train` first")
    return path


def base_architecture(base: Path) -> dict[str, Any]:
    """The hyperparameters that fix a base checkpoint's shape, so the fine-tuned model matches it."""
    import torch

    if base.suffix == ".onnx":
        raise CompanionError("an .onnx voice cannot be fine-tuned", where=str(base), hint=NO_BASE_HINT)
    if not base.is_file():
        raise CompanionError("base checkpoint not found", where=str(base), hint=NO_BASE_HINT)
    try:
        ckpt = torch.load(base, map_location="cpu", weights_only=True)
        hparams = dict(ckpt["hyper_parameters"])
        ckpt["state_dict"]  # noqa: B018 - a checkpoint without weights is useless
    except Exception as exc:  # torch raises many types on a foreign file
        raise CompanionError(f"not a Piper training checkpoint ({exc})", where=str(base), hint=NO_BASE_HINT) from None
    arch = {k: hparams[k] for k in ARCHITECTURE_KEYS if k in hparams}
    if int(arch.get("sample_rate", PIPER_RATE)) != PIPER_RATE:
        raise CompanionError(f"the base voice is {arch['sample_rate']} Hz; prepared data is {PIPER_RATE} Hz",
                             where=str(base), hint="choose a medium- or high-quality (22050 Hz) base checkpoint")
    return arch


def train(
    persona_dir: Path,
    *,
    base: Path | None,
    epochs: int,
    from_scratch: bool = False,
    tiny: bool = False,
    batch_size: int = 8,
    espeak_voice: str = "en-us",
    key_file: str | Path | None = None,
) -> dict[str, Any]:
    """Train (or resume) and return a summary: epochs done, seconds, best checkpoint and its val_mel.

    An encrypted bundle's training set is decrypted to a private temporary folder (with piper's
    cache) for as long as training runs, and removed after (issue 20)."""
    from .recordings.voiceset import training_dirs

    with training_dirs(persona_dir, key_file) as work:
        return _train(work, persona_dir, base=base, epochs=epochs, from_scratch=from_scratch, tiny=tiny,
                      batch_size=batch_size, espeak_voice=espeak_voice)


def _train(work: WorkDirs, persona_dir: Path, *, base: Path | None, epochs: int, from_scratch: bool, tiny: bool,
           batch_size: int, espeak_voice: str) -> dict[str, Any]:
    if base is None and not (from_scratch and tiny):
        raise CompanionError("voice training needs a pretrained base checkpoint", where="--base", hint=NO_BASE_HINT)
    if base is not None and from_scratch:
        raise CompanionError("--base and --from-scratch exclude each other", where="voice train")
    if epochs < 1:
        raise CompanionError("--epochs must be at least 1", where="voice train")
    if base is not None and (base.suffix == ".onnx" or not base.is_file()):
        raise CompanionError("an .onnx voice cannot be fine-tuned" if base.suffix == ".onnx"
                             else "base checkpoint not found", where=str(base), hint=NO_BASE_HINT)
    metadata = work.dataset / "metadata.csv"
    if not metadata.is_file():
        raise CompanionError("no prepared training set", where=str(metadata), hint="run `companion voice prepare` first")
    clips = sum(1 for line in metadata.read_text(encoding="utf-8").splitlines() if line.strip())
    if clips < MIN_CLIPS:
        raise CompanionError(f"only {clips} clips in the training set; at least {MIN_CLIPS} are needed",
                             where=str(metadata), hint="add recordings and run `companion voice prepare` again")

    arch = base_architecture(base) if base is not None else dict(TINY_MODEL)
    install_monotonic_align()
    import lightning as L
    import torch
    from lightning.pytorch.callbacks import ModelCheckpoint
    from piper.train.vits.dataset import VitsDataModule
    from piper.train.vits.lightning import VitsModel

    ckpt_dir = checkpoint_dir(work)
    last = ckpt_dir / f"{LAST_NAME}.ckpt"
    resume = last if last.is_file() else None
    done = _epochs_done(resume) if resume else 0
    if done >= epochs:
        raise CompanionError(f"already trained {done} epochs", where=str(last),
                             hint=f"pass --epochs larger than {done} to train on")

    data = VitsDataModule(
        csv_path=metadata, audio_dir=work.dataset / "wavs", cache_dir=_dataset_cache(work, metadata),
        espeak_voice=espeak_voice, config_path=work.train / "config.json", voice_name=persona_dir.name,
        sample_rate=PIPER_RATE, batch_size=batch_size, num_workers=0, validation_split=0.1,
        num_test_examples=0, segment_size=int(arch.get("segment_size", 8192)),
        filter_length=int(arch.get("filter_length", 1024)), hop_length=int(arch.get("hop_length", 256)),
        win_length=int(arch.get("win_length", 1024)), num_speakers=int(arch.get("num_speakers", 1)),
        num_symbols=int(arch.get("num_symbols", 256)),
    )
    model_args = {**arch, "batch_size": batch_size, "sample_rate": PIPER_RATE, "mos_metric": None}
    if base is not None and resume is None:
        model_args["warmstart_ckpt"] = str(base)  # copy every matching weight; fresh optimiser
    model = VitsModel(**model_args)
    checkpoints = ModelCheckpoint(
        dirpath=ckpt_dir, monitor="val_mel", mode="min", save_top_k=1, save_last=True,
        filename=BEST_NAME, auto_insert_metric_name=False, enable_version_counter=False,
    )
    callbacks: list[Any] = [checkpoints]
    warm_check = _warm_start_check(base) if base is not None and resume is None else None
    if warm_check is not None:
        callbacks.append(warm_check)
    elif base is not None:
        logger.info("resuming %s: the base checkpoint was applied when this run began", last)
    gpu = torch.cuda.is_available()
    logger.info("training %s on %s, %d clips, epochs %d -> %d%s", persona_dir.name, "GPU" if gpu else "CPU",
                clips, done, epochs, f", resuming {last}" if resume else "")
    started = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # Lightning's progress bar and tips print to stdout
        trainer = L.Trainer(
            max_epochs=epochs, accelerator="gpu" if gpu else "cpu", devices=1, callbacks=callbacks,
            default_root_dir=str(work.train), logger=False, log_every_n_steps=1, num_sanity_val_steps=0,
            enable_model_summary=False,
        )
        trainer.fit(model, datamodule=data, ckpt_path=str(resume) if resume else None)
    seconds = time.perf_counter() - started
    score = checkpoints.best_model_score
    return {
        "epochs_done": int(trainer.current_epoch), "resumed_from_epoch": done, "seconds": round(seconds, 1),
        "seconds_per_epoch": round(seconds / max(1, trainer.current_epoch - done), 1),
        "device": "gpu" if gpu else "cpu", "best_checkpoint": str(ckpt_dir / f"{BEST_NAME}.ckpt"),
        "best_val_mel": None if score is None else round(float(score), 4), "clips": clips,
        "global_step": int(trainer.global_step),
        "warm_start": None if warm_check is None else {"base": str(base), **warm_check.result},
    }


def _warm_start_check(base: Path) -> Any:
    """A callback that checks, as training begins, how many of the model's tensors are the base's.

    piper copies the base weights in its on_fit_start; this measures the outcome instead of
    trusting it, so the summary (and a test) can show the fine-tune really started from the base.
    """
    import lightning as L
    import torch

    class WarmStartCheck(L.Callback):
        def __init__(self) -> None:
            self.result: dict[str, int] = {}

        def on_train_start(self, trainer: Any, pl_module: Any) -> None:
            base_state = torch.load(base, map_location="cpu", weights_only=True)["state_dict"]
            state = pl_module.state_dict()
            same = sum(1 for k, v in state.items()
                       if k in base_state and base_state[k].shape == v.shape and torch.equal(base_state[k].to(v.device), v))
            self.result = {"tensors_from_base": same, "tensors": len(state)}
            logger.info("fine-tuning from %s: %d of %d tensors start as the base's", base, same, len(state))
            if same < len(state) // 2:
                logger.warning("most of the model does not come from the base checkpoint: is it the same architecture?")

    return WarmStartCheck()


def _dataset_cache(work: WorkDirs, metadata: Path) -> Path:
    """piper's phoneme/audio/spectrogram cache for exactly this prepared set.

    piper names cache entries by row number and the start of the text, so after `voice prepare`
    is run again a new clip with the same row and words would silently reuse the old clip's audio.
    The cache folder is therefore keyed by the set's metadata and files; older caches are removed.
    """
    digest = hashlib.sha256(metadata.read_bytes())
    for wav in sorted((work.dataset / "wavs").glob("*.wav")):
        stat = wav.stat()
        digest.update(f"{wav.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    root = work.dataset_dir.parent / "cache" if work.dataset_dir else work.train / "cache"
    keep = root / digest.hexdigest()[:16]
    if root.is_dir():
        for old in root.iterdir():
            if old != keep:
                shutil.rmtree(old) if old.is_dir() else old.unlink()
    keep.mkdir(parents=True, exist_ok=True)
    return keep


def _epochs_done(checkpoint: Path) -> int:
    import torch

    try:
        return int(torch.load(checkpoint, map_location="cpu", weights_only=True).get("epoch", -1)) + 1
    except Exception as exc:  # a half-written checkpoint from a killed run
        raise CompanionError(f"cannot resume from an unreadable checkpoint ({exc})", where=str(checkpoint),
                             hint="delete it to start over") from None
