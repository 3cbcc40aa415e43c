"""Training a linear probe on a frozen EEGPT encoder: :func:`train_probe`.

:func:`train_probe` checks its settings, prepares its data and splits off validation data
(:func:`~eegpt.training_data.split_inputs`, as :func:`eegpt.finetune.finetune` does) and trains
the head with the loop of :mod:`eegpt.training`: on the frozen encoder's embeddings, computed
once and cached, without a channel projection; through the encoder at every step with one.
:func:`training_model` and :func:`trained_probe` are the steps it shares with
:func:`eegpt.finetune.finetune`: the model trained, and the :class:`~eegpt.probe.EEGPTProbe`
made of a run, with the facts it records. A probe on random encoder weights that ends at
chance says why (:data:`UNSCALED_SPREAD`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import torch

from eegpt._logging import Verbose, honours_verbose
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt.array_inputs import Units, refuse_picks_for_array
from eegpt.channels import CHANNEL_INDEX, DEFAULT_RULES, ChannelRules, kept_channels
from eegpt.config import precision_name
from eegpt.embedding_cache import EmbeddingCache, align_fingerprint, embed_windows
from eegpt.engine import Precision, resolve_device
from eegpt.fingerprints import encoder_of
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe_config import ProbeConfig
from eegpt.probe_encoder import assemble_probe_model, encoder_reference
from eegpt.probe_inputs import carried_source, keep_list
from eegpt.probe_provenance import class_counts, input_roles
from eegpt.rename_tables import Rename
from eegpt.training import (
    balanced_class_weights,
    check_precision,
    class_balance_warning,
    fit_model,
    inference_weights_text,
    training_mode,
    warn_if_emulated_bf16,
)
from eegpt.training_data import (
    _baseline_record,
    check_training_data,
    recording_training_warnings,
    split_inputs,
    typical_amplitude,
)

if TYPE_CHECKING:
    from eegpt.probe import EEGPTProbe


def training_model(
    encoder: EEGPTEncoder,
    train: Any,
    classes: np.ndarray,
    preprocessing: PreprocessingConfig,
    config: ProbeConfig,
    device: torch.device,
) -> EEGPT:
    """The model :func:`train_probe` and :func:`eegpt.finetune.finetune` train: ``encoder`` (shared or a
    copy, as the caller decides) with the head, and the channel projection if configured, for
    ``train``'s channels and ``classes``, on ``device``."""
    return assemble_probe_model(
        encoder,
        n_classes=len(classes),
        n_times=preprocessing.n_samples,
        chan_ids=[CHANNEL_INDEX[name] for name in train.encoder_names],
        config=config,
        n_inputs=len(train.input_names),
    ).to(device)


def trained_probe(
    net: EEGPT,
    fit: Any,
    train: Any,
    val: tuple[Any, np.ndarray] | None,
    classes: np.ndarray,
    config: ProbeConfig,
    preprocessing: PreprocessingConfig,
    *,
    encoder: dict[str, Any],
    frozen_encoder: bool,
    rename: Any,
    seconds: float,
    keep: str | Sequence[str] | None = None,
    picks: str | Sequence[str] | None = None,
    rules: ChannelRules = DEFAULT_RULES,
    device: torch.device,
    precision: str,
    **facts: Any,
) -> EEGPTProbe:
    """The :class:`~eegpt.probe.EEGPTProbe` of a training run (:func:`train_probe`,
    :func:`eegpt.finetune.finetune`): ``net`` in eval mode, ``fit``'s history, and the run's facts in
    ``training`` (``facts`` added to the common ones); ``picks``: the channel types read
    (:attr:`~eegpt.probe.EEGPTProbe.picks`, None for EEG alone); ``rules``: the channel rules
    of training, which the probe's predictions keep (:attr:`~eegpt.probe.EEGPTProbe.on_unknown`,
    :attr:`~eegpt.probe.EEGPTProbe.on_missing`)."""
    from eegpt.probe import EEGPTProbe  # which imports this module

    return EEGPTProbe(
        net.eval(),
        classes=classes,
        config=config,
        preprocessing=preprocessing,
        input_names=train.input_names,
        input_labels=getattr(train, "input_labels", None),
        encoder_names=train.encoder_names,
        encoder=encoder,
        frozen_encoder=frozen_encoder,
        history=fit.history,
        rename=rename,
        keep=keep,
        picks=picks,
        on_unknown=rules.on_unknown,
        on_missing=rules.on_missing,
        training={
            "n_train": int(len(train.y)),
            "n_validation": 0 if val is None else int(len(val[1])),
            # each class's epochs: those of training and of validation
            "class_counts": {
                "train": class_counts(train.y, classes),
                **({} if val is None else {"validation": class_counts(val[1], classes)}),
            },
            "epochs_run": len(fit.history),
            "best_epoch": fit.best_epoch,
            "kept_epoch": fit.kept_epoch,
            "stopped_early": fit.stopped_early,
            "input_shape": list(getattr(train, "input_shape", (0, 0))),
            "typical_amplitude": typical_amplitude(train.windows),
            "epochs_baseline": _baseline_record(getattr(train, "baseline", None)),
            # epochs.tmin of the training epochs (s from their events), None where not known
            # (arrays) or they differed; the probe's predictions on epochs check it
            "epochs_tmin": _tmin_record(getattr(train, "tmin", None)),
            # epochs.detrend of the training epochs, where known (epochs made in memory)
            **(
                {"epochs_detrend": train.detrend}
                if getattr(train, "detrend_recorded", False)
                else {}
            ),
            **facts,
            "seconds": round(seconds, 3),
            "device": str(device),
            # on CPU another thread count changes the weights' last bits (RELIABILITY.md)
            "torch_threads": torch.get_num_threads(),
            "precision": precision,
        },
    )


def _tmin_record(tmin: float | None) -> float | None:
    """The training epochs' ``tmin`` (s) as a probe's ``training["epochs_tmin"]`` records
    it: a float rounded to the microsecond, or None."""
    return None if tmin is None else round(float(tmin), 6)


def _picks_read(picks: str | Sequence[str] | None, data: Any, validation: Any) -> str | list[str]:
    """The channel types :func:`train_probe` reads (``picks``; None: ``"eeg"``), as the
    command line's ``--picks`` gives them: a type (or channel name) or a list of them. Arrays
    (``data``, or the held-out data of a ``validation`` pair) have no types to pick by:
    ``picks`` other than ``"eeg"`` is refused for them, as :func:`eegpt.embed` refuses it.
    Unknown types are refused where the files are read
    (:func:`~eegpt.channel_picks.pick_indices`), as on the command line."""
    if picks is None:
        return "eeg"
    listed = [picks] if isinstance(picks, str) else list(picks)
    if not listed or not all(isinstance(p, str) for p in listed):
        raise TypeError(
            f"picks={picks!r}: give channel types (or names) as a string or a list of strings, "
            "e.g. picks=['eeg', 'misc'] (command line: --picks eeg --picks misc)"
        )
    read = listed[0] if len(listed) == 1 else list(dict.fromkeys(listed))
    held_out = validation[0] if isinstance(validation, tuple) and len(validation) == 2 else None
    for given in (data, held_out):
        if given is not None and carried_source(given) is None:
            refuse_picks_for_array(read)
    return read


def strict_rule_applies(data: Any, validation: Any) -> bool:
    """Whether ``on_unknown="raise"`` can refuse a channel of the training inputs ``data``
    (or of the validation data, ``validation``'s ``(X, y)``) with a channel projection: where
    several inputs are given (a list or tuple of more than one), which are merged by
    electrode, each one's channels mapped to the vocabulary where their channel sets differ
    (:func:`~eegpt.probe_inputs.merge_epochs`), not where one input's channels are all
    projected. A :class:`~eegpt.recording.Recording` (epochs the command line read and
    merged, its files counted there: :func:`strict_projection_refusal`) is taken as it is."""
    from eegpt.recording import Recording

    held = validation[0] if isinstance(validation, tuple) and len(validation) == 2 else None
    several = any(isinstance(x, (list, tuple)) and len(x) > 1 for x in (data, held))
    return several or isinstance(data, Recording)


def strict_projection_refusal(command_line: bool) -> str:
    """The refusal of ``on_unknown="raise"`` (``--strict-channels``) with a channel projection
    and one input, which it could refuse no channel of (``command_line``: naming the
    options of ``eegpt probe train``, which refuses one input file so before reading it)."""
    cli = command_line
    return (
        f"on_unknown='raise'{' (--strict-channels)' if cli else ''} refuses channels outside "
        "the vocabulary where they are mapped to it (inputs of other channels, merged by "
        f"electrode), but a channel projection (chan_proj=True{', --chan-proj' if cli else ''}"
        ") maps none of one input's channels: it takes every channel by name, whatever it "
        "is, so no channel is unknown and none would be refused. Leave on_unknown out"
        f"{' (no --strict-channels)' if cli else ''} with the projection and one input, or "
        f"train without the projection{' (no --chan-proj)' if cli else ''} to keep the rule"
    )


def channels_read(
    keep: str | Sequence[str] | None,
    picks: str | Sequence[str] | None,
    data: Any,
    validation: Any,
    *,
    chan_proj: bool,
    command_line: bool = True,
    on_unknown: str = "drop",
) -> str | list[str]:
    """The checks of the channel keywords :func:`train_probe` and
    :func:`eegpt.finetune.finetune` share, before any file is read: ``keep`` (names known;
    not with a channel projection, ``chan_proj``, which learns from the input channels by
    name), ``on_unknown="raise"`` (not with a channel projection and one input either: its
    channels are all projected whatever their names, so none is unknown and the rule could
    refuse none; :func:`strict_rule_applies`) and ``picks`` (:func:`_picks_read`), returning
    the channel types read. ``command_line``: the messages also name the command line's
    options (the probe's; fine-tuning has none)."""
    if chan_proj and on_unknown == "raise" and not strict_rule_applies(data, validation):
        raise ValueError(strict_projection_refusal(command_line))
    if keep is not None:
        kept_channels(keep)  # an unknown name is an error before any file is read
        if chan_proj:
            cli = command_line
            raise ValueError(
                f"keep={keep_list(keep)}{' (--keep-channels)' if cli else ''} restricts the "
                "vocabulary channels the encoder gets, but a channel projection "
                f"(chan_proj{', --chan-proj' if cli else ''}) learns from the input channels "
                "by name: leave channels out with rename={NAME: None}"
                f"{' (--drop NAME)' if cli else ''} instead"
            )
    return _picks_read(picks, data, validation)


@recording_training_warnings
@honours_verbose
def train_probe(
    model: EEGPT | EEGPTEncoder,
    data: Any = None,
    y: Any = None,
    *,
    ch_names: Sequence[str] | None = None,
    sfreq: float | None = None,
    units: Units = "V",
    rename: Rename | None = None,
    preprocessing: PreprocessingConfig | None = None,
    config: ProbeConfig | None = None,
    validation: float | tuple[Any, Any] | None = None,
    groups: Any = None,
    device: str | torch.device | None = None,
    precision: Precision = "float32",
    cache: EmbeddingCache | str | os.PathLike | bool | None = True,
    progress: bool = False,
    verbose: Verbose = None,
    stream_precision: Precision = "float32",
    keep: str | Sequence[str] | None = None,
    picks: str | Sequence[str] | None = None,
    on_unknown: Literal["drop", "raise"] = "drop",
    on_missing: Literal["raise", "ignore"] | None = None,
    **overrides: Any,
) -> EEGPTProbe:
    """Train a linear probe on a frozen EEGPT encoder (the paper's recipe by default).

    Parameters
    ----------
    model : EEGPT | EEGPTEncoder
        The pretrained model (e.g. from :func:`eegpt.load_model`); only its encoder is used, and
        it is never modified. Training runs it on ``device`` and leaves it where it was; the
        probe shares it, so the probe's predictions move it to their device.
    data : mne.Epochs | str | Path | ndarray | list
        Labelled epochs, each one model window: an ``mne.Epochs``, a ``-epo.fif`` file, or an
        array ``[n_epochs, n_channels, n_times]`` with ``ch_names``, ``sfreq`` and ``units``;
        or a list of Epochs or files (sessions, sites: their channels are matched by
        electrode, their rates resampled alike).
        After resampling to ``preprocessing.sfreq`` an epoch must have the window length (4 s at
        256 Hz by default; MNE's ``tmax`` is inclusive, so use ``tmax = tmin + 4 - 1 / sfreq``).
    y : array-like, shape (n_epochs,) | None
        Class labels (any hashable values); ``None`` takes the event names of an ``mne.Epochs``.
    ch_names, sfreq, units
        For arrays only: channel names, sampling rate in Hz and amplitude unit.
    rename : dict | str | path-like | None
        Channel-name overrides for :func:`~eegpt.channels.map_channels` (no projection): a
        dict, a cap's or a dataset's name (``"bci-iv-2a"``) or a table file, whose labels the
        epochs may have only some of.
    keep : str | sequence of str | None
        Train on these vocabulary channels only (after ``rename``), as for
        :func:`~eegpt.channels.map_channels`: ``"10-20"``, names, or both, ``-NAME`` removing
        one (command line: ``--keep-channels``). Files of several systems are matched on
        them, and the average reference runs over them. The probe records it
        (:attr:`~eegpt.probe.EEGPTProbe.keep`) and applies it when predicting and evaluating, so a
        recording with more channels gives the same ones. Not with ``chan_proj``.
    picks : str | sequence of str | None
        The channel types read from files and MNE objects, training and validation data alike
        (MNE's ``picks``; command line: ``--picks``): ``["eeg", "misc"]`` also takes
        electrodes a file types misc. None: EEG alone (``"eeg"``). The probe records them
        (:attr:`~eegpt.probe.EEGPTProbe.picks`) and its predictions and evaluations read
        them so too, unless given other ``picks``. Not with arrays, whose channels are their
        rows.
    on_unknown : ``"drop"`` | ``"raise"``
        Channel names outside the EEGPT vocabulary, as :func:`eegpt.embed` takes it: dropped
        with one warning (the default), or a ``ValueError`` naming them; for every input of
        a list, and the validation data. The probe records it
        (:attr:`~eegpt.probe.EEGPTProbe.on_unknown`) and its predictions and evaluations
        apply it too. ``"raise"`` not with ``chan_proj`` and one input, whose channels are
        all projected whatever their names (none is unknown): refused (several inputs of
        other channels are merged by electrode, where it applies).
    on_missing : ``"raise"`` | ``"ignore"`` | None
        ``rename`` keys that name no channel of the data: ``"raise"`` (a typo is caught) or
        ``"ignore"``; None (the default): ``"raise"`` for one input (as :func:`eegpt.embed`),
        ``"ignore"`` for a list (a key may name another recording's channel). Rename tables
        (a cap's, a file's) may name channels a recording lacks whatever it is. The probe
        records it (:attr:`~eegpt.probe.EEGPTProbe.on_missing`) and its predictions apply
        it too (None: their own data's rule, the probe's own ``rename`` ignored where the
        data lack its keys).
    preprocessing : PreprocessingConfig | None
        Resampling, reference, scale and window length (default 256 Hz, 4 s, millivolts).
        ``start_seconds`` and ``overlap`` do not apply to epochs (a warning says so): the
        probe records 0 (:func:`~eegpt.training_data.trained_on_epochs`; predictions take an
        overlap of their own, :meth:`~eegpt.probe.EEGPTProbe.predict_proba`).
    config : ProbeConfig | None
        Architecture and recipe; ``**overrides`` replace single fields, e.g. ``epochs=50``,
        ``chan_proj=True``, ``seed=1``.
    validation : float | (data, y) | None
        Held-out data scored after every epoch (``history``): a fraction of ``data`` split off
        per class with the seed, or separate epochs in the same format as ``data``. Without
        ``groups`` a fraction splits the epochs at random: epochs of one subject (recording)
        fall on both sides, so its scores flatter the probe wherever ``data`` holds several
        subjects, also in one Epochs object or array (a warning says so for a list of
        recordings, and for one Epochs object whose ``epochs.metadata`` has a subject column
        naming two or more subjects, such as ``subject``, or else a ``recording`` column naming
        two or more recordings, as :func:`~eegpt.probe.concatenate_epochs` records; not for
        arrays, which carry no subjects); give ``groups``, or held-out recordings as
        ``(held_out_data, held_out_y)``, to validate across subjects. How validation was
        chosen is recorded in ``training["validation"]``.
    groups : array-like, shape (n_epochs,) | None
        With a ``validation`` fraction: one value per epoch (e.g. subject ids); the fraction
        then holds out whole groups (as near that fraction of each class's epochs as the
        groups allow; the seed chooses among groupings about as near:
        :func:`~eegpt.training.group_split`). The share realised is recorded
        (``training["validation"]["realised_fraction"]``) and warned of when more than 0.1
        from the fraction. Needs at least 2 groups. Each file given as a path records its
        epochs (``training["inputs"]``), so a file held out whole is known to be validation
        data (an evaluation on it says so) and is named in the log.
    device : str | torch.device | None
        ``None`` picks CUDA when available.
    precision : {"float32", "bfloat16", "float16"}
        Encoder precision (autocast); float16 needs CUDA.
    stream_precision : {"float32", "float16", "bfloat16"}
        With a reduced ``precision``, the dtype the frozen encoder's residual stream is stored
        in between blocks (:class:`~eegpt.engine.InferenceEngine`); recorded in the probe's
        ``training`` when not float32. Not with ``chan_proj``, whose encoder runs under
        autocast.
    cache : EmbeddingCache | str | Path | bool | None
        Embedding cache for the frozen encoder without projection (see
        :func:`~eegpt.embedding_cache.embed_windows`); training again on the same data and
        encoder then skips the encoder. Keyed by the encoder weights' fingerprint, hashed
        once per call for the probe's record (``encoder["weights_sha256"]``), so embeddings
        of other weights are never used, also after weights edited through ``p.data``
        (logged). Predicting with a cache (:meth:`~eegpt.probe.EEGPTProbe.predict_proba`'s
        ``cache``) hashes nothing: after such an edit call ``model.clear_fast_cache()``
        first.
    progress : bool
        Progress bars over the encoder pass and the training batches of all passes.
    verbose : bool | str | int | None
        Log channel mapping, preprocessing and a training summary; ``"error"`` also silences
        eegpt's warnings for this call (the probe's ``training["warnings"]`` keeps them).

    Returns
    -------
    EEGPTProbe

    Raises
    ------
    ValueError
        Bad data or labels (fewer than 2 classes, labels not matching epochs), channels that do
        not map, epochs of the wrong length, unknown ``overrides``.
    FloatingPointError
        A training loss that is NaN or infinite (a ``max_lr`` far too high), naming the pass.
    RuntimeError
        ``chan_proj`` with a model whose parameters are inference tensors (loaded under
        ``torch.inference_mode()``): load it outside inference mode or pass a deep copy.

    Warns
    -----
    EEGPTWarning
        When a class has fewer than :data:`~eegpt.training.FEW_EPOCHS` (5) training epochs,
        or (unless ``class_weight="balanced"``) the largest has more than
        :data:`~eegpt.training.IMBALANCE_RATIO` (3) times the epochs of the smallest
        (:func:`~eegpt.training.class_balance_warning`).
    """
    import time

    config = config or ProbeConfig()
    check_training_data(data, overrides.get("epochs", config.epochs), "train_probe")
    preprocessing_fields = sorted(set(overrides) & set(PreprocessingConfig.__dataclass_fields__))
    if preprocessing_fields:
        name = preprocessing_fields[0]
        raise TypeError(
            f"train_probe: {name} is a preprocessing setting, not one of the probe's: pass "
            f"preprocessing=PreprocessingConfig({name}={overrides[name]!r})"
        )
    if overrides:
        config = config.replace(**overrides)
    preprocessing = preprocessing or PreprocessingConfig()
    encoder = encoder_of(model)
    dev = resolve_device(device)
    precision = check_precision(precision, dev)
    stream_precision = precision_name(stream_precision, "stream_precision")
    if config.chan_proj:  # autocast; the frozen encoder's engine warns of its own
        warn_if_emulated_bf16(precision, dev)
    if stream_precision != "float32" and config.chan_proj:
        raise ValueError(
            f"stream_precision={stream_precision!r} (--stream-precision) applies to the frozen "
            "encoder's embeddings, but a probe with a channel projection (chan_proj, "
            "--chan-proj) runs the encoder under autocast; leave stream_precision float32"
        )
    if config.chan_proj:  # gradients flow through the frozen encoder to the projection
        inference = inference_weights_text(encoder, "a probe with a channel projection (chan_proj)")
        if inference:
            raise RuntimeError(inference)
    read = channels_read(
        keep, picks, data, validation, chan_proj=config.chan_proj, on_unknown=on_unknown
    )
    rules = ChannelRules(on_unknown, on_missing)  # checked before any file is read
    train, val, classes, chosen, preprocessing, inputs = split_inputs(
        data, y, validation, groups, config=config, preprocessing=preprocessing,
        ch_names=ch_names, sfreq=sfreq, units=units, rename=rename, verbose=verbose, keep=keep,
        picks=read, rules=rules,
    )  # fmt: skip
    if config.patience is not None and val is None:
        raise ValueError("patience (early stopping) needs validation data: pass validation=")
    balance = class_balance_warning(train.y, classes, config.class_weight)
    if balance:
        _warn(balance)

    chan_ids = [CHANNEL_INDEX[name] for name in train.encoder_names]
    schedule: dict[str, Any] = dict(
        epochs=config.epochs,
        batch_size=config.batch_size,
        weight_decay=config.weight_decay,
        pct_start=config.pct_start,
        patience=config.patience,
        seed=config.seed,
        device=dev,
        progress=progress,
        class_weight=(
            balanced_class_weights(train.y, len(classes))
            if config.class_weight == "balanced"
            else None
        ),
    )
    t0 = time.perf_counter()
    # the weights trained on, hashed once for the probe's record: also the cache's key, which
    # catches weights edited through p.data since the encoder's last call (align_fingerprint)
    reference = encoder_reference(model)
    home = next(encoder.parameters()).device  # the caller's model stays where it was
    z_train: np.ndarray | None = None  # the frozen embeddings, where the head is fit on them
    try:
        with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
            torch.manual_seed(config.seed)
            encoder.to(dev).eval()
            align_fingerprint(model, reference["weights_sha256"])
            probe_model = training_model(encoder, train, classes, preprocessing, config, dev)
            head = probe_model.final_layer
            assert head is not None
            if config.chan_proj:
                assert probe_model.chan_proj is not None
                params = list(probe_model.chan_proj.parameters()) + list(head.parameters())
                ids = torch.as_tensor(chan_ids, dtype=torch.long, device=dev)

                def forward(x: torch.Tensor) -> torch.Tensor:
                    return probe_model(x, ids)

                with training_mode(encoder, trainable=None):
                    fit = fit_model(
                        forward,
                        [probe_model.chan_proj, head],
                        [{"params": params, "max_lr": config.max_lr, "role": "head"}],
                        train.windows,
                        train.y,
                        val,
                        **schedule,
                        precision=precision,
                        desc="probe (with channel projection)",
                    )
            else:
                embed: dict[str, Any] = dict(
                    device=dev,
                    precision=precision,
                    stream_precision=stream_precision,
                    cache=cache,
                    preprocessing=preprocessing,
                    progress=progress,  # the encoder pass: the slow part with the large encoder
                    fingerprint=reference["weights_sha256"],  # no second hashing
                )
                z_train = embed_windows(model, train.windows, chan_ids, **embed)
                z_val = None
                if val is not None:
                    z_val = (embed_windows(model, val[0], chan_ids, **embed), val[1])
                fit = fit_model(
                    head,
                    [head],
                    [{"params": list(head.parameters()), "max_lr": config.max_lr, "role": "head"}],
                    z_train,
                    train.y,
                    z_val,
                    **schedule,
                    precision="float32",
                    desc="linear probe",
                )
    finally:
        encoder.to(home)
    probe = trained_probe(
        probe_model, fit, train, val, classes, config, preprocessing,
        encoder=reference, frozen_encoder=True, rename=rename, keep=keep, picks=read,
        rules=rules, seconds=time.perf_counter() - t0, device=dev, precision=precision, validation=chosen,
        inputs=inputs,
        # absent for float32, as in probes from before the option
        **({} if stream_precision == "float32" else {"stream_precision": stream_precision}),
    )  # fmt: skip
    kept = fit.history[fit.kept_epoch - 1] if fit.kept_epoch else None
    _warn_random_at_chance(probe.encoder.get("pretrained"), kept, len(classes), z_train)
    last = fit.history[-1] if fit.history else {}
    _log(
        f"trained {probe!r} on {len(train.y)} epochs in {probe.training['seconds']:.1f} s: "
        + ", ".join(f"{k} {v:.4g}" for k, v in last.items() if k != "epoch"),
        verbose,
    )
    held_out = held_out_inputs(data, probe.training)
    if held_out:
        _log(
            f"validation held out {len(held_out)} of {len(probe.training['inputs'])} inputs "
            f"whole (never trained on): {', '.join(held_out)}",
            verbose,
        )
    return probe


def held_out_inputs(data: Any, training: Mapping[str, Any]) -> list[str]:
    """The inputs of ``data`` (a probe's training data) that a validation fraction held out
    whole, never trained on (:func:`~eegpt.probe_provenance.input_roles` of the probe's
    ``training``): a file given as a path by the path, an input in memory by its place among
    the inputs (from 1), its type and the file MNE read it from where known. Empty where none
    was held out whole, or the record does not say which."""
    inputs = training.get("inputs")
    if not isinstance(inputs, list):
        return []
    items = list(data) if isinstance(data, (list, tuple)) else [data]
    named = []
    for k, (record, role) in enumerate(zip(inputs, input_roles(training), strict=True)):
        if role != "validation":
            continue
        item = items[k] if len(items) == len(inputs) else None
        if isinstance(item, (str, os.PathLike)):
            named.append(str(item))
            continue
        read_from = record.get("read_from") if isinstance(record, dict) else None
        source = read_from.get("name") if isinstance(read_from, dict) else None
        kind = record.get("type", "?") if isinstance(record, dict) else "?"
        named.append(f"input {k + 1} ({kind}{f', read from {source}' if source else ''})")
    return named


UNSCALED_SPREAD = 0.01
"""The median over features of std / |mean| of the embeddings below which the chance warning
says they vary little around their mean (unscaled features)."""


def _warn_random_at_chance(
    pretrained: bool | None,
    row: Mapping[str, float] | None,
    n_classes: int,
    features: np.ndarray | None = None,
) -> None:
    """Warn where a probe on an encoder with random weights (``pretrained`` False: ``eegpt
    demo``, ``save_checkpoint(EEGPT('tiny2'), ...)``) ended at chance: the balanced accuracy
    of the pass whose weights it kept (``row``: that pass's history row; on the validation
    epochs, else on the training epochs) within 0.05 of 1 / K.
    Such embeddings need not carry what tells the classes apart, so chance is the expected
    result, not a sign that the probe or the data are wrong; but they may carry it and the
    probe miss it, on features that vary little around a large mean (unscaled): the warning
    names the scaler check (StandardScaler + LogisticRegression) and, given the training
    embeddings ``features`` (``[n_windows, ...]``), says where their median std / |mean| over
    features is below :data:`UNSCALED_SPREAD`."""
    if pretrained is not False or not row or n_classes < 2:
        return
    key = "val_balanced_accuracy" if "val_balanced_accuracy" in row else "train_balanced_accuracy"
    if key not in row:
        return
    reached, chance = float(row[key]), 1.0 / n_classes
    if reached > chance + 0.05:
        return
    scale = ""
    if features is not None and len(features) > 1:
        flat = np.asarray(features).reshape(len(features), -1)
        mean = np.abs(flat.mean(axis=0, dtype=np.float64))
        spread = float(np.median(flat.std(axis=0, dtype=np.float64) / (mean + 1e-12)))
        if spread < UNSCALED_SPREAD:
            scale = (
                f"These embeddings vary little around their mean (median std / |mean| over "
                f"features {spread:.2g}). "
            )
    _warn(
        f"the probe stayed at chance ({key.replace('_', ' ')} {reached:.2f}, chance "
        f"{chance:.2f}): the encoder's weights are random, NOT pretrained, and a random "
        "encoder's embeddings need not carry what tells the classes apart (under the average "
        "reference it cancels a response common to all channels: examples/linear_probe.md). "
        "Use pretrained weights (eegpt fetch eegpt-large) for results that mean something. "
        f"{scale}The linear probe takes the embeddings unscaled (weights of bounded norm): where "
        "make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)) on the same "
        "embeddings (emb.pooled()) separates the classes, they hold the difference and the "
        "probe misses it on unscaled features"
    )
