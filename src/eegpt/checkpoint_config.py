"""A :class:`Checkpoint` (weights with the architecture and channels they belong to) and what
a state dict says of them.

:func:`split_state` brings the keys of any supported layout to :class:`eegpt.model.EEGPT`'s
(``target_encoder.*``, ``chan_proj.*``, ``final_layer.*``; wrappers' prefixes and the original
scripts' head names taken out) and sets pretraining-only groups aside; :func:`infer_config`
reads the encoder architecture off the tensors' shapes (a depth recorded beside them checked);
:func:`head_shapes` the channel projection ``(in, out)`` and probe head (outputs, window length
in samples). The two values the weights do not fix, ``num_heads`` and ``patch_stride``
(samples), come from a Lightning file's hyper-parameters (:func:`lightning_hints`) or a probe
head's width (:func:`unrecorded_config`), else are assumed, with the reason kept
(:func:`assumed_basis`, :func:`assumed_marks`). Without torch's pickle or any file I/O: the
files are read by :mod:`eegpt.checkpoint_files`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from eegpt._logging import few
from eegpt._logging import warn as _warn
from eegpt.checkpoint_files import Inert, pickled_object_error
from eegpt.config import EEGPTConfig, mlp_ratio_for
from eegpt.errors import CheckpointError
from eegpt.vocabulary import CHANNEL_INDEX, normalize_channel_name

#: braindecode's default ``patch_stride`` (used when its config.json does not say).
BRAINDECODE_PATCH_STRIDE = 32


class NotGiven:
    """The type of :data:`NOT_GIVEN`: an argument left out, told from one given as None."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: ``patch_stride`` left out of :func:`~eegpt.checkpoints.load_checkpoint` (read or assumed),
#: unlike ``patch_stride=None`` (the patch size).
NOT_GIVEN = NotGiven()

#: Top-level state-dict groups of a pretraining checkpoint that inference does not use.
PRETRAINING_GROUPS = ("encoder", "predictor", "reconstructor")

#: Electrodes of the original linear-probe scripts (and braindecode's ``EEGPT_19_CHANNELS``): the
#: encoder channels behind a channel projection.
PROBE_19_CHANNELS = (
    "FP1", "FP2", "F7", "F3", "FZ", "F4", "F8", "T7", "C3", "CZ",
    "C4", "T8", "P7", "P3", "PZ", "P4", "P8", "O1", "O2",
)  # fmt: skip

_ENCODER_TOP_LEVEL = {"patch_embed", "chan_embed", "summary_token", "blocks", "norm"}
PARAMETRIZED = ".parametrizations.weight.original"
#: The original linear-probe scripts' module names (``downstream/linear_probe_EEGPT_*.py``,
#: e.g. BCI-IV-2a's ``LitEEGPTCausal``) -> ours (braindecode's): the 1x1 channel projection and
#: the two probe layers. The TUAB/TUEV fine-tuning model (``downstream_tueg/``) names another
#: head so (``chan_conv.0`` ... ``chan_conv.4``, ``head.1``): it has no place here.
_ORIGINAL_HEADS = {
    "chan_conv.": "chan_proj.proj.",
    "linear_probe1.": "final_layer.probe1.",
    "linear_probe2.": "final_layer.probe2.",
}
HEADS_BY_WIDTH = {64: 4, 128: 4, 256: 4, 512: 8}
#: How ``num_heads`` is assumed for a width that is not in :data:`HEADS_BY_WIDTH`.
HEADS_RULE = "embed_dim // 64, at least 1, lowered to a divisor of the width: a rule of thumb"
#: What a wrong assumed head count does (0.9-4.4 % relative on outputs, measured).
_WRONG_HEADS = "A wrong head count changes the outputs by a few percent, silently."
#: Why an unrecorded ``patch_stride`` was assumed to be what it is, by the code kept in a
#: checkpoint's ``metadata["assumed_basis"]["patch_stride"]`` (and in a converted folder's
#: ``eegpt`` section, so that the reason outlives the conversion): the file held braindecode's
#: ``chans_id`` buffer (a braindecode model's state dict: braindecode's default stride), or
#: not (the patch size, as in pretraining).
_STRIDE_BASES = {
    "braindecode_default": "braindecode's default, a guess: {file} the chans_id buffer of "
    "braindecode's layout (a braindecode model's state dict, or eegpt's own weights apart "
    "from their config.json: the layouts are the same)",
    "patch_size": "the patch size, non-overlapping patches as in pretraining",
}


def how_to_set(values: Mapping[str, Any]) -> str:
    """How to give the architecture values the weights do not record (``values``: e.g.
    ``{"num_heads": "N"}``), in Python and on the command line."""
    python = ", ".join(f"{key}={value}" for key, value in values.items())
    options = " ".join(f"--{key.replace('_', '-')} {value}" for key, value in values.items())
    return (
        f"eegpt.load_model(path, {python}) or eegpt.load_checkpoint(path, {python}) in Python; "
        f"on the command line, once `eegpt convert PATH FOLDER {options}`, then --weights "
        "FOLDER (the folder records them)"
    )


@dataclass(eq=False)
class Checkpoint:
    """EEGPT weights in memory, with the architecture and channels they belong to.

    Attributes
    ----------
    config : EEGPTConfig
        Encoder architecture.
    state_dict : dict[str, torch.Tensor]
        Weights under the keys of :class:`eegpt.model.EEGPT` (``target_encoder.*``, optionally
        ``chan_proj.*`` and ``final_layer.*``).
    format : str
        ``"lightning"``, ``"braindecode"``, ``"eegpt"`` or ``"state_dict"`` (``"model"`` for a
        checkpoint taken from an in-memory model).
    path : Path or None
        File or folder it was read from.
    sha256 : str
        SHA-256 of the weights file (empty when unknown).
    ch_names : tuple of str or None
        Names of the encoder's input channels, aligned with ``chan_ids``.
    chan_ids : tuple of int or None
        Channel-vocabulary indices of the encoder's input channels; ``None`` for the pretrained
        encoder, which works on any channel subset (pass ids at inference).
    input_ch_names : tuple of str or None
        Names of the model's input channels when a channel projection precedes the encoder.
    n_outputs : int or None
        Outputs of the linear-probe head, ``None`` without a head.
    n_times : int or None
        Window length in samples the head (or the braindecode model) was built for.
    chan_proj : tuple of int or None
        ``(in_channels, out_channels)`` of the channel projection, ``None`` without one.
    chan_proj_max_norm : float
        Max-norm of the projection filters (``inf`` for braindecode's unconstrained ``"linear"``).
    ignored_keys : list of str
        Pretraining-only weights that were left out (``predictor.*`` ...).
    metadata : dict
        Everything else worth knowing (Lightning epoch, pickle placeholders, source, ...);
        ``"stored_dtype"`` (e.g. ``"float16"``) where the file stores its weights in another dtype
        than float32 (:attr:`state_dict` keeps them so; the model built from them holds float32,
        which :func:`~eegpt.checkpoints.load_model` records in ``checkpoint_info["stored_dtype"]``);
        ``"assumed"``, the architecture values the file did not record (``num_heads``,
        ``patch_stride``), with ``"assumed_basis"`` saying why ``patch_stride`` was assumed to be
        its value (``{"patch_stride": "braindecode_default"}`` for a braindecode state dict,
        ``"patch_size"`` otherwise), both kept through :func:`~eegpt.checkpoints.save_checkpoint`.
    """

    config: EEGPTConfig
    state_dict: dict[str, torch.Tensor]
    format: str
    path: Path | None = None
    sha256: str = ""
    ch_names: tuple[str, ...] | None = None
    chan_ids: tuple[int, ...] | None = None
    input_ch_names: tuple[str, ...] | None = None
    n_outputs: int | None = None
    n_times: int | None = None
    chan_proj: tuple[int, int] | None = None
    chan_proj_max_norm: float = 1.0
    ignored_keys: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def n_parameters(self) -> int:
        """Number of weights the model uses (ignored pretraining keys excluded)."""
        return sum(v.numel() for v in self.state_dict.values())

    def __repr__(self) -> str:
        """One line: the format, architecture, tensor and weight counts, head and channel
        projection if any, source and SHA-256 prefix; not the weights themselves."""
        parts = [
            f"format={self.format!r}",
            f"config={self.config!r}",
            f"{len(self.state_dict)} tensors",
            f"{self.n_parameters:,} parameters",
        ]
        if self.chan_proj is not None:
            parts.append(f"chan_proj={self.chan_proj}")
        if self.n_outputs is not None:
            parts.append(f"n_outputs={self.n_outputs}")
        if self.path is not None:
            parts.append(f"path={str(self.path)!r}")
        if self.sha256:
            parts.append(f"sha256={self.sha256[:12]}...")
        return f"<Checkpoint {', '.join(parts)}>"

    def with_encoder_channels(self, ch_names: tuple[str, ...] | list[str]) -> Checkpoint:
        """A copy whose encoder channels (those behind the channel projection, or the
        encoder's input without one) are ``ch_names``, in that order, their ids looked up in
        the vocabulary, and no longer marked as assumed: for a fine-tune of the original
        downstream scripts, which do not save their ``use_channels_names``. Save it with
        :func:`~eegpt.checkpoints.save_checkpoint` to a folder that records them.

        Raises
        ------
        ValueError
            Not as many names as the projection has outputs, or a name outside the
            vocabulary (:data:`eegpt.channels.VOCABULARY`).
        """
        names = tuple(ch_names)
        wanted = self.chan_proj[1] if self.chan_proj is not None else None
        if wanted is None and self.chan_ids is not None:
            wanted = len(self.chan_ids)
        if wanted is not None and len(names) != wanted:
            raise ValueError(
                f"the encoder takes {wanted} channels here, but {len(names)} names were given"
            )
        keys = [normalize_channel_name(name) for name in names]
        unknown = [name for name, key in zip(names, keys, strict=True) if key is None]
        if unknown:
            raise ValueError(
                f"channel names {unknown} are not in EEGPT's vocabulary "
                "(eegpt.channels.VOCABULARY lists its 62 names)"
            )
        metadata = {k: v for k, v in self.metadata.items() if k != "assumed_channels"}
        return dataclasses.replace(
            self,
            ch_names=names,
            chan_ids=tuple(CHANNEL_INDEX[key] for key in keys if key is not None),
            metadata=metadata,
        )


# --------------------------------------------------------------------------------------------
# State-dict normalisation and architecture inference
# --------------------------------------------------------------------------------------------


@dataclass
class _Split:
    state: dict[str, torch.Tensor]
    ignored: list[str]
    chans_id: torch.Tensor | None


#: First key segments that wrappers put before a model's own keys: DistributedDataParallel /
#: DataParallel (``module.``), Lightning modules holding the model as an attribute.
_WRAPPERS = ("module", "model", "net")


def _without_wrappers(raw: Mapping[str, Any]) -> dict[str, Any]:
    """``raw`` with the key parts wrappers add taken out: ``_orig_mod.`` (torch.compile)
    anywhere, and a leading ``module.`` / ``model.`` / ``net.`` when no key is an encoder key
    without it."""
    out = {k.replace("_orig_mod.", ""): v for k, v in raw.items()}

    def ours(key: str) -> bool:
        return key.split(".", 1)[0] in {"target_encoder", "chans_id", *_ENCODER_TOP_LEVEL}

    for _ in range(3):  # e.g. model.module.target_encoder...
        if any(ours(k) for k in out):
            break
        firsts = {k.split(".", 1)[0] for k in out if "." in k}
        wrapper = next((w for w in _WRAPPERS if w in firsts), None)
        if wrapper is None:
            break
        out = {
            k[len(wrapper) + 1 :] if k.startswith(f"{wrapper}.") else k: v for k, v in out.items()
        }
    return out


def _with_our_head_names(raw: Mapping[str, Any]) -> dict[str, Any]:
    """``raw`` with the original downstream scripts' head modules (``chan_conv``,
    ``linear_probe1``, ``linear_probe2``) under our names, where they have the shapes of a
    1x1 channel convolution and of the two probe layers; other keys as they are."""
    out = dict(raw)
    has = {prefix: f"{prefix}weight" in out for prefix in _ORIGINAL_HEADS}
    conv = out.get("chan_conv.weight")
    if not (isinstance(conv, torch.Tensor) and conv.ndim == 3 and conv.shape[-1] == 1):
        has["chan_conv."] = False
    if not (has["linear_probe1."] and has["linear_probe2."]):
        has["linear_probe1."] = has["linear_probe2."] = False
    for prefix, ours in _ORIGINAL_HEADS.items():
        if has[prefix] and not any(k.startswith(ours) for k in out):
            for key in [k for k in out if k.startswith(prefix)]:
                out[ours + key[len(prefix) :]] = out.pop(key)
    return out


def split_state(raw: Mapping[Any, Any], *, ignore_unknown: bool = False) -> _Split:
    """Rename to our keys, pull out ``chans_id`` and set pretraining-only groups aside.

    ``ignore_unknown`` (Lightning files) also sets aside any other key outside
    ``target_encoder.*``, with a warning for groups that are not known pretraining modules.
    """
    keys = [k for k in raw if isinstance(k, str)]
    if len(keys) != len(raw):
        raise CheckpointError("the state dict has non-string keys; it is not a model state dict")
    raw = _with_our_head_names(_without_wrappers(raw))
    keys = list(raw)
    if keys and all(k.split(".", 1)[0] in _ENCODER_TOP_LEVEL for k in keys):
        raw = {f"target_encoder.{k}": v for k, v in raw.items()}
    state: dict[str, torch.Tensor] = {}
    ignored: list[str] = []
    chans_id = None
    unknown_groups: set[str] = set()
    for key, value in raw.items():
        if key in ("chans_id", "target_encoder.chans_id"):
            if not isinstance(value, torch.Tensor) or value.is_floating_point():
                raise CheckpointError(f"{key!r} must be an integer tensor of channel ids")
            chans_id = value
            continue
        group = key.split(".", 1)[0]
        if group in PRETRAINING_GROUPS:
            ignored.append(key)
            continue
        if ignore_unknown and group not in ("target_encoder", "chan_proj", "final_layer"):
            ignored.append(key)
            unknown_groups.add(group)
            continue
        if isinstance(value, Inert):
            raise pickled_object_error(f"{key!r} holds a pickled {value._pickle_global} object")
        if not isinstance(value, torch.Tensor):
            raise CheckpointError(
                f"weight {key!r} is a {type(value).__name__}, not a tensor: the file is not an "
                "EEGPT state dict"
            )
        state[key.replace(PARAMETRIZED, ".weight")] = value
    if unknown_groups:
        _warn(
            f"ignoring weights of modules other than the encoder: {sorted(unknown_groups)}",
            UserWarning,
        )
    if not ignore_unknown and "target_encoder.chan_embed.weight" not in state:
        _refuse_enclosed_model(raw)
    return _Split(state, ignored, chans_id)


def _refuse_enclosed_model(raw: Mapping[str, Any]) -> None:
    """A clear error for the state dict of a larger model that holds an EEGPT (or its
    encoder) as one of its modules (``backbone.target_encoder.*``, ``encoder.chan_embed.*``
    beside a head of its own), whose keys would otherwise be told to be no EEGPT's (or an
    ``encoder.`` module set aside as the pretraining's online encoder); nothing where no key
    is an encoder's under a prefix."""
    ends = ("target_encoder.chan_embed.weight", "chan_embed.weight")
    for key in sorted(raw):
        end = next((e for e in ends if key.endswith("." + e)), None)
        if end is None:
            continue
        prefix = key[: -len(end)]
        raise CheckpointError(
            f"this state dict is of a model that holds EEGPT as one of its modules: its "
            f"weights are under {prefix!r} ({key!r} ...), beside others. Save that module's "
            f"weights alone and load those: torch.save({{k.removeprefix({prefix!r}): v for k, "
            f"v in state_dict.items() if k.startswith({prefix!r})}}, 'eegpt-weights.pt'), or "
            "eegpt.save_checkpoint(the EEGPT model itself, folder)"
        )


def _get(state: Mapping[str, torch.Tensor], key: str) -> torch.Tensor:
    full = f"target_encoder.{key}"
    value = state.get(full, state.get(key))
    if value is None:
        raise CheckpointError(
            f"no {full!r} in the weights: this is not an EEGPT encoder checkpoint "
            f"(keys found: {sorted(state)[:8]}{' ...' if len(state) > 8 else ''})"
        )
    if not isinstance(value, torch.Tensor):
        raise CheckpointError(f"{full!r} is a {type(value).__name__}, not a tensor")
    return value


#: The weights of one transformer block, by their names after ``blocks.{i}.`` (braindecode's
#: layout; ``attn.qkv.bias`` only with ``qkv_bias``).
BLOCK_WEIGHTS = frozenset(
    f"{layer}.{kind}"
    for layer in ("norm1", "attn.qkv", "attn.proj", "norm2", "mlp.fc1", "mlp.fc2")
    for kind in ("weight", "bias")
)

#: What to do with a model whose layer was wrapped or replaced (its weights under other names),
#: which no EEGPT model (eegpt's or braindecode's) could load.
WRAPPED_LAYER_ADVICE = (
    "A layer was wrapped or replaced (a LoRA adapter's base/A/B, a quantized layer), and no "
    "EEGPT model (eegpt's, braindecode's) has places for those weights. Merge the adapter into "
    "the layer's own weight first (for LoRA on attn.qkv: a new nn.Linear with weight = "
    "base.weight + scale * B @ A and base's bias, put back as block.attn.qkv, as peft's "
    "merge_and_unload() does), then save the model"
)


def unknown_block_weights(state: Mapping[str, Any]) -> list[str]:
    """The keys of ``state`` in a transformer block (``target_encoder.blocks.{i}.`` or
    ``blocks.{i}.``) that no EEGPT block has (:data:`BLOCK_WEIGHTS`), sorted: the weights of a
    wrapped or replaced layer (``blocks.0.attn.qkv.base.weight``, ``blocks.0.attn.qkv.A``)."""
    found = []
    for key in state:
        name = key.removeprefix("target_encoder.")
        if name.startswith("blocks."):
            index, _, rest = name[len("blocks.") :].partition(".")
            if index.isdigit() and rest not in BLOCK_WEIGHTS:
                found.append(key)
    return sorted(found)


def _block_indices(state: Mapping[str, Any], prefix: str) -> set[int]:
    """Indices ``i`` of the transformer blocks (``{prefix}blocks.{i}.*`` keys; ``blocks.{i}.*``
    too for ``prefix="target_encoder."``) present in ``state``."""
    found = set()
    for key in state:
        for start in {prefix, ""} if prefix == "target_encoder." else {prefix}:
            if key.startswith(f"{start}blocks."):
                index = key[len(start) + len("blocks.") :].split(".", 1)[0]
                if index.isdigit():
                    found.add(int(index))
    return found


def infer_config(
    state_dict: Mapping[str, torch.Tensor], hints: Mapping[str, Any] | None = None
) -> EEGPTConfig:
    """Read the encoder architecture off its weights.

    ``embed_dim`` and ``n_chan_embeddings`` come from ``chan_embed.weight``, ``patch_size`` from
    ``patch_embed.proj.weight``, ``depth`` from the block count, ``embed_num`` from
    ``summary_token``, ``mlp_ratio`` from ``mlp.fc1`` and ``qkv_bias`` from the presence of
    ``attn.qkv.bias``. Transformer blocks must be numbered 0..depth-1 without a gap, and a
    ``depth`` in ``hints`` must be the number of blocks present: a block missing from the
    middle raises an error naming it, one missing from the end is seen only where a depth is
    recorded beside the weights (a bare state dict that lost its last blocks cannot be told
    from a shallower encoder).

    The weights do not determine ``num_heads``, ``patch_stride`` or ``layer_norm_eps``. They are
    taken from ``hints`` (e.g. braindecode's ``config.json``) when given; otherwise the paper's
    head count for the width (64/128/256 -> 4, 512 -> 8; other widths ``embed_dim // 64`` with a
    warning), ``patch_stride=None`` (= patch size, non-overlapping patches as in pretraining) and
    ``layer_norm_eps=1e-6``.

    Where the weights cannot be read so, the error names the block weights no EEGPT block has
    (:func:`unknown_block_weights`: a wrapped layer's, e.g. a LoRA adapter's, whose missing
    ``qkv.bias`` would otherwise be blamed alone).

    Parameters
    ----------
    state_dict : mapping of str to Tensor
        Encoder weights, with or without the ``target_encoder.`` prefix.
    hints : mapping, optional
        Known hyper-parameters. Values that contradict the weights raise an error.

    Returns
    -------
    EEGPTConfig
    """
    try:
        return _infer_config(state_dict, hints)
    except CheckpointError as err:
        unknown = unknown_block_weights(state_dict)
        if not unknown:
            raise
        raise CheckpointError(
            f"{err}. The weights hold {len(unknown)} block weight(s) an EEGPT model has no "
            f"place for: {few(unknown, 6)}. {WRAPPED_LAYER_ADVICE}"
        ) from err


def _infer_config(
    state_dict: Mapping[str, torch.Tensor], hints: Mapping[str, Any] | None = None
) -> EEGPTConfig:
    """:func:`infer_config` without naming unknown block weights in its errors."""
    hints = dict(hints or {})
    chan = _get(state_dict, "chan_embed.weight")
    patch = _get(state_dict, "patch_embed.proj.weight")
    summary = _get(state_dict, "summary_token")
    if chan.ndim != 2 or patch.ndim != 4 or summary.ndim != 3:
        raise CheckpointError(
            "unexpected encoder tensor ranks: chan_embed.weight "
            f"{tuple(chan.shape)}, patch_embed.proj.weight {tuple(patch.shape)}, summary_token "
            f"{tuple(summary.shape)} (expected [V, D], [D, 1, 1, P], [1, S, D])"
        )
    n_vocab, dim = chan.shape
    blocks = _block_indices(state_dict, "target_encoder.")
    depth = max(blocks) + 1 if blocks else 0
    if blocks and len(blocks) != depth:
        missing = sorted(set(range(depth)) - blocks)
        raise CheckpointError(
            f"the encoder weights lack transformer block(s) {few([str(i) for i in missing], 8)} "
            f"(blocks {few([str(i) for i in sorted(blocks)], 8)} of 0..{depth - 1} are there): "
            "the file is truncated or was edited; use a complete copy of the checkpoint"
        )
    recorded = hints.get("depth")
    if recorded is not None and recorded != depth:
        shown = f"blocks 0..{depth - 1}" if depth else "no blocks"
        if isinstance(recorded, int) and recorded > depth:
            raise CheckpointError(
                f"the configuration recorded with the weights says depth={recorded} "
                f"(transformer blocks 0..{recorded - 1}) but the weights have {shown} only: "
                f"block(s) {few([str(i) for i in range(depth, recorded)], 8)} are missing, so "
                "the file looks truncated (or the configuration belongs to other weights); "
                "use a complete copy of the checkpoint"
            )
        raise CheckpointError(
            f"the configuration recorded with the weights says depth={recorded!r} but the "
            f"weights have {depth} transformer blocks ({shown}); the configuration does not "
            "belong to these weights"
        )
    found: dict[str, Any] = {
        "embed_dim": int(dim),
        "n_chan_embeddings": int(n_vocab),
        "patch_size": int(patch.shape[-1]),
        "embed_num": int(summary.shape[1]),
        "depth": depth,
    }
    if depth:
        hidden = _get(state_dict, "blocks.0.mlp.fc1.weight").shape[0]
        recorded = hints.get("mlp_ratio")
        ratio = float(recorded) if recorded is not None else math.nan
        # no recorded ratio, or one that builds another width: the one that builds the weights'
        if not (math.isfinite(ratio) and int(dim * ratio) == hidden):
            if recorded is not None:
                warn_mlp_ratio(recorded, dim, hidden)
            ratio = mlp_ratio_for(dim, hidden)
        found["mlp_ratio"] = ratio
        found["qkv_bias"] = any(
            k.endswith("blocks.0.attn.qkv.bias") for k in state_dict if "blocks.0." in k
        )
    for key, value in found.items():
        hinted = hints.get(key)
        if hinted is not None and key != "mlp_ratio" and hinted != value:
            raise CheckpointError(
                f"the configuration says {key}={hinted!r} but the weights have {key}={value!r}; "
                "the config file does not belong to these weights"
            )
    num_heads = hints.get("num_heads")
    if num_heads is None:
        num_heads = HEADS_BY_WIDTH.get(dim)
        if num_heads is None:
            num_heads = max(1, dim // 64)
            while dim % num_heads:
                num_heads -= 1
            _warn(
                f"the weights do not say how many attention heads the encoder has and no "
                f"EEGPT paper model has width {dim}; assuming num_heads={num_heads} "
                f"({HEADS_RULE}). {_WRONG_HEADS} If it is wrong, give the right value: "
                f"{how_to_set({'num_heads': 'N'})}; infer_config itself takes "
                "hints={'num_heads': N}.",
                UserWarning,
            )
    return EEGPTConfig(
        **found,
        num_heads=int(num_heads),
        patch_stride=hints.get("patch_stride"),
        layer_norm_eps=float(hints.get("layer_norm_eps", 1e-6)),
    )


def warn_mlp_ratio(
    recorded: Any, dim: int, hidden: int, said: str = "the configuration recorded with the weights"
) -> None:
    """Warn that ``said`` records an ``mlp_ratio`` whose MLP is not the weights' ``hidden``
    units wide for width ``dim`` (the weights' ratio is used); silent for a ratio that is the
    weights' to rounding (``176 * (240 / 176)`` builds 239 units, the weights have 240)."""
    try:
        ratio = float(recorded)
    except (TypeError, ValueError):
        ratio = math.nan
    if math.isfinite(ratio) and round(dim * ratio) == hidden:
        return
    _warn(
        f"{said} says mlp_ratio={recorded!r}"
        + (f" (an MLP {int(dim * ratio)} units wide)" if math.isfinite(ratio) else "")
        + f", but the weights' MLP is {hidden} units wide for embed_dim {dim} "
        f"(mlp_ratio={hidden / dim:g}); loaded with the weights' ratio. The config file was "
        "edited or written for other weights: correct its mlp_ratio",
        UserWarning,
    )


def check_braindecode_section(
    cfg: Mapping[str, Any], config: EEGPTConfig, hidden: int | None, said: str
) -> None:
    """The top-level (braindecode) keys of a ``config.json`` that also has an ``eegpt``
    section (whose values :func:`infer_config` checked) against the weights' ``config``:
    an ``embed_dim``, ``depth``, ``patch_size`` or ``embed_num`` of other weights is refused
    (braindecode would build another model from it), an ``mlp_ratio`` that builds another MLP
    width than the weights' ``hidden`` units is warned of. ``said``: the file, for messages."""
    for key in ("embed_dim", "depth", "patch_size", "embed_num"):
        value = cfg.get(key)
        if value is not None and value != getattr(config, key):
            raise CheckpointError(
                f"{said} says {key}={value!r} in its braindecode section but the weights (and "
                f"its eegpt section) have {key}={getattr(config, key)!r}; the config file does "
                "not belong to these weights (braindecode would build another model from it)"
            )
    if cfg.get("mlp_ratio") is not None and hidden is not None:
        warn_mlp_ratio(cfg["mlp_ratio"], config.embed_dim, hidden, f"{said} (braindecode section)")


def head_shapes(
    state: Mapping[str, torch.Tensor],
    config: EEGPTConfig,
    n_times: int | None,
    linear_proj: bool,
) -> tuple[tuple[int, int] | None, int | None, int | None, bool]:
    """``(chan_proj, n_outputs, n_times, linear)`` from the head weights present in ``state``.

    ``linear``: the channel projection is braindecode's unconstrained ``"linear"`` one (max norm
    ``inf``), as ``linear_proj`` says (a folder's ``chan_proj_type``) or as its 2-D weight
    ``[C_out, C_in]`` shows (only that projection has one; the max-norm 1x1 convolutions store
    ``[C_out, C_in, 1]``). Its weight is reshaped to ``[C_out, C_in, 1]`` in ``state``.
    """
    chan_proj = None
    w = state.get("chan_proj.proj.weight")
    linear = False
    if w is not None:
        linear = w.ndim == 2 or linear_proj
        if linear:
            w = w.reshape(w.shape[0], -1, 1)
            state["chan_proj.proj.weight"] = w  # type: ignore[index]
        chan_proj = (int(w.shape[1]), int(w.shape[0]))
    n_outputs = None
    p1, p2 = state.get("final_layer.probe1.weight"), state.get("final_layer.probe2.weight")
    if p1 is not None and p2 is not None:
        n_outputs = int(p2.shape[0])
        if n_times is None and p2.shape[1] % p1.shape[0] == 0:
            n_patches = p2.shape[1] // p1.shape[0]
            n_times = (n_patches - 1) * config.stride + config.patch_size
    return chan_proj, n_outputs, n_times, linear


def head_window_range(
    state: Mapping[str, torch.Tensor], config: EEGPTConfig
) -> tuple[int, int] | None:
    """The window lengths (samples, ``(shortest, longest)``) a probe head's width fits at
    ``config``'s patch size and stride: a head ``N`` patches wide takes any window that
    :meth:`~eegpt.config.EEGPTConfig.n_patches` cuts into ``N`` patches (the last padded), e.g.
    993-1024 samples for 31 patches at stride 32. None without a head (or one of no whole
    patch count)."""
    p1, p2 = state.get("final_layer.probe1.weight"), state.get("final_layer.probe2.weight")
    if p1 is None or p2 is None or p2.shape[1] % p1.shape[0]:
        return None
    n_patches = p2.shape[1] // p1.shape[0]
    longest = (n_patches - 1) * config.stride + config.patch_size
    if n_patches < 2:
        return config.patch_size, longest
    return (n_patches - 2) * config.stride + config.patch_size + 1, longest


#: Architecture values the weights do not determine (from a config file, the Lightning
#: hyper-parameters, the caller, or assumed).
_UNRECORDED = ("num_heads", "patch_stride")


def channel_ids(t: torch.Tensor | None) -> tuple[int, ...] | None:
    if t is None:
        return None
    return tuple(int(i) for i in t.reshape(-1).tolist())


#: Names under which training code records the two values (lower case).
_HINT_NAMES = {
    "num_heads": ("num_heads", "n_heads", "heads", "nhead", "encoder_num_heads"),
    "patch_stride": ("patch_stride", "encoder_patch_stride"),
}


def lightning_hints(
    obj: Mapping[str, Any],
) -> tuple[dict[str, int], dict[str, set[int]], list[str]]:
    """``num_heads`` / ``patch_stride`` of the encoder where a Lightning checkpoint's
    ``hyper_parameters`` say them (in dicts, lists and argparse Namespaces, which are read
    without being unpickled; anywhere but under a predictor/reconstructor/decoder entry); the
    values that conflict; and the names of entries about heads or strides that could not be
    read (so that nothing is taken as unrecorded that the file may record otherwise)."""
    found: dict[str, set[int]] = {}
    unread: list[str] = []

    def number(value: Any) -> int | None:
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        value = float(value)
        return int(value) if value.is_integer() and value > 0 else None

    def visit(node: Any, path: str, depth: int) -> None:
        if depth > 8:
            return
        if isinstance(node, Inert):  # an argparse.Namespace: its fields are its state
            node = node.state if isinstance(node.state, Mapping) else node.items
        if isinstance(node, (list, tuple)):
            for item in node:
                visit(item, path, depth + 1)
            return
        if not isinstance(node, Mapping):
            return
        for key, value in node.items():
            name = str(key).lower()
            if name.startswith(("predictor", "reconstructor", "decoder")) or "decoder" in name:
                continue  # another module's values
            wanted = next((k for k, names in _HINT_NAMES.items() if name in names), None)
            value_n = number(value)
            if wanted is not None and value_n is not None:
                found.setdefault(wanted, set()).add(value_n)
            elif ("head" in name or "stride" in name) and not isinstance(value, (Mapping, list)):
                unread.append(f"{path}{key}")
            else:
                visit(value, f"{path}{key}.", depth + 1)

    visit(obj.get("hyper_parameters"), "", 0)
    hints = {key: next(iter(values)) for key, values in found.items() if len(values) == 1}
    conflicts = {key: values for key, values in found.items() if len(values) > 1}
    return hints, conflicts, unread


#: Window lengths a probe head's width is taken to fix the stride by: whole seconds at the
#: model's 256 Hz (the original scripts' and braindecode's windows: 4 s = 1024 samples ...).
_WHOLE_SECOND = 256


def _stride_from_head(
    state: Mapping[str, torch.Tensor], config: EEGPTConfig, braindecode: bool = False
) -> tuple[EEGPTConfig, bool]:
    """``config`` with the patch stride a probe head's width implies, and whether the head
    decided it.

    A head ``N`` patches wide (``final_layer.probe2`` in-width / ``probe1`` out-width) fits
    windows of ``(N - 1) * stride + patch_size`` samples at either stride that models use:
    half a patch (braindecode's default, 32) or a whole patch (the original scripts'). The one
    that makes those windows a whole number of seconds at 256 Hz is taken (both never do: e.g.
    31 patches are 1024 samples at stride 32, 16 patches are 1024 at stride 64, 15 patches 512 at
    stride 32). When neither does, or without a head, a braindecode state dict (``braindecode``:
    it has braindecode's ``chans_id`` buffer) gets braindecode's stride
    (:data:`BRAINDECODE_PATCH_STRIDE`) and others keep ``config``'s; the head counts as
    deciding only when it picks another stride than that default (which stays assumed).
    """
    size = config.patch_size
    half = size // 2
    ours = BRAINDECODE_PATCH_STRIDE
    default = dataclasses.replace(config, patch_stride=ours) if braindecode else config
    p1, p2 = state.get("final_layer.probe1.weight"), state.get("final_layer.probe2.weight")
    if p1 is None or p2 is None or p2.shape[1] % p1.shape[0] or not half:
        return default, False
    n_patches = p2.shape[1] // p1.shape[0]
    fits = [s for s in (half, size) if ((n_patches - 1) * s + size) % _WHOLE_SECOND == 0]
    if len(fits) != 1:
        return default, False
    stride = fits[0]
    if stride == default.stride:
        return default, False  # the stride assumed anyway (braindecode's, or the patch size)
    return dataclasses.replace(config, patch_stride=None if stride == size else stride), True


def unrecorded_config(
    state: Mapping[str, torch.Tensor], hints: Mapping[str, Any], braindecode: bool = False
) -> tuple[EEGPTConfig, list[str], list[str]]:
    """:func:`infer_config` for a file that may not record ``num_heads`` / ``patch_stride``;
    those of them that were assumed (not in ``hints``, not fixed by a probe head), and those
    inferred from a probe head. ``braindecode``: a braindecode state dict, whose stride is
    assumed to be braindecode's default (:func:`_stride_from_head`)."""
    config = infer_config(state, hints)
    # a key given as None is set (patch_stride=None: the patch size), not assumed
    assumed = [key for key in _UNRECORDED if key not in hints]
    inferred = []
    if "patch_stride" in assumed:
        config, decided = _stride_from_head(state, config, braindecode)
        if decided:
            assumed.remove("patch_stride")
            inferred.append("patch_stride")
    return config, assumed, inferred


def assumed_basis(assumed: list[str], braindecode: bool) -> dict[str, str]:
    """``metadata["assumed_basis"]`` of a file whose ``assumed`` values were just assumed:
    for an assumed ``patch_stride``, the code of :data:`_STRIDE_BASES` saying why
    (``braindecode``: the file is a braindecode state dict); {} otherwise."""
    if "patch_stride" not in assumed:
        return {}
    return {"patch_stride": "braindecode_default" if braindecode else "patch_size"}


def stride_basis_code(meta: Mapping[str, Any], converted: bool) -> str | None:
    """The :data:`_STRIDE_BASES` code of why an assumed ``patch_stride`` has its value, from a
    checkpoint's ``metadata``; None for a folder (``converted``: one
    :func:`~eegpt.checkpoints.save_checkpoint` wrote, whose source made the assumption) converted
    before the reason was recorded."""
    code = (meta.get("assumed_basis") or {}).get("patch_stride")
    if code is None and meta.get("braindecode_state_dict"):
        code = "braindecode_default"
    if code not in _STRIDE_BASES:
        return None if converted else "patch_size"
    return str(code)


def stride_basis(meta: Mapping[str, Any], converted: bool) -> str:
    """Why an assumed ``patch_stride`` has its value, in words (:func:`stride_basis_code`)."""
    code = stride_basis_code(meta, converted)
    if code is None:
        return "assumed when the file it was converted from was read; why is not recorded"
    file = "the file it was converted from held" if converted else "the file holds"
    return _STRIDE_BASES[code].format(file=file)


def _lightning_encoder_depth(obj: Mapping[str, Any]) -> tuple[str, int] | None:
    """``(where, depth)`` of the encoder as a Lightning checkpoint's ``hyper_parameters``
    record it in the authors' pretraining layout: ``models_configs.encoder.depth`` (or
    ``models_configs.<tag>.encoder.depth``), a number or the list whose first entry is the
    encoder's (``[encoder, predictor, reconstructor]``); None where they do not."""
    hparams = obj.get("hyper_parameters")
    configs = hparams.get("models_configs") if isinstance(hparams, Mapping) else None
    if not isinstance(configs, Mapping):
        return None
    places = [("models_configs.encoder", configs.get("encoder"))]
    if places[0][1] is None:
        places = [(f"models_configs.{k}.encoder", v.get("encoder")) for k, v in configs.items()
                  if isinstance(v, Mapping)]  # fmt: skip
        if len(places) != 1:  # several tags: which one was trained is not said
            return None
    where, encoder = places[0]
    depth = encoder.get("depth") if isinstance(encoder, Mapping) else None
    if isinstance(depth, (list, tuple)) and depth:
        depth, where = depth[0], f"{where}.depth[0]"
    else:
        where = f"{where}.depth"
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        return None
    return where, depth


def check_lightning_depth(
    obj: Mapping[str, Any], state: Mapping[str, torch.Tensor], ignored: list[str]
) -> None:
    """Refuse a Lightning checkpoint whose ``target_encoder.*`` has fewer transformer blocks
    than its hyper-parameters record, or than its online twin (``encoder.*``, which has the
    same architecture in the authors' pretraining): blocks cut off at the end of the file
    would otherwise load as a shallower encoder."""
    blocks = _block_indices(state, "target_encoder.")
    depth = max(blocks) + 1 if blocks else 0
    recorded = _lightning_encoder_depth(obj)
    if recorded is not None and recorded[1] != depth:
        where, n = recorded
        lost = n > depth
        raise CheckpointError(
            f"its hyper_parameters say the encoder has depth {n} ({where}) but its "
            f"target_encoder.* weights have {depth} transformer block(s)"
            + (
                f": block(s) {few([str(i) for i in range(depth, n)], 8)} are missing, so the "
                "file looks truncated; use a complete copy of the checkpoint"
                if lost
                else "; the hyper-parameters do not describe these weights"
            )
        )
    online = _block_indices({k: None for k in ignored}, "encoder.")
    if online and max(online) + 1 > depth:
        raise CheckpointError(
            f"its online encoder (encoder.*) has {max(online) + 1} transformer blocks but "
            f"target_encoder.* has {depth}: the two have the same architecture in EEGPT's "
            f"pretraining, so target_encoder block(s) "
            f"{few([str(i) for i in sorted(set(range(max(online) + 1)) - blocks)], 8)} are "
            "missing and the file looks truncated; use a complete copy of the checkpoint"
        )


def encoder_channels(
    chan_proj: tuple[int, int] | None, chans_id: torch.Tensor | None, metadata: dict[str, Any]
) -> dict[str, Any]:
    """``ch_names`` / ``chan_ids`` of a Lightning file or bare state dict: its ``chans_id`` where it
    has one; behind a channel projection of 19 outputs without one (the original downstream scripts
    never save them), the scripts' 19 electrodes, as braindecode assumes too, marked as assumed in
    ``metadata`` (which :func:`~eegpt.checkpoint_report.warn_unrecorded` warns of at load)."""
    if chan_proj is None or chans_id is not None or chan_proj[1] != len(PROBE_19_CHANNELS):
        return {"ch_names": None, "chan_ids": channel_ids(chans_id)}
    from eegpt.vocabulary import CHANNEL_INDEX

    metadata["assumed_channels"] = True
    return {
        "ch_names": PROBE_19_CHANNELS,
        "chan_ids": tuple(CHANNEL_INDEX[name] for name in PROBE_19_CHANNELS),
    }


def assumed_marks(record: Mapping[str, Any]) -> dict[str, Any]:
    """The marks of values a file did not record, as kept in a checkpoint's metadata, a saved
    folder's ``eegpt`` section and a model's ``checkpoint_info``: ``assumed`` (``num_heads``,
    ``patch_stride``), ``assumed_basis`` (why: :data:`_STRIDE_BASES`, of the values still
    assumed) and ``assumed_channels`` (those behind an original probe's projection); only the
    marks that are set."""
    marks: dict[str, Any] = {}
    if record.get("assumed"):
        marks["assumed"] = list(record["assumed"])
        basis = dict(record.get("assumed_basis") or {})
        if record.get("braindecode_state_dict") and "patch_stride" in marks["assumed"]:
            basis.setdefault("patch_stride", "braindecode_default")
        basis = {key: code for key, code in basis.items() if key in marks["assumed"]}
        if basis:
            marks["assumed_basis"] = basis
    if record.get("assumed_channels"):
        marks["assumed_channels"] = True
    return marks


def probe_hidden(state: Mapping[str, torch.Tensor]) -> int:
    """The probe's hidden width (``final_layer.probe1`` outputs; 16 in the original EEGPT and
    braindecode probes, the default without a head)."""
    p1 = state.get("final_layer.probe1.weight")
    return int(p1.shape[0]) if p1 is not None and p1.ndim == 2 and p1.shape[0] else 16
