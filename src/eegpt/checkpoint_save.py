"""Writing EEGPT weights as a folder braindecode and eegpt both load.

:func:`save_checkpoint` writes ``model.safetensors`` (float32 weights under braindecode's
keys, with a copy of ``config.json`` in its header) and ``config.json`` (braindecode's
``EEGPT`` keyword arguments and an ``"eegpt"`` section with the
:class:`~eegpt.config.EEGPTConfig`, channels, provenance and the marks of assumed values);
:func:`checkpoint_from_model` takes a :class:`~eegpt.checkpoint_config.Checkpoint` of an
in-memory model. A channel projection or probe head braindecode cannot run is refused or
warned about.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save as _dump_safetensors

from eegpt._logging import few
from eegpt._logging import warn as _warn
from eegpt.checkpoint_config import (
    PARAMETRIZED,
    PROBE_19_CHANNELS,
    WRAPPED_LAYER_ADVICE,
    Checkpoint,
    assumed_marks,
    probe_hidden,
)
from eegpt.checkpoint_files import (
    CONFIG_FILE,
    HEADER_CONFIG_KEY,
    SAFETENSORS_FILE,
    WEIGHT_FILE_SUFFIXES,
)
from eegpt.errors import CheckpointError
from eegpt.fingerprints import modified_head, modified_weights
from eegpt.formats import PathLike
from eegpt.model import EEGPT
from eegpt.output_files import atomic_write, make_output_folder

FORMAT_VERSION = 1


#: Window length written to ``config.json`` for braindecode when the checkpoint does not fix one
#: (4 s at 256 Hz, the pretraining window).
DEFAULT_N_TIMES = 1024

#: The sampling rate (Hz) EEGPT runs at, written to ``config.json`` as braindecode's ``sfreq``
#: where the source does not give one.
MODEL_SFREQ = 256.0


def _unwrapped(model: Any) -> EEGPT:
    """The :class:`~eegpt.model.EEGPT` ``model`` is, or holds inside the wrappers that put a
    prefix before its state dict's keys: ``torch.compile``'s (``_orig_mod.``) and
    ``DataParallel``/``DistributedDataParallel``'s (``module.``), whose keys saved as they are
    would not be braindecode's.

    Raises
    ------
    TypeError
        Anything else (an encoder alone, another module)."""
    inner = model
    while isinstance(inner, torch.nn.Module) and not isinstance(inner, EEGPT):
        if isinstance(inner, (torch.nn.DataParallel, torch.nn.parallel.DistributedDataParallel)):
            inner = inner.module
        elif isinstance(inner._modules.get("_orig_mod"), torch.nn.Module):  # torch.compile
            inner = inner._modules["_orig_mod"]
        else:
            break
    if isinstance(inner, EEGPT):
        return inner
    alone = type(inner).__name__ == "EEGPTEncoder"
    encoder = " (an encoder alone: pass the EEGPT model that holds it)" if alone else ""
    raise TypeError(
        f"save_checkpoint takes an EEGPT model (eegpt.load_model, eegpt.EEGPT(...), "
        f"finetune(...).model) or a Checkpoint, got {type(model).__name__}{encoder}"
    )


#: The note (``notes["modified"]``) of a checkpoint saved from a model whose weights were
#: changed after they were loaded: its ``source`` is the weights it was derived from.
MODIFIED_NOTE = (
    "the weights were changed (trained or edited) after they were loaded from the source, "
    "so they are derived from it, not a copy of it"
)


def _derived_info(model: EEGPT, info: Mapping[str, Any]) -> dict[str, Any]:
    """``checkpoint_info`` of ``model``, whose encoder weights changed since they were loaded
    (:func:`~eegpt.fingerprints.modified_weights`), as a model's of no file: the file it was
    loaded from (name, format, SHA-256 and the :func:`~eegpt.fingerprints.encoder_fingerprint`
    of the weights loaded, ``weights_sha256``) becomes its ``source``; a model loaded from no
    file (:func:`eegpt.finetune.finetune`'s) keeps the source it names."""
    derived = {**info, "path": None, "format": "model", "sha256": ""}
    if info.get("path") or info.get("sha256"):
        loaded = getattr(model, "_loaded_weights", None)
        derived["source"] = {
            "file": str(info["path"]) if info.get("path") else None,
            "format": info.get("format"),
            "sha256": info.get("sha256") or None,
            **({"weights_sha256": loaded.fingerprint} if loaded is not None else {}),
        }
    return derived


def checkpoint_from_model(model: EEGPT) -> Checkpoint:
    """Snapshot an in-memory :class:`~eegpt.model.EEGPT` as a
    :class:`~eegpt.checkpoint_config.Checkpoint`.

    A model wrapped by ``torch.compile`` or ``DataParallel``/``DistributedDataParallel`` is
    taken as the model inside (the wrappers' key prefixes, ``_orig_mod.`` and ``module.``,
    are not saved).

    Channel names, provenance and the source folder's sampling rate (``braindecode_sfreq``,
    Hz, written to braindecode's ``config.json``) come from ``model.checkpoint_info`` when the
    model was loaded with :func:`~eegpt.checkpoints.load_model`; a model whose weights are still its random initialisation
    (:attr:`~eegpt.model.EEGPT.has_random_weights`), or were loaded from the state dict of a
    model that was not pretrained (:attr:`~eegpt.model.EEGPT.not_pretrained`), is marked
    ``{"pretrained": False}`` in the notes, so that loading it says NOT pretrained. A model whose weights changed after they
    were loaded (trained in a loop of one's own, edited: :func:`~eegpt.fingerprints.modified_weights`,
    hashed, so edits through ``p.data`` count; or its probe head or channel projection alone:
    :func:`~eegpt.fingerprints.modified_head`) is no copy of its file: that file (name, format, SHA-256, the encoder fingerprint of the
    weights loaded) is recorded as its ``source``, with the note ``notes["modified"]``
    (:data:`MODIFIED_NOTE`; ``eegpt info`` says "modified from", not "converted from").
    """
    model = _unwrapped(model)
    info = getattr(model, "checkpoint_info", None) or {}
    notes = dict(info.get("notes") or {})
    if model.not_pretrained:  # random, or copied from a model that was not pretrained
        notes.setdefault("pretrained", False)
    # trained or edited since loaded (hashed: an edit through p.data changes no counter),
    # the encoder or the channel projection or probe head: not the file's weights
    if modified_weights(model, hashed=True) is not None or modified_head(model):
        info = _derived_info(model, info)
        notes["modified"] = MODIFIED_NOTE
    chan_proj = None
    max_norm = 1.0
    if model.chan_proj is not None:
        w = model.chan_proj.proj.weight
        chan_proj = (int(w.shape[1]), int(w.shape[0]))
        max_norm = float(model.chan_proj.proj.max_norm)
    ids = tuple(int(i) for i in model.chan_ids.tolist()) or None
    names = info.get("ch_names")
    return Checkpoint(
        config=model.config,
        state_dict={k: v.detach().cpu() for k, v in model.state_dict().items()},
        format=info.get("format", "model"),
        path=Path(info["path"]) if info.get("path") else None,
        sha256=info.get("sha256", ""),
        ch_names=tuple(names) if names and ids and len(names) == len(ids) else None,
        chan_ids=ids,
        input_ch_names=tuple(info["input_ch_names"]) if info.get("input_ch_names") else None,
        n_outputs=None if model.final_layer is None else model.final_layer.probe2.out_features,
        n_times=model.n_times,
        chan_proj=chan_proj,
        chan_proj_max_norm=max_norm,
        metadata={
            **({"source": info["source"]} if info.get("source") else {}),
            "notes": notes,
            **assumed_marks(info),
            # the rate of the folder it was loaded from, kept for braindecode's config.json
            **(
                {"braindecode_sfreq": info["braindecode_sfreq"]}
                if info.get("braindecode_sfreq") is not None
                else {}
            ),
        },
    )


def _sorted_metadata(weights: bytes) -> bytes:
    """``weights`` (a safetensors file's bytes) with its header's ``__metadata__`` keys in
    sorted order, so that the same model saves to the same bytes (and SHA-256) on every run:
    safetensors writes that map in an order that changes from one process to the next. The
    header keeps its length (its JSON re-written alike, padded with spaces as safetensors
    pads it); where it would not, the bytes are returned as they are."""
    n = int.from_bytes(weights[:8], "little")
    header = json.loads(weights[8 : 8 + n])
    metadata = header.get("__metadata__")
    if not isinstance(metadata, dict):
        return weights
    header["__metadata__"] = dict(sorted(metadata.items()))
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    if len(text) > n or json.loads(text) != json.loads(weights[8 : 8 + n]):
        return weights
    return weights[:8] + text.ljust(n, b" ") + weights[8 + n :]


def _refuse_or_warn_unrunnable_projection(ckpt: Checkpoint) -> None:
    """For a channel projection onto other than 19 encoder channels, which braindecode's
    ``EEGPT.from_pretrained`` loads but cannot run (behind a projection it always uses its 19
    ``EEGPT_19_CHANNELS`` ids): refuse when the encoder channels are not recorded either (a
    fine-tune of the original scripts, e.g. 22 -> 22: the folder would run nowhere without
    them), else warn that the folder is for eegpt only."""
    assert ckpt.chan_proj is not None
    n_in, n_out = ckpt.chan_proj
    why = (
        f"its channel projection maps {n_in} input channels to {n_out} encoder channels, and "
        f"braindecode's EEGPT runs a projection only onto its {len(PROBE_19_CHANNELS)} "
        "channels (EEGPT_19_CHANNELS): braindecode's from_pretrained would load the folder but "
        "its forward would fail"
    )
    if not ckpt.chan_ids:
        raise CheckpointError(
            f"cannot save {ckpt.path or 'this checkpoint'} as a braindecode folder: {why}; and "
            f"the checkpoint does not record which vocabulary channels its {n_out} encoder "
            "channels are (the training script's channel names). eegpt runs it when given "
            "them in the training script's order: eegpt.load_model(path)(x, chan_ids="
            "torch.tensor(eegpt.channels.map_channels(names).chan_ids)); to save a folder that "
            "eegpt (not braindecode) loads with them, save_checkpoint(dataclasses.replace("
            "eegpt.load_checkpoint(path), ch_names=names, chan_ids=ids), folder)"
        )
    _warn(
        f"{ckpt.path or 'the model'}: the saved folder is for eegpt only: {why}.",
        RuntimeWarning,
    )


def _refuse_other_weights(ckpt: Checkpoint) -> None:
    """Refuse a model whose state dict's keys are not those of an EEGPT model of its
    settings (:func:`~eegpt.checkpoints.weight_names`): a layer wrapped or replaced (a LoRA
    adapter on ``attn.qkv``: ``qkv.base.weight``, ``qkv.A``, ``qkv.B`` for ``qkv.weight``),
    whose folder neither :func:`~eegpt.checkpoints.load_model` nor braindecode could read
    back.

    Raises
    ------
    CheckpointError
        Naming the weights an EEGPT model has no place for and those it lacks, and what to do
        (:data:`~eegpt.checkpoint_config.WRAPPED_LAYER_ADVICE`)."""
    from eegpt.checkpoints import weight_names  # (which imports this module)

    expected, held = weight_names(ckpt), set(ckpt.state_dict)
    unexpected, missing = sorted(held - expected), sorted(expected - held)
    if not unexpected and not missing:
        return
    parts = []
    if unexpected:
        parts.append(
            f"has {len(unexpected)} weight(s) an EEGPT model has no place for: {few(unexpected, 6)}"
        )
    if missing:
        parts.append(f"lacks {len(missing)} of an EEGPT model's: {few(missing, 6)}")
    raise CheckpointError(
        f"cannot save this model as an EEGPT checkpoint: its state dict {'; and it '.join(parts)}"
        f". {WRAPPED_LAYER_ADVICE}"
    )


def _braindecode_files(ckpt: Checkpoint) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Tensors and ``config.json`` content readable by ``braindecode.models.EEGPT``."""
    cfg = ckpt.config
    linear = ckpt.chan_proj is not None and math.isinf(ckpt.chan_proj_max_norm)
    tensors: dict[str, torch.Tensor] = {}
    for key, value in ckpt.state_dict.items():
        value = value.detach().to("cpu", torch.float32).contiguous().clone()
        if key == "chan_proj.proj.weight":
            if linear:
                value = value.reshape(value.shape[0], -1)
            else:
                key = key.replace(".weight", PARAMETRIZED)
        elif key.startswith("final_layer.") and key.endswith(".weight"):
            key = key[: -len(".weight")] + PARAMETRIZED
        tensors[key] = value
    if ckpt.chan_proj is not None:
        n_chans, n_target = ckpt.chan_proj
        chs = ckpt.input_ch_names
        if n_target != len(PROBE_19_CHANNELS):
            _refuse_or_warn_unrunnable_projection(ckpt)
    else:
        n_chans = len(ckpt.chan_ids) if ckpt.chan_ids else cfg.n_chan_embeddings
        n_target = len(PROBE_19_CHANNELS)
        chs = ckpt.ch_names if ckpt.chan_ids else None
    chs_info = [{"ch_name": n} for n in chs] if chs and len(chs) == n_chans else None
    # braindecode's `chans_id` buffer: [1, C] when built from channel names, else arange(C).
    # Without known ids, the encoder-only file gets braindecode's default (all 62 vocabulary
    # channels in order); the "eegpt" section still records chan_ids = null.
    if ckpt.chan_ids:
        ids = torch.tensor(ckpt.chan_ids, dtype=torch.long)
        named = chs_info is not None or ckpt.chan_proj is not None
        tensors["chans_id"] = ids.unsqueeze(0) if named else ids
    elif ckpt.chan_proj is None:
        tensors["chans_id"] = torch.arange(n_chans)
    hidden = probe_hidden(ckpt.state_dict)
    if ckpt.n_outputs is not None and hidden != 16:
        _warn(
            f"{ckpt.path or 'the model'}: the saved folder is for eegpt only: its probe head has "
            f"{hidden} hidden features per patch, and braindecode's EEGPT builds its probe with "
            "16 (from_pretrained would not load the head's weights)",
            RuntimeWarning,
        )
    n_times = ckpt.n_times or DEFAULT_N_TIMES
    sfreq = _braindecode_sfreq(ckpt)
    proj_type = "conv1d_constraint" if ckpt.chan_proj is not None else "none"
    if linear:
        proj_type = "linear"
    config = {
        "n_outputs": ckpt.n_outputs,
        "n_chans": n_chans,
        "chs_info": chs_info,
        "n_times": n_times,
        # braindecode infers it from n_times and sfreq: written, it would refuse
        # from_pretrained(folder, n_times=...) for another window length as inconsistent
        "input_window_seconds": None,
        "sfreq": sfreq,
        "patch_size": cfg.patch_size,
        "patch_stride": cfg.patch_stride,
        "embed_num": cfg.embed_num,
        "embed_dim": cfg.embed_dim,
        "depth": cfg.depth,
        "num_heads": cfg.num_heads,
        "mlp_ratio": cfg.mlp_ratio,
        "qkv_bias": cfg.qkv_bias,
        "layer_norm_eps": cfg.layer_norm_eps,
        "return_encoder_output": ckpt.n_outputs is None,
        "chan_proj_type": proj_type,
        "n_chans_target": n_target,
        "chan_conv_max_norm": 1.0 if linear else ckpt.chan_proj_max_norm,
    }
    return tensors, config


def _braindecode_sfreq(ckpt: Checkpoint) -> float:
    """The sampling rate (Hz) config.json gives braindecode (whose ``from_pretrained`` model
    has no ``.sfreq`` without one): the source folder's (``metadata["braindecode_sfreq"]``),
    else EEGPT's fixed rate, :data:`MODEL_SFREQ`."""
    sfreq = ckpt.metadata.get("braindecode_sfreq")
    if isinstance(sfreq, (int, float)) and not isinstance(sfreq, bool) and sfreq > 0:
        return float(sfreq)
    return MODEL_SFREQ


def _eegpt_section(ckpt: Checkpoint) -> dict[str, Any]:
    source = ckpt.metadata.get("source") if ckpt.format in ("eegpt", "model") else None
    if not source:
        source = {
            "file": ckpt.path.name if ckpt.path is not None else None,
            "format": ckpt.format,
            "sha256": ckpt.sha256 or None,
        }
    return {
        "format_version": FORMAT_VERSION,
        "config": ckpt.config.to_dict(),
        "ch_names": list(ckpt.ch_names) if ckpt.ch_names else None,
        "chan_ids": list(ckpt.chan_ids) if ckpt.chan_ids else None,
        "input_ch_names": list(ckpt.input_ch_names) if ckpt.input_ch_names else None,
        "n_outputs": ckpt.n_outputs,
        "n_times": ckpt.n_times,
        "chan_proj": list(ckpt.chan_proj) if ckpt.chan_proj else None,
        "source": source,
        # values the source file did not record: still guesses after a conversion
        **assumed_marks(ckpt.metadata),
    }


def save_checkpoint(
    model_or_checkpoint: EEGPT | Checkpoint,
    directory: PathLike,
    *,
    overwrite: bool = False,
    metadata: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``model.safetensors`` + ``config.json`` into ``directory`` (our ``"eegpt"`` layout).

    The folder is braindecode-compatible (``braindecode.models.EEGPT.from_pretrained(directory)``
    rebuilds the same model) and ``config.json`` carries an ``"eegpt"`` section with the
    :class:`~eegpt.config.EEGPTConfig`, channel names/ids and the source checkpoint's SHA-256.
    ``model.safetensors`` keeps a copy of that ``config.json`` in its header metadata (key
    :data:`~eegpt.checkpoint_files.HEADER_CONFIG_KEY`), so the weights file copied alone elsewhere
    loads as the same model, with its provenance (beside a ``config.json``, the ``config.json`` is
    used, with a warning where they disagree). The file's bytes, and so its SHA-256, therefore
    depend on the config and notes too, not on the weights alone
    (:func:`~eegpt.fingerprints.encoder_fingerprint` depends on the weights only). Each file is
    written to a temporary file in ``directory`` and renamed into place. To record channels or a
    window length the checkpoint lacks, save ``dataclasses.replace(checkpoint, chan_ids=...,
    ch_names=..., n_times=...)``.

    Parameters
    ----------
    model_or_checkpoint : EEGPT or Checkpoint
        Checkpoints are validated by building the model first. A model wrapped by
        ``torch.compile`` or ``DataParallel``/``DistributedDataParallel`` is saved as the model
        inside, under the keys it has unwrapped.
    directory : str or PathLike
        Created if needed. A path named like a weights file (``large.safetensors``, ``.pt``,
        ``.pth``, ``.bin``, ``.ckpt``) is refused: a single file could not record what
        ``config.json`` does (``num_heads``, ``patch_stride``, the channels, notes), so it would
        not load back as the same model; give a folder (``"large"``).
    overwrite : bool
        Allow writing into an existing non-empty folder (our two files are replaced).
    metadata : mapping, optional
        JSON-serialisable notes (e.g. ``{"pretrained": False}``) stored in the ``"eegpt"``
        section; they come back in :attr:`Checkpoint.metadata` ``["notes"]`` and in
        ``model.checkpoint_info["notes"]``. Notes already attached to the checkpoint or model are
        kept, ``metadata`` updating them.

    Returns
    -------
    Path
        ``directory``.
    """
    directory = Path(directory).expanduser()
    if directory.suffix.lower() in WEIGHT_FILE_SUFFIXES:
        raise ValueError(
            f"{directory}: EEGPT weights are saved as a folder ({CONFIG_FILE} with the model's "
            f"settings and channels, and {SAFETENSORS_FILE}: braindecode's layout), not as a "
            f"single {directory.suffix} file, which would not record num_heads, patch_stride, "
            f"the channels or notes; give a folder path, e.g. {directory.with_suffix('')}{os.sep} "
            "(load_model and braindecode's EEGPT.from_pretrained read it back)"
        )
    if directory.exists() and not directory.is_dir():
        raise FileExistsError(f"{directory} exists and is not a folder; choose another output path")
    if directory.is_dir() and any(directory.iterdir()) and not overwrite:
        raise FileExistsError(
            f"{directory} is not empty; pass overwrite=True (--overwrite) to replace its "
            "checkpoint, or choose an empty folder"
        )
    if isinstance(model_or_checkpoint, Checkpoint):
        from eegpt.checkpoints import build_model  # (which imports this module)

        ckpt = model_or_checkpoint
        model = build_model(ckpt, fused=True)
        ckpt = dataclasses.replace(ckpt, state_dict=model.state_dict())
    else:
        ckpt = checkpoint_from_model(model_or_checkpoint)
        _refuse_other_weights(ckpt)
    notes = {**ckpt.metadata.get("notes", {}), **(metadata or {})}
    tensors, config = _braindecode_files(ckpt)
    config["eegpt"] = _eegpt_section(ckpt)
    config["eegpt"]["notes"] = notes
    try:
        config_text = json.dumps(config, indent=2, allow_nan=False) + "\n"
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"metadata must be JSON-serialisable (strings, numbers, lists, dicts): {e}"
        ) from e
    make_output_folder(directory)
    # the config kept in the weights file too: a model.safetensors copied away from its
    # folder loads as the same model (see header_config); config.json wins where both are
    header_text = json.dumps(config, separators=(",", ":"), allow_nan=False)
    weights = _sorted_metadata(
        _dump_safetensors(tensors, {"format": "pt", HEADER_CONFIG_KEY: header_text})
    )
    atomic_write(directory / SAFETENSORS_FILE, lambda fh: fh.write(weights))
    atomic_write(directory / CONFIG_FILE, lambda fh: fh.write(config_text.encode()))
    return directory
