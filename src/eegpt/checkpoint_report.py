"""What eegpt says of a :class:`~eegpt.checkpoint_config.Checkpoint` once read.

:func:`check_channels` refuses channel ids outside the vocabulary, names that are not strings
and a window (samples) shorter than a patch. The warnings at load: architecture values the file
does not record and were assumed (:func:`warn_unrecorded`, but for the authors' released file),
a stride inferred from a probe head, encoder channels assumed behind a channel projection, a
folder's ``config.json`` disagreeing with the copy in its weights file's header
(:func:`warn_header_disagrees`), stored channel ids disagreeing with the recorded names
(:func:`warn_names_disagree`). :func:`stored_dtype` / :func:`dtype_note`: weights stored in
another dtype than float32. :func:`describe` is what ``eegpt info`` prints of a checkpoint.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from eegpt._logging import few
from eegpt._logging import warn as _warn
from eegpt.checkpoint_config import (
    HEADS_BY_WIDTH,
    HEADS_RULE,
    PRETRAINING_GROUPS,
    PROBE_19_CHANNELS,
    Checkpoint,
    how_to_set,
    stride_basis,
    stride_basis_code,
)
from eegpt.checkpoint_files import (
    CONFIG_FILE,
    SAFETENSORS_FILE,
    header_config,
    looks_like_safetensors,
)
from eegpt.config import N_VOCABULARY, PRESETS, EEGPTConfig
from eegpt.errors import CheckpointError
from eegpt.vocabulary import CHANNEL_INDEX, VOCABULARY, normalize_channel_name

#: What a file of braindecode's layout without any config may be, and what to do about it
#: (said by :func:`warn_unrecorded` and :func:`describe` for such a file, not converted).
_LONE_LAYOUT = (
    "The file carries no config (no {config} beside it, none in its header); it may be "
    "eegpt's own {weights} (save_checkpoint, eegpt convert) separated from its {config}: if "
    "so, put the two back in one folder and pass the folder (--weights FOLDER). "
)


def lone_layout(ckpt: Checkpoint) -> bool:
    """Whether ``ckpt`` is a safetensors file of braindecode's layout read without any config
    (a bare state dict holding ``chans_id``, its stride assumed), which eegpt's own
    ``model.safetensors`` apart from its folder may be; not a converted folder, nor a pickled
    file (eegpt never writes one)."""
    assumed = ckpt.metadata.get("assumed") or []
    path = ckpt.path
    return (
        ckpt.format == "state_dict"
        and path is not None
        and path.is_file()
        and (path.suffix == ".safetensors" or looks_like_safetensors(path))
        and "patch_stride" in assumed
        and stride_basis_code(ckpt.metadata, False) == "braindecode_default"
    )


def _header_disagreement(
    ckpt: Checkpoint, header: Mapping[str, Any], given: Mapping[str, Any]
) -> list[str]:
    """What a folder's checkpoint ``ckpt`` (read from its ``config.json``) says otherwise than the
    copy of the config kept in its weights file's ``header``
    (:func:`~eegpt.checkpoint_files.header_config`): ``"num_heads: 4 in config.json, 8 in the
    header"`` for each architecture value (but those ``given`` when loading) and each of the channel
    names / ids."""
    section = header["eegpt"]
    try:
        theirs = EEGPTConfig.from_dict(section.get("config") or {}).to_dict()
    except (TypeError, ValueError):
        return ["the architecture (the header's is not readable)"]
    pairs = [
        (key, value, theirs.get(key))
        for key, value in ckpt.config.to_dict().items()
        if key not in given
    ]
    for key in ("ch_names", "chan_ids"):
        value = getattr(ckpt, key)
        pairs.append((key, list(value) if value else None, section.get(key) or None))
    return [
        f"{key}: {mine} in config.json, {header_value} in the header"
        for key, mine, header_value in pairs
        if mine != header_value
    ]


def warn_header_disagrees(
    ckpt: Checkpoint, config_path: Path, weights: Path, given: Mapping[str, Any]
) -> None:
    """Warn when a folder's ``config.json`` disagrees with the copy of the config that
    :func:`~eegpt.checkpoints.save_checkpoint` kept in the weights file's header: ``config.json`` is
    used (it is the file braindecode reads, and the one a person edits), but one of the two files
    may have been put beside the other from elsewhere."""
    header = header_config(weights)
    if header is None:
        return
    found = _header_disagreement(ckpt, header, given)
    if not found:
        return
    _warn(
        f"{config_path} disagrees with the config saved inside {weights.name} (its header "
        f"metadata, written with the weights): {'; '.join(found)}. Using {CONFIG_FILE}'s. If "
        f"the two files come from different saves (a {CONFIG_FILE} copied beside other "
        f"weights), the model may be wrong without an error: load the weights file alone "
        f"(--weights {weights}, eegpt.load_model(path_to_it) in Python: its header's config), "
        f"or put the matching {CONFIG_FILE} beside it.",
        RuntimeWarning,
    )


def stored_dtype(state: Mapping[str, Any]) -> str | None:
    """The dtype of the floating-point weights in ``state`` as stored (``"float16"``; several
    joined with ``+``, e.g. ``"bfloat16+float32"``), None without any."""
    kinds = {
        str(v.dtype).removeprefix("torch.")
        for v in state.values()
        if isinstance(v, torch.Tensor) and v.is_floating_point()
    }
    return "+".join(sorted(kinds)) or None


def dtype_note(stored: str | None) -> str:
    """What happens to weights stored as ``stored`` (not float32), for the load line and
    ``eegpt info``; empty for float32."""
    if not stored:
        return ""
    return f"stored as {stored}, upcast to float32 when loaded, as the model computes in float32"


def _names_disagreeing(ckpt: Checkpoint) -> list[tuple[str, int, int | None]]:
    """``(name, stored id, id of the name)`` for each encoder channel whose recorded name maps
    (:func:`eegpt.channels.normalize_channel_name`) to another vocabulary row than its stored
    id, the id of the name None where eegpt's vocabulary does not have the name (e.g. M1,
    which braindecode gives a positional id)."""
    names, ids = ckpt.ch_names, ckpt.chan_ids
    if names is None or ids is None or len(names) != len(ids) or ckpt.chan_proj is not None:
        return []
    found: list[tuple[str, int, int | None]] = []
    for name, stored in zip(names, ids, strict=True):
        key = normalize_channel_name(name)
        mine = None if key is None else CHANNEL_INDEX[key]
        if mine != stored:
            found.append((name, stored, mine))
    return found


def warn_names_disagree(ckpt: Checkpoint) -> None:
    """Warn when the stored channel ids (braindecode's ``chans_id``, used by ``model(x)``) are
    not those of the recorded channel names (used by ``model.embed(..., ch_names=...)``):
    braindecode falls back to positional ids for names it cannot map (old ``T3``/``T5``, and
    names outside the vocabulary such as ``M1``, which ``embed`` drops)."""
    found = _names_disagreeing(ckpt)
    if not found:
        return
    pairs = ", ".join(
        f"{name}: stored {stored} ({VOCABULARY[stored]}), "
        + (f"by name {mine} ({VOCABULARY[mine]})" if mine is not None else "not in the vocabulary")
        for name, stored, mine in found
    )
    unknown = [name for name, _, mine in found if mine is None]
    dropped = (
        f" model.embed drops {', '.join(unknown)} (not in EEGPT's channel vocabulary): "
        f"{len(unknown)} channel(s) fewer than model(x) uses, and an average reference over "
        "the others."
        if unknown
        else ""
    )
    _warn(
        f"{ckpt.path}: the stored channel ids (chans_id) disagree with the recorded channel "
        f"names for {len(found)} channel(s): {pairs}. model(x) and model.encode(x) without "
        "chan_ids use the stored ids (as braindecode's model does, which falls back to "
        "positional ids for names it cannot map, e.g. old T3/T5); model.embed(..., "
        f"ch_names=...) maps the names, so the two give different embeddings.{dropped} Choose "
        "one: pass chan_ids explicitly (eegpt.channels.map_channels(names).chan_ids for the "
        "names' ids, model.chan_ids for the stored ones).",
        RuntimeWarning,
    )


#: The authors' released pretraining file (``eegpt_mcae_58chs_4s_large4E.ckpt``, no SHA-256 of
#: it is recorded): a Lightning checkpoint whose target encoder has the "large" preset's shape
#: in everything the weights determine, beside the pretraining groups of their training code.
#: Its ``num_heads`` (8) and ``patch_stride`` (None: the patch size, 64) are that preset's.
RELEASED_CONFIG = PRESETS["large"]
RELEASED_GROUPS = frozenset(PRETRAINING_GROUPS)
#: The :class:`~eegpt.config.EEGPTConfig` fields the weights determine (see
#: :func:`~eegpt.checkpoint_config.infer_config`).
_WEIGHT_FIELDS = ("embed_dim", "depth", "embed_num", "patch_size", "mlp_ratio", "qkv_bias",
                  "n_chan_embeddings")  # fmt: skip


def _released_shape(ckpt: Checkpoint) -> bool:
    """Whether ``ckpt`` has the shape of the authors' released pretraining file
    (:data:`RELEASED_CONFIG`: embed_dim 512, depth 8, 4 summary tokens, 64-sample patches, the
    62-row channel vocabulary), a Lightning file with pretraining groups (``encoder.*``,
    ``predictor.*``, ``reconstructor.*``: any of them) beside ``target_encoder.*`` and no head
    or channel projection."""
    cfg = ckpt.config
    groups = {key.split(".", 1)[0] for key in ckpt.ignored_keys}
    return (
        ckpt.format == "lightning"
        and all(getattr(cfg, f) == getattr(RELEASED_CONFIG, f) for f in _WEIGHT_FIELDS)
        and bool(RELEASED_GROUPS & groups)  # any of them: the exact set is not on record
        and ckpt.n_outputs is None
        and ckpt.chan_proj is None
    )


#: What braindecode's ``EEGPT(patch_stride=None)`` means, for the assumed-stride warning.
_NONE_STRIDE = (
    "braindecode's EEGPT(patch_stride=None) means {size}: pass patch_stride={size} (or None) "
    "if the model was built so. "
)


def _warn_assumed_n_times(ckpt: Checkpoint, shortest: int, longest: int) -> None:
    """Warn that the window length (samples) of a probe head that fits ``shortest`` to
    ``longest`` was assumed to be ``ckpt.n_times``, and how to set it."""
    _warn(
        f"{ckpt.path}: the file does not record the window length its probe head was built "
        f"for; the head's width (at patch_stride={ckpt.config.stride}) fits windows of "
        f"{shortest}-{longest} samples; assuming n_times={ckpt.n_times}. eegpt runs any length "
        "in that range, but a converted folder tells braindecode this one only (braindecode's "
        "default EEGPT has n_times=1000, refused as 'Patch shape mismatch' if 1024 is "
        "written). If the model was built for another, set it: "
        "eegpt.load_checkpoint(path, n_times=N) or eegpt.load_model(path, n_times=N) in "
        "Python; `eegpt convert PATH FOLDER --n-times N` on the command line (or edit "
        "n_times in the folder's config.json).",
        RuntimeWarning,
    )


def warn_unrecorded(ckpt: Checkpoint) -> None:
    """Warn when the architecture values the file does not record were assumed (but for the
    authors' released file, :func:`_released_shape`, whose hyper-parameters say nothing
    unreadable or conflicting about them), when the stride was inferred from a probe head,
    and when the encoder channels behind a channel projection were assumed
    (:func:`~eegpt.checkpoint_config.encoder_channels`)."""
    meta = ckpt.metadata
    assumed, inferred = meta.get("assumed") or [], meta.get("inferred") or []
    conflicting = meta.get("conflicting") or {}
    cfg = ckpt.config
    values = {"num_heads": cfg.num_heads, "patch_stride": cfg.stride}
    unread = meta.get("unread_hyper_parameters") or []
    released = _released_shape(ckpt)
    if assumed and not (released and not conflicting and not unread):
        said = ", ".join(f"{key}={values[key]}" for key in assumed)
        clash = "".join(
            f" (its hyper-parameters give conflicting {key} values {vals})"
            for key, vals in conflicting.items()
        )
        if unread:
            clash += f" (its hyper-parameters have entries eegpt cannot read: {few(unread, 4)})"
        if ckpt.format == "lightning" and not released:
            clash += (
                " and it is not shaped like the authors' released checkpoint (a pretraining "
                "file of embed_dim 512, depth 8, 4 summary tokens), whose values are known"
            )
        basis = []
        if "num_heads" in assumed:
            dim = cfg.embed_dim
            basis.append(
                f"num_heads: the EEGPT paper's value for width {dim}"
                if dim in HEADS_BY_WIDTH
                else f"num_heads: no EEGPT paper model has width {dim}, so {HEADS_RULE}"
            )
        if "patch_stride" in assumed:
            basis.append(f"patch_stride: {stride_basis(meta, ckpt.format == 'eegpt')}")
        to_set: dict[str, Any] = {key: values[key] for key in assumed}
        lone = lone_layout(ckpt)
        if lone:  # which of the two strides is not known: name both, not the guess alone
            to_set["patch_stride"] = "S"
        _warn(
            f"{ckpt.path}: the file does not record {' or '.join(assumed)} unambiguously"
            f"{clash}; assuming {said} ({'; '.join(basis)}; braindecode's defaults are "
            "num_heads=8, patch_stride=32). Wrong values give wrong embeddings without an "
            "error (a wrong head count changes the outputs by a few percent). "
            + (_NONE_STRIDE.format(size=cfg.patch_size) if "patch_stride" in assumed else "")
            + (_LONE_LAYOUT.format(config=CONFIG_FILE, weights=SAFETENSORS_FILE) if lone else "")
            + "If the model was built otherwise, load it with the values set right: "
            f"{how_to_set(to_set)}"
            + (
                f" (S: {cfg.patch_size // 2}, braindecode's default, or {cfg.patch_size}, the "
                "patch size, as in eegpt's presets and EEGPT's pretraining)"
                if lone
                else ""
            )
            + ".",
            RuntimeWarning,
        )
    if meta.get("assumed_channels") and ckpt.chan_proj is not None:
        _warn(
            f"{ckpt.path}: the file does not record which electrodes, in which order, its "
            f"channel projection ({ckpt.chan_proj[0]} -> {ckpt.chan_proj[1]}) feeds the "
            "encoder (the original downstream scripts do not save their use_channels_names); "
            f"assuming their standard 19, {', '.join(PROBE_19_CHANNELS)}, as braindecode does. "
            "If the training script listed other channels or another order, the logits are "
            "wrong without an error: give the right ones once, eegpt.save_checkpoint("
            "eegpt.load_checkpoint(path).with_encoder_channels([...]), FOLDER), and load "
            "FOLDER (--weights FOLDER).",
            RuntimeWarning,
        )
    if meta.get("n_times_range") and ckpt.n_times:
        _warn_assumed_n_times(ckpt, *meta["n_times_range"])
    if inferred:
        other = cfg.patch_size // 2 if cfg.stride == cfg.patch_size else cfg.patch_size
        n_other = (cfg.n_patches(ckpt.n_times or cfg.patch_size) - 1) * other + cfg.patch_size
        _warn(
            f"{ckpt.path}: patch_stride={cfg.stride} inferred from the probe head's width "
            f"({ckpt.n_times}-sample windows); with patch_stride={other} the same head "
            f"would be for {n_other}-sample windows. If that is the model, load it with "
            f"eegpt.load_model(path, patch_stride={other}).",
            RuntimeWarning,
        )


def check_channels(ckpt: Checkpoint) -> None:
    """Channel ids inside the vocabulary, names matching them, a sane window length."""
    n_vocab = ckpt.config.n_chan_embeddings
    if n_vocab < N_VOCABULARY:
        raise CheckpointError(
            f"the channel embedding table (chan_embed.weight) has {n_vocab} rows, but EEGPT's "
            f"channel vocabulary has {N_VOCABULARY} names, whose rows eegpt looks up by name "
            "(eegpt.channels.VOCABULARY): a smaller table belongs to another vocabulary, or "
            "rows were cut from it"
        )
    ids = ckpt.chan_ids
    if ids is not None:
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise CheckpointError(f"channel ids must be integers, got {list(ids)[:8]}")
        outside = sorted({i for i in ids if not 0 <= i < n_vocab})
        if outside:
            raise CheckpointError(
                f"channel ids {outside} are outside the model's channel vocabulary 0..{n_vocab - 1}"
            )
    for name in ("ch_names", "input_ch_names"):
        names = getattr(ckpt, name)
        if names is not None and not all(isinstance(n, str) for n in names):
            raise CheckpointError(f"{name} must be strings, got {list(names)[:8]}")
    if ckpt.n_times is not None:
        if not isinstance(ckpt.n_times, int) or ckpt.n_times < ckpt.config.patch_size:
            raise CheckpointError(
                f"n_times must be a whole number of samples >= the patch size "
                f"{ckpt.config.patch_size}, got {ckpt.n_times!r}"
            )


# --------------------------------------------------------------------------------------------
# Description
# --------------------------------------------------------------------------------------------


def _shorten(items: tuple, limit: int = 12) -> str:
    """``"FP1, FP2, FP3 and 59 more"``: :func:`~eegpt._logging.few` of any items (channel ids
    too)."""
    return few([str(i) for i in items], limit)


def _pretrained_unrecorded(c: Checkpoint) -> bool:
    """Whether ``c`` is eegpt's own checkpoint of a model saved from memory (not converted
    from another format, not fine-tuned) that does not say whether its weights are random:
    eegpt before 2026-12-03 saved random weights without ``notes["pretrained"]`` (now
    False for them), and trained weights still carry none."""
    notes = c.metadata.get("notes") or {}
    source = c.metadata.get("source") or {}
    return (
        c.format == "eegpt"
        and "pretrained" not in notes
        and "fine_tuned" not in notes
        and source.get("format") in (None, "model")
        and not source.get("file")
    )


def checkpoint_fingerprint(checkpoint: Checkpoint) -> str:
    """The :func:`~eegpt.fingerprints.encoder_fingerprint` of ``checkpoint``'s encoder weights
    (hex SHA-256): the identity of the weights :func:`eegpt.load_model` notes when it loads them
    and embeddings outputs record as ``metadata["checkpoint"]["weights_sha256"]``, the same
    across file formats and conversions. Hashes the checkpoint's encoder tensors as the model
    built of it would hold them (:func:`eegpt.checkpoints.encoder_weights`: its checks, not
    its weights: seconds less for ``"large"``), equal to ``encoder_fingerprint(load_model(...))``.

    Raises
    ------
    CheckpointError
        The model cannot be built from the checkpoint (weights missing or of other shapes)."""
    from eegpt.checkpoints import encoder_weights  # (which imports this module)
    from eegpt.fingerprints import state_fingerprint

    encoder, state = encoder_weights(checkpoint)
    return state_fingerprint(encoder.config.to_dict(), state)


def _fingerprint_line(checkpoint: Checkpoint) -> str:
    """The ``eegpt info`` line of a checkpoint's :func:`checkpoint_fingerprint`; why it cannot
    be computed, where it cannot."""
    try:
        fingerprint = checkpoint_fingerprint(checkpoint)
    except (CheckpointError, ValueError) as err:
        return f"  encoder fingerprint: cannot be computed ({err})"
    return (
        f"  encoder fingerprint: {fingerprint} (the encoder weights, whatever their format; "
        "outputs embedded with them record it as checkpoint.weights_sha256)"
    )


def describe(checkpoint: Checkpoint) -> str:
    """Human-readable summary of a checkpoint (what ``eegpt info`` prints), its encoder
    fingerprint (:func:`checkpoint_fingerprint`) included."""
    c, cfg = checkpoint, checkpoint.config
    encoder = sum(v.numel() for k, v in c.state_dict.items() if k.startswith("target_encoder."))
    stride = f"{cfg.stride}" + (" (= patch size)" if cfg.patch_stride is None else "")
    assumed = c.metadata.get("assumed") or []
    heads = f"{cfg.num_heads}" + (" (assumed)" if "num_heads" in assumed else "")
    if "patch_stride" in assumed:
        bd = stride_basis_code(c.metadata, c.format == "eegpt") == "braindecode_default"
        stride += " (assumed: braindecode's default)" if bd else " (assumed)"
    if "patch_stride" in (c.metadata.get("inferred") or []):
        stride += " (inferred from the probe head)"
    lines = [
        f"EEGPT checkpoint: {c.path}",
        f"  format:      {c.format}"
        + (
            " (config read from the weights file's header: no config.json beside it)"
            if c.metadata.get("config_from_header")
            else ""
        ),
        f"  sha256:      {c.sha256 or 'unknown'}",
        _fingerprint_line(c),
        f"  encoder:     embed_dim={cfg.embed_dim} depth={cfg.depth} num_heads={heads} "
        f"summary_tokens={cfg.embed_num} mlp_ratio={cfg.mlp_ratio:g} qkv_bias={cfg.qkv_bias}",
        f"  patches:     size={cfg.patch_size} stride={stride} "
        f"channel_vocabulary={cfg.n_chan_embeddings} layer_norm_eps={cfg.layer_norm_eps:g}",
        f"  parameters:  {c.n_parameters:,} (encoder {encoder:,})",
    ]
    if c.metadata.get("stored_dtype"):
        lines.append(
            f"  weights:     {dtype_note(c.metadata['stored_dtype'])}; `eegpt convert` "
            "writes them as float32 (the same values, about twice the size)"
        )
    if c.chan_proj is not None:
        kind = f"max-norm {c.chan_proj_max_norm:g}"
        if math.isinf(c.chan_proj_max_norm):
            kind = "unconstrained"
        lines.append(f"  channel projection: {c.chan_proj[0]} -> {c.chan_proj[1]} ({kind})")
    else:
        lines.append("  channel projection: none")
    if c.n_outputs is not None:
        lines.append(f"  probe head:  {c.n_outputs} outputs for {c.n_times}-sample windows")
    else:
        lines.append("  probe head:  none (embeddings only)")
    if c.input_ch_names:
        lines.append(f"  input channels ({len(c.input_ch_names)}): {_shorten(c.input_ch_names)}")
    free = c.n_outputs is None and c.chan_proj is None  # embeddings take any vocabulary channel
    also = "; embeddings take any of the vocabulary's channels" if free else ""
    if c.ch_names:
        lines.append(f"  encoder channels ({len(c.ch_names)}{also}): {_shorten(c.ch_names)}")
        if c.metadata.get("assumed_channels"):
            lines.append(
                "               (assumed, not recorded in the file: the original probe scripts' "
                "19 electrodes, as braindecode assumes; Checkpoint.with_encoder_channels sets "
                "the right ones)"
            )
    elif c.chan_ids:
        lines.append(f"  encoder channel ids ({len(c.chan_ids)}{also}): {_shorten(c.chan_ids)}")
    else:
        lines.append(
            f"  channels:    any of the {cfg.n_chan_embeddings} of the vocabulary, mapped by name "
            "(`eegpt channels FILE` shows a recording's mapping)"
        )
    if c.metadata.get("assumed"):
        derived = {"fine_tuned", "modified"} & set(c.metadata.get("notes") or {})
        where = "the file it was converted from" if c.format == "eegpt" else "the file"
        where = "the file it was derived from" if derived else where
        lines.append(
            f"  assumed:     {', '.join(c.metadata['assumed'])} (not recorded in {where}; "
            "set them with eegpt.load_model(path, num_heads=..., patch_stride=...) if wrong)"
        )
    if lone_layout(c):
        lines.append(
            f"  no config:   braindecode's layout without {CONFIG_FILE}: a braindecode model's "
            f"weights, or eegpt's own {SAFETENSORS_FILE} apart from its {CONFIG_FILE} (put "
            "the two back in one folder and pass the folder)"
        )
    if c.ignored_keys:
        groups = Counter(k.split(".", 1)[0] for k in c.ignored_keys)
        text = ", ".join(f"{g} ({n} tensors)" for g, n in sorted(groups.items()))
        kind = "pretraining" if set(groups) <= set(PRETRAINING_GROUPS) else "other modules'"
        lines.append(f"  ignored {kind} weights (not used here): {text}")
    source = c.metadata.get("source")
    if source and (source.get("file") or source.get("sha256")):
        notes = c.metadata.get("notes") or {}
        # weights trained after loading are derived from their source, not converted from it
        how = (
            "fine-tuned from"
            if "fine_tuned" in notes
            else "modified from"
            if "modified" in notes
            else "converted from"
        )
        line = (
            f"  {how}: {source.get('file')} ({source.get('format')}, sha256 {source.get('sha256')}"
        )
        if source.get("weights_sha256"):  # the encoder weights loaded from it
            line += f", encoder fingerprint {source['weights_sha256']}"
        lines.append(line + ")")
    notes = dict(c.metadata.get("notes") or {})
    if notes.get("pretrained") is False:
        del notes["pretrained"]
        lines.append(
            "  pretrained:  NO - the encoder started from random weights, not from EEGPT's "
            "pretraining (`eegpt fetch` gets the pretrained weights)"
        )
    elif _pretrained_unrecorded(c):
        lines.append(
            "  pretrained:  not recorded (saved by an older eegpt, or of trained weights: eegpt "
            "marks random weights NOT pretrained only since 2026-12-03)"
        )
    for key, value in notes.items():
        lines.append(f"  note: {value}" if key == "note" else f"  note: {key} = {value}")
    if c.metadata.get("pickle_placeholders"):
        lines.append(
            "  not unpickled (metadata objects): " + ", ".join(c.metadata["pickle_placeholders"])
        )
    return "\n".join(lines)
