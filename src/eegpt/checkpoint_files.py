"""Reading EEGPT weight files without running code stored in them.

A pickled file (a Lightning ``.ckpt``, a torch ``.pt``/``.pth``/``.bin``) is read by
:func:`read_weights` through ``torch.load``'s storage plumbing with :class:`_RestrictedUnpickler`,
which rebuilds tensors and plain containers only and turns every other global into an inert
placeholder (:class:`Inert`) without importing it; ``bytearray(n)`` is capped
(:data:`MAX_PICKLE_BYTEARRAY`) and a TorchScript archive is refused before ``torch.load`` sees
it. A safetensors file is told by its start (:func:`looks_like_safetensors`), and the copy of
``config.json`` that :func:`eegpt.checkpoints.save_checkpoint` keeps in its header is read by
:func:`header_config`. A file that is plainly no checkpoint (text, a web page, a recording) is
said to be so. Beside them: the names of a checkpoint folder's files (:data:`CONFIG_FILE`,
:data:`SAFETENSORS_FILE`, :data:`PICKLE_FILE`), the SHA-256 of a weights file and
``config.json`` read as a JSON object (:func:`read_json`).
"""

from __future__ import annotations

import _compat_pickle
import hashlib
import json
import pickle
import types
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file as _load_safetensors

from eegpt._filenames import command_word
from eegpt.errors import CheckpointError

CONFIG_FILE = "config.json"
SAFETENSORS_FILE = "model.safetensors"
#: Suffixes of single weight files, which :func:`~eegpt.checkpoints.save_checkpoint` (a folder)
#: refuses as its path.
WEIGHT_FILE_SUFFIXES = (".safetensors", ".pt", ".pth", ".bin", ".ckpt")
PICKLE_FILE = "pytorch_model.bin"
#: Key of ``model.safetensors``'s header metadata under which
#: :func:`~eegpt.checkpoints.save_checkpoint` keeps a copy of the folder's ``config.json`` (JSON
#: text), so that the weights file alone, copied away from its folder, still loads as the same
#: model and keeps its provenance.
HEADER_CONFIG_KEY = "eegpt_config"


# --------------------------------------------------------------------------------------------
# Safe unpickling
# --------------------------------------------------------------------------------------------


class Inert:
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

    def __call__(self, *args: Any, **kwargs: Any) -> Inert:
        return self

    def __repr__(self) -> str:
        return f"<not unpickled: {self._pickle_global}>"


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
    placeholders: dict[str, type[Inert]] = {}
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
            cls = type(f"Inert[{full}]", (Inert,), {"_pickle_global": full})
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


def weights_file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def looks_like_safetensors(path: Path) -> bool:
    with open(path, "rb") as f:
        head = f.read(9)
    if len(head) < 9:
        return False
    return head[8:9] == b"{" and int.from_bytes(head[:8], "little") < path.stat().st_size


def header_config(path: Path) -> dict[str, Any] | None:
    """The ``config.json`` content :func:`~eegpt.checkpoints.save_checkpoint` keeps in a safetensors
    file's header metadata (:data:`HEADER_CONFIG_KEY`, with its ``"eegpt"`` section); None for a
    file without it (written by braindecode, other software or eegpt before it kept it) or not
    safetensors."""
    if not path.is_file() or not (path.suffix == ".safetensors" or looks_like_safetensors(path)):
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
#: :func:`looks_like_safetensors`.
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
    if not head or head.startswith(_CHECKPOINT_STARTS) or looks_like_safetensors(path):
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


def read_weights(path: Path) -> tuple[Any, list[str]]:
    """Read a safetensors or pickled torch file; ``(object, pickle placeholders)``."""
    from eegpt.hub import HF_REPO_URL

    corrupt = (
        f"cannot read {path}: the file is truncated, corrupt, unsafe to unpickle or not an EEGPT "
        "weights file. Download it again from a trusted source: `eegpt fetch --force` for a "
        f"pretrained name, or by hand from {HF_REPO_URL} or the EEGPT authors' release."
    )
    if path.suffix == ".safetensors" or looks_like_safetensors(path):
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
                + (f"; to see a recording's channels run `eegpt channels {command_word(path)}`"
                   if kind in EEG_SUFFIXES else "")
            ) from e  # fmt: skip
        if (what := _plainly_not_weights(path)) is not None:
            raise _not_weights_error(path, what) from e
        raise CheckpointError(f"{corrupt} ({type(e).__name__}: {e})") from e


def read_json(path: Path) -> dict[str, Any]:
    """The JSON object of a weights folder's ``config.json`` at ``path``; one that cannot be
    read, is not JSON (a syntax error where it was edited by hand, a file cut short), not
    UTF-8 text (saved again as UTF-16) or no JSON object raises a :class:`CheckpointError`
    naming it, what is wrong and what to do."""
    advice = (
        "download the weights again (`eegpt fetch --force` for a pretrained name), or, where "
        f"it was edited by hand, correct it (`python -m json.tool {path}` shows where JSON "
        "breaks)"
    )
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise CheckpointError(f"cannot read {path}: it is not valid JSON ({e}); {advice}") from e
    except UnicodeDecodeError as e:
        raise CheckpointError(
            f"cannot read {path}: it is not UTF-8 text ({e}), as JSON files are; {advice}"
        ) from e
    except OSError as e:
        raise CheckpointError(f"cannot read {path}: {e}") from e
    if not isinstance(data, dict):
        raise CheckpointError(
            f"{path} must hold a JSON object, got {type(data).__name__}; download the weights "
            "again (`eegpt fetch --force` for a pretrained name)"
        )
    return data


def pickled_object_error(what: str) -> CheckpointError:
    """The error for a pickled object where weights were expected (``what``: where, which)."""
    return CheckpointError(
        f"{what}, not weights; eegpt does not unpickle objects (that would run code from the "
        "file). If it is a model, save its weights instead: torch.save(model.state_dict(), "
        "path), or for a braindecode model model.save_pretrained(folder)"
    )
