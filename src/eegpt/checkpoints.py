"""Reading, checking and writing EEGPT weights.

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
:class:`_RestrictedUnpickler` (through ``torch.load``'s storage plumbing), which rebuilds tensors
and plain containers only and turns every other global (Lightning stores hyper-parameter objects
next to the weights) into an inert placeholder without importing it. Even allowed globals cannot
be used as memory bombs (``bytearray(n)`` is capped).

Architecture hyper-parameters are read from the tensors (see :func:`infer_config`); the two that
leave no trace in them, ``num_heads`` and ``patch_stride``, come from ``config.json`` when there
is one, else from the copy of it that :func:`save_checkpoint` keeps in ``model.safetensors``'s
header.
"""

from __future__ import annotations

import _compat_pickle
import dataclasses
import hashlib
import json
import logging
import math
import os
import pickle
import types
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file as _load_safetensors
from safetensors.torch import save as _dump_safetensors

from eegpt._logging import Verbose, check_verbose, few, honours_verbose, is_verbose
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._weights_watch import param_key, watch_optimizer_steps
from eegpt.config import N_VOCABULARY, PRESETS, EEGPTConfig
from eegpt.errors import CheckpointError, MissingFileError
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.outputs import atomic_write
from eegpt.vocabulary import CHANNEL_INDEX, VOCABULARY, normalize_channel_name

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

CONFIG_FILE = "config.json"
SAFETENSORS_FILE = "model.safetensors"
#: Suffixes of single weight files, which :func:`save_checkpoint` (a folder) refuses as its path.
WEIGHT_FILE_SUFFIXES = (".safetensors", ".pt", ".pth", ".bin", ".ckpt")
PICKLE_FILE = "pytorch_model.bin"
FORMAT_VERSION = 1
#: Key of ``model.safetensors``'s header metadata under which :func:`save_checkpoint` keeps a
#: copy of the folder's ``config.json`` (JSON text), so that the weights file alone, copied
#: away from its folder, still loads as the same model and keeps its provenance.
HEADER_CONFIG_KEY = "eegpt_config"

#: Window length written to ``config.json`` for braindecode when the checkpoint does not fix one
#: (4 s at 256 Hz, the pretraining window).
DEFAULT_N_TIMES = 1024

#: braindecode's default ``patch_stride`` (used when its config.json does not say).
BRAINDECODE_PATCH_STRIDE = 32

#: Top-level state-dict groups of a pretraining checkpoint that inference does not use.
PRETRAINING_GROUPS = ("encoder", "predictor", "reconstructor")

#: Electrodes of the original linear-probe scripts (and braindecode's ``EEGPT_19_CHANNELS``): the
#: encoder channels behind a channel projection.
PROBE_19_CHANNELS = (
    "FP1", "FP2", "F7", "F3", "FZ", "F4", "F8", "T7", "C3", "CZ",
    "C4", "T8", "P7", "P3", "PZ", "P4", "P8", "O1", "O2",
)  # fmt: skip

_ENCODER_TOP_LEVEL = {"patch_embed", "chan_embed", "summary_token", "blocks", "norm"}
_PARAMETRIZED = ".parametrizations.weight.original"
#: The original linear-probe scripts' module names (``downstream/linear_probe_EEGPT_*.py``,
#: e.g. BCI-IV-2a's ``LitEEGPTCausal``) -> ours (braindecode's): the 1x1 channel projection and
#: the two probe layers. The TUAB/TUEV fine-tuning model (``downstream_tueg/``) names another
#: head so (``chan_conv.0`` ... ``chan_conv.4``, ``head.1``): it has no place here.
_ORIGINAL_HEADS = {
    "chan_conv.": "chan_proj.proj.",
    "linear_probe1.": "final_layer.probe1.",
    "linear_probe2.": "final_layer.probe2.",
}
_HEADS_BY_WIDTH = {64: 4, 128: 4, 256: 4, 512: 8}
#: How ``num_heads`` is assumed for a width that is not in :data:`_HEADS_BY_WIDTH`.
_HEADS_RULE = "embed_dim // 64, at least 1, lowered to a divisor of the width: a rule of thumb"
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


#: What a file of braindecode's layout without any config may be, and what to do about it
#: (said by :func:`_warn_unrecorded` and :func:`describe` for such a file, not converted).
_LONE_LAYOUT = (
    "The file carries no config (no {config} beside it, none in its header); it may be "
    "eegpt's own {weights} (save_checkpoint, eegpt convert) separated from its {config}: if "
    "so, put the two back in one folder and pass the folder (--weights FOLDER). "
)


def _lone_layout(ckpt: Checkpoint) -> bool:
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
        and (path.suffix == ".safetensors" or _looks_like_safetensors(path))
        and "patch_stride" in assumed
        and _stride_basis_code(ckpt.metadata, False) == "braindecode_default"
    )


def _how_to_set(values: Mapping[str, Any]) -> str:
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
        ``"stored_dtype"`` (e.g. ``"float16"``) where the file stores its weights in another
        dtype than float32 (:attr:`state_dict` keeps them so; the model built from them holds
        float32, which :func:`load_model` records in ``checkpoint_info["stored_dtype"]``);
        ``"assumed"``, the architecture values the file did not record (``num_heads``,
        ``patch_stride``), with ``"assumed_basis"`` saying why ``patch_stride`` was assumed to
        be its value (``{"patch_stride": "braindecode_default"}`` for a braindecode state dict,
        ``"patch_size"`` otherwise), both kept through :func:`save_checkpoint`.
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
        :func:`save_checkpoint` to a folder that records them.

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
# Safe unpickling
# --------------------------------------------------------------------------------------------


class _Inert:
    """Stand-in for a pickled global that was not imported; accepts and records everything."""

    _pickle_global = "?"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.state: Any = None
        self.items: dict[Any, Any] = {}
        self.list_items: list[Any] = []

    def __setstate__(self, state: Any) -> None:
        self.state = state

    def __setitem__(self, key: Any, value: Any) -> None:
        self.items[key] = value

    def append(self, value: Any) -> None:
        self.list_items.append(value)

    def extend(self, values: Any) -> None:
        self.list_items.extend(values)

    def __call__(self, *args: Any, **kwargs: Any) -> _Inert:
        return self

    def __repr__(self) -> str:
        return f"<not unpickled: {self._pickle_global}>"


#: Largest weight magnitude accepted; trained EEGPT weights are of order 1, so anything beyond
#: this comes from a corrupt file (a flipped exponent bit) and would overflow the activations.
MAX_WEIGHT = 1e4

#: Largest ``bytearray(n)`` a pickle may ask for (a bigger one is a memory bomb, not metadata).
MAX_PICKLE_BYTEARRAY = 2**20


def _bytearray(*args: Any) -> bytearray:
    """``bytearray`` for the restricted unpickler, refusing huge zero-filled allocations."""
    if args and isinstance(args[0], int) and args[0] > MAX_PICKLE_BYTEARRAY:
        raise pickle.UnpicklingError(
            f"refusing bytearray({args[0]}) while unpickling: larger than "
            f"{MAX_PICKLE_BYTEARRAY} bytes"
        )
    return bytearray(*args)


_TORCH_REBUILDERS = (
    "_rebuild_tensor",
    "_rebuild_tensor_v2",
    "_rebuild_tensor_v3",
    "_rebuild_parameter",
    "_rebuild_parameter_with_state",
    "_rebuild_meta_tensor_no_storage",
    "_rebuild_device_tensor_from_cpu_tensor",
    "_rebuild_wrapper_subclass",
    "_rebuild_qtensor",
    "_rebuild_sparse_tensor",
    "_rebuild_nested_tensor",
)


def _allowed_globals() -> dict[str, Any]:
    """Globals that rebuild tensors and plain containers, nothing else."""
    allowed: dict[str, Any] = {
        "collections.OrderedDict": OrderedDict,
        "collections.Counter": Counter,
        "torch._tensor._rebuild_from_type_v2": torch._tensor._rebuild_from_type_v2,
        "torch.nn.parameter.Parameter": torch.nn.Parameter,
        "torch.Tensor": torch.Tensor,
        "torch.Size": torch.Size,
        "torch.device": torch.device,
        "builtins.set": set,
        "builtins.frozenset": frozenset,
        "builtins.complex": complex,
        "builtins.slice": slice,
        "builtins.bytearray": _bytearray,
        "_codecs.encode": __import__("codecs").encode,
    }
    for name in _TORCH_REBUILDERS:  # what torch's weights_only loader allows, where it exists
        if hasattr(torch._utils, name):
            allowed[f"torch._utils.{name}"] = getattr(torch._utils, name)
    for name, value in vars(torch).items():
        if isinstance(value, (torch.dtype, torch.layout)):
            allowed[f"torch.{name}"] = value
    return allowed


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that never imports: allow-listed globals or an inert placeholder class.

    ``seen`` (a class attribute, set per load) collects the names that were replaced.
    """

    allowed = _allowed_globals()
    placeholders: dict[str, type[_Inert]] = {}
    seen: set[str] = set()

    def find_class(self, module: str, name: str) -> Any:
        # Python 2 names (torch.save writes protocol 2), as pickle's own find_class maps them
        module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        full = f"{module}.{name}"
        if full in self.allowed:
            return self.allowed[full]
        self.seen.add(full)
        cls = self.placeholders.get(full)
        if cls is None:
            cls = type(f"Inert[{full}]", (_Inert,), {"_pickle_global": full})
            self.placeholders[full] = cls
        return cls


def _restricted_pickle_module(seen: set[str]) -> types.ModuleType:
    """A pickle "module" for ``torch.load`` whose only unpickler is the restricted one.

    torch subclasses ``module.Unpickler`` for its storage plumbing, so every global still goes
    through :meth:`_RestrictedUnpickler.find_class`.
    """
    unpickler = type("Unpickler", (_RestrictedUnpickler,), {"seen": seen})
    module = types.ModuleType("eegpt_restricted_pickle")
    module.Unpickler = unpickler  # type: ignore[attr-defined]
    module.load = lambda file, **kw: unpickler(file, **kw).load()  # type: ignore[attr-defined]
    return module


def _refuse_torchscript(path: Path) -> None:
    """Refuse a TorchScript archive (``torch.jit.save``) before ``torch.load`` sees it.

    ``torch.load`` hands such an archive to ``torch.jit.load`` instead of unpickling it with the
    ``pickle_module`` given, and TorchScript runs the archive's own code while loading (its
    ``__setstate__`` methods can, e.g., map and overwrite any file the user can write). The
    archive is recognised as torch recognises it: a zip file (``PK\\x03\\x04`` at its start)
    whose records, as torch's own reader lists them, hold ``constants.pkl`` (or TorchScript
    ``code/``).
    """
    with open(path, "rb") as f:
        if f.read(4) != b"PK\x03\x04":
            return
    try:
        records = torch._C.PyTorchFileReader(str(path)).get_all_records()
    except Exception:  # noqa: BLE001 - not an archive torch can read: torch.load fails alike
        return
    if "constants.pkl" in records or any(r.startswith("code/") for r in records):
        raise CheckpointError(
            f"{path} is a TorchScript archive (saved with torch.jit.save), not a checkpoint: "
            "loading one runs code stored in the file, so eegpt refuses it. Use the weights as "
            "a state dict (a .safetensors, .pt or .ckpt file of tensors); from a TorchScript "
            "model you trust: `torch.save(torch.jit.load(PATH).state_dict(), 'weights.pt')`"
        )


def _torch_load(path: Path) -> tuple[Any, list[str]]:
    """Load a pickled torch file without executing code; returns ``(object, placeholders)``.

    Safe despite ``weights_only=False``: unpickling goes through :class:`_RestrictedUnpickler`,
    which never imports or calls anything outside its tensor/container allow-list. It is used
    instead of torch's own ``weights_only`` loader because that one allows ``bytearray(n)``, so
    a 100-byte pickle can make it allocate gigabytes.
    """
    _refuse_torchscript(path)
    seen: set[str] = set()
    obj = torch.load(
        path,
        map_location="cpu",
        weights_only=False,
        pickle_module=_restricted_pickle_module(seen),
    )
    return obj, sorted(seen)


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _looks_like_safetensors(path: Path) -> bool:
    with open(path, "rb") as f:
        head = f.read(9)
    if len(head) < 9:
        return False
    return head[8:9] == b"{" and int.from_bytes(head[:8], "little") < path.stat().st_size


def _header_config(path: Path) -> dict[str, Any] | None:
    """The ``config.json`` content :func:`save_checkpoint` keeps in a safetensors file's header
    metadata (:data:`HEADER_CONFIG_KEY`, with its ``"eegpt"`` section); None for a file without
    it (written by braindecode, other software or eegpt before it kept it) or not safetensors."""
    if not path.is_file() or not (path.suffix == ".safetensors" or _looks_like_safetensors(path)):
        return None
    try:
        with safe_open(str(path), framework="pt") as f:
            text = (f.metadata() or {}).get(HEADER_CONFIG_KEY)
        cfg = json.loads(text) if text else None
    except (SafetensorError, OSError, ValueError):
        return None  # unreadable: reading the weights says why
    if not isinstance(cfg, dict) or not isinstance(cfg.get("eegpt"), dict):
        return None
    return cfg


#: How the files a checkpoint can be start: a zip archive (``torch.save``, Lightning), a
#: pickle of protocol 2 or later (``torch.save``'s legacy format), the legacy format pickled at
#: protocol 0 (its magic number, as text). A safetensors file is told by
#: :func:`_looks_like_safetensors`.
_CHECKPOINT_STARTS = (b"PK\x03\x04", b"PK\x05\x06", b"\x80", b"L119547037146038801333356")


#: Largest header length read as that of a safetensors file cut short (safetensors itself
#: refuses headers over 100 MB)
_MAX_HEADER_BYTES = 100_000_000


def _plainly_not_weights(path: Path) -> str | None:
    """What ``path`` holds, in words, where its start shows it is no checkpoint at all (text,
    a web page, binary data that no checkpoint format starts with), e.g. ``"text, starting
    'hello'"``; None where it may be one (an empty or cut-short file too: a broken download)."""
    try:
        with open(path, "rb") as f:
            head = f.read(512)
    except OSError:
        return None
    if not head or head.startswith(_CHECKPOINT_STARTS) or _looks_like_safetensors(path):
        return None
    if head[8:10] in (b'{"', b"{}") and int.from_bytes(head[:8], "little") < _MAX_HEADER_BYTES:
        return None  # a safetensors file cut inside its header (a broken download)
    from eegpt.hub import _looks_like_html

    if _looks_like_html(head):
        return (
            "a web page (HTML), as a download link that answered with a page leaves: download "
            "the weights again from the file's own address (on Hugging Face, .../resolve/main/"
            "FILE)"
        )
    text = head.decode("utf-8", errors="replace")
    if "\ufffd" not in text[:-3] and all(c.isprintable() or c in "\t\r\n" for c in text[:-3]):
        start = text.strip()[:60]
        return f"text, starting {start!r}" if start else "only blank text"
    return (
        f"binary data starting with the bytes {head[:8].hex(' ')}, as no checkpoint starts "
        "(a zip archive, a pickle, or safetensors' header length and header)"
    )


def _not_weights_error(path: Path, what: str) -> CheckpointError:
    """The error for a file that is plainly no checkpoint (``what`` it holds:
    :func:`_plainly_not_weights`)."""
    return CheckpointError(
        f"{path} is not a checkpoint file: it holds {what}. EEGPT weights are a .ckpt, .pt or "
        ".safetensors file, a folder with config.json and model.safetensors, or a pretrained "
        "name (`eegpt fetch --list`); check the path given as the weights"
    )


def _read_weights(path: Path) -> tuple[Any, list[str]]:
    """Read a safetensors or pickled torch file; ``(object, pickle placeholders)``."""
    from eegpt.hub import HF_REPO_URL

    corrupt = (
        f"cannot read {path}: the file is truncated, corrupt, unsafe to unpickle or not an EEGPT "
        "weights file. Download it again from a trusted source: `eegpt fetch --force` for a "
        f"pretrained name, or by hand from {HF_REPO_URL} or the EEGPT authors' release."
    )
    if path.suffix == ".safetensors" or _looks_like_safetensors(path):
        try:
            return _load_safetensors(path, device="cpu"), []
        except (SafetensorError, OSError, ValueError) as e:
            if (what := _plainly_not_weights(path)) is not None:
                raise _not_weights_error(path, what) from e
            raise CheckpointError(f"{corrupt} ({e})") from e
    try:
        return _torch_load(path)
    except CheckpointError:
        raise
    except Exception as e:  # torch raises RuntimeError, EOFError, UnpicklingError, ...
        from eegpt.formats import EEG_SUFFIXES

        kind = path.suffix.lower()
        if kind in EEG_SUFFIXES or kind in (".npz", ".parquet"):
            what = "an EEG recording" if kind in EEG_SUFFIXES else "a data file (arrays or tables)"
            raise CheckpointError(
                f"{path} looks like {what} ({kind}), not model weights: weights are a .ckpt, "
                ".pt or .safetensors file, a folder with config.json and model.safetensors, or "
                "a pretrained name (`eegpt fetch`)"
                + (f"; to see a recording's channels run `eegpt channels {path}`"
                   if kind in EEG_SUFFIXES else "")
            ) from e  # fmt: skip
        if (what := _plainly_not_weights(path)) is not None:
            raise _not_weights_error(path, what) from e
        raise CheckpointError(f"{corrupt} ({type(e).__name__}: {e})") from e


def _read_json(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise CheckpointError(f"cannot read {path}: {e}") from e
    if not isinstance(data, dict):
        raise CheckpointError(f"{path} must hold a JSON object, got {type(data).__name__}")
    return data


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


def _pickled_object_error(what: str) -> CheckpointError:
    """The error for a pickled object where weights were expected (``what``: where, which)."""
    return CheckpointError(
        f"{what}, not weights; eegpt does not unpickle objects (that would run code from the "
        "file). If it is a model, save its weights instead: torch.save(model.state_dict(), "
        "path), or for a braindecode model model.save_pretrained(folder)"
    )


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


def _split_state(raw: Mapping[Any, Any], *, ignore_unknown: bool = False) -> _Split:
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
        if isinstance(value, _Inert):
            raise _pickled_object_error(f"{key!r} holds a pickled {value._pickle_global} object")
        if not isinstance(value, torch.Tensor):
            raise CheckpointError(
                f"weight {key!r} is a {type(value).__name__}, not a tensor: the file is not an "
                "EEGPT state dict"
            )
        state[key.replace(_PARAMETRIZED, ".weight")] = value
    if unknown_groups:
        _warn(
            f"ignoring weights of modules other than the encoder: {sorted(unknown_groups)}",
            UserWarning,
        )
    return _Split(state, ignored, chans_id)


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
        ratio = float(hints.get("mlp_ratio", hidden / dim))
        if int(dim * ratio) != hidden:
            ratio = hidden / dim
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
        num_heads = _HEADS_BY_WIDTH.get(dim)
        if num_heads is None:
            num_heads = max(1, dim // 64)
            while dim % num_heads:
                num_heads -= 1
            _warn(
                f"the weights do not say how many attention heads the encoder has and no "
                f"EEGPT paper model has width {dim}; assuming num_heads={num_heads} "
                f"({_HEADS_RULE}). {_WRONG_HEADS} If it is wrong, give the right value: "
                f"{_how_to_set({'num_heads': 'N'})}; infer_config itself takes "
                "hints={'num_heads': N}.",
                UserWarning,
            )
    return EEGPTConfig(
        **found,
        num_heads=int(num_heads),
        patch_stride=hints.get("patch_stride"),
        layer_norm_eps=float(hints.get("layer_norm_eps", 1e-6)),
    )


def _heads(
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


# --------------------------------------------------------------------------------------------
# Loaders per format
# --------------------------------------------------------------------------------------------


#: Architecture values the weights do not determine (from a config file, the Lightning
#: hyper-parameters, the caller, or assumed).
_UNRECORDED = ("num_heads", "patch_stride")


def _overrides(**values: int | None) -> dict[str, int]:
    out = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{key} must be a positive whole number, got {value!r}")
        out[key] = value
    return out


def _ids(t: torch.Tensor | None) -> tuple[int, ...] | None:
    if t is None:
        return None
    return tuple(int(i) for i in t.reshape(-1).tolist())


def _is_plain_value(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


#: Names under which training code records the two values (lower case).
_HINT_NAMES = {
    "num_heads": ("num_heads", "n_heads", "heads", "nhead", "encoder_num_heads"),
    "patch_stride": ("patch_stride", "encoder_patch_stride"),
}


def _lightning_hints(
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
        if isinstance(node, _Inert):  # an argparse.Namespace: its fields are its state
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


def _unrecorded_config(
    state: Mapping[str, torch.Tensor], hints: Mapping[str, Any], braindecode: bool = False
) -> tuple[EEGPTConfig, list[str], list[str]]:
    """:func:`infer_config` for a file that may not record ``num_heads`` / ``patch_stride``;
    those of them that were assumed (not in ``hints``, not fixed by a probe head), and those
    inferred from a probe head. ``braindecode``: a braindecode state dict, whose stride is
    assumed to be braindecode's default (:func:`_stride_from_head`)."""
    config = infer_config(state, hints)
    assumed = [key for key in _UNRECORDED if hints.get(key) is None]
    inferred = []
    if "patch_stride" in assumed:
        config, decided = _stride_from_head(state, config, braindecode)
        if decided:
            assumed.remove("patch_stride")
            inferred.append("patch_stride")
    return config, assumed, inferred


def _assumed_basis(assumed: list[str], braindecode: bool) -> dict[str, str]:
    """``metadata["assumed_basis"]`` of a file whose ``assumed`` values were just assumed:
    for an assumed ``patch_stride``, the code of :data:`_STRIDE_BASES` saying why
    (``braindecode``: the file is a braindecode state dict); {} otherwise."""
    if "patch_stride" not in assumed:
        return {}
    return {"patch_stride": "braindecode_default" if braindecode else "patch_size"}


def _stride_basis_code(meta: Mapping[str, Any], converted: bool) -> str | None:
    """The :data:`_STRIDE_BASES` code of why an assumed ``patch_stride`` has its value, from a
    checkpoint's ``metadata``; None for a folder (``converted``: one :func:`save_checkpoint`
    wrote, whose source made the assumption) converted before the reason was recorded."""
    code = (meta.get("assumed_basis") or {}).get("patch_stride")
    if code is None and meta.get("braindecode_state_dict"):
        code = "braindecode_default"
    if code not in _STRIDE_BASES:
        return None if converted else "patch_size"
    return str(code)


def _stride_basis(meta: Mapping[str, Any], converted: bool) -> str:
    """Why an assumed ``patch_stride`` has its value, in words (:func:`_stride_basis_code`)."""
    code = _stride_basis_code(meta, converted)
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


def _check_lightning_depth(
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


def _from_lightning(
    path: Path, obj: dict[str, Any], placeholders: list[str], hints: Mapping[str, Any]
) -> Checkpoint:
    split = _split_state(obj["state_dict"], ignore_unknown=True)
    if not split.state:
        raise CheckpointError(
            f"{path} is a Lightning checkpoint without `target_encoder.*` weights; it is not an "
            "EEGPT pretraining checkpoint"
        )
    _check_lightning_depth(obj, split.state, split.ignored)
    recorded, conflicts, unread = _lightning_hints(obj)
    config, assumed, inferred = _unrecorded_config(split.state, {**recorded, **hints})
    chan_proj, n_outputs, n_times, linear = _heads(split.state, config, None, False)
    metadata = {k: v for k, v in obj.items() if isinstance(k, str) and _is_plain_value(v)}
    metadata["top_level_keys"] = sorted(str(k) for k in obj)
    metadata["pickle_placeholders"] = placeholders
    metadata["assumed"] = assumed
    if basis := _assumed_basis(assumed, False):
        metadata["assumed_basis"] = basis
    metadata["inferred"] = inferred
    metadata["conflicting"] = {k: sorted(v) for k, v in conflicts.items() if k not in hints}
    metadata["unread_hyper_parameters"] = unread
    return Checkpoint(
        config=config,
        state_dict=split.state,
        format="lightning",
        path=path,
        sha256=_sha256(path),
        **_encoder_channels(chan_proj, split.chans_id, metadata),
        n_outputs=n_outputs,
        n_times=n_times,
        chan_proj=chan_proj,
        chan_proj_max_norm=math.inf if linear else 1.0,
        ignored_keys=split.ignored,
        metadata=metadata,
    )


def _encoder_channels(
    chan_proj: tuple[int, int] | None, chans_id: torch.Tensor | None, metadata: dict[str, Any]
) -> dict[str, Any]:
    """``ch_names`` / ``chan_ids`` of a Lightning file or bare state dict: its ``chans_id``
    where it has one; behind a channel projection of 19 outputs without one (the original
    downstream scripts never save them), the scripts' 19 electrodes, as braindecode assumes
    too, marked as assumed in ``metadata`` (which :func:`_warn_unrecorded` warns of at load)."""
    if chan_proj is None or chans_id is not None or chan_proj[1] != len(PROBE_19_CHANNELS):
        return {"ch_names": None, "chan_ids": _ids(chans_id)}
    from eegpt.vocabulary import CHANNEL_INDEX

    metadata["assumed_channels"] = True
    return {
        "ch_names": PROBE_19_CHANNELS,
        "chan_ids": tuple(CHANNEL_INDEX[name] for name in PROBE_19_CHANNELS),
    }


def _assumed_marks(record: Mapping[str, Any]) -> dict[str, Any]:
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


def _from_state_dict(
    path: Path, raw: Mapping[Any, Any], placeholders: list[str], hints: Mapping[str, Any]
) -> Checkpoint:
    split = _split_state(raw)
    # braindecode always saves its chans_id buffer (the original scripts never do)
    braindecode = split.chans_id is not None
    config, assumed, inferred = _unrecorded_config(split.state, hints, braindecode)
    chan_proj, n_outputs, n_times, linear = _heads(split.state, config, None, False)
    metadata: dict[str, Any] = {"assumed": assumed, "inferred": inferred}
    if basis := _assumed_basis(assumed, braindecode):
        metadata["assumed_basis"] = basis
    if braindecode:
        metadata["braindecode_state_dict"] = True
    if placeholders:
        metadata["pickle_placeholders"] = placeholders
    return Checkpoint(
        config=config,
        state_dict=split.state,
        format="state_dict",
        path=path,
        sha256=_sha256(path),
        **_encoder_channels(chan_proj, split.chans_id, metadata),
        n_outputs=n_outputs,
        n_times=n_times,
        chan_proj=chan_proj,
        chan_proj_max_norm=math.inf if linear else 1.0,
        ignored_keys=split.ignored,
        metadata=metadata,
    )


def _from_hub_folder(
    folder: Path,
    config_path: Path,
    weights: Path,
    overrides: Mapping[str, Any],
    header: dict[str, Any] | None = None,
) -> Checkpoint:
    """A folder's checkpoint: ``config.json`` (``config_path``) with its weights file; or, with
    ``header`` (:func:`_header_config` of a weights file alone, ``folder`` then the file), that
    config in place of ``config.json``."""
    cfg = _read_json(config_path) if header is None else header
    said = f"the header of {weights}" if header is not None else str(config_path)
    raw, placeholders = _read_weights(weights)
    if not isinstance(raw, Mapping):
        raise CheckpointError(f"{weights} does not hold a state dict")
    split = _split_state(raw)
    ours = cfg.get("eegpt") if isinstance(cfg.get("eegpt"), dict) else None
    hints = dict(cfg)
    if ours is not None:
        hints.update(ours.get("config", {}))
    else:
        hints.setdefault("patch_stride", BRAINDECODE_PATCH_STRIDE)
    hints.update(overrides)
    config = infer_config(split.state, hints)
    linear_type = cfg.get("chan_proj_type") == "linear"
    chan_proj, n_outputs, n_times, linear = _heads(
        split.state, config, cfg.get("n_times"), linear_type
    )
    if n_outputs is not None and cfg.get("n_outputs") not in (None, n_outputs):
        raise CheckpointError(
            f"{said} says n_outputs={cfg['n_outputs']} but the head in {weights.name} "
            f"has {n_outputs} outputs"
        )
    chs_info = cfg.get("chs_info") or None
    names = tuple(ch["ch_name"] for ch in chs_info) if chs_info else None
    chan_ids = _ids(split.chans_id)
    if chan_ids is None and names is None and chan_proj is None and cfg.get("n_chans"):
        chan_ids = tuple(range(int(cfg["n_chans"])))  # braindecode's default channel ids
    ckpt = Checkpoint(
        config=config,
        state_dict=split.state,
        format="braindecode",
        path=folder,
        sha256=_sha256(weights),
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


def _apply_eegpt_section(
    ckpt: Checkpoint, section: dict[str, Any], given: Mapping[str, Any]
) -> None:
    """Our folder's ``eegpt`` section onto ``ckpt``: channels, window, source, notes and the
    marks of values its source did not record (:func:`_assumed_marks`), but for those
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
    marks = _assumed_marks(section)
    assumed = [key for key in marks.get("assumed", []) if given.get(key) is None]
    ckpt.metadata.update(_assumed_marks({**marks, "assumed": assumed}), assumed=assumed)


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
    patch_stride: int | None = None,
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
        determine, when the file does not record them (a bare state dict; a Lightning
        checkpoint whose hyper-parameters do not say): by default the paper's values for the
        width (``metadata["assumed"]`` lists what was assumed, with a warning unless the file
        is the released model's shape). Given values override the file's.
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
    try:
        ckpt = _load(path, _overrides(num_heads=num_heads, patch_stride=patch_stride))
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
    stored = _dtype_note(ckpt.metadata.get("stored_dtype"))
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
        if _header_config(path / SAFETENSORS_FILE) is not None:
            path = path / SAFETENSORS_FILE  # our folder that lost its config.json
    located = _locate(path)
    if located is not None:
        ckpt = _from_hub_folder(*located, hints)
        _warn_header_disagrees(ckpt, located[1], located[2], hints)
    elif (header := _header_config(path)) is not None:
        ckpt = _from_hub_folder(path, path, path, hints, header=header)
    else:
        obj, placeholders = _read_weights(path)
        if isinstance(obj, Mapping) and isinstance(obj.get("state_dict"), Mapping):
            ckpt = _from_lightning(path, dict(obj), placeholders, hints)
        elif isinstance(obj, Mapping):
            ckpt = _from_state_dict(path, obj, placeholders, hints)
        elif isinstance(obj, _Inert):
            raise _pickled_object_error(
                f"{path} holds a whole pickled {obj._pickle_global} object (torch.save of a model)"
            )
        else:
            raise CheckpointError(
                f"{path} holds a {type(obj).__name__}, not a state dict or Lightning checkpoint"
            )
    _check_channels(ckpt)
    stored = _stored_dtype(ckpt.state_dict)
    if stored is not None and stored != "float32":
        ckpt.metadata["stored_dtype"] = stored
    _warn_unrecorded(ckpt)
    _warn_names_disagree(ckpt)
    return ckpt


def _header_disagreement(
    ckpt: Checkpoint, header: Mapping[str, Any], given: Mapping[str, Any]
) -> list[str]:
    """What a folder's checkpoint ``ckpt`` (read from its ``config.json``) says otherwise than
    the copy of the config kept in its weights file's ``header`` (:func:`_header_config`):
    ``"num_heads: 4 in config.json, 8 in the header"`` for each architecture value (but those
    ``given`` when loading) and each of the channel names / ids."""
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


def _warn_header_disagrees(
    ckpt: Checkpoint, config_path: Path, weights: Path, given: Mapping[str, Any]
) -> None:
    """Warn when a folder's ``config.json`` disagrees with the copy of the config that
    :func:`save_checkpoint` kept in the weights file's header: ``config.json`` is used (it is
    the file braindecode reads, and the one a person edits), but one of the two files may
    have been put beside the other from elsewhere."""
    header = _header_config(weights)
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


def _stored_dtype(state: Mapping[str, Any]) -> str | None:
    """The dtype of the floating-point weights in ``state`` as stored (``"float16"``; several
    joined with ``+``, e.g. ``"bfloat16+float32"``), None without any."""
    kinds = {
        str(v.dtype).removeprefix("torch.")
        for v in state.values()
        if isinstance(v, torch.Tensor) and v.is_floating_point()
    }
    return "+".join(sorted(kinds)) or None


def _dtype_note(stored: str | None) -> str:
    """What happens to weights stored as ``stored`` (not float32), for the load line and
    ``eegpt info``; empty for float32."""
    if not stored:
        return ""
    return f"stored as {stored}, upcast to float32 when loaded, as the model computes in float32"


def _names_disagreeing(ckpt: Checkpoint) -> list[tuple[str, int, int]]:
    """``(name, stored id, id of the name)`` for each encoder channel whose recorded name maps
    (:func:`eegpt.channels.normalize_channel_name`) to another vocabulary row than its stored
    id; names eegpt does not know are left out."""
    names, ids = ckpt.ch_names, ckpt.chan_ids
    if names is None or ids is None or len(names) != len(ids) or ckpt.chan_proj is not None:
        return []
    found = []
    for name, stored in zip(names, ids, strict=True):
        key = normalize_channel_name(name)
        if key is not None and CHANNEL_INDEX[key] != stored:
            found.append((name, stored, CHANNEL_INDEX[key]))
    return found


def _warn_names_disagree(ckpt: Checkpoint) -> None:
    """Warn when the stored channel ids (braindecode's ``chans_id``, used by ``model(x)``) are
    not those of the recorded channel names (used by ``model.embed(..., ch_names=...)``):
    braindecode falls back to positional ids for names it cannot map (old ``T3``/``T5``)."""
    found = _names_disagreeing(ckpt)
    if not found:
        return
    pairs = ", ".join(
        f"{name}: stored {stored} ({VOCABULARY[stored]}), by name {mine} ({VOCABULARY[mine]})"
        for name, stored, mine in found
    )
    _warn(
        f"{ckpt.path}: the stored channel ids (chans_id) disagree with the recorded channel "
        f"names for {len(found)} channel(s): {pairs}. model(x) and model.encode(x) without "
        "chan_ids use the stored ids (as braindecode's model does, which falls back to "
        "positional ids for names it cannot map, e.g. old T3/T5); model.embed(..., "
        "ch_names=...) maps the names, so the two give different embeddings. Choose one: pass "
        "chan_ids explicitly (eegpt.channels.map_channels(names).chan_ids for the names' ids, "
        "model.chan_ids for the stored ones).",
        RuntimeWarning,
    )


#: The authors' released pretraining file (``eegpt_mcae_58chs_4s_large4E.ckpt``, no SHA-256 of
#: it is recorded): a Lightning checkpoint whose target encoder has the "large" preset's shape
#: in everything the weights determine, beside the pretraining groups of their training code.
#: Its ``num_heads`` (8) and ``patch_stride`` (None: the patch size, 64) are that preset's.
RELEASED_CONFIG = PRESETS["large"]
RELEASED_GROUPS = frozenset(PRETRAINING_GROUPS)
#: The :class:`EEGPTConfig` fields the weights determine (see :func:`infer_config`).
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


def _warn_unrecorded(ckpt: Checkpoint) -> None:
    """Warn when the architecture values the file does not record were assumed (but for the
    authors' released file, :func:`_released_shape`, whose hyper-parameters say nothing
    unreadable or conflicting about them), when the stride was inferred from a probe head,
    and when the encoder channels behind a channel projection were assumed
    (:func:`_encoder_channels`)."""
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
                if dim in _HEADS_BY_WIDTH
                else f"num_heads: no EEGPT paper model has width {dim}, so {_HEADS_RULE}"
            )
        if "patch_stride" in assumed:
            basis.append(f"patch_stride: {_stride_basis(meta, ckpt.format == 'eegpt')}")
        to_set: dict[str, Any] = {key: values[key] for key in assumed}
        lone = _lone_layout(ckpt)
        if lone:  # which of the two strides is not known: name both, not the guess alone
            to_set["patch_stride"] = "S"
        _warn(
            f"{ckpt.path}: the file does not record {' or '.join(assumed)} unambiguously"
            f"{clash}; assuming {said} ({'; '.join(basis)}; braindecode's defaults are "
            "num_heads=8, patch_stride=32). Wrong values give wrong embeddings without an "
            "error (a wrong head count changes the outputs by a few percent). "
            + (_LONE_LAYOUT.format(config=CONFIG_FILE, weights=SAFETENSORS_FILE) if lone else "")
            + "If the model was built otherwise, load it with the values set right: "
            f"{_how_to_set(to_set)}"
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


def _check_channels(ckpt: Checkpoint) -> None:
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
# Identity of the weights
# --------------------------------------------------------------------------------------------


def encoder_of(model: EEGPT | EEGPTEncoder) -> EEGPTEncoder:
    """The encoder of ``model`` (an :class:`EEGPT` or its :class:`EEGPTEncoder`): the check
    that every function taking a model makes first.

    Raises
    ------
    TypeError
        Anything else; a path, a name or None is told to be loaded first with
        :func:`load_model`."""
    if isinstance(model, EEGPT):
        return model.target_encoder
    if isinstance(model, EEGPTEncoder):
        return model
    if model is None or isinstance(model, (str, os.PathLike)):
        given = "None" if model is None else f"{type(model).__name__} {str(model)!r}"
        load = (
            "eegpt.load_model('eegpt-large')"
            if model is None
            else f"eegpt.load_model({str(model)!r})"
        )
        raise TypeError(
            f"expected a loaded EEGPT model (or its encoder), got {given}: load the weights "
            f"first, model = {load}, and pass the model"
        )
    raise TypeError(f"expected an EEGPT model or encoder, got {type(model).__name__}")


def _hash_tensors(h: Any, state: Mapping[str, torch.Tensor]) -> None:
    for name in sorted(state):
        t = state[name].detach().to("cpu").contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        if t.numel():
            h.update(t.reshape(-1).view(torch.uint8).numpy())  # its bytes, hashed in place


def encoder_fingerprint(model: EEGPT | EEGPTEncoder) -> str:
    """SHA-256 of the encoder's architecture and weights (``target_encoder.*`` only).

    Independent of the file format the weights came from and of any probe head, so it
    identifies "the same encoder" across conversions; it changes when a weight changes.
    Hashes every weight (about 55 ms for the 25 M parameters of ``"large"`` on a CPU core).
    """
    encoder = encoder_of(model)
    h = hashlib.sha256(b"eegpt-encoder-v1|")
    h.update(json.dumps(encoder.config.to_dict(), sort_keys=True).encode())
    _hash_tensors(h, encoder.state_dict())
    return h.hexdigest()


@dataclass(frozen=True)
class _WeightsSeen:
    """The encoder's weights as seen at one moment: each parameter's identity, in-place change
    counter, dtype and device (:func:`eegpt._weights_watch.param_key`), the process's optimizer step
    count then, and the :func:`encoder_fingerprint` of the weights."""

    key: tuple
    optimizer_steps: int
    fingerprint: str

    @classmethod
    def now(cls, model: EEGPT, fingerprint: str) -> _WeightsSeen:
        steps = watch_optimizer_steps()  # before the key: no step between
        return cls(param_key(model.target_encoder), steps, fingerprint)

    def still(self, model: EEGPT) -> bool:
        """Whether nothing that can change a weight happened since: no parameter replaced,
        moved, cast or changed in place (``load_state_dict``, ``copy_``, a foreach optimizer),
        no optimizer holding one stepped (fused ones do not bump the counters). Writes
        through ``p.data`` are not seen. Costs well under a millisecond, no hashing."""
        encoder = model.target_encoder
        return param_key(encoder) == self.key and not model._stepped_by_optimizer(
            since=self.optimizer_steps, module=encoder
        )


def mark_loaded_weights(model: EEGPT, fingerprint: str | None = None) -> None:
    """Note the encoder weights ``model`` holds now as the ones its ``checkpoint_info`` names
    (a file :func:`load_model` read, the weights :func:`eegpt.finetune` made), so that
    :func:`modified_weights` can tell later whether the weights used are still those.
    ``fingerprint``: their :func:`encoder_fingerprint` when already known."""
    fingerprint = fingerprint or encoder_fingerprint(model)
    model._loaded_weights = _WeightsSeen.now(model, fingerprint)


def modified_weights(model: EEGPT) -> str | None:
    """The :func:`encoder_fingerprint` of ``model``'s encoder weights when they are no longer
    those of its checkpoint (:func:`mark_loaded_weights`: changed by ``load_state_dict``, an
    optimizer step, ``copy_``, a cast such as ``.half()``), None while they are the same or
    when none were noted (a model built in Python, never loaded).

    Cheap while nothing touched the weights (the change counters are compared, no hashing);
    after a possible change the weights are hashed once and compared, so moving the model
    (``model.to("cuda")``), casting it back or loading the same weights again counts as no
    change. The fingerprint of changed weights is kept until they change again.
    """
    loaded: _WeightsSeen | None = getattr(model, "_loaded_weights", None)
    if loaded is None or loaded.still(model):
        return None
    seen: _WeightsSeen | None = getattr(model, "_weights_seen", None)
    if seen is None or not seen.still(model):
        seen = _WeightsSeen.now(model, encoder_fingerprint(model))
        model._weights_seen = seen  # type: ignore[assignment]
    if seen.fingerprint == loaded.fingerprint:  # the same values, e.g. moved to another device
        model._loaded_weights = seen
        return None
    return seen.fingerprint


def weights_fingerprint(model: EEGPT | EEGPTEncoder) -> str:
    """The :func:`encoder_fingerprint` of the encoder weights ``model`` holds now, hashing them
    only where needed: a loaded model (:func:`mark_loaded_weights`) in eval mode whose weights
    are still those loaded (:func:`modified_weights`, no hashing) gives the fingerprint noted
    then. Hashed every time: an encoder alone, a model never loaded, one in training mode
    (whose ``p.data`` writes, e.g. an EMA teacher's, nothing sees). Writes through ``p.data``
    in eval mode are seen after :meth:`~eegpt.model.EEGPT.clear_fast_cache`, which they need
    anyway."""
    if isinstance(model, EEGPT) and not model.target_encoder.training:
        if getattr(model, "_loaded_weights", None) is not None:
            changed = modified_weights(model)
            return changed if changed is not None else model._loaded_weights.fingerprint
    return encoder_fingerprint(model)


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
    if not bool(torch.isfinite(value).all()):
        bad = int((~torch.isfinite(value)).sum())
        raise CheckpointError(
            f"weight {key!r} has {bad} non-finite value(s) (NaN/Inf); the checkpoint is corrupt "
            "or comes from a diverged training run"
        )
    largest = float(value.detach().abs().max()) if value.numel() else 0.0
    if largest > MAX_WEIGHT:
        raise CheckpointError(
            f"weight {key!r} has a value of magnitude {largest:.3g}, far beyond the {MAX_WEIGHT:g} "
            "any trained EEGPT weight reaches; the checkpoint is corrupt (flipped bits?)"
        )


def _probe_hidden(state: Mapping[str, torch.Tensor]) -> int:
    """The probe's hidden width (``final_layer.probe1`` outputs; 16 in the original EEGPT and
    braindecode probes, the default without a head)."""
    p1 = state.get("final_layer.probe1.weight")
    return int(p1.shape[0]) if p1 is not None and p1.ndim == 2 and p1.shape[0] else 16


def _new_model(ckpt: Checkpoint, fused: bool) -> EEGPT:
    return EEGPT(
        ckpt.config,
        chan_ids=ckpt.chan_ids,
        n_outputs=ckpt.n_outputs,
        n_times=ckpt.n_times,
        chan_proj=ckpt.chan_proj,
        chan_proj_max_norm=ckpt.chan_proj_max_norm,
        fused=fused,
        probe_hidden=_probe_hidden(ckpt.state_dict),
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
    _check_channels(checkpoint)
    try:
        model = _new_model(checkpoint, fused)
    except (TypeError, ValueError, RuntimeError) as e:
        if isinstance(e, CheckpointError):
            raise
        raise CheckpointError(
            f"cannot build an EEGPT model from this checkpoint ({type(e).__name__}: {e})"
        ) from e
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
    model.load_state_dict({k: state[k] for k in expected}, strict=True)
    return model.eval()


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
        **_assumed_marks(ckpt.metadata),
        # weights the file stores in another dtype than float32 (the model holds float32)
        **(
            {"stored_dtype": ckpt.metadata["stored_dtype"]}
            if ckpt.metadata.get("stored_dtype")
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
    patch_stride: int | None = None,
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
    num_heads, patch_stride : int, optional
        See :func:`load_checkpoint`.
    verbose : bool | str | int | None
        See :func:`load_checkpoint`; ``"error"`` also silences eegpt's warnings (as MNE's).

    Returns
    -------
    EEGPT
        With ``model.checkpoint_info``: path, format, sha256, config, channels, source.

    Raises
    ------
    DeviceUnavailableError
        ``device`` is not one PyTorch has here (e.g. ``"cuda"`` without a GPU).
    """
    from eegpt.engine import resolve_device  # (which imports this module's neighbours)

    device = resolve_device(device)  # as embed's: before any download
    # a download's progress bar shows unless verbose asks for quiet (False, 0, "warning", ...)
    progress = verbose is None or is_verbose(verbose)
    path = resolve_weights(path_or_name, progress=progress, verbose=verbose)
    ckpt = load_checkpoint(path, num_heads=num_heads, patch_stride=patch_stride, verbose=verbose)
    try:
        model = build_model(ckpt, fused=fused)
    except CheckpointError as e:
        if str(path) in str(e):
            raise
        raise CheckpointError(f"{path}: {e}") from e
    # hashed where they were read, before the move: on a GPU, hashing after it would copy
    # every weight back to the host (the fingerprint does not depend on the device)
    fingerprint = encoder_fingerprint(model)
    model = model.to(device)
    info = _provenance(ckpt)
    name = _pretrained_name_of(path_or_name, path)
    if name is not None:  # weights found by name on any machine: a probe records it
        info["pretrained_name"] = name
    model.checkpoint_info = info  # type: ignore[assignment]
    # for provenance to tell when they change (modified_weights); noted after the move
    mark_loaded_weights(model, fingerprint)
    return model


# --------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------


def checkpoint_from_model(model: EEGPT) -> Checkpoint:
    """Snapshot an in-memory :class:`~eegpt.model.EEGPT` as a :class:`Checkpoint`.

    Channel names and provenance come from ``model.checkpoint_info`` when the model was loaded
    with :func:`load_model`; a model whose weights are still its random initialisation
    (:attr:`~eegpt.model.EEGPT.has_random_weights`) is marked ``{"pretrained": False}`` in the
    notes, so that loading it says NOT pretrained.
    """
    info = getattr(model, "checkpoint_info", None) or {}
    notes = dict(info.get("notes") or {})
    if model.has_random_weights:  # built, never loaded or trained
        notes.setdefault("pretrained", False)
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
            **_assumed_marks(info),
        },
    )


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
                key = key.replace(".weight", _PARAMETRIZED)
        elif key.startswith("final_layer.") and key.endswith(".weight"):
            key = key[: -len(".weight")] + _PARAMETRIZED
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
    hidden = _probe_hidden(ckpt.state_dict)
    if ckpt.n_outputs is not None and hidden != 16:
        _warn(
            f"{ckpt.path or 'the model'}: the saved folder is for eegpt only: its probe head has "
            f"{hidden} hidden features per patch, and braindecode's EEGPT builds its probe with "
            "16 (from_pretrained would not load the head's weights)",
            RuntimeWarning,
        )
    proj_type = "conv1d_constraint" if ckpt.chan_proj is not None else "none"
    if linear:
        proj_type = "linear"
    config = {
        "n_outputs": ckpt.n_outputs,
        "n_chans": n_chans,
        "chs_info": chs_info,
        "n_times": ckpt.n_times or DEFAULT_N_TIMES,
        "input_window_seconds": None,
        "sfreq": None,
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
        **_assumed_marks(ckpt.metadata),
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
    :data:`HEADER_CONFIG_KEY`), so the weights file copied alone elsewhere loads as the same
    model, with its provenance (beside a ``config.json``, the ``config.json`` is used, with a
    warning where they disagree). The file's bytes, and so its SHA-256, therefore depend on
    the config and notes too, not on the weights alone (:func:`encoder_fingerprint` depends
    on the weights only). Each file is written to a temporary file in ``directory`` and renamed into place. To record
    channels or a window length the checkpoint lacks, save ``dataclasses.replace(checkpoint,
    chan_ids=..., ch_names=..., n_times=...)``.

    Parameters
    ----------
    model_or_checkpoint : EEGPT or Checkpoint
        Checkpoints are validated by building the model first.
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
        ckpt = model_or_checkpoint
        model = build_model(ckpt, fused=True)
        ckpt = dataclasses.replace(ckpt, state_dict=model.state_dict())
    else:
        ckpt = checkpoint_from_model(model_or_checkpoint)
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
    directory.mkdir(parents=True, exist_ok=True)
    # the config kept in the weights file too: a model.safetensors copied away from its
    # folder loads as the same model (see _header_config); config.json wins where both are
    header_text = json.dumps(config, separators=(",", ":"), allow_nan=False)
    weights = _dump_safetensors(tensors, {"format": "pt", HEADER_CONFIG_KEY: header_text})
    atomic_write(directory / SAFETENSORS_FILE, lambda fh: fh.write(weights))
    atomic_write(directory / CONFIG_FILE, lambda fh: fh.write(config_text.encode()))
    return directory


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


def describe(checkpoint: Checkpoint) -> str:
    """Human-readable summary of a checkpoint (what ``eegpt info`` prints)."""
    c, cfg = checkpoint, checkpoint.config
    encoder = sum(v.numel() for k, v in c.state_dict.items() if k.startswith("target_encoder."))
    stride = f"{cfg.stride}" + (" (= patch size)" if cfg.patch_stride is None else "")
    assumed = c.metadata.get("assumed") or []
    heads = f"{cfg.num_heads}" + (" (assumed)" if "num_heads" in assumed else "")
    if "patch_stride" in assumed:
        bd = _stride_basis_code(c.metadata, c.format == "eegpt") == "braindecode_default"
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
        f"  encoder:     embed_dim={cfg.embed_dim} depth={cfg.depth} num_heads={heads} "
        f"summary_tokens={cfg.embed_num} mlp_ratio={cfg.mlp_ratio:g} qkv_bias={cfg.qkv_bias}",
        f"  patches:     size={cfg.patch_size} stride={stride} "
        f"channel_vocabulary={cfg.n_chan_embeddings} layer_norm_eps={cfg.layer_norm_eps:g}",
        f"  parameters:  {c.n_parameters:,} (encoder {encoder:,})",
    ]
    if c.metadata.get("stored_dtype"):
        lines.append(
            f"  weights:     {_dtype_note(c.metadata['stored_dtype'])}; `eegpt convert` "
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
        where = "the file it was converted from" if c.format == "eegpt" else "the file"
        lines.append(
            f"  assumed:     {', '.join(c.metadata['assumed'])} (not recorded in {where}; "
            "set them with eegpt.load_model(path, num_heads=..., patch_stride=...) if wrong)"
        )
    if _lone_layout(c):
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
        how = (
            "fine-tuned from"
            if "fine_tuned" in (c.metadata.get("notes") or {})
            else "converted from"
        )
        lines.append(
            f"  {how}: {source.get('file')} ({source.get('format')}, sha256 {source.get('sha256')})"
        )
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
