"""Reading, checking and writing EEGPT weights: the public entry.

Here: locating weights (a file, a folder, a pretrained name or URL: :func:`resolve_weights`),
reading each layout (:func:`load_checkpoint`), building the model (:func:`build_model`,
:func:`load_model`). The rest lives beside it, its public names re-exported here: the
:class:`Checkpoint` record and architecture inference (:mod:`eegpt.checkpoint_config`), safe
reading of weight files (:mod:`eegpt.checkpoint_files`), checks, warnings and
:func:`describe` (:mod:`eegpt.checkpoint_report`), fingerprints of the weights
(:mod:`eegpt.fingerprints`) and saving (:func:`save_checkpoint`, :mod:`eegpt.checkpoint_save`).

Four on-disk layouts are understood by :func:`load_checkpoint`:

``"lightning"``
    The authors' pretraining file (``eegpt_mcae_58chs_4s_large4E.ckpt``): a PyTorch Lightning
    checkpoint whose ``state_dict`` holds ``encoder.*``, ``target_encoder.*``, ``predictor.*``
    and ``reconstructor.*``. Inference uses ``target_encoder.*``; the pretraining-only groups are
    recorded in :attr:`Checkpoint.ignored_keys` and otherwise ignored.
``"braindecode"``
    braindecode's Hugging Face layout: a folder with ``config.json`` (braindecode's ``EEGPT``
    keyword arguments) and ``model.safetensors`` (or ``pytorch_model.bin``).
``"eegpt"``
    What :func:`save_checkpoint` writes: the braindecode layout (so
    ``braindecode.models.EEGPT.from_pretrained(folder)`` loads it) plus an ``"eegpt"`` section in
    ``config.json`` with our :class:`~eegpt.config.EEGPTConfig`, the channels and provenance.
    ``model.safetensors`` keeps a copy of that ``config.json`` in its header metadata
    (:data:`HEADER_CONFIG_KEY`), so the weights file alone, away from its folder, loads as the
    same model; beside a ``config.json``, the ``config.json`` is used.
``"state_dict"``
    A bare ``.safetensors`` file or a torch ``.pt``/``.pth``/``.bin`` state dict, with or without
    the ``target_encoder.`` prefix.

Pickled files are never unpickled with Python's unrestricted machinery: they are read with
:class:`eegpt.checkpoint_files._RestrictedUnpickler` (through ``torch.load``'s storage
plumbing), which rebuilds tensors and plain containers only and turns every other global
(Lightning stores hyper-parameter objects next to the weights) into an inert placeholder without
importing it. Even allowed globals cannot be used as memory bombs (``bytearray(n)`` is capped).

Architecture hyper-parameters are read from the tensors (see :func:`infer_config`); the two that
leave no trace in them, ``num_heads`` and ``patch_stride``, come from ``config.json`` when there
is one, else from the copy of it that :func:`save_checkpoint` keeps in ``model.safetensors``'s
header.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from eegpt._logging import Verbose, check_verbose, few, honours_verbose, is_verbose
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt.checkpoint_config import (
    BRAINDECODE_PATCH_STRIDE,
    NOT_GIVEN,
    PROBE_19_CHANNELS,
    Checkpoint,
    NotGiven,
    _Split,
    assumed_basis,
    assumed_marks,
    channel_ids,
    check_braindecode_section,
    check_lightning_depth,
    encoder_channels,
    head_shapes,
    head_window_range,
    infer_config,
    lightning_hints,
    probe_hidden,
    split_state,
    unrecorded_config,
)
from eegpt.checkpoint_config import PRETRAINING_GROUPS as PRETRAINING_GROUPS
from eegpt.checkpoint_files import (
    CONFIG_FILE,
    PICKLE_FILE,
    SAFETENSORS_FILE,
    Inert,
    header_config,
    pickled_object_error,
    read_json,
    read_weights,
    weights_file_sha256,
)
from eegpt.checkpoint_files import HEADER_CONFIG_KEY as HEADER_CONFIG_KEY
from eegpt.checkpoint_files import MAX_PICKLE_BYTEARRAY as MAX_PICKLE_BYTEARRAY
from eegpt.checkpoint_files import WEIGHT_FILE_SUFFIXES as WEIGHT_FILE_SUFFIXES
from eegpt.checkpoint_report import RELEASED_CONFIG as RELEASED_CONFIG
from eegpt.checkpoint_report import RELEASED_GROUPS as RELEASED_GROUPS
from eegpt.checkpoint_report import (
    check_channels,
    describe,
    dtype_note,
    stored_dtype,
    warn_header_disagrees,
    warn_names_disagree,
    warn_unrecorded,
)
from eegpt.checkpoint_save import DEFAULT_N_TIMES as DEFAULT_N_TIMES
from eegpt.checkpoint_save import FORMAT_VERSION as FORMAT_VERSION
from eegpt.checkpoint_save import (
    MODEL_SFREQ,
    checkpoint_from_model,
    save_checkpoint,
)
from eegpt.config import EEGPTConfig
from eegpt.errors import CheckpointError, EEGPTUserWarning, MissingFileError
from eegpt.fingerprints import (
    encoder_fingerprint,
    head_hash,
    mark_loaded_weights,
    modified_weights,
)
from eegpt.fingerprints import encoder_of as encoder_of
from eegpt.fingerprints import weights_fingerprint as weights_fingerprint
from eegpt.model import EEGPT, NOT_PRETRAINED_MARK, EEGPTEncoder

logger = logging.getLogger(__name__)

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "build_model",
    "checkpoint_from_model",
    "describe",
    "infer_config",
    "load_checkpoint",
    "encoder_fingerprint",
    "load_model",
    "modified_weights",
    "save_checkpoint",
]

PathLike = str | os.PathLike


#: Largest weight magnitude accepted; trained EEGPT weights are of order 1, so anything beyond
#: this comes from a corrupt file (a flipped exponent bit) and would overflow the activations.
MAX_WEIGHT = 1e4


# --------------------------------------------------------------------------------------------
# Loaders per format
# --------------------------------------------------------------------------------------------


def _overrides(
    num_heads: int | None, patch_stride: int | None | NotGiven, n_times: int | None = None
) -> dict[str, Any]:
    """The architecture values given when loading, checked: ``num_heads`` / ``n_times`` None
    and ``patch_stride`` :data:`NOT_GIVEN` are left out; ``patch_stride=None`` is kept (it means
    the patch size, as in :class:`~eegpt.config.EEGPTConfig` and braindecode's
    ``EEGPT(patch_stride=None)``)."""
    out: dict[str, Any] = {}
    if patch_stride is None:
        out["patch_stride"] = None
    given = (("num_heads", num_heads), ("patch_stride", patch_stride), ("n_times", n_times))
    for key, value in given:
        if value is None or isinstance(value, NotGiven):
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            option = "--" + key.replace("_", "-")
            raise ValueError(
                f"{key} must be a positive whole number, got {value!r} (command line: {option})"
            )
        out[key] = value
    return out


def _is_plain_value(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _from_lightning(
    path: Path, obj: dict[str, Any], placeholders: list[str], hints: Mapping[str, Any]
) -> Checkpoint:
    split = split_state(obj["state_dict"], ignore_unknown=True)
    if not split.state:
        raise CheckpointError(
            f"{path} is a Lightning checkpoint without `target_encoder.*` weights; it is not an "
            "EEGPT pretraining checkpoint"
        )
    check_lightning_depth(obj, split.state, split.ignored)
    recorded, conflicts, unread = lightning_hints(obj)
    _check_given_heads(split.state, hints, recorded.get("num_heads"))
    if "num_heads" in recorded:
        _warn_heads_overridden(
            f"{path}'s hyper_parameters", recorded["num_heads"], hints.get("num_heads")
        )
    config, assumed, inferred = unrecorded_config(split.state, {**recorded, **hints})
    shapes = head_shapes(split.state, config, None, False)  # reshapes a 2-D projection
    metadata = {k: v for k, v in obj.items() if isinstance(k, str) and _is_plain_value(v)}
    metadata["top_level_keys"] = sorted(str(k) for k in obj)
    metadata["pickle_placeholders"] = placeholders
    metadata["assumed"] = assumed
    _mark_window_range(metadata, split.state, config)
    if basis := assumed_basis(assumed, False):
        metadata["assumed_basis"] = basis
    metadata["inferred"] = inferred
    metadata["conflicting"] = {k: sorted(v) for k, v in conflicts.items() if k not in hints}
    metadata["unread_hyper_parameters"] = unread
    return _file_checkpoint(path, "lightning", split, config, shapes, metadata)


def _from_state_dict(
    path: Path, raw: Mapping[Any, Any], placeholders: list[str], hints: Mapping[str, Any]
) -> Checkpoint:
    split = split_state(raw)
    _check_given_heads(split.state, hints, None)
    # braindecode always saves its chans_id buffer (the original scripts never do)
    braindecode = split.chans_id is not None
    config, assumed, inferred = unrecorded_config(split.state, hints, braindecode)
    shapes = head_shapes(split.state, config, None, False)  # reshapes a 2-D projection
    metadata: dict[str, Any] = {"assumed": assumed, "inferred": inferred}
    _mark_window_range(metadata, split.state, config)
    if basis := assumed_basis(assumed, braindecode):
        metadata["assumed_basis"] = basis
    if braindecode:
        metadata["braindecode_state_dict"] = True
    if placeholders:
        metadata["pickle_placeholders"] = placeholders
    if _marked_not_pretrained(raw):
        metadata["notes"] = {"pretrained": False}
    return _file_checkpoint(path, "state_dict", split, config, shapes, metadata)


def _marked_not_pretrained(raw: Mapping[Any, Any]) -> bool:
    """Whether ``raw``, a state dict as ``torch.save(model.state_dict(), path)`` wrote it,
    carries the mark of a model that was not pretrained (its ``_metadata``, kept by
    ``torch.save``, holds :data:`~eegpt.model.NOT_PRETRAINED_MARK` for the model or its
    encoder: random weights, or a checkpoint marked NOT pretrained)."""
    metadata = getattr(raw, "_metadata", None)
    if not isinstance(metadata, Mapping):
        return False
    return any(
        isinstance(metadata.get(name), Mapping) and metadata[name].get(NOT_PRETRAINED_MARK)
        for name in ("", "target_encoder")
    )


def _file_checkpoint(
    path: Path,
    kind: str,
    split: _Split,
    config: EEGPTConfig,
    shapes: tuple[tuple[int, int] | None, int | None, int | None, bool],
    metadata: dict[str, Any],
) -> Checkpoint:
    """The :class:`Checkpoint` of the weights file ``path``, a Lightning file or a bare state
    dict (``kind``, its ``format``: ``"lightning"``, ``"state_dict"``): its weights as
    ``split``, their ``config``, its head's ``shapes``
    (:func:`~eegpt.checkpoint_config.head_shapes`: ``(chan_proj, n_outputs, n_times,
    linear)``), and ``metadata``, which :func:`~eegpt.checkpoint_config.encoder_channels`
    marks where the channels are assumed."""
    chan_proj, n_outputs, n_times, linear = shapes
    return Checkpoint(
        config=config,
        state_dict=split.state,
        format=kind,
        path=path,
        sha256=weights_file_sha256(path),
        **encoder_channels(chan_proj, split.chans_id, metadata),
        n_outputs=n_outputs,
        n_times=n_times,
        chan_proj=chan_proj,
        chan_proj_max_norm=math.inf if linear else 1.0,
        ignored_keys=split.ignored,
        metadata=metadata,
    )


def _mark_window_range(
    metadata: dict[str, Any], state: Mapping[str, torch.Tensor], config: EEGPTConfig
) -> None:
    """Note in ``metadata["n_times_range"]`` the window lengths (samples) a probe head fits
    where its width leaves a choice: a file without a recorded window length gets the longest
    (:func:`~eegpt.checkpoint_report.warn_unrecorded` says so)."""
    fits = head_window_range(state, config)
    if fits is not None and fits[0] < fits[1]:
        metadata["n_times_range"] = list(fits)


def _set_n_times(ckpt: Checkpoint, n_times: int) -> None:
    """``n_times`` given when loading onto ``ckpt``: the window length (samples) its probe
    head is for, which must fit the head's width (:func:`head_window_range`)."""
    fits = head_window_range(ckpt.state_dict, ckpt.config)
    if fits is None:
        if ckpt.n_outputs is not None:
            raise CheckpointError(
                "n_times was given but the probe head's width is not a whole number of patches"
            )
    elif not fits[0] <= n_times <= fits[1]:
        raise CheckpointError(
            f"n_times={n_times} does not fit the probe head: it is {fits[1]} samples wide at "
            f"patch_stride={ckpt.config.stride} and takes windows of {fits[0]}-{fits[1]} "
            "samples; give the window length the model was trained on (or the right "
            "patch_stride)"
        )
    ckpt.n_times = n_times
    ckpt.metadata.pop("n_times_range", None)


def _from_hub_folder(
    folder: Path,
    config_path: Path,
    weights: Path,
    overrides: Mapping[str, Any],
    header: dict[str, Any] | None = None,
) -> Checkpoint:
    """A folder's checkpoint: ``config.json`` (``config_path``) with its weights file; or, with
    ``header`` (:func:`header_config` of a weights file alone, ``folder`` then the file), that
    config in place of ``config.json``."""
    cfg = read_json(config_path) if header is None else header
    said = f"the header of {weights}" if header is not None else str(config_path)
    raw, placeholders = read_weights(weights)
    if not isinstance(raw, Mapping):
        raise CheckpointError(f"{weights} does not hold a state dict")
    split = split_state(raw)
    ours = cfg.get("eegpt") if isinstance(cfg.get("eegpt"), dict) else None
    hints = dict(cfg)
    if ours is not None:
        hints.update(ours.get("config", {}))
    else:
        hints.setdefault("patch_stride", BRAINDECODE_PATCH_STRIDE)
    recorded = _recorded_stride(cfg, ours)
    recorded_heads = _recorded_heads(cfg, ours)
    _check_given_heads(split.state, overrides, recorded_heads)
    if recorded_heads is not None:
        _warn_heads_overridden(said, recorded_heads, overrides.get("num_heads"))
    hints.update(overrides)
    config = infer_config(split.state, hints)
    if ours is not None and isinstance(ours.get("config"), Mapping):
        # the braindecode keys gave way to the eegpt section's: checked against the weights too
        hidden = config.mlp_hidden if config.depth else None
        top = {k: v for k, v in cfg.items() if ours["config"].get(k) != v}
        check_braindecode_section(top, config, hidden, said)
    linear_type = cfg.get("chan_proj_type") == "linear"
    chan_proj, n_outputs, n_times, linear = head_shapes(
        split.state, config, cfg.get("n_times"), linear_type
    )
    if "patch_stride" in overrides and not isinstance(recorded, NotGiven):
        _warn_stride_overridden(said, recorded, overrides["patch_stride"], config, n_times)
    if n_outputs is not None and cfg.get("n_outputs") not in (None, n_outputs):
        raise CheckpointError(
            f"{said} says n_outputs={cfg['n_outputs']} but the head in {weights.name} "
            f"has {n_outputs} outputs"
        )
    chs_info = cfg.get("chs_info") or None
    names = tuple(ch["ch_name"] for ch in chs_info) if chs_info else None
    chan_ids = channel_ids(split.chans_id)
    if chan_ids is None and names is None and chan_proj is None and cfg.get("n_chans"):
        chan_ids = tuple(range(int(cfg["n_chans"])))  # braindecode's default channel ids
    ckpt = Checkpoint(
        config=config,
        state_dict=split.state,
        format="braindecode",
        path=folder,
        sha256=weights_file_sha256(weights),
        ch_names=PROBE_19_CHANNELS if chan_proj else names,
        chan_ids=chan_ids,
        input_ch_names=names if chan_proj else None,
        n_outputs=n_outputs,
        n_times=n_times,
        chan_proj=chan_proj,
        chan_proj_max_norm=math.inf if linear else float(cfg.get("chan_conv_max_norm", 1.0)),
        ignored_keys=split.ignored,
        metadata={
            "weights_file": weights.name,
            "braindecode_version": cfg.get("braindecode_version"),
        },
    )
    if (sfreq := _config_sfreq(cfg)) is not None:
        ckpt.metadata["braindecode_sfreq"] = sfreq
    if placeholders:
        ckpt.metadata["pickle_placeholders"] = placeholders
    if ours is not None:
        _apply_eegpt_section(ckpt, ours, overrides)
    if header is not None:
        ckpt.metadata["config_from_header"] = True
    if ckpt.ch_names is not None and ckpt.chan_ids is not None:
        if len(ckpt.ch_names) != len(ckpt.chan_ids):
            ckpt.ch_names = None  # names that do not describe the encoder channels
    return ckpt


def _recorded_stride(
    cfg: Mapping[str, Any], ours: Mapping[str, Any] | None
) -> int | None | NotGiven:
    """The patch stride (samples; None: the patch size) a folder's ``config.json`` (``cfg``)
    records: braindecode's ``patch_stride`` key (null included), or in our layout (``ours``,
    its ``eegpt`` section) the config's, unless marked as assumed; :data:`NOT_GIVEN` where it
    records none."""
    if ours is None:
        return cfg["patch_stride"] if "patch_stride" in cfg else NOT_GIVEN
    config = ours.get("config") or {}
    if "patch_stride" not in config or "patch_stride" in assumed_marks(ours).get("assumed", []):
        return NOT_GIVEN
    return config["patch_stride"]


def _recorded_heads(cfg: Mapping[str, Any], ours: Mapping[str, Any] | None) -> Any:
    """The attention heads a folder's ``config.json`` (``cfg``) records: braindecode's
    ``num_heads`` key, or in our layout (``ours``, its ``eegpt`` section) the config's, unless
    marked as assumed; None where it records none."""
    if ours is None:
        return cfg.get("num_heads")
    config = ours.get("config") or {}
    if "num_heads" in assumed_marks(ours).get("assumed", []):
        return None
    return config.get("num_heads")


def _check_given_heads(
    state: Mapping[str, torch.Tensor], given: Mapping[str, Any], recorded: Any
) -> None:
    """Refuse a ``num_heads`` given when loading (in ``given``) that does not divide the
    encoder's width (``chan_embed.weight``'s, [V, D] in ``state``), naming the divisors and
    the count the file records (``recorded``; None: none), rather than reporting the file as
    unusable."""
    heads = given.get("num_heads")
    weight = state.get("target_encoder.chan_embed.weight", state.get("chan_embed.weight"))
    if heads is None or not isinstance(weight, torch.Tensor) or weight.ndim != 2:
        return
    width = int(weight.shape[1])
    if width % heads == 0:
        return
    divisors = [str(d) for d in range(1, width + 1) if width % d == 0]
    records = f"; the file records num_heads={recorded!r}" if recorded is not None else ""
    raise CheckpointError(
        f"num_heads={heads} was given (command line: --num-heads), but it does not divide "
        f"the encoder's width embed_dim={width} (read from its weights), and each attention "
        f"head takes embed_dim // num_heads of it: give one of {few(divisors, 12)}{records}"
    )


def _warn_heads_overridden(said: str, recorded: Any, given: int | None) -> None:
    """Warn where the attention heads given when loading (``given``; None: none given) are
    another count than the one ``said`` (the config read) records: the weights' width is then
    split into other heads than those it was trained with."""
    if given is None or given == recorded:
        return
    _warn(
        f"{said} records num_heads={recorded!r}, but num_heads={given!r} was given (command "
        "line: --num-heads): the model takes the given count, so its attention splits the "
        "width into other heads than those the weights were trained with, and its embeddings "
        "are not those of the model the source describes. Leave num_heads out (no "
        "--num-heads) to use the recorded one.",
        EEGPTUserWarning,
    )


def _warn_stride_overridden(
    said: str, recorded: int | None, given: int | None, config: EEGPTConfig, n_times: int | None
) -> None:
    """Warn where the patch stride given when loading (``given``, samples; None: the patch
    size) is another than the one ``said`` (the config read) records: the model then cuts its
    windows of ``n_times`` samples into another number of patches than the source's model."""
    source = dataclasses.replace(config, patch_stride=recorded)
    if source.stride == config.stride:
        return

    def stride_text(value: int | None, model: EEGPTConfig) -> str:
        patches = (
            ""
            if not n_times
            else f", {model.n_patches(n_times)} patches a window of {n_times} samples"
        )
        return f"patch_stride={value!r} ({model.stride} samples{patches})"

    _warn(
        f"{said} records {stride_text(recorded, source)}, but {stride_text(given, config)} "
        "was given (command line: --patch-stride): the model takes the given stride, so its "
        "embeddings are not those of the model the source describes. Leave patch_stride out "
        "(no --patch-stride) to use the recorded one.",
        EEGPTUserWarning,
    )


def _config_sfreq(cfg: Mapping[str, Any]) -> float | None:
    """The sampling rate (Hz) a braindecode ``config.json`` gives: its ``sfreq``, else
    ``n_times / input_window_seconds``; None where it gives neither (or nonsense)."""

    def positive(value: Any) -> float | None:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return float(value) if ok and math.isfinite(value) and value > 0 else None

    sfreq = positive(cfg.get("sfreq"))
    n_times, seconds = positive(cfg.get("n_times")), positive(cfg.get("input_window_seconds"))
    if sfreq is None and n_times is not None and seconds is not None:
        sfreq = n_times / seconds
    return sfreq


def _apply_eegpt_section(
    ckpt: Checkpoint, section: dict[str, Any], given: Mapping[str, Any]
) -> None:
    """Our folder's ``eegpt`` section onto ``ckpt``: channels, window, source, notes and the
    marks of values its source did not record (:func:`assumed_marks`), but for those
    ``given`` now (``num_heads`` / ``patch_stride`` passed to :func:`load_checkpoint`), which
    are no longer assumed."""

    def tup(value: Any) -> tuple | None:
        return None if value is None else tuple(value)

    ckpt.format = "eegpt"
    ckpt.ch_names = tup(section.get("ch_names"))
    ckpt.chan_ids = tup(section.get("chan_ids"))
    ckpt.input_ch_names = tup(section.get("input_ch_names"))
    if section.get("n_times") is not None or ckpt.n_outputs is None:
        ckpt.n_times = section.get("n_times")
    ckpt.metadata["source"] = section.get("source", {})
    ckpt.metadata["format_version"] = section.get("format_version")
    ckpt.metadata["notes"] = dict(section.get("notes") or {})
    marks = assumed_marks(section)
    assumed = [key for key in marks.get("assumed", []) if key not in given]
    ckpt.metadata.update(assumed_marks({**marks, "assumed": assumed}), assumed=assumed)


def _probe_folder_message(folder: Path) -> str:
    """Why a probe folder is not encoder weights, and which weights to use instead."""
    try:
        meta = json.loads((folder / "probe.json").read_text())
        frozen = bool(meta.get("frozen_encoder", True))
        trained_on = (meta.get("encoder") or {}).get("path")
    except (OSError, ValueError, AttributeError):
        frozen, trained_on = True, None
    text = (
        f"{folder} is a probe (eegpt probe train / EEGPTProbe.save), not encoder weights: use it "
        "with `eegpt probe predict/evaluate` or eegpt.probe.load_probe"
    )
    if not frozen:  # fine-tuned: the encoder in the folder is not the one it started from
        return (
            f"{text}. Its encoder was fine-tuned and is saved inside it; to embed with it, write "
            'it out once as weights: python -c "import eegpt; from eegpt.probe import load_probe; '
            f"eegpt.save_checkpoint(load_probe('{folder}').model, '{folder}-encoder')\", then "
            f"--weights {folder}-encoder"
        )
    return f"{text}. Its frozen encoder is the checkpoint {trained_on or '(not recorded)'}"


def _locate(path: Path) -> tuple[Path, Path, Path] | None:
    """``(folder, config.json, weights file)`` for a Hugging Face style folder, else None."""
    if path.is_dir():
        folder = path
    elif path.name in (CONFIG_FILE, SAFETENSORS_FILE, PICKLE_FILE):
        folder = path.parent
    else:
        return None
    config = folder / CONFIG_FILE
    if not config.is_file():
        if path.is_dir() and (folder / "probe.json").is_file():
            raise CheckpointError(_probe_folder_message(folder))
        if path.is_dir():
            raise CheckpointError(
                f"{folder} has no {CONFIG_FILE}; pass the weights file itself or a folder with "
                f"{CONFIG_FILE} and {SAFETENSORS_FILE}"
            )
        return None
    if path.name in (SAFETENSORS_FILE, PICKLE_FILE):
        return folder, config, path
    for name in (SAFETENSORS_FILE, PICKLE_FILE):
        if (folder / name).is_file():
            return folder, config, folder / name
    raise CheckpointError(
        f"{folder} has {CONFIG_FILE} but no weights ({SAFETENSORS_FILE} or {PICKLE_FILE}); "
        "download the weights file into the same folder"
    )


@honours_verbose
def load_checkpoint(
    path: PathLike,
    *,
    num_heads: int | None = None,
    patch_stride: int | None | NotGiven = NOT_GIVEN,
    n_times: int | None = None,
    verbose: Verbose = None,
) -> Checkpoint:
    """Read EEGPT weights in any supported layout (see the module docstring).

    Parameters
    ----------
    path : str or PathLike
        A Lightning ``.ckpt``, a folder (or its ``config.json`` / ``model.safetensors``) in
        braindecode's or our layout, or a bare ``.safetensors`` / ``.pt`` / ``.pth`` / ``.bin``
        state dict (a ``.safetensors`` file that :func:`save_checkpoint` wrote, alone under
        any name, loads with the config kept in its header, as its folder does).
    num_heads, patch_stride : int, optional
        The encoder's attention heads and patch stride (samples), which its weights do not
        determine, when the file does not record them (a bare state dict; a Lightning checkpoint
        whose hyper-parameters do not say): by default the paper's values for the width
        (``metadata["assumed"]`` lists what was assumed, with a warning unless the file is the
        released model's shape). Given values override the file's; a patch stride that
        contradicts the one a folder's ``config.json`` records warns, naming both and the
        patches a window each gives, as does a head count that contradicts the one a folder or a
        Lightning checkpoint's hyper-parameters record; ``num_heads`` must divide the width the
        weights have (an error names its divisors). ``patch_stride=None`` given explicitly means
        the patch size (64 samples for EEGPT), as in :class:`~eegpt.config.EEGPTConfig` and
        braindecode's ``EEGPT(patch_stride=None)``; left out, the stride is read or assumed as
        above.
    n_times : int, optional
        The window length (samples) a probe head was built for, where the file does not
        record it (a bare state dict, whose head's width fits a range of lengths: the longest
        is assumed, with a warning); it must fit the head. Recorded by
        :func:`save_checkpoint` in ``config.json``, which braindecode reads.
    verbose : bool | str | int | None
        ``True`` (or ``"info"``, ``"debug"``) prints a one-line summary to stderr; ``False``,
        ``"warning"``, ``"error"`` or a level above INFO keep it quiet (DEBUG); ``None`` logs it
        at INFO level (the logging configuration decides). ``"error"`` or higher also
        silences eegpt's warnings, as MNE's levels do.

    Returns
    -------
    Checkpoint

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    CheckpointError
        The file is unreadable (truncated, corrupt) or holds no EEGPT encoder.
    """
    path = Path(path).expanduser().absolute()  # recorded as provenance: valid from anywhere
    if not path.exists():
        raise MissingFileError(f"no EEGPT weights at {path}")
    # a value given refused as given, before the file is read: not the file's fault
    overrides = _overrides(num_heads, patch_stride, n_times)
    try:
        ckpt = _load(path, overrides)
    except CheckpointError as e:
        if str(path) in str(e):
            raise
        raise CheckpointError(f"{path}: {e}") from e
    except OSError:
        raise
    except Exception as e:  # a malformed config or state dict that slipped past the checks
        raise CheckpointError(
            f"{path} is not a usable EEGPT checkpoint ({type(e).__name__}: {e})"
        ) from e
    ignored = Counter(k.split(".", 1)[0] for k in ckpt.ignored_keys)
    random = (ckpt.metadata.get("notes") or {}).get("pretrained") is False
    stored = dtype_note(ckpt.metadata.get("stored_dtype"))
    _log(
        f"loaded {ckpt.format} checkpoint {path} (sha256 {ckpt.sha256[:12]}, "
        f"{ckpt.n_parameters:,} weights"
        + (f"; {stored}" if stored else "")
        + (f"; ignored {dict(ignored)}" if ignored else "")
        + ")"
        + (": NOT pretrained (random weights), for trying the tools only" if random else ""),
        verbose,
    )
    return ckpt


def _load(path: Path, hints: Mapping[str, Any]) -> Checkpoint:
    if path.is_dir() and not (path / CONFIG_FILE).is_file():
        if header_config(path / SAFETENSORS_FILE) is not None:
            path = path / SAFETENSORS_FILE  # our folder that lost its config.json
    located = _locate(path)
    if located is not None:
        ckpt = _from_hub_folder(*located, hints)
        warn_header_disagrees(ckpt, located[1], located[2], hints)
    elif (header := header_config(path)) is not None:
        ckpt = _from_hub_folder(path, path, path, hints, header=header)
    else:
        obj, placeholders = read_weights(path)
        if isinstance(obj, Mapping) and isinstance(obj.get("state_dict"), Mapping):
            ckpt = _from_lightning(path, dict(obj), placeholders, hints)
        elif isinstance(obj, Mapping):
            ckpt = _from_state_dict(path, obj, placeholders, hints)
        elif isinstance(obj, Inert):
            raise pickled_object_error(
                f"{path} holds a whole pickled {obj._pickle_global} object (torch.save of a model)"
            )
        else:
            raise CheckpointError(
                f"{path} holds a {type(obj).__name__}, not a state dict or Lightning checkpoint"
            )
    if "n_times" in hints:
        _set_n_times(ckpt, hints["n_times"])
    check_channels(ckpt)
    stored = stored_dtype(ckpt.state_dict)
    if stored is not None and stored != "float32":
        ckpt.metadata["stored_dtype"] = stored
    warn_unrecorded(ckpt)
    warn_names_disagree(ckpt)
    return ckpt


# --------------------------------------------------------------------------------------------
# Building models
# --------------------------------------------------------------------------------------------


def _check_tensor(key: str, value: Any) -> None:
    if not isinstance(value, torch.Tensor):
        raise CheckpointError(f"weight {key!r} is a {type(value).__name__}, not a tensor")
    if not value.is_floating_point():
        raise CheckpointError(
            f"weight {key!r} has dtype {value.dtype}; EEGPT weights must be floating point "
            "(the file is not an EEGPT checkpoint or was written incorrectly)"
        )
    # one pass over the weights: the largest magnitude is NaN or infinite where any value is
    largest = float(value.detach().abs().max()) if value.numel() else 0.0
    if not math.isfinite(largest):
        bad = int((~torch.isfinite(value)).sum())
        raise CheckpointError(
            f"weight {key!r} has {bad} non-finite value(s) (NaN/Inf); the checkpoint is corrupt "
            "or comes from a diverged training run"
        )
    if largest > MAX_WEIGHT:
        raise CheckpointError(
            f"weight {key!r} has a value of magnitude {largest:.3g}, far beyond the {MAX_WEIGHT:g} "
            "any trained EEGPT weight reaches; the checkpoint is corrupt (flipped bits?)"
        )


def _new_model(ckpt: Checkpoint, fused: bool) -> EEGPT:
    return EEGPT(
        ckpt.config,
        chan_ids=ckpt.chan_ids,
        n_outputs=ckpt.n_outputs,
        n_times=ckpt.n_times,
        chan_proj=ckpt.chan_proj,
        chan_proj_max_norm=ckpt.chan_proj_max_norm,
        fused=fused,
        probe_hidden=probe_hidden(ckpt.state_dict),
    )


def build_model(checkpoint: Checkpoint, *, fused: bool = True, strict: bool = True) -> EEGPT:
    """Build the :class:`~eegpt.model.EEGPT` module of ``checkpoint`` and load its weights.

    The channel projection and probe head are built when the checkpoint has them. The model is
    returned in eval mode on the CPU.

    Parameters
    ----------
    checkpoint : Checkpoint
    fused : bool
        Use the encoder's fast path (same function as the reference path).
    strict : bool
        Weights the model has no place for raise an error (``True``) or a warning (``False``).
        Pretraining-only groups in ``checkpoint.ignored_keys`` never count.

    Raises
    ------
    CheckpointError
        Missing weights, unexpected weights (strict), non-floating or non-finite tensors.
    ValueError
        A weight whose shape differs from the model's (``CheckpointError`` is a ``ValueError``).
    """
    model = _built(checkpoint, fused)
    model.load_state_dict(_checked_weights(checkpoint, model, strict), strict=True)
    return model.eval()


def encoder_weights(checkpoint: Checkpoint) -> tuple[EEGPTEncoder, dict[str, torch.Tensor]]:
    """The encoder :func:`build_model` would build of ``checkpoint``, without its weights (on
    PyTorch's ``meta`` device: no memory, no random initialisation), and the weights it would
    load into it, by the encoder's names, as the encoder would hold them (the checkpoint's
    tensors in the encoder's dtype: a ``bfloat16`` file's as float32), after the checks of
    :func:`build_model`, which raise as it does. What
    :func:`eegpt.checkpoint_report.checkpoint_fingerprint` hashes: the
    :func:`~eegpt.fingerprints.encoder_fingerprint` of the model built, without building it.

    Raises
    ------
    CheckpointError
        As :func:`build_model` (missing, unexpected, non-floating or non-finite weights).
    ValueError
        A weight whose shape differs from the model's (``CheckpointError`` is a ``ValueError``).
    """
    with torch.device("meta"), _NoRandomInit():
        model = _built(checkpoint, fused=True)
    weights = _checked_weights(checkpoint, model, strict=True)
    held = model.target_encoder.state_dict()
    prefix = "target_encoder."
    state = {
        key.removeprefix(prefix): value.detach().to(held[key.removeprefix(prefix)].dtype)
        for key, value in weights.items()
        if key.startswith(prefix)
    }
    return model.target_encoder, state


def weight_names(checkpoint: Checkpoint) -> set[str]:
    """The names of the weights (state dict keys) of the model :func:`build_model` builds of
    ``checkpoint``, built on PyTorch's ``meta`` device (no memory, no random initialisation):
    what :func:`eegpt.save_checkpoint` compares a model's own with."""
    with torch.device("meta"), _NoRandomInit():
        return set(_built(checkpoint, fused=True).state_dict())


class _NoRandomInit(torch.overrides.TorchFunctionMode):
    """Tensors' in-place initialisations (``torch.nn.init``'s, ``normal_``, ...) skipped: what
    a model built on the ``meta`` device (shapes only) needs none of, and whose ``meta``
    implementations import ``torch._dynamo`` (seconds) the first time."""

    _SKIPPED = frozenset(
        getattr(torch.Tensor, name)
        for name in ("normal_", "uniform_", "erfinv_", "exponential_", "bernoulli_", "random_")
    )

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        kwargs = kwargs or {}
        tensor = args[0] if args else kwargs.get("tensor")
        initialises = func in self._SKIPPED or getattr(func, "__module__", "") == "torch.nn.init"
        if initialises and isinstance(tensor, torch.Tensor) and tensor.device.type == "meta":
            return tensor
        return func(*args, **kwargs)


def _built(checkpoint: Checkpoint, fused: bool) -> EEGPT:
    """The model of ``checkpoint`` (its architecture; random weights), as :func:`build_model`
    builds it before loading the weights."""
    check_channels(checkpoint)
    try:
        return _new_model(checkpoint, fused)
    except (TypeError, ValueError, RuntimeError) as e:
        if isinstance(e, CheckpointError):
            raise
        raise CheckpointError(
            f"cannot build an EEGPT model from this checkpoint ({type(e).__name__}: {e})"
        ) from e


def _checked_weights(checkpoint: Checkpoint, model: EEGPT, strict: bool) -> dict[str, torch.Tensor]:
    """The weights of ``checkpoint`` that ``model`` has places for (each checked: a tensor,
    floating point, finite, of the model's shape), by name; :func:`build_model`'s checks."""
    expected = model.state_dict()
    state = checkpoint.state_dict
    missing = sorted(set(expected) - set(state))
    if missing:
        raise CheckpointError(
            f"the checkpoint lacks {len(missing)} weight(s) the model needs: {missing}. The file "
            "is incomplete or belongs to another architecture."
        )
    unexpected = sorted(set(state) - set(expected))
    if unexpected:
        message = (
            f"the checkpoint has {len(unexpected)} weight(s) the EEGPT model has no place for: "
            f"{unexpected}"
        )
        if strict:
            raise CheckpointError(
                f"{message}. To load the rest anyway: eegpt.checkpoints.build_model("
                "eegpt.load_checkpoint(path), strict=False); to keep only the encoder, save "
                "the target_encoder.* weights alone"
            )
        _warn(f"{message}; ignoring them", UserWarning)
    for key, target in expected.items():
        value = state[key]
        _check_tensor(key, value)
        if tuple(value.shape) != tuple(target.shape):
            raise CheckpointError(
                f"shape mismatch for {key!r}: the checkpoint has {tuple(value.shape)}, the model "
                f"built from {checkpoint.config} expects {tuple(target.shape)}"
            )
    return {k: state[k] for k in expected}


def _provenance(ckpt: Checkpoint) -> dict[str, Any]:
    return {
        "path": str(ckpt.path) if ckpt.path is not None else None,
        "format": ckpt.format,
        "sha256": ckpt.sha256,
        "config": ckpt.config.to_dict(),
        "ch_names": ckpt.ch_names,
        "chan_ids": ckpt.chan_ids,
        "input_ch_names": ckpt.input_ch_names,
        "source": ckpt.metadata.get("source"),
        "notes": dict(ckpt.metadata.get("notes") or {}),
        **assumed_marks(ckpt.metadata),
        # weights the file stores in another dtype than float32 (the model holds float32)
        **(
            {"stored_dtype": ckpt.metadata["stored_dtype"]}
            if ckpt.metadata.get("stored_dtype")
            else {}
        ),
        # the source folder's sampling rate (Hz), which save_checkpoint(model) gives
        # braindecode; only where it is not EEGPT's (absent: MODEL_SFREQ, written alike)
        **(
            {"braindecode_sfreq": ckpt.metadata["braindecode_sfreq"]}
            if ckpt.metadata.get("braindecode_sfreq") not in (None, MODEL_SFREQ)
            else {}
        ),
    }


def _pretrained_name_of(path_or_name: PathLike, path: Path) -> str | None:
    """The name of :data:`eegpt.hub.PRETRAINED` ``path_or_name`` gave, where the weights were
    fetched (or found in the cache) by it, not read from a local file of that name."""
    from eegpt import hub

    text = os.fspath(path_or_name)
    name = hub.pretrained_name(text) if isinstance(text, str) else None
    if name is None or Path(text).expanduser().exists():
        return None
    return name


def resolve_weights(
    path_or_name: PathLike, *, progress: bool = True, verbose: Verbose = None
) -> Path:
    """The local file or folder of weights given as :func:`load_model` takes them: a path, a
    name of :data:`eegpt.hub.PRETRAINED` or an ``http(s)://`` URL (downloaded and cached by
    :func:`eegpt.hub.fetch_weights`, with a progress bar if ``progress``). A file or folder
    named like a pretrained model wins over it, with a note logged as ``verbose`` says.

    Raises
    ------
    FileNotFoundError
        For a path that does not exist and is no pretrained name.
    """
    check_verbose(verbose)  # a wrong type: a TypeError, before the file is opened
    from eegpt import hub

    text = os.fspath(path_or_name)
    named = isinstance(text, str) and hub.pretrained_name(text) is not None
    if isinstance(text, str) and (
        (named and not Path(text).expanduser().exists()) or text.startswith(("http://", "https://"))
    ):
        return hub.fetch_weights(text, progress=progress)
    path = Path(text).expanduser()
    if named and path.exists():
        _log(
            f"{text!r}: using the local {'folder' if path.is_dir() else 'file'} "
            f"{path.resolve()}, not the pretrained weights of that name (to download those, "
            "run elsewhere or rename it)",
            verbose,
        )
    if not path.exists():
        from eegpt.formats import broken_link_text

        link = broken_link_text(path)
        if link is not None:
            raise MissingFileError(f"no EEGPT weights at {path}: {link}")
        close = hub.close_weights(text if isinstance(text, str) else os.fsdecode(text), path)
        if close:  # a typo: the long how-to-get-weights text would bury the answer
            raise MissingFileError(
                f"no EEGPT weights at {path}: did you mean {' or '.join(close)}? (The "
                f"pretrained names are {sorted(hub.PRETRAINED)}; `eegpt fetch --list` lists "
                "them.)"
            )
        raise MissingFileError(
            f"no EEGPT weights at {path} (and {text!r} is not one of the pretrained names "
            f"{sorted(hub.PRETRAINED)}).\n\n{hub.WEIGHTS_HELP}"
        )
    return path


@honours_verbose
def load_model(
    path_or_name: PathLike,
    *,
    device: str | torch.device = "cpu",
    fused: bool = True,
    num_heads: int | None = None,
    patch_stride: int | None | NotGiven = NOT_GIVEN,
    n_times: int | None = None,
    verbose: Verbose = None,
) -> EEGPT:
    """Load EEGPT weights into a ready-to-use model (eval mode, on ``device``).

    Parameters
    ----------
    path_or_name : str or PathLike
        A weights file or folder (see :func:`load_checkpoint`), a name of
        :data:`eegpt.hub.PRETRAINED` (e.g. ``"eegpt-large"``) or an ``http(s)://`` URL; names and
        URLs are downloaded (and cached) by :func:`eegpt.hub.fetch_weights`. A file or folder
        that exists wins over a pretrained name (``eegpt convert ... eegpt-large/`` then
        ``--weights eegpt-large`` loads the converted folder, offline).
    device : str or torch.device
        Where the model's weights are put: ``"cpu"`` (the default), ``"cuda"``, ``"cuda:1"``,
        ``"auto"`` (CUDA when PyTorch sees a GPU, else the CPU) ... (the model is moved there
        once loaded; ``model.to(...)`` moves it later). The default is the CPU, not
        ``"auto"`` as for :func:`eegpt.embed` (``device=None``) and the other functions
        that run the model: loading the weights needs no GPU and takes none of its memory
        (to inspect, convert or save a checkpoint), and those functions move the model to
        the best device when they run it (``device="auto"``: a CUDA GPU where PyTorch sees
        one, the encoder moved there in place).
    fused : bool
        Encoder fast path.
    num_heads, patch_stride : int or None, optional
        See :func:`load_checkpoint` (``patch_stride=None`` means the patch size, 64).
    n_times : int, optional
        See :func:`load_checkpoint`.
    verbose : bool | str | int | None
        See :func:`load_checkpoint`; ``"error"`` also silences eegpt's warnings (as MNE's).

    Returns
    -------
    EEGPT
        With ``model.checkpoint_info``: path, format, sha256, config, channels, source.

    Raises
    ------
    MissingFileError
        (a ``FileNotFoundError``) No file or folder at ``path_or_name`` and no pretrained name
        it spells (the message suggests a close one).
    CheckpointError
        (a ``ValueError``) The weights are unreadable (truncated, corrupt, not a checkpoint) or
        hold no EEGPT encoder, as for :func:`load_checkpoint`.
    DeviceUnavailableError
        ``device`` is not one PyTorch has here (e.g. ``"cuda"`` without a GPU).
    """
    from eegpt.engine import resolve_device  # (which imports this module's neighbours)

    device = resolve_device(device)  # as embed's: before any download
    # a download's progress bar shows unless verbose asks for quiet (False, 0, "warning", ...)
    progress = verbose is None or is_verbose(verbose)
    path = resolve_weights(path_or_name, progress=progress, verbose=verbose)
    ckpt = load_checkpoint(
        path, num_heads=num_heads, patch_stride=patch_stride, n_times=n_times, verbose=verbose
    )
    try:
        model = build_model(ckpt, fused=fused)
    except CheckpointError as e:
        if str(path) in str(e):
            raise
        raise CheckpointError(f"{path}: {e}") from e
    # hashed where they were read, before the move: on a GPU, hashing after it would copy
    # every weight back to the host (the fingerprint does not depend on the device)
    fingerprint, head = encoder_fingerprint(model), head_hash(model)
    model = model.to(device)
    info = _provenance(ckpt)
    name = _pretrained_name_of(path_or_name, path)
    if name is not None:  # weights found by name on any machine: a probe records it
        info["pretrained_name"] = name
    model.checkpoint_info = info  # type: ignore[assignment]
    # for provenance to tell when they change (modified_weights); noted after the move
    mark_loaded_weights(model, fingerprint, head)
    return model
