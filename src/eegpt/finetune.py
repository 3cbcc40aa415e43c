"""Full fine-tuning of EEGPT on a labelled task, with layer-wise options.

:func:`finetune` copies the model (the one passed in is never modified), puts a
:class:`~eegpt.model.LinearProbe` head (and optionally the 1x1 channel projection) on the
encoder and trains encoder and head together with cross-entropy, AdamW and a per-batch one-cycle
schedule. Layer-wise control: ``freeze_blocks`` freezes the patch/channel embeddings, the summary
tokens and the first blocks; ``layer_decay`` lowers the learning rate of earlier blocks
geometrically. Early stopping watches the loss on a validation split and restores the best
weights. Mixed precision (bfloat16 or float16 autocast, float16 with gradient scaling) is
available on CUDA; training is reproducible: the same ``seed`` on the same machine gives the same
weights (bit for bit on CPU).

The result is an :class:`~eegpt.probe.EEGPTProbe` with ``frozen_encoder=False``: it predicts and
evaluates like a linear probe and saves the whole model with it.
"""

from __future__ import annotations

import copy
import math
import numbers
import time
from collections.abc import Sequence
from typing import Any, Literal

import torch

from eegpt._logging import Verbose, honours_verbose
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._renamed import renamed_keywords
from eegpt.array_inputs import Units
from eegpt.channels import CHANNEL_INDEX, PROBE_19_CHANNELS, ChannelRules
from eegpt.engine import Precision, check_batch_size, native_cuda_bf16, resolve_device
from eegpt.fingerprints import encoder_fingerprint, encoder_of, mark_loaded_weights
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe import EEGPTProbe
from eegpt.probe_config import ProbeConfig
from eegpt.probe_encoder import encoder_reference, tuned_checkpoint_info
from eegpt.probe_training import channels_read, trained_probe, training_model
from eegpt.rename_tables import Rename
from eegpt.training import (
    balanced_class_weights,
    check_precision,
    class_balance_warning,
    fit_model,
    training_mode,
    warn_if_emulated_bf16,
)
from eegpt.training_data import (
    check_training_data,
    recording_training_warnings,
    split_inputs,
)

__all__ = ["finetune", "trainable_parameter_names"]

FinetunePrecision = Literal["auto", "float32", "bfloat16", "float16"]


def _freeze_argument(freeze_blocks: Any) -> int | str:
    """``freeze_blocks`` as an ``int`` (any integer, NumPy's too, not a bool) or ``"all"``."""
    if isinstance(freeze_blocks, str) and freeze_blocks == "all":
        return "all"
    if isinstance(freeze_blocks, bool) or not isinstance(freeze_blocks, numbers.Integral):
        raise TypeError(f"freeze_blocks must be an int or 'all', got {freeze_blocks!r}")
    return int(freeze_blocks)


def _n_frozen(freeze_blocks: int | str, depth: int) -> int:
    freeze_blocks = _freeze_argument(freeze_blocks)
    if freeze_blocks == "all":
        return depth
    assert isinstance(freeze_blocks, int)
    n = depth + freeze_blocks if freeze_blocks < 0 else freeze_blocks
    if not 0 <= n <= depth:
        raise ValueError(
            f"freeze_blocks={freeze_blocks} is out of range for an encoder of {depth} blocks "
            f"(use 0..{depth}, a negative number to keep that many last blocks trainable, "
            "or 'all')"
        )
    return n


def _layer_of(name: str, depth: int) -> int:
    """Depth index of an encoder parameter: 0 embeddings, i + 1 block i, depth + 1 final norm."""
    if name.startswith("blocks."):
        return int(name.split(".")[1]) + 1
    if name.startswith("norm."):
        return depth + 1
    return 0  # patch_embed, chan_embed, summary_token


def trainable_parameter_names(encoder: EEGPTEncoder, freeze_blocks: int | str) -> list[str]:
    """Names of the encoder parameters that ``freeze_blocks`` leaves trainable.

    ``0``: all. ``N > 0``: everything after the embeddings, the summary tokens and the first
    ``N`` blocks. ``-K``: the last ``K`` blocks and the final norm (never the embeddings and
    summary tokens, also for ``K`` = depth). ``"all"`` (or ``depth``):
    none (the encoder is frozen; only the head and projection train).
    """
    depth = encoder.config.depth
    n = _n_frozen(freeze_blocks, depth)
    if n == depth and freeze_blocks != 0:
        return []
    # -K keeps the embeddings frozen even where it names every block (K = depth, n = 0)
    return [
        name
        for name, _ in encoder.named_parameters()
        if freeze_blocks == 0 or _layer_of(name, depth) > n
    ]


def _check_rate(name: str, rate: Any) -> float:
    """A learning rate (the argument ``name``) as a float, refused where it is not a finite
    number above 0."""
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
        raise TypeError(f"{name} must be a number, got {rate!r}")
    value = float(rate)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(
            f"{name} must be a finite learning rate above 0, got {name}={rate!r}; fine-tuning "
            "takes rates such as lr=1e-4 (head_lr defaults to 10 * lr)"
        )
    return value


def _check_head_projection(head: ProbeConfig, chan_proj: bool, target: tuple[str, ...]) -> None:
    """Refuse a ``head`` that asks for a channel projection (``chan_proj=True``, with its
    ``target_channels``) other than the one :func:`finetune`'s own arguments ask for: those
    arguments decide it, and the head's would be dropped without a word. A head without one
    (``ProbeConfig()``'s default) leaves it to the arguments."""
    differ = []
    if head.chan_proj and not chan_proj:
        differ.append("chan_proj=True")
    if head.chan_proj and tuple(head.target_channels) != target:
        differ.append(f"target_channels={list(head.target_channels)}")
    if differ:
        raise ValueError(
            f"finetune(config=ProbeConfig({', '.join(differ)})): finetune takes the channel "
            "projection from its own chan_proj= and target_channels= arguments, not from "
            f"config, and they say chan_proj={chan_proj}. Pass "
            f"finetune(..., {', '.join(differ)}) instead."
        )


def _resolve_precision(precision: FinetunePrecision | str, device: torch.device) -> Precision:
    """``"auto"``: bfloat16 on a CUDA GPU that has it natively (compute capability 8.0+, checked
    on ``device`` itself, not the current GPU), float16 on older ones (T4, V100, P100, where
    bfloat16 is emulated, or unsupported by cuBLAS), float32 on the CPU. A precision given is
    checked (aliases such as ``"bf16"`` are taken; bfloat16 on an older GPU warns)."""
    if isinstance(precision, str) and precision.strip().lower() == "auto":
        if device.type == "cuda":
            return "bfloat16" if native_cuda_bf16(device) else "float16"
        return "float32"
    resolved = check_precision(precision, device)
    warn_if_emulated_bf16(resolved, device)
    return resolved


@renamed_keywords(head="config")
@recording_training_warnings
@honours_verbose
def finetune(
    model: EEGPT | EEGPTEncoder,
    data: Any = None,
    y: Any = None,
    *,
    ch_names: Sequence[str] | None = None,
    sfreq: float | None = None,
    units: Units = "V",
    rename: Rename | None = None,
    preprocessing: PreprocessingConfig | None = None,
    freeze_blocks: int | str = 0,
    layer_decay: float = 1.0,
    chan_proj: bool = False,
    target_channels: Sequence[str] = PROBE_19_CHANNELS,
    epochs: int = 30,
    lr: float = 1e-4,
    head_lr: float | None = None,
    weight_decay: float = 0.01,
    batch_size: int = 32,
    pct_start: float = 0.2,
    validation: float | tuple[Any, Any] | None = 0.2,
    groups: Any = None,
    patience: int | None = 5,
    class_weight: Literal["balanced", "none"] | None = None,
    precision: FinetunePrecision = "auto",
    seed: int = 0,
    device: str | torch.device | None = None,
    config: ProbeConfig | None = None,
    progress: bool = False,
    verbose: Verbose = None,
    keep: str | Sequence[str] | None = None,
    picks: str | Sequence[str] | None = None,
    on_unknown: Literal["drop", "raise"] = "drop",
    on_missing: Literal["raise", "ignore"] | None = None,
) -> EEGPTProbe:
    """Fine-tune a copy of ``model`` end to end on labelled epochs.

    Parameters
    ----------
    model : EEGPT | EEGPTEncoder
        Pretrained model; its encoder is deep-copied, the original is left untouched.
    data, y, ch_names, sfreq, units, rename, preprocessing
        Labelled epochs as for :func:`eegpt.probe.train_probe`.
    keep, picks
        The vocabulary channels trained on and the channel types read from files and MNE
        objects, as for :func:`eegpt.probe.train_probe` (the same checks; ``keep`` not with
        ``chan_proj``); the probe records them and applies them when predicting.
    on_unknown, on_missing
        Channel names outside the vocabulary (``"drop"``, the default, or ``"raise"``) and
        ``rename`` keys the data lack (``"raise"``, ``"ignore"``, or None: raise for one
        input, ignore for a list), as for :func:`eegpt.probe.train_probe`; the probe records
        them and applies them when predicting.
    freeze_blocks : int | "all"
        Encoder parts kept frozen: ``0`` none; ``N`` the embeddings, summary tokens and first
        ``N`` transformer blocks (``N`` = depth: the final norm too, as ``"all"``); ``-K`` all
        but the last ``K`` blocks and the final norm (the embeddings and summary tokens stay
        frozen, also for ``K`` = depth); ``"all"`` the whole encoder.
    layer_decay : float
        Layer-wise learning-rate decay in (0, 1]: block ``i`` of ``depth`` trains at
        ``lr * layer_decay ** (depth - i)``, the embeddings at ``lr * layer_decay ** (depth + 1)``,
        the final norm at ``lr``. 1 (default) trains every layer at ``lr``.
    chan_proj : bool
        Learn a 1x1 projection from the input channels onto ``target_channels``.
    target_channels : sequence of str
        Vocabulary channels of the projection's output (19 10-20 channels by default).
    epochs : int
        Maximum passes over the training data.
    lr : float
        Peak learning rate of the encoder (one-cycle schedule).
    head_lr : float | None
        Peak learning rate of head and projection (default ``10 * lr``).
    weight_decay : float
        AdamW weight decay.
    batch_size : int
        Training batch size. Memory grows with it: with the large model on a CPU (19 channels,
        4 s windows) the peak was about 2.1 GB at 8 and 3.9 GB at 32; ``freeze_blocks`` lowers
        it and speeds training. On a CPU the large model trains at about 1.5-2 windows/s (2
        cores): fine-tune it on a GPU, or freeze blocks and lower the batch size.
    pct_start : float
        Warm-up fraction of the one-cycle schedule.
    validation : float | (data, y) | None
        Validation data for early stopping and the history: a fraction of ``data`` split off
        per class, or separate epochs ``(held_out_data, held_out_y)`` in the form of ``data``,
        e.g. the recordings of held-out subjects. Without ``groups`` a fraction splits the
        epochs at random: epochs of one subject (recording) fall on both sides, so validation
        scores and early stopping are optimistic wherever ``data`` holds several subjects,
        also in one Epochs object or array (a warning says so for a list of recordings, and
        for one Epochs object whose ``epochs.metadata`` has a subject column naming two or
        more subjects, such as ``subject``, or else a ``recording`` column naming two or more
        recordings, as :func:`~eegpt.probe.concatenate_epochs` records; not for arrays,
        which carry no subjects); give
        ``groups`` or held-out data to validate across subjects. How
        validation was chosen is recorded in ``training["validation"]``.
    groups : array-like, shape (n_epochs,) | None
        With a ``validation`` fraction: one value per epoch (e.g. subject ids); the fraction
        then holds out whole groups (about that fraction of the epochs, each class's share
        kept as far as the groups allow, chosen with ``seed``). Needs at least 2 groups.
    patience : int | None
        Stop after this many epochs without a lower validation loss and restore the best
        weights; ``None`` trains all epochs (keeping the last weights). Epochs count towards
        it only from the one where the learning rate peaks (about ``pct_start * epochs``): it
        never stops during the warm-up, while the best weights are tracked from the first
        epoch. Ignored without validation data.
    class_weight : {None, "balanced", "none"}
        ``"balanced"`` weights each class's loss by ``n / (n_classes * n_class)`` of the
        training labels, as :class:`~eegpt.probe.ProbeConfig`'s ``class_weight``; ``"none"``
        weights every epoch alike, whatever ``config`` says; ``None`` takes
        ``config.class_weight`` (default None: every epoch alike). The weighting used is
        recorded in ``config.class_weight`` and ``training["class_weight"]``, as
        :class:`~eegpt.probe.ProbeConfig` has it (``"balanced"``, or None for unweighted).
    precision : {"auto", "float32", "bfloat16", "float16"}
        Mixed precision by autocast (also ``"bf16"``, ``"fp16"``, ``"half"``, ``"fp32"``, any
        case). ``"auto"``: bfloat16 on CUDA GPUs that have it natively (compute capability
        8.0+: Ampere or newer), float16 with gradient scaling on older ones (T4, V100, P100,
        which emulate bfloat16 or lack it), float32 on CPU. float16 needs CUDA.
    seed : int
        Seeds head initialisation, dropout, the validation split and batch order.
    device : str | torch.device | None
        ``None`` picks CUDA when available.
    config : ProbeConfig | None
        The probe configuration, as :func:`eegpt.probe.train_probe` and
        :class:`~eegpt.sklearn.EEGPTClassifier` take it. Was ``head`` (still taken, with a
        :class:`FutureWarning`). Head architecture (hidden width, dropout, max-norms) and,
        unless ``class_weight`` is given, its ``class_weight``. Its training fields
        ``epochs``, ``batch_size``, ``max_lr``, ``weight_decay``, ``pct_start``, ``patience``
        and ``seed`` are replaced by this function's arguments (``max_lr`` by ``head_lr``),
        whatever they say; a channel projection is set by ``chan_proj`` and
        ``target_channels``, and a config with ``chan_proj=True`` that they do not give
        (``chan_proj`` False, other ``target_channels``) is refused.
    progress : bool
        A progress bar over the training batches of all passes (the pass and losses beside it).
    verbose : bool | str | int | None
        Log the training summary; ``"error"`` also silences eegpt's warnings for this call
        (the probe's ``training["warnings"]`` keeps them).

    Returns
    -------
    EEGPTProbe
        With the fine-tuned model (``frozen_encoder=False``), ``history`` (one dict per pass:
        ``epoch``; ``lr_encoder``, the current rate of the top encoder layers, which follows
        ``lr``'s schedule (absent with ``freeze_blocks="all"``); ``lr_head``, that of head and
        projection (``head_lr``'s schedule; ``lr`` is the same, kept for older readers);
        ``train_loss``, ``train_accuracy``, ``train_balanced_accuracy`` and, with validation
        data, ``val_loss``, ``val_accuracy``, ``val_balanced_accuracy``) and ``training``
        (``best_epoch``; ``kept_epoch``, the epoch whose weights the model holds: with
        validation data and ``patience``, the best one, whether or not training stopped early;
        else the last; ``stopped_early``, trainable parameter count ...).
        :meth:`~eegpt.probe.EEGPTProbe.plot_training` draws the learning curves. Its
        ``model`` is the fine-tuned EEGPT: ``tuned.model.embed(...)`` embeds with it, and
        ``eegpt.save_checkpoint(tuned.model, "tuned-encoder")`` writes it as weights for
        ``--weights`` (the probe folder itself is for ``eegpt probe predict/evaluate``).

    Raises
    ------
    FloatingPointError
        When a training loss is NaN or infinite (diverged weights: a learning rate far too
        high; or, before any optimizer step, inputs that overflow: the error says which);
        the pass is named (:class:`~eegpt.errors.TrainingDivergedError`). Under
        float16, where the gradient scaler skips such batches, when no batch of a pass had a
        finite loss after steps that had them, or no step was taken at all. ``lr`` and
        ``head_lr`` must be finite and above 0.

    Warns
    -----
    EEGPTWarning
        When a ``validation`` fraction drawn at random holds out epochs that overlap training
        epochs in time (events closer than an epoch's length), saying how many. When a class
        has fewer than :data:`~eegpt.training.FEW_EPOCHS` (5) training epochs, or (unless
        weighted ``"balanced"``) the largest has more than
        :data:`~eegpt.training.IMBALANCE_RATIO` (3) times the epochs of the smallest.
    """
    check_training_data(data, epochs, "finetune")
    check_batch_size(batch_size, optional=False)
    if class_weight not in (None, "balanced", "none"):
        raise ValueError(
            "class_weight must be 'balanced', 'none' (every epoch alike) or None (the head's "
            f"class_weight), got {class_weight!r}"
        )
    if not 0.0 < layer_decay <= 1.0:
        raise ValueError(f"layer_decay must be in (0, 1], got {layer_decay}")
    lr = _check_rate("lr", lr)
    if head_lr is not None:
        head_lr = _check_rate("head_lr", head_lr)
    freeze_blocks = _freeze_argument(freeze_blocks)
    source = encoder_of(model)
    reference = encoder_reference(model)
    # the weights tuned from: the checkpoint file's SHA-256 (None if not read from one), and
    # the fingerprint of its weights (the same as the encoder section's sha256/weights_sha256)
    reference["finetuned_from"] = {
        "checkpoint_sha256": reference["sha256"],
        "weights_sha256": reference["weights_sha256"],
    }
    dev = resolve_device(device)
    precision = _resolve_precision(precision, dev)
    preprocessing = preprocessing or PreprocessingConfig()
    head = config or ProbeConfig()
    _check_head_projection(head, chan_proj, tuple(target_channels))
    read = channels_read(
        keep, picks, data, validation, chan_proj=chan_proj, command_line=False,
        on_unknown=on_unknown,
    )  # fmt: skip
    rules = ChannelRules(on_unknown, on_missing)  # checked before any file is read
    config = head.replace(
        chan_proj=chan_proj,
        target_channels=tuple(target_channels),
        epochs=epochs,
        batch_size=batch_size,
        max_lr=head_lr if head_lr is not None else 10 * lr,
        weight_decay=weight_decay,
        pct_start=pct_start,
        patience=patience,
        seed=seed,
        class_weight={None: head.class_weight, "none": None}.get(class_weight, class_weight),
    )
    # no command line fine-tunes: the warnings name the Python arguments only
    train, val, classes, chosen, preprocessing, inputs = split_inputs(
        data, y, validation, groups, config=config, preprocessing=preprocessing,
        ch_names=ch_names, sfreq=sfreq, units=units, rename=rename, verbose=verbose,
        command_line=False, keep=keep, picks=read, rules=rules,
    )  # fmt: skip
    balance = class_balance_warning(train.y, classes, config.class_weight, command_line=False)
    if balance:
        _warn(balance)
    weights = (
        balanced_class_weights(train.y, len(classes)) if config.class_weight == "balanced" else None
    )

    chan_ids = [CHANNEL_INDEX[name] for name in train.encoder_names]
    depth = source.config.depth
    trainable = set(trainable_parameter_names(source, freeze_blocks))
    t0 = time.perf_counter()
    with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
        torch.manual_seed(seed)
        encoder = copy.deepcopy(source).to(dev).float()
        net = training_model(encoder, train, classes, preprocessing, config, dev)
        assert net.final_layer is not None
        by_rate: dict[float, list[torch.nn.Parameter]] = {}
        for name, p in encoder.named_parameters():
            if name in trainable:
                scale = layer_decay ** (depth + 1 - _layer_of(name, depth))
                by_rate.setdefault(lr * scale, []).append(p)
        head_params = list(net.final_layer.parameters())
        if net.chan_proj is not None:
            head_params += list(net.chan_proj.parameters())
        param_groups: list[dict[str, Any]] = [
            {"params": ps, "max_lr": rate, "role": "encoder"}
            for rate, ps in sorted(by_rate.items())
        ]
        param_groups.append({"params": head_params, "max_lr": config.max_lr, "role": "head"})
        ids = torch.as_tensor(chan_ids, dtype=torch.long, device=dev)

        def forward(x: torch.Tensor) -> torch.Tensor:
            return net(x, ids)

        modules = [net]
        with training_mode(encoder, trainable=lambda name: name in trainable):
            fit = fit_model(
                forward,
                modules,
                param_groups,
                train.windows,
                train.y,
                val,
                epochs=epochs,
                batch_size=batch_size,
                weight_decay=weight_decay,
                pct_start=pct_start,
                patience=patience if val is not None else None,
                seed=seed,
                device=dev,
                precision=precision,
                progress=progress,
                desc="fine-tuning",
                class_weight=weights,
            )
    # the tuned weights' own fingerprint: weights_sha256 stays that of the starting weights
    reference["tuned_weights_sha256"] = encoder_fingerprint(encoder)
    net.checkpoint_info = tuned_checkpoint_info(reference)  # type: ignore[assignment]
    mark_loaded_weights(net)  # embeddings of it are of these weights until they change
    n_trainable = sum(p.numel() for g in param_groups for p in g["params"])
    probe = trained_probe(
        net, fit, train, val, classes, config, preprocessing,
        encoder=reference, frozen_encoder=False, rename=rename, keep=keep, picks=read,
        rules=rules, seconds=time.perf_counter() - t0, device=dev, precision=precision,
        freeze_blocks=freeze_blocks, layer_decay=layer_decay, lr=lr,
        class_weight=config.class_weight, trainable_parameters=int(n_trainable),
        validation=chosen, inputs=inputs,
    )  # fmt: skip
    _log(
        f"fine-tuned {len(fit.history)} epochs ({n_trainable:,} trainable weights) in "
        f"{probe.training['seconds']:.1f} s; best epoch {fit.best_epoch}",
        verbose,
    )
    return probe
